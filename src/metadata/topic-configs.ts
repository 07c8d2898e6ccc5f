/**
 * Kafka's topic-level configs: type, the broker config each one falls back to (its
 * synonym in DescribeConfigs), the default, and validation. An unknown name or a bad
 * value is refused with a message, which handlers return as INVALID_CONFIG. Also the
 * config sources and type ids DescribeConfigs reports, and Kafka's one check across configs
 * (min.compaction.lag.ms <= max.compaction.lag.ms).
 */
import type { BrokerConfig } from '../common/config.js';
import { metadataVersion } from '../common/metadata-versions.js';
import type { ConfigProblem } from '../common/config-validators.js';

export type { ConfigProblem } from '../common/config-validators.js';

export type Kind = 'int' | 'long' | 'boolean' | 'string' | 'list' | 'double';

/** Where a config value comes from, as DescribeConfigs numbers it. */
export const ConfigSource = {
  UNKNOWN: 0,
  TOPIC_CONFIG: 1,
  DYNAMIC_BROKER_CONFIG: 2,
  DYNAMIC_DEFAULT_BROKER_CONFIG: 3,
  STATIC_BROKER_CONFIG: 4,
  DEFAULT_CONFIG: 5,
  DYNAMIC_BROKER_LOGGER_CONFIG: 6,
} as const;

/** DescribeConfigs' config type ids (v3+). */
export const CONFIG_TYPE_ID: Readonly<Record<string, number>> = {
  boolean: 1,
  string: 2,
  int: 3,
  short: 4,
  long: 5,
  double: 6,
  list: 7,
  class: 8,
  password: 9,
};

export interface TopicConfigDef {
  kind: Kind;
  /** The broker config this topic config defaults to, if any. */
  brokerSynonym: string | null;
  /** Kafka's default when neither is set. */
  default: string;
  /** Extra validation of a parsed value; returns what is wrong, or null. */
  check?: (value: string) => ConfigProblem | null;
  doc: string;
}

const LONG_MAX = '9223372036854775807';
const oneOf =
  (...allowed: string[]) =>
  (v: string): string | null =>
    allowed.includes(v) ? null : `String must be one of: ${allowed.join(', ')}`;
const atLeast =
  (min: number) =>
  (v: string): string | null =>
    Number(v) >= min ? null : `Value must be at least ${min}`;

/** ConfigDef.Range's check and messages (Kafka's compression level validators). */
const between =
  (min: number, max: number) =>
  (v: string): string | null =>
    Number(v) < min ? `Value must be at least ${min}` : Number(v) > max ? `Value must be no more than ${max}` : null;
const gzipLevel = (v: string): string | null =>
  Number(v) === -1 || (Number(v) >= 1 && Number(v) <= 9) ? null : 'Value must be between 1 and 9 or equal to -1';

/** Replication throttling is not implemented: only the empty list is accepted, never a list stored and ignored. */
const notThrottled = (v: string): string | null =>
  v.trim() === '' ? null : 'Gregor does not implement replication throttling; only an empty list is accepted';

const d = (
  kind: Kind,
  brokerSynonym: string | null,
  dflt: string,
  doc: string,
  check?: TopicConfigDef['check'],
): TopicConfigDef =>
  check ? { kind, brokerSynonym, default: dflt, doc, check } : { kind, brokerSynonym, default: dflt, doc };

/**
 * The entries of a cleanup.policy list as Kafka parses a LIST: an empty (or blank) value is the
 * empty list (Kafka 3.9 accepts it: neither deletion nor compaction), otherwise comma-separated.
 */
export function cleanupPolicies(value: string): string[] {
  const trimmed = value.trim();
  return trimmed === '' ? [] : trimmed.split(',').map((p) => p.trim());
}

export const TOPIC_CONFIGS: Readonly<Record<string, TopicConfigDef>> = {
  'cleanup.policy': d(
    'list',
    'log.cleanup.policy',
    'delete',
    'delete, compact, both, or empty (neither: the log is never cleaned).',
    (v) => {
      // Kafka's ValidList.in(compact, delete): the first entry that is neither, case-sensitively.
      const bad = cleanupPolicies(v).find((p) => p !== 'compact' && p !== 'delete');
      return bad === undefined ? null : { invalid: bad, message: 'String must be one of: compact, delete' };
    },
  ),
  'compression.type': d(
    'string',
    'compression.type',
    'producer',
    'Final compression of the topic.',
    oneOf('uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer'),
  ),
  'compression.gzip.level': d('int', 'compression.gzip.level', '-1', 'gzip level.', gzipLevel),
  'compression.lz4.level': d('int', 'compression.lz4.level', '9', 'lz4 level.', between(1, 17)),
  'compression.zstd.level': d('int', 'compression.zstd.level', '3', 'zstd level.', between(-131072, 22)),
  'delete.retention.ms': d(
    'long',
    'log.cleaner.delete.retention.ms',
    '86400000',
    'How long tombstones are kept.',
    atLeast(0),
  ),
  'file.delete.delay.ms': d(
    'long',
    'log.segment.delete.delay.ms',
    '60000',
    'Delay before deleting a file.',
    atLeast(0),
  ),
  'flush.messages': d('long', 'log.flush.interval.messages', LONG_MAX, 'Messages between fsyncs.', atLeast(1)),
  'flush.ms': d('long', 'log.flush.interval.ms', LONG_MAX, 'Time between fsyncs.', atLeast(0)),
  'follower.replication.throttled.replicas': d('list', null, '', 'Throttled follower replicas.', notThrottled),
  'leader.replication.throttled.replicas': d('list', null, '', 'Throttled leader replicas.', notThrottled),
  'index.interval.bytes': d(
    'int',
    'log.index.interval.bytes',
    '4096',
    'Bytes between offset index entries.',
    atLeast(0),
  ),
  'local.retention.bytes': d(
    'long',
    'log.local.retention.bytes',
    '-2',
    'Local retention size (tiered storage).',
    atLeast(-2),
  ),
  'local.retention.ms': d(
    'long',
    'log.local.retention.ms',
    '-2',
    'Local retention time (tiered storage).',
    atLeast(-2),
  ),
  'max.compaction.lag.ms': d(
    'long',
    'log.cleaner.max.compaction.lag.ms',
    LONG_MAX,
    'Longest a record stays uncompacted.',
    atLeast(1),
  ),
  'max.message.bytes': d('int', 'message.max.bytes', '1048588', 'Largest record batch.', atLeast(0)),
  'message.downconversion.enable': d(
    'boolean',
    'log.message.downconversion.enable',
    'true',
    'Down-convert for old fetchers.',
  ),
  'message.format.version': d(
    'string',
    'log.message.format.version',
    '3.0-IV1',
    'Deprecated message format version.',
    (v) => metadataVersion.problem(v),
  ),
  'message.timestamp.after.max.ms': d(
    'long',
    'log.message.timestamp.after.max.ms',
    LONG_MAX,
    'Largest allowed timestamp lead.',
    atLeast(0),
  ),
  'message.timestamp.before.max.ms': d(
    'long',
    'log.message.timestamp.before.max.ms',
    LONG_MAX,
    'Largest allowed timestamp lag.',
    atLeast(0),
  ),
  'message.timestamp.difference.max.ms': d(
    'long',
    'log.message.timestamp.difference.max.ms',
    LONG_MAX,
    'Deprecated timestamp skew bound.',
    atLeast(0),
  ),
  'message.timestamp.type': d(
    'string',
    'log.message.timestamp.type',
    'CreateTime',
    'CreateTime or LogAppendTime.',
    oneOf('CreateTime', 'LogAppendTime'),
  ),
  'min.cleanable.dirty.ratio': d(
    'double',
    'log.cleaner.min.cleanable.ratio',
    '0.5',
    'Dirty ratio before cleaning (accepted; no effect: every cleaner pass cleans all inactive segments, more eagerly than Kafka).',
    between(0, 1),
  ),
  'min.compaction.lag.ms': d(
    'long',
    'log.cleaner.min.compaction.lag.ms',
    '0',
    'Shortest time a record stays uncompacted.',
    atLeast(0),
  ),
  'min.insync.replicas': d('int', 'min.insync.replicas', '1', 'Replicas that must acknowledge acks=all.', atLeast(1)),
  preallocate: d(
    'boolean',
    'log.preallocate',
    'false',
    'Preallocate segment files (accepted; no effect: files grow as written).',
  ),
  // Kafka 3.9's switches for turning tiered storage off (KIP-950): they act only on a topic with
  // remote.storage.enable=true, which Gregor never has, so either value behaves as on Kafka there.
  'remote.log.copy.disable': d(
    'boolean',
    null,
    'false',
    'Stop copying segments to tiered storage (accepted; no effect: remote.storage.enable is always false, where Kafka ignores it too).',
  ),
  'remote.log.delete.on.disable': d(
    'boolean',
    null,
    'false',
    'Delete tiered data when remote storage is turned off (accepted; no effect: remote.storage.enable is always false, where Kafka ignores it too).',
  ),
  // Kafka's answer while remote.log.storage.system.enable is false, which Gregor's always is.
  'remote.storage.enable': d('boolean', null, 'false', 'Tiered storage (not supported).', (v) =>
    v === 'false'
      ? null
      : {
          exact:
            'Tiered Storage functionality is disabled in the broker. Topic cannot be configured with remote log storage.',
        },
  ),
  'retention.bytes': d('long', 'log.retention.bytes', '-1', 'Retention size per partition.'),
  'retention.ms': d('long', 'log.retention.ms', '604800000', 'Retention time.', atLeast(-1)),
  'segment.bytes': d('int', 'log.segment.bytes', '1073741824', 'Segment size.', atLeast(14)),
  'segment.index.bytes': d(
    'int',
    'log.index.size.max.bytes',
    '10485760',
    'Index file size (accepted; no effect: indexes grow as needed, segments roll by segment.bytes and segment.ms).',
    atLeast(4),
  ),
  'segment.jitter.ms': d(
    'long',
    'log.roll.jitter.ms',
    '0',
    'Jitter of segment roll time (accepted; no effect: segments roll at segment.ms exactly).',
    atLeast(0),
  ),
  'segment.ms': d('long', 'log.roll.ms', '604800000', 'Segment roll time.', atLeast(1)),
  'unclean.leader.election.enable': d(
    'boolean',
    'unclean.leader.election.enable',
    'false',
    'Allow unclean leader election.',
  ),
};

/**
 * Kafka's LogConfig.validateValues, the check across a topic's configs (with the broker's values for
 * the ones it does not set): min.compaction.lag.ms may not exceed max.compaction.lag.ms. Returns the
 * message of Kafka's InvalidConfigurationException, or null.
 */
export function conflictingTopicConfigs(
  topicConfigs: ReadonlyMap<string, string>,
  broker: BrokerConfig,
): string | null {
  const lag = (name: string): bigint => BigInt(effectiveTopicConfig(name, topicConfigs, broker).trim());
  const min = lag('min.compaction.lag.ms');
  const max = lag('max.compaction.lag.ms');
  return min > max
    ? `conflict topic config setting min.compaction.lag.ms (${min}) > max.compaction.lag.ms (${max})`
    : null;
}

/** Checks one topic config; returns an error message or null. */
export function validateTopicConfig(name: string, value: string | null): string | null {
  const def = TOPIC_CONFIGS[name];
  if (!def) return `Unknown topic config name: ${name}`;
  if (value === null) return null;
  return validateConfigValue(name, value, def.kind, def.check);
}

/** Checks a value against a config type (and an extra check); returns an error message or null. */
export function validateConfigValue(
  name: string,
  value: string,
  kind: string,
  check?: (v: string) => ConfigProblem | null,
): string | null {
  const v = value.trim();
  switch (kind) {
    case 'int':
    case 'long':
    case 'short':
      if (!/^-?\d{1,19}$/.test(v))
        return `Invalid value ${value} for configuration ${name}: Not a number of type ${kind.toUpperCase()}`;
      if (kind === 'int' && (Number(v) > 2147483647 || Number(v) < -2147483648))
        return `Invalid value ${value} for configuration ${name}: Not a number of type INT`;
      if (kind === 'short' && (Number(v) > 32767 || Number(v) < -32768))
        return `Invalid value ${value} for configuration ${name}: Not a number of type SHORT`;
      if (kind === 'long' && (BigInt(v) > 9223372036854775807n || BigInt(v) < -9223372036854775808n)) {
        return `Invalid value ${value} for configuration ${name}: Not a number of type LONG`;
      }
      break;
    case 'double':
      if (!Number.isFinite(Number(v)) || v === '')
        return `Invalid value ${value} for configuration ${name}: Not a number of type DOUBLE`;
      break;
    case 'boolean':
      // Kafka's ConfigDef takes true/false in any case.
      if (v.toLowerCase() !== 'true' && v.toLowerCase() !== 'false')
        return `Invalid value ${value} for configuration ${name}: Expected value to be either true or false`;
      break;
    default:
      break;
  }
  const problem = check?.(kind === 'boolean' ? v.toLowerCase() : v);
  if (!problem) return null;
  if (typeof problem === 'string') return `Invalid value ${value} for configuration ${name}: ${problem}`;
  if ('exact' in problem) return problem.exact;
  return `Invalid value ${problem.invalid} for configuration ${name}: ${problem.message}`;
}

/**
 * The value in force for a topic: its own config, else the broker's synonym, else Kafka's default.
 * Booleans come back as `true` or `false` however they were written ("TRUE", " False"), so
 * callers may compare with 'true'.
 */
export function effectiveTopicConfig(
  name: string,
  topicConfigs: ReadonlyMap<string, string>,
  broker: BrokerConfig,
): string {
  const value = rawEffectiveTopicConfig(name, topicConfigs, broker);
  return TOPIC_CONFIGS[name]?.kind === 'boolean' ? value.trim().toLowerCase() : value;
}

function rawEffectiveTopicConfig(
  name: string,
  topicConfigs: ReadonlyMap<string, string>,
  broker: BrokerConfig,
): string {
  const own = topicConfigs.get(name);
  if (own !== undefined) return own;
  const def = TOPIC_CONFIGS[name];
  if (!def) throw new Error(`unknown topic config ${name}`);
  if (name === 'retention.ms') return String(broker.retentionMillis());
  if (name === 'segment.ms') return String(broker.millis('log.roll'));
  if (def.brokerSynonym) {
    const b = broker.raw(def.brokerSynonym);
    if (b !== null) return b;
  }
  return def.default;
}
