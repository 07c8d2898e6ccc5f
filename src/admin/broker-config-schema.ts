/**
 * The broker configs DescribeConfigs lists and AlterConfigs may change: the static
 * definitions of `common/config-defs.ts`, the broker synonyms of every topic config,
 * and the dynamic configs Kafka lets AlterConfigs change at run time (per broker or as
 * the cluster default). Known configs that are not dynamic are refused, as Kafka
 * refuses them ("Cannot update these configs dynamically"); unknown names are kept, as
 * Kafka keeps custom configs. Left out: listener-prefixed overrides
 * (listener.name.x.ssl.*) and dynamic listeners.
 */
import { BROKER_CONFIGS, type ConfigType } from '../common/config-defs.js';
import { TOPIC_CONFIGS, validateConfigValue } from '../metadata/topic-configs.js';

export interface BrokerConfigDef {
  type: ConfigType;
  default: string | null;
  doc: string;
  /** May be changed with AlterConfigs. */
  dynamic: boolean;
  /** Dynamic, but only for one broker, not as the cluster default. */
  perBrokerOnly: boolean;
}

const THREAD_POOLS = ['num.io.threads', 'num.network.threads', 'num.replica.fetchers', 'num.recovery.threads.per.data.dir', 'background.threads'];
const EXTRA: Record<string, { type: ConfigType; default: string | null; doc: string; perBrokerOnly?: boolean }> = {
  'num.io.threads': { type: 'int', default: '8', doc: 'Threads doing disk I/O.' },
  'num.network.threads': { type: 'int', default: '3', doc: 'Threads handling network requests.' },
  'num.replica.fetchers': { type: 'int', default: '1', doc: 'Fetcher threads per source broker.' },
  'num.recovery.threads.per.data.dir': { type: 'int', default: '1', doc: 'Threads per data dir for log recovery.' },
  'background.threads': { type: 'int', default: '10', doc: 'Threads for background tasks.' },
  'log.cleaner.threads': { type: 'int', default: '1', doc: 'Log cleaner threads.' },
  'log.cleaner.dedupe.buffer.size': { type: 'long', default: '134217728', doc: 'Memory for log deduplication.' },
  'log.cleaner.io.buffer.size': { type: 'int', default: '524288', doc: 'Log cleaner I/O buffer memory.' },
  'log.cleaner.io.max.bytes.per.second': { type: 'double', default: '1.7976931348623157E308', doc: 'Log cleaner I/O throttle.' },
  'log.cleaner.backoff.ms': { type: 'long', default: '15000', doc: 'Sleep when there is nothing to clean.' },
  'log.cleaner.io.buffer.load.factor': { type: 'double', default: '0.9', doc: 'Dedupe buffer load factor.' },
  'max.connections': { type: 'int', default: '2147483647', doc: 'Connections allowed at any time.' },
  'max.connections.per.ip': { type: 'int', default: '2147483647', doc: 'Connections allowed per IP.' },
  'max.connections.per.ip.overrides': { type: 'string', default: '', doc: 'Per-IP or host connection limits.' },
  'max.connection.creation.rate': { type: 'int', default: '2147483647', doc: 'Connection creation rate allowed.' },
  'metric.reporters': { type: 'list', default: '', doc: 'Metrics reporter classes.' },
  'follower.replication.throttled.rate': { type: 'long', default: '9223372036854775807', doc: 'Follower replication throttle, bytes/s.' },
  'leader.replication.throttled.rate': { type: 'long', default: '9223372036854775807', doc: 'Leader replication throttle, bytes/s.' },
  'replica.alter.log.dirs.io.max.bytes.per.second': { type: 'long', default: '9223372036854775807', doc: 'Log dir move throttle, bytes/s.' },
  'ssl.keystore.location': { type: 'string', default: null, doc: 'Key store location.', perBrokerOnly: true },
  'ssl.keystore.password': { type: 'password', default: null, doc: 'Key store password.', perBrokerOnly: true },
  'ssl.key.password': { type: 'password', default: null, doc: 'Private key password.', perBrokerOnly: true },
  'ssl.truststore.location': { type: 'string', default: null, doc: 'Trust store location.', perBrokerOnly: true },
  'ssl.truststore.password': { type: 'password', default: null, doc: 'Trust store password.', perBrokerOnly: true },
  'sasl.jaas.config': { type: 'password', default: null, doc: 'JAAS login context.', perBrokerOnly: true },
};

/** Dynamic configs besides the topic configs' broker synonyms and the thread pools. */
const OTHER_DYNAMIC = ['message.max.bytes', 'producer.id.expiration.ms', ...Object.keys(EXTRA)];

const TOPIC_SYNONYM_DYNAMIC = new Set(
  Object.values(TOPIC_CONFIGS)
    .map((d) => d.brokerSynonym)
    .filter((s): s is string => s !== null && s !== 'log.message.format.version'),
);

export const DYNAMIC_BROKER_CONFIGS: ReadonlySet<string> = new Set([...TOPIC_SYNONYM_DYNAMIC, ...THREAD_POOLS, ...OTHER_DYNAMIC]);

function build(): Map<string, BrokerConfigDef> {
  const out = new Map<string, BrokerConfigDef>();
  // Topic-config synonyms first (their defaults are the topic defaults), then the
  // broker's own definitions override them where both exist.
  for (const def of Object.values(TOPIC_CONFIGS)) {
    if (def.brokerSynonym === null) continue;
    out.set(def.brokerSynonym, { type: def.kind, default: def.default, doc: def.doc, dynamic: false, perBrokerOnly: false });
  }
  for (const [name, e] of Object.entries(EXTRA)) out.set(name, { type: e.type, default: e.default, doc: e.doc, dynamic: false, perBrokerOnly: e.perBrokerOnly ?? false });
  for (const [name, def] of Object.entries(BROKER_CONFIGS)) out.set(name, { type: def.type, default: def.default, doc: def.doc, dynamic: false, perBrokerOnly: false });
  // Time synonyms whose base name has no default of its own in Kafka.
  for (const name of ['log.retention.ms', 'log.roll.ms', 'log.roll.jitter.ms', 'log.flush.interval.ms']) {
    const e = out.get(name);
    if (e) e.default = null;
  }
  out.set('log.roll.jitter.hours', { type: 'int', default: '0', doc: 'Segment roll jitter in hours.', dynamic: false, perBrokerOnly: false });
  out.set('log.flush.scheduler.interval.ms', { type: 'long', default: '9223372036854775807', doc: 'How often logs are checked for flushing.', dynamic: false, perBrokerOnly: false });
  for (const [name, e] of out) e.dynamic = DYNAMIC_BROKER_CONFIGS.has(name);
  return out;
}

export const BROKER_CONFIG_SCHEMA: ReadonlyMap<string, BrokerConfigDef> = build();

/** Names Kafka consults, most specific first, when resolving a broker config. */
export function brokerSynonyms(name: string): string[] {
  switch (name) {
    case 'log.retention.ms':
      return ['log.retention.ms', 'log.retention.minutes', 'log.retention.hours'];
    case 'log.retention.minutes':
      return ['log.retention.minutes', 'log.retention.hours'];
    case 'log.roll.ms':
      return ['log.roll.ms', 'log.roll.hours'];
    case 'log.roll.jitter.ms':
      return ['log.roll.jitter.ms', 'log.roll.jitter.hours'];
    case 'log.flush.interval.ms':
      return ['log.flush.interval.ms', 'log.flush.scheduler.interval.ms'];
    default:
      return [name];
  }
}

export function isSensitiveBrokerConfig(name: string): boolean {
  return BROKER_CONFIG_SCHEMA.get(name)?.type === 'password';
}

/**
 * Checks a dynamic broker config change, as Kafka's broker does before forwarding it:
 * returns an INVALID_REQUEST message or null. `perBroker` is false for the cluster
 * default (empty resource name).
 */
export function validateDynamicBrokerConfigs(configs: ReadonlyMap<string, string>, perBroker: boolean): string | null {
  const nonDynamic = [...configs.keys()].filter((n) => BROKER_CONFIG_SCHEMA.has(n) && !DYNAMIC_BROKER_CONFIGS.has(n));
  if (nonDynamic.length > 0) return `Cannot update these configs dynamically: Set(${nonDynamic.join(', ')})`;
  if (!perBroker) {
    const perBrokerOnly = [...configs.keys()].filter((n) => BROKER_CONFIG_SCHEMA.get(n)?.perBrokerOnly === true);
    if (perBrokerOnly.length > 0) return `Cannot update these configs at default cluster level, broker id must be specified: Set(${perBrokerOnly.join(', ')})`;
  }
  for (const [name, value] of configs) {
    const def = BROKER_CONFIG_SCHEMA.get(name);
    if (!def) continue;
    const kind = def.type === 'password' || def.type === 'class' ? 'string' : def.type;
    const topicCheck = Object.values(TOPIC_CONFIGS).find((t) => t.brokerSynonym === name)?.check;
    const problem = validateConfigValue(name, value, kind, topicCheck);
    if (problem) return problem;
  }
  return null;
}
