/**
 * `gregor acl list | create | delete`, with kafka-acls.sh's flags: resources from --topic,
 * --group, --cluster and --transactional-id (repeatable), --resource-pattern-type, principals
 * from --allow-principal / --deny-principal (hosts --allow-host / --deny-host, default `*`),
 * --operation (repeatable; default ALL), and the --producer / --consumer shorthands
 * (WRITE, DESCRIBE, CREATE on the topics; READ, DESCRIBE on the topics and READ on the groups).
 * `list` with no resource lists every ACL; `--principal` narrows it.
 */
import { Command } from 'commander';
import { createAcls, deleteAcls, describeAcls, type AclBindingSpec, type AclRow } from '../../client/acls.js';
import type { AclBindingFilter } from '../../metadata/acl-filters.js';
import {
  AclOperation,
  CLUSTER_RESOURCE_NAME,
  OPERATIONS_BY_RESOURCE_TYPE,
  PatternType,
  PermissionType,
  ResourceType,
  operationCode,
  operationName,
  patternTypeCode,
  patternTypeName,
  resourceTypeName,
} from '../../metadata/acl-types.js';
import { parseFormat, print, table, UsageError } from '../output.js';
import { collect, withCluster, withClusterOptions, type ClusterFlags } from './common.js';

interface AclFlags extends ClusterFlags {
  topic: string[];
  group: string[];
  cluster?: boolean;
  transactionalId: string[];
  resourcePatternType?: string;
  allowPrincipal: string[];
  denyPrincipal: string[];
  allowHost: string[];
  denyHost: string[];
  operation: string[];
  principal?: string;
  producer?: boolean;
  consumer?: boolean;
  format?: string;
}

interface Resource {
  resourceType: number;
  resourceName: string;
}

const COLUMNS = ['resourceType', 'resourceName', 'patternType', 'principal', 'host', 'operation', 'permission'];

function withAclOptions(command: Command): Command {
  return withClusterOptions(command)
    .option('--topic <topic>', 'a topic (repeatable; * for all)', collect, [])
    .option('--group <group>', 'a consumer group (repeatable; * for all)', collect, [])
    .option('--cluster', 'the cluster resource')
    .option('--transactional-id <id>', 'a transactional id (repeatable; * for all)', collect, [])
    .option('--resource-pattern-type <type>', 'literal or prefixed (list and delete also: any, match)', 'literal')
    .option(
      '--operation <operation>',
      'an operation: Read, Write, Create, Delete, Alter, Describe, ... (repeatable)',
      collect,
      [],
    )
    .option('--allow-principal <principal>', 'a principal to allow, User:name (repeatable)', collect, [])
    .option('--deny-principal <principal>', 'a principal to deny, User:name (repeatable)', collect, [])
    .option('--allow-host <host>', 'an address --allow-principal applies from (repeatable; default *)', collect, [])
    .option('--deny-host <host>', 'an address --deny-principal applies from (repeatable; default *)', collect, [])
    .option('--format <format>', 'table or json', 'table');
}

function resourcesOf(flags: AclFlags): Resource[] {
  return [
    ...flags.topic.map((name) => ({ resourceType: ResourceType.TOPIC, resourceName: name })),
    ...flags.group.map((name) => ({ resourceType: ResourceType.GROUP, resourceName: name })),
    ...(flags.cluster ? [{ resourceType: ResourceType.CLUSTER, resourceName: CLUSTER_RESOURCE_NAME }] : []),
    ...flags.transactionalId.map((name) => ({ resourceType: ResourceType.TRANSACTIONAL_ID, resourceName: name })),
  ];
}

function patternTypeOf(flags: AclFlags, allowed: readonly number[]): number {
  const text = flags.resourcePatternType ?? 'literal';
  const code = patternTypeCode(text);
  if (code === undefined || !allowed.includes(code))
    throw new UsageError(
      `--resource-pattern-type takes ${allowed.map((c) => patternTypeName(c).toLowerCase()).join(', ')}, not "${text}"`,
    );
  return code;
}

function operationsOf(flags: AclFlags): number[] {
  return flags.operation.map((text) => {
    const code = operationCode(text);
    if (code === undefined || code <= AclOperation.ANY)
      throw new UsageError(`--operation: unknown operation "${text}"`);
    return code;
  });
}

function checkPrincipal(p: string): string {
  if (!/^[^:]+:.+$/.test(p)) throw new UsageError(`a principal is Type:name (e.g. User:alice), not "${p}"`);
  return p;
}

/** Principals with their permission and hosts, from --allow-* / --deny-*. */
function grants(flags: AclFlags): Array<{ principal: string; permissionType: number; hosts: string[] }> {
  const hosts = (list: string[]): string[] => (list.length > 0 ? list : ['*']);
  return [
    ...flags.allowPrincipal.map((p) => ({
      principal: checkPrincipal(p),
      permissionType: PermissionType.ALLOW,
      hosts: hosts(flags.allowHost),
    })),
    ...flags.denyPrincipal.map((p) => ({
      principal: checkPrincipal(p),
      permissionType: PermissionType.DENY,
      hosts: hosts(flags.denyHost),
    })),
  ];
}

/** The (resource, operations) pairs to create: --operation on every resource, or the shorthands. */
function operationsByResource(flags: AclFlags, resources: Resource[]): Array<[Resource, number[]]> {
  if (!flags.producer && !flags.consumer) {
    const ops = operationsOf(flags);
    const wanted = ops.length > 0 ? ops : [AclOperation.ALL];
    for (const r of resources)
      for (const op of wanted)
        if (op !== AclOperation.ALL && !(OPERATIONS_BY_RESOURCE_TYPE[r.resourceType] ?? []).includes(op))
          throw new UsageError(
            `${resourceTypeName(r.resourceType)} resources do not take the operation ${operationName(op)}`,
          );
    return resources.map((r) => [r, wanted]);
  }
  const out: Array<[Resource, number[]]> = [];
  const topics = resources.filter((r) => r.resourceType === ResourceType.TOPIC);
  if (topics.length === 0) throw new UsageError('--producer and --consumer need --topic');
  if (flags.producer) {
    for (const t of topics) out.push([t, [AclOperation.WRITE, AclOperation.DESCRIBE, AclOperation.CREATE]]);
    for (const r of resources.filter((r) => r.resourceType === ResourceType.TRANSACTIONAL_ID))
      out.push([r, [AclOperation.WRITE, AclOperation.DESCRIBE]]);
  }
  if (flags.consumer) {
    const groups = resources.filter((r) => r.resourceType === ResourceType.GROUP);
    if (groups.length === 0) throw new UsageError('--consumer needs --group');
    for (const t of topics) out.push([t, [AclOperation.READ, AclOperation.DESCRIBE]]);
    for (const g of groups) out.push([g, [AclOperation.READ]]);
  }
  return out;
}

function printRows(flags: AclFlags, rows: AclRow[]): void {
  print(parseFormat(flags.format ?? 'table'), rows, () =>
    table(rows as unknown as Array<Record<string, unknown>>, COLUMNS),
  );
}

export function aclCommand(): Command {
  const acl = new Command('acl').description('list, create and delete ACLs (as kafka-acls.sh)');

  withAclOptions(acl.command('list').alias('ls').description('ACLs, all or those on the given resources'))
    .option('--principal <principal>', 'only the ACLs of this principal')
    .action(async (flags: AclFlags) => {
      const resources = resourcesOf(flags);
      const principal = flags.principal === undefined ? null : checkPrincipal(flags.principal);
      const everything: AclBindingFilter = {
        resourceType: ResourceType.ANY,
        resourceName: null,
        patternType: PatternType.ANY,
        principal,
        host: null,
        operation: AclOperation.ANY,
        permissionType: PermissionType.ANY,
      };
      const patternType =
        resources.length === 0
          ? PatternType.ANY
          : patternTypeOf(flags, [PatternType.LITERAL, PatternType.PREFIXED, PatternType.ANY, PatternType.MATCH]);
      const filters =
        resources.length === 0 ? [everything] : resources.map((r) => ({ ...everything, ...r, patternType }));
      const rows = await withCluster(flags, async (c) => {
        const out: AclRow[] = [];
        for (const f of filters) out.push(...(await describeAcls(c, f)));
        return out;
      });
      printRows(flags, rows);
    });

  withAclOptions(acl.command('create').alias('add').description('create ACLs'))
    .option('--producer', 'WRITE, DESCRIBE and CREATE on the topics (and WRITE, DESCRIBE on --transactional-id)')
    .option('--consumer', 'READ and DESCRIBE on the topics, READ on the groups')
    .action(async (flags: AclFlags) => {
      const resources = resourcesOf(flags);
      if (resources.length === 0)
        throw new UsageError('give a resource: --topic, --group, --cluster or --transactional-id');
      const who = grants(flags);
      if (who.length === 0) throw new UsageError('give --allow-principal or --deny-principal');
      const patternType = patternTypeOf(flags, [PatternType.LITERAL, PatternType.PREFIXED]);
      const bindings: AclBindingSpec[] = [];
      for (const [resource, ops] of operationsByResource(flags, resources))
        for (const g of who)
          for (const host of g.hosts)
            for (const operation of ops)
              bindings.push({
                ...resource,
                patternType,
                principal: g.principal,
                host,
                operation,
                permissionType: g.permissionType,
              });
      const rows = await withCluster(flags, (c) => createAcls(c, bindings));
      printRows(flags, rows);
    });

  withAclOptions(acl.command('delete').alias('remove').description('delete the ACLs that match')).action(
    async (flags: AclFlags) => {
      const resources = resourcesOf(flags);
      if (resources.length === 0)
        throw new UsageError('give a resource: --topic, --group, --cluster or --transactional-id');
      const patternType = patternTypeOf(flags, [
        PatternType.LITERAL,
        PatternType.PREFIXED,
        PatternType.ANY,
        PatternType.MATCH,
      ]);
      const ops = operationsOf(flags);
      const who = grants(flags);
      const principals: Array<{ principal: string | null; permissionType: number; hosts: Array<string | null> }> =
        who.length > 0
          ? who.map((g) => ({
              ...g,
              hosts: flags.allowHost.length + flags.denyHost.length > 0 ? g.hosts : [null],
            }))
          : [{ principal: null, permissionType: PermissionType.ANY, hosts: [null] }];
      const filters: AclBindingFilter[] = [];
      for (const r of resources)
        for (const p of principals)
          for (const host of p.hosts)
            for (const operation of ops.length > 0 ? ops : [AclOperation.ANY])
              filters.push({
                ...r,
                patternType,
                principal: p.principal,
                host,
                operation,
                permissionType: p.permissionType,
              });
      const rows = await withCluster(flags, (c) => deleteAcls(c, filters));
      printRows(flags, rows);
    },
  );

  return acl;
}
