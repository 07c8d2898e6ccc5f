/**
 * Kafka's ACL vocabulary, with Kafka's numeric codes (ResourceType, PatternType, AclOperation,
 * AclPermissionType) and names, and an ACL binding as the metadata log stores it
 * (AccessControlEntryRecord): a resource pattern and an access-control entry.
 */

export const ResourceType = {
  UNKNOWN: 0,
  ANY: 1,
  TOPIC: 2,
  GROUP: 3,
  CLUSTER: 4,
  TRANSACTIONAL_ID: 5,
  DELEGATION_TOKEN: 6,
  USER: 7,
} as const;

export const PatternType = { UNKNOWN: 0, ANY: 1, MATCH: 2, LITERAL: 3, PREFIXED: 4 } as const;

export const AclOperation = {
  UNKNOWN: 0,
  ANY: 1,
  ALL: 2,
  READ: 3,
  WRITE: 4,
  CREATE: 5,
  DELETE: 6,
  ALTER: 7,
  DESCRIBE: 8,
  CLUSTER_ACTION: 9,
  DESCRIBE_CONFIGS: 10,
  ALTER_CONFIGS: 11,
  IDEMPOTENT_WRITE: 12,
  CREATE_TOKENS: 13,
  DESCRIBE_TOKENS: 14,
} as const;

export const PermissionType = { UNKNOWN: 0, ANY: 1, DENY: 2, ALLOW: 3 } as const;

/** The only name a CLUSTER resource has. */
export const CLUSTER_RESOURCE_NAME = 'kafka-cluster';
/** The wildcard resource name, principal (`User:*`) name and host. */
export const WILDCARD = '*';
export const WILDCARD_PRINCIPAL = 'User:*';

export interface ResourcePattern {
  resourceType: number;
  resourceName: string;
  patternType: number;
}

export interface AclEntry {
  /** `Type:name`, e.g. `User:alice`, or `User:*`. */
  principal: string;
  /** An IP address, or `*`. */
  host: string;
  operation: number;
  permissionType: number;
}

export interface AclBinding extends ResourcePattern, AclEntry {
  /** The record id (base64url UUID) the binding was stored under. */
  id: string;
}

/** The operations a resource type knows, as Kafka lists them for authorized-operation fields. */
export const OPERATIONS_BY_RESOURCE_TYPE: Readonly<Record<number, readonly number[]>> = {
  [ResourceType.TOPIC]: [
    AclOperation.READ,
    AclOperation.WRITE,
    AclOperation.CREATE,
    AclOperation.DESCRIBE,
    AclOperation.DELETE,
    AclOperation.ALTER,
    AclOperation.DESCRIBE_CONFIGS,
    AclOperation.ALTER_CONFIGS,
  ],
  [ResourceType.GROUP]: [AclOperation.READ, AclOperation.DESCRIBE, AclOperation.DELETE],
  [ResourceType.CLUSTER]: [
    AclOperation.CREATE,
    AclOperation.CLUSTER_ACTION,
    AclOperation.DESCRIBE_CONFIGS,
    AclOperation.ALTER_CONFIGS,
    AclOperation.IDEMPOTENT_WRITE,
    AclOperation.ALTER,
    AclOperation.DESCRIBE,
  ],
  [ResourceType.TRANSACTIONAL_ID]: [AclOperation.DESCRIBE, AclOperation.WRITE],
  [ResourceType.DELEGATION_TOKEN]: [AclOperation.DESCRIBE],
  [ResourceType.USER]: [AclOperation.CREATE_TOKENS, AclOperation.DESCRIBE_TOKENS],
};

function nameOf(table: Readonly<Record<string, number>>, code: number): string {
  for (const [name, value] of Object.entries(table)) if (value === code) return name;
  return 'UNKNOWN';
}

function codeOf(table: Readonly<Record<string, number>>, name: string): number | undefined {
  // Kafka's names in any of their spellings: CLUSTER_ACTION, ClusterAction, cluster-action.
  const key = name
    .trim()
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toUpperCase()
    .replace(/-/g, '_');
  return Object.prototype.hasOwnProperty.call(table, key) ? table[key] : undefined;
}

export const resourceTypeName = (code: number): string => nameOf(ResourceType, code);
export const patternTypeName = (code: number): string => nameOf(PatternType, code);
export const operationName = (code: number): string => nameOf(AclOperation, code);
export const permissionTypeName = (code: number): string => nameOf(PermissionType, code);
export const resourceTypeCode = (name: string): number | undefined => codeOf(ResourceType, name);
export const patternTypeCode = (name: string): number | undefined => codeOf(PatternType, name);
export const operationCode = (name: string): number | undefined => codeOf(AclOperation, name);
export const permissionTypeCode = (name: string): number | undefined => codeOf(PermissionType, name);

/** The bit field of authorized-operation fields: one bit per AclOperation code. */
export function operationBits(operations: Iterable<number>): number {
  let bits = 0;
  for (const op of operations) bits |= 1 << op;
  return bits;
}
