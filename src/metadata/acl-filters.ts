/**
 * ACL binding filters as DescribeAcls and DeleteAcls carry them (Kafka's AclBindingFilter):
 * a null name / principal / host, resource type ANY, pattern type ANY, operation ANY and
 * permission ANY match everything; pattern type MATCH matches the bindings that would apply
 * to the named resource (the literal name, the literal `*`, and prefixes of the name).
 * Also the checks Kafka's controller makes of a new binding (AclControlManager.validateNewAcl).
 */
import {
  AclOperation,
  CLUSTER_RESOURCE_NAME,
  PatternType,
  PermissionType,
  ResourceType,
  WILDCARD,
  type AclBinding,
  type AclEntry,
  type ResourcePattern,
} from './acl-types.js';

export interface AclBindingFilter {
  resourceType: number;
  resourceName: string | null;
  patternType: number;
  principal: string | null;
  host: string | null;
  operation: number;
  permissionType: number;
}

function patternFilterMatches(f: AclBindingFilter, p: ResourcePattern): boolean {
  if (f.resourceType !== ResourceType.ANY && f.resourceType !== p.resourceType) return false;
  if (f.patternType === PatternType.ANY) return f.resourceName === null || f.resourceName === p.resourceName;
  if (f.patternType === PatternType.MATCH) {
    if (f.resourceName === null) return true;
    if (p.patternType === PatternType.LITERAL) return p.resourceName === f.resourceName || p.resourceName === WILDCARD;
    if (p.patternType === PatternType.PREFIXED) return f.resourceName.startsWith(p.resourceName);
    return false;
  }
  return f.patternType === p.patternType && (f.resourceName === null || f.resourceName === p.resourceName);
}

function entryFilterMatches(f: AclBindingFilter, e: AclEntry): boolean {
  return (
    (f.principal === null || f.principal === e.principal) &&
    (f.host === null || f.host === e.host) &&
    (f.operation === AclOperation.ANY || f.operation === e.operation) &&
    (f.permissionType === PermissionType.ANY || f.permissionType === e.permissionType)
  );
}

export function filterMatches(f: AclBindingFilter, b: AclBinding): boolean {
  return patternFilterMatches(f, b) && entryFilterMatches(f, b);
}

/** Why a filter cannot match anything Kafka would store (INVALID_REQUEST), or null. */
export function filterProblem(f: AclBindingFilter): string | null {
  if (f.resourceType === ResourceType.UNKNOWN || f.resourceType > ResourceType.USER)
    return `Invalid resource type ${f.resourceType}`;
  if (f.patternType === PatternType.UNKNOWN || f.patternType > PatternType.PREFIXED)
    return `Invalid pattern type ${f.patternType}`;
  if (f.operation === AclOperation.UNKNOWN || f.operation > AclOperation.DESCRIBE_TOKENS)
    return `Invalid operation ${f.operation}`;
  if (f.permissionType === PermissionType.UNKNOWN || f.permissionType > PermissionType.ALLOW)
    return `Invalid permission type ${f.permissionType}`;
  return null;
}

/** Why a binding may not be created (INVALID_REQUEST, Kafka's wording), or null. */
export function newBindingProblem(b: ResourcePattern & AclEntry): string | null {
  if (b.resourceType <= ResourceType.ANY || b.resourceType > ResourceType.USER)
    return `Invalid resource type ${b.resourceType}`;
  if (b.patternType !== PatternType.LITERAL && b.patternType !== PatternType.PREFIXED)
    return `Invalid patternType ${b.patternType}`;
  if (b.operation <= AclOperation.ANY || b.operation > AclOperation.DESCRIBE_TOKENS)
    return `Invalid operation ${b.operation}`;
  if (b.permissionType !== PermissionType.ALLOW && b.permissionType !== PermissionType.DENY)
    return `Invalid permission type ${b.permissionType}`;
  if (b.resourceName === '') return 'Resource name should not be empty';
  if (b.resourceType === ResourceType.CLUSTER && b.resourceName !== CLUSTER_RESOURCE_NAME)
    return `The only valid name for the CLUSTER resource is ${CLUSTER_RESOURCE_NAME}`;
  if (!b.principal.includes(':'))
    return `Could not parse principal from \`${b.principal}\` (no colon is present separating the principal type from the principal name)`;
  return null;
}

/** Two bindings that differ only in id are the same ACL. */
export function sameAcl(a: ResourcePattern & AclEntry, b: ResourcePattern & AclEntry): boolean {
  return (
    a.resourceType === b.resourceType &&
    a.resourceName === b.resourceName &&
    a.patternType === b.patternType &&
    a.principal === b.principal &&
    a.host === b.host &&
    a.operation === b.operation &&
    a.permissionType === b.permissionType
  );
}
