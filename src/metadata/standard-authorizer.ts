/**
 * Kafka's StandardAuthorizer semantics over the ACL bindings of the metadata image, pure:
 * - super users (`super.users`, `User:a;User:b`) may do everything;
 * - an ACL applies to a resource when its pattern is LITERAL with the resource's name or `*`,
 *   or PREFIXED with a prefix of the name; to a request when its principal is the request's
 *   or `User:*` and its host is the client's address or `*`;
 * - a DENY whose operation is the one asked or ALL wins over any ALLOW;
 * - an ALLOW of the operation or ALL allows; READ, WRITE, DELETE and ALTER imply DESCRIBE, and
 *   ALTER_CONFIGS implies DESCRIBE_CONFIGS;
 * - with no ACL at all on the resource, `allow.everyone.if.no.acl.found` decides (false by default).
 * `authorizeByResourceType` is Kafka's Authorizer default method of that name (used where Kafka asks
 * "may this principal do OP on any resource of this type", e.g. idempotent producers without
 * IDEMPOTENT_WRITE).
 */
import type { AclTable } from './acl-table.js';
import {
  AclOperation,
  PatternType,
  PermissionType,
  WILDCARD,
  WILDCARD_PRINCIPAL,
  type AclBinding,
} from './acl-types.js';

export const STANDARD_AUTHORIZER_CLASS = 'org.apache.kafka.metadata.authorizer.StandardAuthorizer';

export interface AuthorizerSettings {
  /** `Type:name` strings of `super.users`. */
  superUsers: ReadonlySet<string>;
  allowEveryoneIfNoAclFound: boolean;
}

/** Who asks: the principal as `Type:name` and the client's address. */
export interface Requester {
  principal: string;
  host: string;
}

/** `super.users` as Kafka reads it: principals separated by semicolons. */
export function parseSuperUsers(value: string): Set<string> {
  return new Set(
    value
      .split(';')
      .map((s) => s.trim())
      .filter((s) => s !== ''),
  );
}

const IMPLIES_DESCRIBE: ReadonlySet<number> = new Set([
  AclOperation.READ,
  AclOperation.WRITE,
  AclOperation.DELETE,
  AclOperation.ALTER,
]);

function allowCovers(aclOperation: number, asked: number): boolean {
  if (aclOperation === AclOperation.ALL || aclOperation === asked) return true;
  if (asked === AclOperation.DESCRIBE) return IMPLIES_DESCRIBE.has(aclOperation);
  if (asked === AclOperation.DESCRIBE_CONFIGS) return aclOperation === AclOperation.ALTER_CONFIGS;
  return false;
}

function denyCovers(aclOperation: number, asked: number): boolean {
  return aclOperation === AclOperation.ALL || aclOperation === asked;
}

function patternMatches(acl: AclBinding, resourceName: string): boolean {
  if (acl.patternType === PatternType.LITERAL)
    return acl.resourceName === resourceName || acl.resourceName === WILDCARD;
  if (acl.patternType === PatternType.PREFIXED) return resourceName.startsWith(acl.resourceName);
  return false;
}

function appliesTo(acl: AclBinding, who: Requester): boolean {
  return (
    (acl.principal === who.principal || acl.principal === WILDCARD_PRINCIPAL) &&
    (acl.host === who.host || acl.host === WILDCARD)
  );
}

export class StandardAuthorizer {
  constructor(
    private readonly acls: () => AclTable,
    private readonly settings: AuthorizerSettings,
  ) {}

  isSuperUser(principal: string): boolean {
    return this.settings.superUsers.has(principal);
  }

  authorize(who: Requester, operation: number, resourceType: number, resourceName: string): boolean {
    if (this.isSuperUser(who.principal)) return true;
    let anyOnResource = false;
    let allowed = false;
    for (const acl of this.acls().ofResourceType(resourceType)) {
      if (!patternMatches(acl, resourceName)) continue;
      anyOnResource = true;
      if (!appliesTo(acl, who)) continue;
      if (acl.permissionType === PermissionType.DENY) {
        if (denyCovers(acl.operation, operation)) return false;
      } else if (acl.permissionType === PermissionType.ALLOW && allowCovers(acl.operation, operation)) {
        allowed = true;
      }
    }
    if (allowed) return true;
    return !anyOnResource && this.settings.allowEveryoneIfNoAclFound;
  }

  /**
   * Whether `who` may do `operation` on at least one resource of the type: allowed by some
   * ALLOW (literal or prefixed) that no DENY covers (a literal `*` DENY covers everything; a
   * DENY prefix covers the names that start with it).
   */
  authorizeByResourceType(who: Requester, operation: number, resourceType: number): boolean {
    if (this.authorize(who, operation, resourceType, 'hardcode')) return true;
    const denyLiterals = new Set<string>();
    const denyPrefixes: string[] = [];
    const allowLiterals: string[] = [];
    const allowPrefixes: string[] = [];
    for (const acl of this.acls().ofResourceType(resourceType)) {
      if (!appliesTo(acl, who)) continue;
      if (acl.operation !== operation && acl.operation !== AclOperation.ALL) continue;
      const literal = acl.patternType === PatternType.LITERAL;
      if (acl.permissionType === PermissionType.DENY) {
        if (literal && acl.resourceName === WILDCARD) return false;
        if (literal) denyLiterals.add(acl.resourceName);
        else if (acl.patternType === PatternType.PREFIXED) denyPrefixes.push(acl.resourceName);
      } else if (acl.permissionType === PermissionType.ALLOW) {
        if (literal && acl.resourceName === WILDCARD) return true;
        if (literal) allowLiterals.push(acl.resourceName);
        else if (acl.patternType === PatternType.PREFIXED) allowPrefixes.push(acl.resourceName);
      }
    }
    const deniedByPrefix = (name: string): boolean => denyPrefixes.some((p) => name.startsWith(p));
    if (allowPrefixes.some((p) => !deniedByPrefix(p))) return true;
    return allowLiterals.some((name) => !denyLiterals.has(name) && !deniedByPrefix(name));
  }
}

/** What `getConfig` needs to read of the broker config. */
export interface AuthorizerConfigSource {
  string(key: string): string;
  bool(key: string): boolean;
}

/**
 * The authorizer `authorizer.class.name` asks for: none when empty, the StandardAuthorizer over
 * the image's ACLs for Kafka's class name (any other name is refused by the config check at
 * start-up, before this runs).
 */
export function authorizerFromConfig(
  config: AuthorizerConfigSource,
  acls: () => AclTable,
): StandardAuthorizer | undefined {
  const className = config.string('authorizer.class.name').trim();
  if (className === '') return undefined;
  if (className !== STANDARD_AUTHORIZER_CLASS) throw new Error(`authorizer.class.name ${className} is not supported`);
  return new StandardAuthorizer(acls, {
    superUsers: parseSuperUsers(config.string('super.users')),
    allowEveryoneIfNoAclFound: config.bool('allow.everyone.if.no.acl.found'),
  });
}
