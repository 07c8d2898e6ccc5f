/**
 * What CreateAcls, DeleteAcls and DescribeAcls do to / read from the image's ACL table, pure:
 * creations become AccessControlEntryRecords (an ACL that already exists is accepted and not
 * stored twice, as Kafka's AclControlManager does), deletions RemoveAccessControlEntryRecords of
 * every binding a filter matches, and descriptions list the matching bindings grouped by
 * resource pattern.
 */
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import type { MetadataRecord } from './records.js';
import type { AclTable } from './acl-table.js';
import type { AclBinding, AclEntry, ResourcePattern } from './acl-types.js';
import { filterMatches, filterProblem, newBindingProblem, sameAcl, type AclBindingFilter } from './acl-filters.js';

export interface AclResult {
  errorCode: number;
  errorMessage: string | null;
}

export function planAclCreations(
  table: AclTable,
  creations: ReadonlyArray<ResourcePattern & AclEntry>,
  newId: () => string,
): { results: AclResult[]; records: MetadataRecord[] } {
  const records: MetadataRecord[] = [];
  const added: AclBinding[] = [];
  const results = creations.map((c): AclResult => {
    const problem = newBindingProblem(c);
    if (problem !== null) return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: problem };
    const exists = [...table.all(), ...added].some((b) => sameAcl(b, c));
    if (!exists) {
      const binding: AclBinding = { ...pick(c), id: newId() };
      added.push(binding);
      records.push({ type: 'AccessControlEntryRecord', data: { ...binding } });
    }
    return { errorCode: ErrorCode.NONE, errorMessage: null };
  });
  return { results, records };
}

export interface AclDeletionResult extends AclResult {
  matching: AclBinding[];
}

export function planAclDeletions(
  table: AclTable,
  filters: readonly AclBindingFilter[],
): { results: AclDeletionResult[]; records: MetadataRecord[] } {
  const removed = new Set<string>();
  const records: MetadataRecord[] = [];
  const results = filters.map((f): AclDeletionResult => {
    const problem = filterProblem(f);
    if (problem !== null) return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: problem, matching: [] };
    const matching = [...table.all()].filter((b) => filterMatches(f, b));
    for (const b of matching) {
      if (removed.has(b.id)) continue;
      removed.add(b.id);
      records.push({ type: 'RemoveAccessControlEntryRecord', data: { id: b.id } });
    }
    return { errorCode: ErrorCode.NONE, errorMessage: null, matching };
  });
  return { results, records };
}

export interface DescribedResource extends ResourcePattern {
  acls: AclEntry[];
}

/** The bindings a filter matches, grouped by resource pattern (in a stable order). */
export function describeAcls(table: AclTable, filter: AclBindingFilter): DescribedResource[] {
  const byPattern = new Map<string, DescribedResource>();
  const matching = [...table.all()].filter((b) => filterMatches(filter, b));
  matching.sort(
    (a, b) =>
      a.resourceType - b.resourceType ||
      a.patternType - b.patternType ||
      a.resourceName.localeCompare(b.resourceName) ||
      a.principal.localeCompare(b.principal),
  );
  for (const b of matching) {
    const key = `${b.resourceType}\u0000${b.patternType}\u0000${b.resourceName}`;
    let resource = byPattern.get(key);
    if (!resource) {
      resource = { resourceType: b.resourceType, resourceName: b.resourceName, patternType: b.patternType, acls: [] };
      byPattern.set(key, resource);
    }
    resource.acls.push({
      principal: b.principal,
      host: b.host,
      operation: b.operation,
      permissionType: b.permissionType,
    });
  }
  return [...byPattern.values()];
}

function pick(c: ResourcePattern & AclEntry): Omit<AclBinding, 'id'> {
  return {
    resourceType: c.resourceType,
    resourceName: c.resourceName,
    patternType: c.patternType,
    principal: c.principal,
    host: c.host,
    operation: c.operation,
    permissionType: c.permissionType,
  };
}
