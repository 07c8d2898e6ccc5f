/**
 * kafka-acls.sh (Kafka 3.9's AclCommand) through the admin APIs (--bootstrap-server): --add,
 * --remove (a y/n question per resource filter on stdin unless --force), --list (every ACL, those
 * of the given resources, or with --principal those of the principals), with the resource
 * options (--topic, --group, --cluster, --transactional-id, --delegation-token, --user-principal),
 * --resource-pattern-type, --allow-/--deny-principal and -host, --operation, the --producer
 * (with --idempotent) and --consumer shorthands, and --command-config. Prints Kafka's text:
 * "Adding ACLs for resource `ResourcePattern(...)`:" and "Current ACLs for resource ..." with
 * one "\t(principal=..., host=..., operation=..., permissionType=...)" line per entry.
 * Leaves out: --authorizer / --authorizer-properties / --zk-tls-config-file (the ZooKeeper-era
 * path; refused with a message). Resources and entries print in the order given or returned,
 * where Kafka's hash sets have no set order.
 */
import { createInterface } from 'node:readline';
import { createAcls, deleteAcls, describeAcls, type AclBindingSpec, type AclRow } from '../../client/acls.js';
import type { Cluster } from '../../client/cluster.js';
import { KafkaClientError } from '../../client/errors.js';
import type { AclBindingFilter } from '../../metadata/acl-filters.js';
import {
  AclOperation,
  CLUSTER_RESOURCE_NAME,
  OPERATIONS_BY_RESOURCE_TYPE,
  PatternType,
  PermissionType,
  ResourceType,
  operationName,
  patternTypeName,
  resourceTypeName,
} from '../../metadata/acl-types.js';
import { cliIo } from '../io.js';
import { clientFor, loadProperties } from './client-config.js';
import { isAdminTimeout, javaException, javaMessage } from './messages.js';
import {
  DEFAULT_OPTIONS,
  KafkaToolExit,
  maybeHelpOrVersion,
  parseOptionsOrUsage,
  refuseWith,
  requireOptions,
  usageExit,
  type OptionSpec,
  type ParsedOptions,
} from './options.js';
import { KAFKA_VERSION } from './version.js';

const resource = (name: string, help: string): OptionSpec => ({ name, arg: 'required', help, describedAs: name });
const flag = (name: string, help: string): OptionSpec => ({ name, arg: 'none', help });

const SPECS: readonly OptionSpec[] = [
  ...DEFAULT_OPTIONS,
  {
    name: 'bootstrap-server',
    arg: 'required',
    help: 'The Kafka cluster to connect to, host1:port1,host2:port2,... Required to manage ACLs with the admin client.',
    describedAs: 'server to connect to',
  },
  {
    name: 'command-config',
    arg: 'optional',
    help: 'A property file of admin client settings.',
    describedAs: 'command-config',
  },
  { name: 'authorizer', arg: 'required', help: 'DEPRECATED (ZooKeeper): not supported.', describedAs: 'authorizer' },
  {
    name: 'authorizer-properties',
    arg: 'required',
    help: 'DEPRECATED (ZooKeeper): not supported.',
    describedAs: 'authorizer-properties',
  },
  {
    name: 'zk-tls-config-file',
    arg: 'required',
    help: 'DEPRECATED (ZooKeeper): not supported.',
    describedAs: 'Authorizer ZooKeeper TLS configuration',
  },
  resource('topic', "The topic to add ACLs to or remove them from ('*': every topic)."),
  flag('cluster', 'Add/Remove cluster ACLs.'),
  resource('group', "The consumer group to add ACLs to or remove them from ('*': every group)."),
  resource('transactional-id', "The transactional id to add ACLs to or remove them from ('*': every one)."),
  flag('idempotent', 'With --producer: IDEMPOTENT_WRITE on the cluster too.'),
  resource('delegation-token', "The delegation token to add ACLs to or remove them from ('*': every token)."),
  resource('user-principal', 'A user principal as the resource (for CreateTokens or DescribeTokens).'),
  {
    name: 'resource-pattern-type',
    arg: 'required',
    help: "The resource pattern type: 'literal' or 'prefixed' when adding; when listing or removing also 'any' (any pattern type, the exact name) or 'match' (every pattern that affects the resource).",
    defaultValue: 'LITERAL',
  },
  flag('add', 'Indicates you are trying to add ACLs.'),
  flag('remove', 'Indicates you are trying to remove ACLs.'),
  flag('list', 'List ACLs, of the resources given by --topic, --group or --cluster when there are some.'),
  {
    name: 'operation',
    arg: 'required',
    help: 'The operation allowed or denied: All, Read, Write, Create, Delete, Alter, Describe, ClusterAction, DescribeConfigs, AlterConfigs, IdempotentWrite, CreateTokens, DescribeTokens.',
    defaultValue: 'All',
  },
  resource('allow-principal', "A principal, principalType:name (User:'*' is every user)."),
  resource('deny-principal', 'A principal to deny, principalType:name; deny rules win over allow rules.'),
  {
    name: 'principal',
    arg: 'optional',
    help: 'With --list: the ACLs of this principal (principalType:name; repeatable).',
    describedAs: 'principal',
  },
  resource('allow-host', "The host --allow-principal's principals have access from (default '*')."),
  resource('deny-host', "The host --deny-principal's principals are denied access from (default '*')."),
  flag('producer', 'Convenience option: WRITE, DESCRIBE and CREATE on the topics.'),
  flag('consumer', 'Convenience option: READ and DESCRIBE on the topics and READ on the groups.'),
  flag('force', 'Assume Yes to all queries and do not prompt.'),
];

interface Pattern {
  resourceType: number;
  name: string;
  patternType: number;
}

interface Entry {
  principal: string;
  host: string;
  operation: number;
  permissionType: number;
}

const patternText = (p: Pattern): string =>
  `ResourcePattern(resourceType=${resourceTypeName(p.resourceType)}, name=${p.name}, patternType=${patternTypeName(p.patternType)})`;
const entryText = (e: { principal: string; host: string; operation: string; permission: string }): string =>
  `(principal=${e.principal}, host=${e.host}, operation=${e.operation}, permissionType=${e.permission})`;
const entryRow = (e: Entry): { principal: string; host: string; operation: string; permission: string } => ({
  principal: e.principal,
  host: e.host,
  operation: operationName(e.operation),
  permission: e.permissionType === PermissionType.ALLOW ? 'ALLOW' : 'DENY',
});

/** "Adding ACLs for resource `...`: \n \t(...)\n\t(...) \n" and a blank line, as Kafka prints them. */
function block(title: string, lines: string[]): string {
  return `${title}: \n ${lines.map((l) => `\t${l}`).join('\n')} \n\n`;
}

/** AclOperation names as Kafka's SecurityUtils reads them: Pascal case, or that upper-cased. */
function operationOf(text: string): number {
  const wanted = text.trim();
  for (const [name, code] of Object.entries(AclOperation)) {
    const pascal = name
      .toLowerCase()
      .split('_')
      .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
      .join('');
    if (wanted === pascal || wanted.toUpperCase() === pascal.toUpperCase()) return code;
  }
  return AclOperation.UNKNOWN;
}

const pascalOperation = (code: number): string =>
  operationName(code)
    .toLowerCase()
    .split('_')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');

/** An error inside the command: "Error while executing ACL command: ..." on stdout, exit 1. */
class CommandError extends Error {}

function principalOf(text: string): string {
  const trimmed = text.trim();
  const colon = trimmed.indexOf(':');
  if (colon < 0) throw new CommandError(`expected a string in format principalType:principalName but got ${trimmed}`);
  return trimmed;
}

function patternTypeOf(o: ParsedOptions): number {
  const text = o.value('resource-pattern-type')!;
  const code = ['ANY', 'MATCH', 'LITERAL', 'PREFIXED'].find((n) => n === text.toUpperCase());
  if (code === undefined) throw new CommandError(`Cannot parse argument '${text}' of option resource-pattern-type`);
  return PatternType[code as keyof typeof PatternType];
}

/** The resource filters the options name, in Kafka's order (topics, cluster, groups, ...). */
function resourceFilters(o: ParsedOptions, dieIfNone: boolean): Pattern[] {
  const patternType = patternTypeOf(o);
  const out: Pattern[] = [];
  const add = (resourceType: number, name: string): void => {
    if (!out.some((p) => p.resourceType === resourceType && p.name === name))
      out.push({ resourceType, name, patternType });
  };
  for (const t of o.values('topic')) add(ResourceType.TOPIC, t.trim());
  if (patternType === PatternType.LITERAL && (o.has('cluster') || o.has('idempotent')))
    add(ResourceType.CLUSTER, CLUSTER_RESOURCE_NAME);
  for (const g of o.values('group')) add(ResourceType.GROUP, g.trim());
  for (const id of o.values('transactional-id')) add(ResourceType.TRANSACTIONAL_ID, id);
  for (const token of o.values('delegation-token')) add(ResourceType.DELEGATION_TOKEN, token.trim());
  for (const user of o.values('user-principal')) add(ResourceType.USER, user.trim());
  if (out.length === 0 && dieIfNone)
    throw usageExit(
      SPECS,
      'You must provide at least one resource: --topic <topic> or --cluster or --group <group> or --delegation-token <Delegation Token ID>',
    );
  return out;
}

const unique = (values: string[]): string[] => [...new Set(values)];

/** The entries for these operations: every principal × operation × host, allowed then denied. */
function entries(o: ParsedOptions, operations: number[]): Entry[] {
  const out: Entry[] = [];
  const side = (principals: string, hosts: string, permissionType: number): void => {
    const who = unique(o.values(principals).map(principalOf));
    const where = o.has(hosts) ? unique(o.values(hosts).map((h) => h.trim())) : who.length > 0 ? ['*'] : [];
    for (const principal of who)
      for (const operation of operations)
        for (const host of where) out.push({ principal, host, operation, permissionType });
  };
  side('allow-principal', 'allow-host', PermissionType.ALLOW);
  side('deny-principal', 'deny-host', PermissionType.DENY);
  return out;
}

type FilterAcls = Array<{ pattern: Pattern; acls: Entry[] }>;

/** Each resource filter with the entries the options give it (getResourceFilterToAcls). */
function filterToAcls(o: ParsedOptions): FilterAcls {
  const result: FilterAcls = [];
  const put = (pattern: Pattern, acls: Entry[], merge: boolean): void => {
    const at = result.find((r) => r.pattern.resourceType === pattern.resourceType && r.pattern.name === pattern.name);
    if (!at) result.push({ pattern, acls });
    else at.acls = merge ? [...acls, ...at.acls] : acls;
  };
  const { WRITE, DESCRIBE, CREATE, READ, IDEMPOTENT_WRITE } = AclOperation;
  if (!o.has('producer') && !o.has('consumer')) {
    const acls = entries(
      o,
      unique(o.values('operation').length > 0 ? o.values('operation') : ['All']).map(operationOf),
    );
    for (const f of resourceFilters(o, true)) put(f, acls, false);
  }
  if (o.has('producer')) {
    const filters = resourceFilters(o, true);
    for (const f of filters.filter((f) => f.resourceType === ResourceType.TOPIC))
      put(f, entries(o, [WRITE, DESCRIBE, CREATE]), false);
    for (const f of filters.filter((f) => f.resourceType === ResourceType.TRANSACTIONAL_ID))
      put(f, entries(o, [WRITE, DESCRIBE]), false);
    if (o.has('idempotent'))
      put(
        { resourceType: ResourceType.CLUSTER, name: CLUSTER_RESOURCE_NAME, patternType: PatternType.LITERAL },
        entries(o, [IDEMPOTENT_WRITE]),
        false,
      );
  }
  if (o.has('consumer')) {
    const filters = resourceFilters(o, true);
    for (const f of filters.filter((f) => f.resourceType === ResourceType.TOPIC))
      put(f, entries(o, [READ, DESCRIBE]), true);
    for (const f of filters.filter((f) => f.resourceType === ResourceType.GROUP)) put(f, entries(o, [READ]), true);
  }
  for (const { pattern, acls } of result) {
    const valid = [...(OPERATIONS_BY_RESOURCE_TYPE[pattern.resourceType] ?? []), AclOperation.ALL];
    if (acls.some((a) => !valid.includes(a.operation)))
      throw usageExit(
        SPECS,
        `ResourceType ${resourceTypeName(pattern.resourceType)} only supports operations ${valid.map(pascalOperation).join(', ')}`,
      );
  }
  return result;
}

function checkArgs(o: ParsedOptions): void {
  if (o.has('bootstrap-server') && o.has('authorizer'))
    throw usageExit(SPECS, 'Only one of --bootstrap-server or --authorizer must be specified');
  if (!o.has('bootstrap-server')) {
    requireOptions(o, 'authorizer-properties');
    throw new KafkaToolExit(
      1,
      "Gregor's kafka-acls.sh manages ACLs through the admin client only: give --bootstrap-server (the --authorizer path is ZooKeeper's)",
    );
  }
  if (o.has('authorizer-properties'))
    throw usageExit(SPECS, 'The --authorizer-properties option can only be used with --authorizer option');
  if (['add', 'remove', 'list'].filter((a) => o.has(a)).length !== 1)
    throw usageExit(SPECS, 'Command must include exactly one action: --list, --add, --remove. ');
  refuseWith(o, 'list', ['producer', 'consumer', 'allow-host', 'allow-principal', 'deny-host', 'deny-principal']);
  refuseWith(o, 'producer', ['operation', 'deny-principal', 'deny-host']);
  refuseWith(o, 'consumer', ['operation', 'deny-principal', 'deny-host']);
  if (o.has('principal') && !o.has('list'))
    throw usageExit(SPECS, 'The --principal option is only available if --list is set');
  if (o.has('producer') && !o.has('topic')) throw usageExit(SPECS, 'With --producer you must specify a --topic');
  if (o.has('idempotent') && !o.has('producer'))
    throw usageExit(SPECS, 'The --idempotent option is only available if --producer is set');
  if (
    o.has('consumer') &&
    (!o.has('topic') || !o.has('group') || (!o.has('producer') && (o.has('cluster') || o.has('transactional-id'))))
  )
    throw usageExit(
      SPECS,
      'With --consumer you must specify a --topic and a --group and no --cluster or --transactional-id option should be specified.',
    );
}

async function addAcls(cluster: Cluster, o: ParsedOptions): Promise<void> {
  const patternType = patternTypeOf(o);
  if (patternType !== PatternType.LITERAL && patternType !== PatternType.PREFIXED)
    throw usageExit(
      SPECS,
      `A '--resource-pattern-type' value of '${patternTypeName(patternType)}' is not valid when adding acls.`,
    );
  const toAdd = filterToAcls(o);
  if (toAdd.some((r) => r.acls.length === 0))
    throw usageExit(SPECS, 'You must specify one of: --allow-principal, --deny-principal when trying to add ACLs.');
  for (const { pattern, acls } of toAdd) {
    cliIo().stdout.write(
      block(
        `Adding ACLs for resource \`${patternText(pattern)}\``,
        acls.map((a) => entryText(entryRow(a))),
      ),
    );
    const bindings: AclBindingSpec[] = acls.map((a) => ({
      resourceType: pattern.resourceType,
      resourceName: pattern.name,
      patternType: pattern.patternType,
      ...a,
    }));
    await createAcls(cluster, bindings);
  }
}

/** Reads the answers to remove's questions, one line each, from stdin. */
class Answers {
  private lines: AsyncIterator<string> | null = null;
  private closeReader: (() => void) | null = null;

  async next(): Promise<string | null> {
    if (this.lines === null) {
      const reader = createInterface({ input: cliIo().stdin, crlfDelay: Infinity });
      this.closeReader = () => reader.close();
      this.lines = reader[Symbol.asyncIterator]();
    }
    const next = await this.lines.next();
    return next.done === true ? null : next.value;
  }

  close(): void {
    this.closeReader?.();
  }
}

async function removeAcls(cluster: Cluster, o: ParsedOptions): Promise<void> {
  const answers = new Answers();
  try {
    for (const { pattern, acls } of filterToAcls(o)) {
      const question =
        acls.length === 0
          ? `Are you sure you want to delete all ACLs for resource filter \`${patternText(pattern)}\`? (y/n)`
          : `Are you sure you want to remove ACLs: \n ${acls.map((a) => `\t${entryText(entryRow(a))}`).join('\n')} \n from resource filter \`${patternText(pattern)}\`? (y/n)`;
      if (!o.has('force')) {
        cliIo().stdout.write(`${question}\n`);
        const answer = await answers.next();
        if (answer === null)
          throw new CommandError('no answer on standard input (give --force to remove without asking)');
        if (answer.toLowerCase() !== 'y') continue;
      }
      const base = { resourceType: pattern.resourceType, resourceName: pattern.name, patternType: pattern.patternType };
      const filters: AclBindingFilter[] =
        acls.length === 0
          ? [{ ...base, principal: null, host: null, operation: AclOperation.ANY, permissionType: PermissionType.ANY }]
          : acls.map((a) => ({ ...base, ...a }));
      await deleteAcls(cluster, filters);
    }
  } finally {
    answers.close();
  }
}

async function listAcls(cluster: Cluster, o: ParsedOptions): Promise<void> {
  const filters = resourceFilters(o, false);
  const principals = unique(o.values('principal').map(principalOf));
  const any: AclBindingFilter = {
    resourceType: ResourceType.ANY,
    resourceName: null,
    patternType: PatternType.ANY,
    principal: null,
    host: null,
    operation: AclOperation.ANY,
    permissionType: PermissionType.ANY,
  };
  const rows: AclRow[] = [];
  if (filters.length === 0) rows.push(...(await describeAcls(cluster, any)));
  for (const f of filters)
    rows.push(
      ...(await describeAcls(cluster, {
        ...any,
        resourceType: f.resourceType,
        resourceName: f.name,
        patternType: f.patternType,
      })),
    );
  // Grouped by resource pattern; an ACL found through two filters is printed once.
  const byResource = new Map<string, { title: string; acls: AclRow[] }>();
  for (const row of rows) {
    const key = `ResourcePattern(resourceType=${row.resourceType}, name=${row.resourceName}, patternType=${row.patternType})`;
    const group = byResource.get(key) ?? { title: key, acls: [] };
    if (!group.acls.some((a) => entryText(a) === entryText(row))) group.acls.push(row);
    byResource.set(key, group);
  }
  const print = (principal: string | null): void => {
    for (const { title, acls } of byResource.values()) {
      const shown = acls.filter((a) => principal === null || a.principal === principal);
      if (shown.length > 0) cliIo().stdout.write(block(`Current ACLs for resource \`${title}\``, shown.map(entryText)));
    }
  };
  if (principals.length === 0) print(null);
  for (const principal of principals) {
    cliIo().stdout.write(`ACLs for principal \`${principal}\`\n`);
    print(principal);
  }
}

/** The message of the Java exception Kafka's admin client would throw for `err`. */
function exceptionText(err: unknown): string {
  if (err instanceof CommandError) return err.message;
  // The admin call's budget spent (nothing answering): the ExecutionException's message, as Kafka's.
  if (isAdminTimeout(err)) return javaException(err);
  if (err instanceof KafkaClientError) {
    const words = err.errorName
      .replace(/_EXCEPTION$/, '')
      .replace(/_FAILED$/, '')
      .toLowerCase()
      .split('_');
    const name = words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('');
    return `org.apache.kafka.common.errors.${name === 'UnknownServerError' ? 'UnknownServer' : name}Exception: ${javaMessage(err)}`;
  }
  return javaMessage(err);
}

export async function kafkaAcls(args: readonly string[]): Promise<number> {
  const o = parseOptionsOrUsage(SPECS, args);
  maybeHelpOrVersion(o, 'This tool helps to manage acls on kafka.', KAFKA_VERSION);
  checkArgs(o);
  const props = o.value('command-config') === undefined ? {} : loadProperties(o.value('command-config')!);
  const { cluster } = await clientFor(o.value('bootstrap-server')!, props, [], 'adminclient-1');
  try {
    if (o.has('add')) await addAcls(cluster, o);
    else if (o.has('remove')) await removeAcls(cluster, o);
    else await listAcls(cluster, o);
    return 0;
  } catch (err) {
    if (err instanceof KafkaToolExit) throw err;
    cliIo().stdout.write(`Error while executing ACL command: ${exceptionText(err)}\n`);
    return 1;
  } finally {
    cluster.close();
  }
}
