/**
 * ACLs through the admin APIs: CreateAcls (30), DescribeAcls (29) and DeleteAcls (31), at the
 * newest version both sides speak. Bindings and filters use Kafka's numeric codes
 * (authorizer/acl-types.ts); rows come back with Kafka's names, for printing. Each call is tried
 * again within the cluster's budget (default.api.timeout.ms) while no broker answers, as Kafka's admin
 * client does, then fails with its TimeoutException.
 */
import { CreateAclsApi } from '../../protocol/generated/messages/30-create-acls.js';
import { DescribeAclsApi } from '../../protocol/generated/messages/29-describe-acls.js';
import { DeleteAclsApi } from '../../protocol/generated/messages/31-delete-acls.js';
import type { AclBindingFilter } from '../metadata/acl-filters.js';
import {
  operationName,
  patternTypeName,
  permissionTypeName,
  resourceTypeName,
  type AclEntry,
  type ResourcePattern,
} from '../metadata/acl-types.js';
import type { Cluster } from './cluster.js';
import { check } from './errors.js';

export type AclBindingSpec = ResourcePattern & AclEntry;

/** One ACL as the tools print it. */
export interface AclRow {
  resourceType: string;
  resourceName: string;
  patternType: string;
  principal: string;
  host: string;
  operation: string;
  permission: string;
}

function row(b: AclBindingSpec): AclRow {
  return {
    resourceType: resourceTypeName(b.resourceType),
    resourceName: b.resourceName,
    patternType: patternTypeName(b.patternType),
    principal: b.principal,
    host: b.host,
    operation: operationName(b.operation),
    permission: permissionTypeName(b.permissionType),
  };
}

function filterFields(f: AclBindingFilter) {
  return {
    resourceTypeFilter: f.resourceType,
    resourceNameFilter: f.resourceName,
    patternTypeFilter: f.patternType,
    principalFilter: f.principal,
    hostFilter: f.host,
    operation: f.operation,
    permissionType: f.permissionType,
  };
}

export async function createAcls(cluster: Cluster, bindings: readonly AclBindingSpec[]): Promise<AclRow[]> {
  const response = await cluster.withRetries('CreateAcls', async () =>
    (await cluster.any()).send(CreateAclsApi, {
      creations: bindings.map((b) => ({
        resourceType: b.resourceType,
        resourceName: b.resourceName,
        resourcePatternType: b.patternType,
        principal: b.principal,
        host: b.host,
        operation: b.operation,
        permissionType: b.permissionType,
      })),
    }),
  );
  response.results.forEach((r, i) =>
    check(r.errorCode, `CreateAcls ${JSON.stringify(row(bindings[i]!))}`, r.errorMessage),
  );
  return bindings.map(row);
}

export async function describeAcls(cluster: Cluster, filter: AclBindingFilter): Promise<AclRow[]> {
  const response = await cluster.withRetries('DescribeAcls', async () =>
    (await cluster.any()).send(DescribeAclsApi, filterFields(filter)),
  );
  check(response.errorCode, 'DescribeAcls', response.errorMessage);
  return response.resources.flatMap((r) =>
    r.acls.map((a) =>
      row({
        resourceType: r.resourceType,
        resourceName: r.resourceName,
        patternType: r.patternType,
        principal: a.principal,
        host: a.host,
        operation: a.operation,
        permissionType: a.permissionType,
      }),
    ),
  );
}

/** Deletes every ACL the filters match; returns the ACLs deleted. */
export async function deleteAcls(cluster: Cluster, filters: readonly AclBindingFilter[]): Promise<AclRow[]> {
  const response = await cluster.withRetries('DeleteAcls', async () =>
    (await cluster.any()).send(DeleteAclsApi, { filters: filters.map(filterFields) }),
  );
  const rows: AclRow[] = [];
  for (const result of response.filterResults) {
    check(result.errorCode, 'DeleteAcls', result.errorMessage);
    for (const m of result.matchingAcls) {
      check(m.errorCode, 'DeleteAcls', m.errorMessage);
      rows.push(row(m));
    }
  }
  return rows;
}
