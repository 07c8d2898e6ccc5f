/**
 * kafka-configs.sh (Kafka 3.9's ConfigCommand, --bootstrap-server mode) over Gregor's client:
 * --describe and --alter (--add-config k=v,k2=[a,b], --add-config-file, --delete-config k,k2) of
 * topics, brokers (an id, or --entity-default for the cluster-wide default) and broker-loggers,
 * named with --entity-type/--entity-name/--entity-default or --topic / --broker /
 * --broker-defaults / --broker-logger; --all lists every config. Output and messages are the
 * tool's ("Dynamic configs for topic t are:", "Completed updating config for topic t.").
 * Users, clients and ips (client quotas, SCRAM credentials) are configs-quotas.ts. Refused, naming
 * what: client-metrics, --zookeeper and --bootstrap-controller.
 * Waiting, as ConfigCommand: each call is retried within default.api.timeout.ms (60 s), and the tool
 * waits 30 s at most for a describe's answer (60 s for a change, whose call has a 30 s budget of its
 * own, AlterConfigsOptions.timeoutMs; future-wait.ts), so with no broker
 * listening a --describe or --alter ends after 30 s with java.util.concurrent.TimeoutException, or
 * sooner with "Timed out waiting for a node assignment" when default.api.timeout.ms is below that.
 */
import type { Cluster } from '../../client/cluster.js';
import { listTopics } from '../../client/topics.js';
import {
  alterConfigs,
  describeConfigs,
  RESOURCE_BROKER,
  RESOURCE_BROKER_LOGGER,
  RESOURCE_TOPIC,
  type ConfigEntry,
} from '../../client/topics.js';
import { describeClusterNodes } from '../../client/cluster-info.js';
import { cliIo } from '../io.js';
import { clientFor, loadProperties } from './client-config.js';
import { isAdminFailure, javaException, javaMessage } from './messages.js';
import {
  DEFAULT_OPTIONS,
  KafkaOptionError,
  KafkaToolExit,
  maybeHelpOrVersion,
  parseOptions,
  usageExit,
  type OptionSpec,
  type ParsedOptions,
} from './options.js';
import { KAFKA_VERSION } from './version.js';
import { alterQuotaEntity, describeQuotaEntity } from './configs-quotas.js';
import {
  CONFIG_ALTER_CALL_TIMEOUT_MS,
  CONFIG_ALTER_WAIT_MS,
  CONFIG_DESCRIBE_WAIT_MS,
  FutureWaitExpired,
  waitAtMost,
} from './future-wait.js';

const SPECS: readonly OptionSpec[] = [
  ...DEFAULT_OPTIONS,
  {
    name: 'bootstrap-server',
    arg: 'required',
    help: 'The Kafka servers to connect to.',
    describedAs: 'server to connect to',
  },
  {
    name: 'bootstrap-controller',
    arg: 'required',
    help: 'The Kafka controllers to connect to.',
    describedAs: 'controller to connect to',
  },
  {
    name: 'zookeeper',
    arg: 'required',
    help: 'DEPRECATED. The connection string for the zookeeper connection.',
    describedAs: 'urls',
  },
  {
    name: 'command-config',
    arg: 'required',
    help: 'Property file containing configs to be passed to Admin Client.',
    describedAs: 'command config property file',
  },
  { name: 'describe', arg: 'none', help: 'List configs for the given entity.' },
  { name: 'alter', arg: 'none', help: 'Alter the configuration for the entity.' },
  {
    name: 'entity-type',
    arg: 'required',
    help: 'Type of entity (topics/clients/users/brokers/broker-loggers/ips/client-metrics)',
    describedAs: 'String',
  },
  {
    name: 'entity-name',
    arg: 'required',
    help: 'Name of entity (topic name/client id/user principal name/broker id/ip/client metrics)',
    describedAs: 'String',
  },
  {
    name: 'entity-default',
    arg: 'none',
    help: 'Default entity name for clients/users/brokers/ips (applies to corresponding entity type in command line)',
  },
  {
    name: 'add-config',
    arg: 'required',
    help: "Key Value pairs of configs to add. Square brackets can be used to group values which contain commas: 'k1=v1,k2=[v1,v2,v2],k3=v3'.",
    describedAs: 'String',
  },
  {
    name: 'add-config-file',
    arg: 'required',
    help: 'Path to a properties file with configs to add.',
    describedAs: 'String',
  },
  { name: 'delete-config', arg: 'required', help: "config keys to remove 'k1,k2'", describedAs: 'String' },
  { name: 'force', arg: 'none', help: 'Suppress console prompts' },
  { name: 'topic', arg: 'required', help: "The topic's name.", describedAs: 'topic' },
  { name: 'client', arg: 'required', help: "The client's ID.", describedAs: 'client-id' },
  { name: 'client-defaults', arg: 'none', help: 'The config defaults for all clients.' },
  { name: 'user', arg: 'required', help: "The user's principal name.", describedAs: 'user-principal' },
  { name: 'user-defaults', arg: 'none', help: 'The config defaults for all users.' },
  { name: 'broker', arg: 'required', help: "The broker's ID.", describedAs: 'broker-id' },
  { name: 'broker-defaults', arg: 'none', help: 'The config defaults for all brokers.' },
  {
    name: 'broker-logger',
    arg: 'required',
    help: "The broker's ID for its logger config.",
    describedAs: 'broker-id for logger',
  },
  { name: 'ip', arg: 'required', help: 'The IP address.', describedAs: 'ip' },
  { name: 'ip-defaults', arg: 'none', help: 'The config defaults for all IPs.' },
  {
    name: 'client-metrics',
    arg: 'required',
    help: 'The client metric subscription name.',
    describedAs: 'client-metrics',
  },
  {
    name: 'all',
    arg: 'none',
    help: 'List all configs for the given topic, broker, or broker-logger entity (includes static configuration when the entity type is brokers)',
  },
];

const QUOTA_TYPES = ['users', 'clients', 'ips'];
const TYPES = ['topics', 'clients', 'users', 'brokers', 'broker-loggers', 'ips', 'client-metrics'];
const SHORTCUTS: Array<[string, string, boolean]> = [
  ['topic', 'topics', false],
  ['client', 'clients', false],
  ['client-defaults', 'clients', true],
  ['user', 'users', false],
  ['user-defaults', 'users', true],
  ['broker', 'brokers', false],
  ['broker-defaults', 'brokers', true],
  ['broker-logger', 'broker-loggers', false],
  ['ip', 'ips', false],
  ['ip-defaults', 'ips', true],
  ['client-metrics', 'client-metrics', false],
];

interface Entity {
  type: string;
  /** null: every entity of the type (describe only); '': the default entity. */
  name: string | null;
}

function entityOf(o: ParsedOptions): Entity {
  const shortcuts = SHORTCUTS.filter(([flag]) => o.has(flag));
  const types = o.values('entity-type');
  if (shortcuts.length > 0 && (types.length > 0 || o.has('entity-name') || o.has('entity-default')))
    throw new KafkaToolExit(
      1,
      '--entity-{type,name,default} should not be used in conjunction with specific entity flags',
    );
  if (shortcuts.length > 1 || types.length > 1)
    throw new KafkaToolExit(
      1,
      "Gregor's kafka-configs takes one entity at a time (users and clients together are not supported)",
    );
  let entity: Entity;
  if (shortcuts.length === 1) {
    const [flag, type, isDefault] = shortcuts[0]!;
    entity = { type, name: isDefault ? '' : o.value(flag)! };
  } else {
    if (types.length === 0) throw new KafkaToolExit(1, 'At least one entity type must be specified');
    entity = { type: types[0]!, name: o.has('entity-default') ? '' : (o.value('entity-name') ?? null) };
  }
  if (!TYPES.includes(entity.type))
    throw new KafkaToolExit(
      1,
      `Invalid entity type ${entity.type}, the entity type must be one of ${TYPES.join(', ')} with a --bootstrap-server or --bootstrap-controller argument`,
    );
  if (entity.type === 'client-metrics')
    throw new KafkaToolExit(1, "kafka-configs for client-metrics is not supported by Gregor's tools");
  if (entity.type === 'brokers' && entity.name !== null && entity.name !== '' && !/^-?\d+$/.test(entity.name))
    throw new KafkaToolExit(
      1,
      `The entity name for brokers must be a valid integer broker id, but it is: ${entity.name}`,
    );
  return entity;
}

/** parseConfigsToBeAdded: commas split pairs except inside [...], whose brackets are dropped. */
export function parseAddConfig(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of text.split(/,(?![^[]*\])/)) {
    if (pair.trim() === '') continue;
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new KafkaToolExit(1, `Invalid config(s): ${pair}`);
    out[pair.slice(0, eq).trim()] = pair.slice(eq + 1).replace(/^\[(.*)\]$/, '$1');
  }
  return out;
}

const RESOURCE_TYPES: Record<string, number> = {
  topics: RESOURCE_TOPIC,
  brokers: RESOURCE_BROKER,
  'broker-loggers': RESOURCE_BROKER_LOGGER,
};
const DYNAMIC_SOURCE: Record<string, string> = { topics: 'DYNAMIC_TOPIC_CONFIG', brokers: 'DYNAMIC_BROKER_CONFIG' };

async function configsOf(cluster: Cluster, type: string, name: string, all: boolean): Promise<ConfigEntry[]> {
  const entries = await waitAtMost(
    CONFIG_DESCRIBE_WAIT_MS,
    describeConfigs(cluster, RESOURCE_TYPES[type]!, name, true),
  );
  if (all || type === 'broker-loggers') return entries;
  const source = type === 'brokers' && name === '' ? 'DYNAMIC_DEFAULT_BROKER_CONFIG' : DYNAMIC_SOURCE[type]!;
  return entries.filter((e) => e.source === source);
}

async function describe(cluster: Cluster, entity: Entity, all: boolean): Promise<void> {
  if (QUOTA_TYPES.includes(entity.type)) return describeQuotaEntity(cluster, entity);
  let names: string[];
  if (entity.name !== null) names = [entity.name];
  else if (entity.type === 'topics') names = (await listTopics(cluster, true)).map((t) => t.name);
  else names = [...(await describeClusterNodes(cluster)).map((b) => String(b.id)), ''];
  const out = cliIo().stdout;
  for (const name of names) {
    if (name === '' && entity.type !== 'broker-loggers')
      out.write(`Default configs for ${entity.type} in the cluster are:\n`);
    else out.write(`${all ? 'All' : 'Dynamic'} configs for ${entity.type.slice(0, -1)} ${name} are:\n`);
    for (const e of await configsOf(cluster, entity.type, name, all)) {
      const synonyms = e.synonyms.map((y) => `${y.source}:${y.name}=${y.value ?? 'null'}`).join(', ');
      out.write(`  ${e.name}=${e.value ?? 'null'} sensitive=${e.sensitive} synonyms={${synonyms}}\n`);
    }
  }
}

async function alter(cluster: Cluster, o: ParsedOptions, entity: Entity): Promise<void> {
  if (entity.name === null)
    throw new KafkaToolExit(
      1,
      entity.type === 'topics'
        ? 'an entity name must be specified with --alter of topics'
        : 'an entity-name or default entity must be specified with --alter of users, clients, brokers or ips',
    );
  if (o.has('add-config') && o.has('add-config-file'))
    throw new KafkaToolExit(1, 'Only one of --add-config or --add-config-file must be specified');
  if (!o.has('add-config') && !o.has('add-config-file') && !o.has('delete-config'))
    throw new KafkaToolExit(
      1,
      'At least one of --add-config, --add-config-file, or --delete-config must be specified with --alter',
    );
  const added = o.has('add-config-file')
    ? loadProperties(o.value('add-config-file')!)
    : parseAddConfig(o.values('add-config').join(','));
  const deleted = o
    .values('delete-config')
    .flatMap((d) => d.split(','))
    .map((d) => d.trim())
    .filter((d) => d !== '');
  if (QUOTA_TYPES.includes(entity.type)) {
    await alterQuotaEntity(cluster, { type: entity.type, name: entity.name }, added, deleted);
  } else {
    await alterResourceConfigs(cluster, entity.type, entity.name, added, deleted);
  }
  const out = cliIo().stdout;
  if (entity.name === '') out.write(`Completed updating default config for ${entity.type} in the cluster.\n`);
  else out.write(`Completed updating config for ${entity.type.slice(0, -1)} ${entity.name}.\n`);
}

/**
 * ConfigCommand's check before it replaces a broker's dynamic configs (Kafka's tool sends them all,
 * by AlterConfigs): the sensitive ones, which DescribeConfigs shows as null, must each be given again
 * or deleted, else InvalidConfigurationException, its message on stderr, exit 1 (missing entries named
 * as Scala prints a Set).
 */
function refuseOmittedSensitive(
  current: readonly ConfigEntry[],
  added: Record<string, string>,
  deleted: string[],
): void {
  const missing = current
    .filter((e) => e.value === null && !Object.hasOwn(added, e.name) && !deleted.includes(e.name))
    .map((e) => e.name);
  if (missing.length > 0)
    throw new KafkaToolExit(
      1,
      `All sensitive broker config entries must be specified for --alter, missing entries: Set(${missing.join(', ')})`,
    );
}

async function alterResourceConfigs(
  cluster: Cluster,
  type: string,
  name: string,
  added: Record<string, string>,
  deleted: string[],
): Promise<void> {
  const entity = { type, name };
  const currentEntries = await configsOf(cluster, entity.type, entity.name, false);
  const current = new Set(currentEntries.map((e) => e.name));
  const invalid =
    entity.type === 'broker-loggers'
      ? [...deleted, ...Object.keys(added)].filter((k) => !current.has(k))
      : deleted.filter((k) => !current.has(k));
  if (invalid.length > 0)
    throw new KafkaToolExit(
      1,
      `${entity.type === 'broker-loggers' ? 'Invalid broker logger(s)' : 'Invalid config(s)'}: ${invalid.join(',')}`,
    );
  if (entity.type === 'brokers') refuseOmittedSensitive(currentEntries, added, deleted);
  const changes: Record<string, string | null> = { ...added };
  for (const key of deleted) changes[key] = null;
  await waitAtMost(
    CONFIG_ALTER_WAIT_MS,
    alterConfigs(cluster, RESOURCE_TYPES[entity.type]!, entity.name, changes, CONFIG_ALTER_CALL_TIMEOUT_MS),
  );
}

export async function kafkaConfigs(args: readonly string[]): Promise<number> {
  let o: ParsedOptions;
  try {
    o = parseOptions(SPECS, args);
  } catch (err) {
    // ConfigCommand prints an option error's message on stderr, exit 1.
    if (err instanceof KafkaOptionError) throw new KafkaToolExit(1, err.message);
    throw err;
  }
  maybeHelpOrVersion(
    o,
    'This tool helps to manipulate and describe entity config for a topic, client, user, broker, ip or client-metrics',
    KAFKA_VERSION,
  );
  if (['describe', 'alter'].filter((a) => o.has(a)).length !== 1)
    throw usageExit(SPECS, 'Command must include exactly one action: --describe, --alter');
  if (o.has('zookeeper') || o.has('bootstrap-controller'))
    throw new KafkaToolExit(
      1,
      `--${o.has('zookeeper') ? 'zookeeper' : 'bootstrap-controller'} is not supported by Gregor's tools: use --bootstrap-server`,
    );
  if (!o.has('bootstrap-server'))
    throw new KafkaToolExit(
      1,
      'One of the required --bootstrap-server, --boostrap-controller, or --zookeeper arguments must be specified',
    );
  const entity = entityOf(o);
  if (o.has('describe') && entity.name === null && entity.type === 'broker-loggers')
    throw new KafkaToolExit(1, `an entity name must be specified with --describe of ${entity.type}`);
  const props = o.has('command-config') ? loadProperties(o.value('command-config')!) : {};
  const { cluster } = await clientFor(o.value('bootstrap-server')!, props, [], 'adminclient-1');
  try {
    if (o.has('describe')) await describe(cluster, entity, o.has('all'));
    else await alter(cluster, o, entity);
    return 0;
  } catch (err) {
    if (err instanceof KafkaToolExit) throw err;
    // ConfigCommand prints the ExecutionException's stack trace; its first line is the exception.
    // A wait of the tool's own that ran out is java.util.concurrent.TimeoutException, without a message.
    const thrown =
      err instanceof FutureWaitExpired
        ? err.message
        : isAdminFailure(err)
          ? `java.util.concurrent.ExecutionException: ${javaException(err)}`
          : javaMessage(err);
    cliIo().stderr.write(`Error while executing config command with args '${args.join(' ')}'\n${thrown}\n`);
    return 1;
  } finally {
    cluster.close();
  }
}
