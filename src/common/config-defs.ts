/**
 * The one table of broker configs Gregor knows, with Kafka's names, types, defaults and
 * ranges (Kafka 3.9), except where a dev-friendly default is documented: listeners default
 * to 127.0.0.1:9092 and log.dirs to ./data. Start-up validation (`config-validate.ts`),
 * DescribeConfigs / AlterConfigs (`admin/broker-config-schema.ts`) and docs/configuration.md
 * (`scripts/gen-config-docs.ts`) all read it. A plain entry is `def(type, default, doc)`;
 * the optional fourth argument adds a range, dynamic update, per-broker-only or a
 * synonym-only default. Unknown keys are kept and reported in one warning, never fatal, so
 * existing server.properties files start unchanged.
 */
import {
  atLeast,
  between,
  defaultOrBetween,
  listOf,
  oneOf,
  onlyDefault,
  type ConfigValidator,
} from './config-validators.js';
import { UNIMPLEMENTED_BROKER_CONFIGS } from './config-defs-unimplemented.js';
import { NO_EFFECT_BROKER_CONFIGS } from './config-defs-no-effect.js';
import { metadataVersion } from './metadata-versions.js';

import type { ConfigDef, ConfigOptions, ConfigType } from './config-def-types.js';

export type { ConfigDef, ConfigOptions, ConfigType } from './config-def-types.js';

const def = (type: ConfigType, dflt: string | null, doc: string, options: ConfigOptions = {}): ConfigDef => ({
  type,
  default: dflt,
  doc,
  validator: options.validator ?? null,
  dynamic: options.dynamic === true || options.perBrokerOnly === true,
  perBrokerOnly: options.perBrokerOnly === true,
});

const LONG_MAX = '9223372036854775807';
const INT_MAX = '2147483647';
/** Options of the broker synonym of a topic config: dynamic, with the topic config's range. */
const topicSynonym = (validator?: ConfigValidator): ConfigOptions =>
  validator ? { dynamic: true, validator } : { dynamic: true };
const positive = { validator: atLeast(1) };
const nonNegative = { validator: atLeast(0) };

/** Kafka's ValidList of group types, which must keep classic; share groups are not implemented. */
const rebalanceProtocols: ConfigValidator = {
  expected: 'a list of classic, consumer that keeps classic (share groups are not implemented)',
  problem: (v) => {
    const items = v
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    const listProblem = listOf('consumer', 'classic', 'share').problem(v);
    if (listProblem !== null) return listProblem;
    if (!items.includes('classic')) return "Disabling the 'CLASSIC' protocol is not supported.";
    return items.includes('share')
      ? 'Gregor does not implement share groups; only classic and consumer are accepted'
      : null;
  },
};

/**
 * Every broker config, by name: the table below, then the unimplemented and the no-effect ones, in a
 * null-prototype object (a lookup of "constructor" or "__proto__" finds nothing). Built with
 * Object.assign rather than one literal ending in two spreads: V8 added the ~340 properties of that
 * literal one at a time to an object in fast mode, which took 5-9 ms of every start (null-prototype
 * objects are hash tables from the start: under 1 ms; docs/benchmarks.md, "Start-up, session 13").
 */
export const BROKER_CONFIGS: Readonly<Record<string, ConfigDef>> = Object.assign(
  Object.create(null) as Record<string, ConfigDef>,
  {
    'node.id': def('int', '1', 'The node id of this server.', nonNegative),
    'broker.id': def(
      'int',
      null,
      'Alias of node.id from ZooKeeper mode (when both are set they must be equal).',
      nonNegative,
    ),
    'process.roles': def('list', 'broker,controller', 'The roles this process plays.', {
      validator: listOf('broker', 'controller'),
    }),
    'controller.quorum.voters': def('list', '', 'The voters of the metadata quorum, id@host:port.'),
    'controller.quorum.bootstrap.servers': def('list', '', 'Bootstrap servers of the metadata quorum.'),
    'controller.listener.names': def('list', 'CONTROLLER', 'The listeners the controller uses.'),
    'controller.quorum.election.timeout.ms': def('int', '1000', 'Raft election timeout.', positive),
    'controller.quorum.fetch.timeout.ms': def('int', '2000', 'Raft fetch timeout.', positive),
    'controller.quorum.election.backoff.max.ms': def(
      'int',
      '1000',
      'Largest random backoff after a lost election.',
      positive,
    ),
    'controller.quorum.request.timeout.ms': def('int', '2000', 'Raft request timeout (resend after).', positive),
    'controller.quorum.append.linger.ms': def(
      'int',
      '25',
      'How long the Raft leader lets appends accumulate before it flushes them.',
      nonNegative,
    ),
    'broker.heartbeat.interval.ms': def(
      'int',
      '2000',
      'How often a broker heartbeats to the active controller.',
      positive,
    ),
    'broker.session.timeout.ms': def('int', '9000', 'A broker silent for this long is fenced.', positive),
    'initial.broker.registration.timeout.ms': def(
      'int',
      '60000',
      'How long a broker waits for its first registration with the controller quorum before it logs why and exits (code 1).',
    ),
    'auto.leader.rebalance.enable': def(
      'boolean',
      'true',
      'The active controller moves leadership back to preferred replicas when a broker is imbalanced.',
    ),
    'leader.imbalance.check.interval.seconds': def(
      'long',
      '300',
      'How often the active controller checks leader imbalance.',
      positive,
    ),
    'leader.imbalance.per.broker.percentage': def(
      'int',
      '10',
      'The share of misled partitions a broker may have before a rebalance.',
      nonNegative,
    ),
    'controlled.shutdown.enable': def(
      'boolean',
      'true',
      'On stop, ask the active controller to move leadership and ISR places away first (waits at most broker.session.timeout.ms).',
    ),
    'replica.lag.time.max.ms': def(
      'long',
      '30000',
      'A follower that has not caught up with the leader for this long leaves the ISR.',
    ),
    'replica.fetch.wait.max.ms': def(
      'int',
      '500',
      'Longest wait of a follower fetch for data (at most replica.lag.time.max.ms).',
    ),
    'replica.fetch.min.bytes': def('int', '1', 'Bytes a follower fetch waits for.'),
    'replica.fetch.max.bytes': def(
      'int',
      '1048576',
      'Bytes a follower fetch asks for per partition (the first batch comes whole even if larger).',
      nonNegative,
    ),
    'replica.fetch.response.max.bytes': def(
      'int',
      '10485760',
      'Bytes a follower fetch asks for in all (the first batch comes whole even if larger).',
      nonNegative,
    ),
    'replica.fetch.backoff.ms': def('int', '1000', 'Pause after a failed follower fetch.'),
    'request.timeout.ms': def(
      'int',
      '30000',
      'How long a request forwarded to the active controller may wait for it.',
      nonNegative,
    ),
    'metadata.log.max.record.bytes.between.snapshots': def(
      'long',
      '20971520',
      'Metadata log bytes appended since the last snapshot that trigger a new one.',
      positive,
    ),
    'metadata.log.max.snapshot.interval.ms': def(
      'long',
      '3600000',
      'Longest time between metadata snapshots when the log changed (0: never by time).',
      nonNegative,
    ),
    'inter.broker.listener.name': def(
      'string',
      null,
      'The listener brokers use between themselves (replica fetches, transaction markers); not with security.inter.broker.protocol.',
    ),
    'security.inter.broker.protocol': def(
      'string',
      'PLAINTEXT',
      'Without inter.broker.listener.name: the inter-broker listener is the one named after this protocol.',
      { validator: oneOf('PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL') },
    ),
    'sasl.mechanism.inter.broker.protocol': def(
      'string',
      'GSSAPI',
      "SASL mechanism of a SASL inter-broker listener: PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512 (GSSAPI, Kafka's default, is refused at start-up when used).",
    ),
    'sasl.mechanism.controller.protocol': def(
      'string',
      'GSSAPI',
      "SASL mechanism of a SASL controller listener: PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512 (GSSAPI, Kafka's default, is refused at start-up when used).",
    ),
    listeners: def('list', 'PLAINTEXT://127.0.0.1:9092', 'Listener URIs.'),
    'advertised.listeners': def('list', null, 'Listener URIs given to clients; defaults to listeners.'),
    'listener.security.protocol.map': def(
      'list',
      'SASL_SSL:SASL_SSL,PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT',
      'Listener name to security protocol; every listener must be in it (while unset, as Kafka: controller listeners are PLAINTEXT).',
    ),
    'cluster.id': def(
      'string',
      null,
      'The cluster id (or the CLUSTER_ID environment variable); when absent, taken from meta.properties, else generated and kept there (a node alone in its quorum only: with more than one voter, start-up asks for it).',
    ),
    'log.dirs': def('list', null, 'Directories of the partition logs.'),
    'log.dir': def('string', './data', 'The log directory when log.dirs is not set.'),
    'metadata.log.dir': def('string', null, 'Directory of the metadata log; defaults to the first log dir.'),
    'num.partitions': def('int', '1', 'Default number of partitions of auto-created topics.', positive),
    'default.replication.factor': def('int', '1', 'Default replication factor of auto-created topics.'),
    'auto.create.topics.enable': def('boolean', 'true', 'Create topics on metadata requests for unknown topics.'),
    'delete.topic.enable': def('boolean', 'true', 'Allow topic deletion.'),
    'message.max.bytes': def('int', '1048588', 'Largest record batch size allowed.', topicSynonym(atLeast(0))),
    'socket.request.max.bytes': def('int', '104857600', 'Largest request frame accepted.', positive),
    'socket.listen.backlog.size': def(
      'int',
      '50',
      "Pending connections a listener's accept queue holds (the listen(2) backlog; the OS caps it at somaxconn).",
      positive,
    ),
    'socket.send.buffer.bytes': def(
      'int',
      '102400',
      'SO_SNDBUF of client sockets (accepted; no effect: Node.js sets no TCP buffer sizes, the OS autotunes them).',
    ),
    'socket.receive.buffer.bytes': def(
      'int',
      '102400',
      'SO_RCVBUF of client sockets (accepted; no effect: Node.js sets no TCP buffer sizes, the OS autotunes them).',
    ),
    'queued.max.requests': def('int', '500', 'Requests in flight per connection before reading pauses.', positive),
    'quota.window.num': def('int', '11', 'The number of samples client quota rates are measured over.', positive),
    'quota.window.size.seconds': def('int', '1', 'The time span of each client quota sample.', positive),
    'connections.max.idle.ms': def('long', '600000', 'Idle connections are closed after this.'),
    'fetch.max.bytes': def('int', '57671680', 'Largest fetch response.', { validator: atLeast(1024) }),
    'max.incremental.fetch.session.cache.slots': def(
      'int',
      '1000',
      'Incremental fetch sessions kept (KIP-227).',
      nonNegative,
    ),
    'log.segment.bytes': def(
      'int',
      '1073741824',
      'Segment size (at least 14, the smallest record).',
      topicSynonym(atLeast(14)),
    ),
    'log.roll.ms': def('long', null, 'Segment roll time; log.roll.hours when absent.', topicSynonym(atLeast(1))),
    'log.roll.hours': def('int', '168', 'Segment roll time in hours.', positive),
    'log.roll.jitter.ms': def(
      'long',
      null,
      'Jitter of the segment roll time; log.roll.jitter.hours when absent (accepted; no effect: segments roll at the roll time exactly).',
      topicSynonym(atLeast(0)),
    ),
    'log.roll.jitter.hours': def('int', '0', 'Segment roll jitter in hours (accepted; no effect).', nonNegative),
    'log.retention.ms': def(
      'long',
      null,
      'Retention time; log.retention.minutes/hours when absent. Any negative value means unlimited (-1); 0 is refused.',
      topicSynonym(),
    ),
    'log.retention.minutes': def('int', null, 'Retention time in minutes (negative: unlimited).'),
    'log.retention.hours': def('int', '168', 'Retention time in hours (negative: unlimited).'),
    'log.retention.bytes': def('long', '-1', 'Retention size per partition (negative: unlimited).', topicSynonym()),
    'log.retention.check.interval.ms': def('long', '300000', 'How often retention runs.', positive),
    'log.cleanup.policy': def('list', 'delete', 'Default cleanup policy.', topicSynonym(listOf('compact', 'delete'))),
    'log.cleaner.delete.retention.ms': def(
      'long',
      '86400000',
      'How long tombstones are kept.',
      topicSynonym(atLeast(0)),
    ),
    'log.cleaner.min.cleanable.ratio': def(
      'double',
      '0.5',
      'Dirty ratio before cleaning (accepted; no effect: every cleaner pass cleans all inactive segments, more eagerly than Kafka).',
      topicSynonym(between(0, 1)),
    ),
    'log.cleaner.min.compaction.lag.ms': def(
      'long',
      '0',
      'Shortest time a record stays uncompacted.',
      topicSynonym(atLeast(0)),
    ),
    'log.cleaner.max.compaction.lag.ms': def(
      'long',
      LONG_MAX,
      'Longest a record stays uncompacted.',
      topicSynonym(atLeast(1)),
    ),
    'log.segment.delete.delay.ms': def('long', '60000', 'Delay before deleting a file.', topicSynonym(atLeast(0))),
    'log.index.interval.bytes': def('int', '4096', 'Bytes between index entries.', topicSynonym(atLeast(0))),
    'log.index.size.max.bytes': def(
      'int',
      '10485760',
      'Index file size (accepted; no effect: indexes grow as needed, segments roll by size and time).',
      topicSynonym(atLeast(4)),
    ),
    'log.flush.interval.messages': def('long', LONG_MAX, 'Messages between fsyncs.', topicSynonym(atLeast(1))),
    'log.flush.interval.ms': def(
      'long',
      null,
      'Time between fsyncs; log.flush.scheduler.interval.ms when absent.',
      topicSynonym(atLeast(0)),
    ),
    'log.flush.scheduler.interval.ms': def('long', LONG_MAX, 'How often logs are checked for flushing.'),
    'log.preallocate': def('boolean', 'false', 'Preallocate segment files (accepted; no effect).', topicSynonym()),
    'log.message.timestamp.type': def(
      'string',
      'CreateTime',
      'CreateTime or LogAppendTime.',
      topicSynonym(oneOf('CreateTime', 'LogAppendTime')),
    ),
    'log.message.timestamp.after.max.ms': def(
      'long',
      LONG_MAX,
      'Largest allowed timestamp lead.',
      topicSynonym(atLeast(0)),
    ),
    'log.message.timestamp.before.max.ms': def(
      'long',
      LONG_MAX,
      'Largest allowed timestamp lag.',
      topicSynonym(atLeast(0)),
    ),
    'log.message.timestamp.difference.max.ms': def(
      'long',
      LONG_MAX,
      'Deprecated timestamp skew bound.',
      topicSynonym(atLeast(0)),
    ),
    'log.message.downconversion.enable': def(
      'boolean',
      'true',
      'Down-convert for old fetchers (false: a consumer Fetch v0-v3 gets UNSUPPORTED_VERSION).',
      topicSynonym(),
    ),
    'log.message.format.version': def('string', '3.0-IV1', 'Deprecated message format version.', {
      validator: metadataVersion,
    }),
    'log.local.retention.bytes': def('long', '-2', 'Local retention size (tiered storage).', topicSynonym(atLeast(-2))),
    'log.local.retention.ms': def('long', '-2', 'Local retention time (tiered storage).', topicSynonym(atLeast(-2))),
    'unclean.leader.election.enable': def(
      'boolean',
      'false',
      'Let an out-of-sync replica lead when no in-sync replica is alive (also per topic).',
      topicSynonym(),
    ),
    'min.insync.replicas': def('int', '1', 'Minimum in-sync replicas for acks=all.', topicSynonym(atLeast(1))),
    'compression.type': def(
      'string',
      'producer',
      'Broker-side compression of topics.',
      topicSynonym(oneOf('uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer')),
    ),
    'compression.gzip.level': def('int', '-1', 'gzip level.', topicSynonym(defaultOrBetween(1, 9))),
    'compression.lz4.level': def('int', '9', 'lz4 level.', topicSynonym(between(1, 17))),
    'compression.zstd.level': def('int', '3', 'zstd level.', topicSynonym(between(-131072, 22))),
    'offsets.topic.num.partitions': def('int', '50', 'Partitions of __consumer_offsets.', positive),
    'offsets.topic.replication.factor': def(
      'int',
      '3',
      'Replication of __consumer_offsets; the topic is created only once that many brokers are registered (a single combined node caps it at 1).',
      positive,
    ),
    'offsets.topic.segment.bytes': def(
      'int',
      '104857600',
      'segment.bytes of __consumer_offsets, set when the topic is created.',
      positive,
    ),
    'offsets.commit.timeout.ms': def(
      'int',
      '5000',
      'How long a coordinator write (offset commit, group or transaction state) waits for the in-sync replicas.',
      positive,
    ),
    'offsets.retention.minutes': def('int', '10080', 'Retention of committed offsets of empty groups.', positive),
    'offset.metadata.max.bytes': def('int', '4096', 'Largest metadata string of an offset commit.'),
    'offsets.retention.check.interval.ms': def('long', '600000', 'How often offset expiry runs.', positive),
    'group.initial.rebalance.delay.ms': def('int', '3000', 'Delay of the first rebalance of a new group.'),
    'group.min.session.timeout.ms': def('int', '6000', 'Smallest session timeout allowed.'),
    'group.max.session.timeout.ms': def('int', '1800000', 'Largest session timeout allowed.'),
    'group.max.size': def('int', INT_MAX, 'Members allowed per group.', positive),
    'group.coordinator.rebalance.protocols': def(
      'list',
      'classic,consumer',
      "The group protocols served: classic (JoinGroup/SyncGroup) and consumer (KIP-848 ConsumerGroupHeartbeat). Without consumer, ConsumerGroupHeartbeat and ConsumerGroupDescribe answer UNSUPPORTED_VERSION, as Kafka. Kafka 3.9's default is classic alone (KIP-848 was a preview); Gregor serves both by default.",
      { validator: rebalanceProtocols },
    ),
    'group.consumer.assignors': def(
      'list',
      'uniform,range',
      'KIP-848 server-side assignors (short names or Kafka class names); the first is the default.',
    ),
    'group.consumer.session.timeout.ms': def(
      'int',
      '45000',
      'KIP-848 consumer group member session timeout.',
      positive,
    ),
    'group.consumer.min.session.timeout.ms': def(
      'int',
      '45000',
      'Smallest group.consumer.session.timeout.ms allowed.',
      positive,
    ),
    'group.consumer.max.session.timeout.ms': def(
      'int',
      '60000',
      'Largest group.consumer.session.timeout.ms allowed.',
      positive,
    ),
    'group.consumer.heartbeat.interval.ms': def(
      'int',
      '5000',
      'KIP-848 consumer group heartbeat interval given to members.',
      positive,
    ),
    'group.consumer.min.heartbeat.interval.ms': def(
      'int',
      '5000',
      'Smallest group.consumer.heartbeat.interval.ms allowed.',
      positive,
    ),
    'group.consumer.max.heartbeat.interval.ms': def(
      'int',
      '15000',
      'Largest group.consumer.heartbeat.interval.ms allowed.',
      positive,
    ),
    'group.consumer.max.size': def('int', INT_MAX, 'Members allowed per KIP-848 consumer group.', positive),
    'transaction.state.log.num.partitions': def('int', '50', 'Partitions of __transaction_state.', positive),
    'transaction.state.log.replication.factor': def(
      'int',
      '3',
      'Replication of __transaction_state; the topic is created only once that many brokers are registered (a single combined node caps it at 1).',
      positive,
    ),
    'transaction.state.log.min.isr': def(
      'int',
      '2',
      'min.insync.replicas of __transaction_state, set when it is created (a single combined node caps it at the replication factor).',
      positive,
    ),
    'transaction.state.log.segment.bytes': def(
      'int',
      '104857600',
      'segment.bytes of __transaction_state, set when the topic is created.',
      positive,
    ),
    'transaction.max.timeout.ms': def('int', '900000', 'Largest transaction timeout allowed.', positive),
    'transaction.partition.verification.enable': def(
      'boolean',
      'true',
      'KIP-890 part 1: a partition leader asks the transaction coordinator before the first transactional write of a producer to a partition.',
    ),
    'transactional.id.expiration.ms': def('int', '604800000', 'Idle transactional ids expire after this.', positive),
    'producer.id.expiration.ms': def('int', '86400000', 'Idle producer ids expire after this.', {
      dynamic: true,
      validator: atLeast(1),
    }),
    'transaction.abort.timed.out.transaction.cleanup.interval.ms': def(
      'int',
      '10000',
      'How often timed-out transactions are aborted.',
      positive,
    ),
    // Dynamic settings Kafka lets AlterConfigs change. The thread-pool and cleaner-buffer sizes are
    // accepted so Kafka's server.properties files start, and have no effect (one Node.js event loop, an
    // in-memory key map); the throttles and metric reporters, which would change behaviour, accept only
    // their defaults (see docs/configuration.md).
    'num.io.threads': def('int', '8', 'Threads doing disk I/O (accepted; no effect: one Node.js event loop).', {
      dynamic: true,
      validator: atLeast(1),
    }),
    'num.network.threads': def(
      'int',
      '3',
      'Threads handling network requests (accepted; no effect: one Node.js event loop).',
      {
        dynamic: true,
        validator: atLeast(1),
      },
    ),
    'num.replica.fetchers': def(
      'int',
      '1',
      "Follower fetch loops per source broker (partitions spread by Kafka's hash); a change applies at once.",
      { dynamic: true, validator: atLeast(1) },
    ),
    'num.recovery.threads.per.data.dir': def(
      'int',
      '1',
      'Threads per data dir for log recovery (accepted; no effect: one Node.js event loop).',
      {
        dynamic: true,
        validator: atLeast(1),
      },
    ),
    'background.threads': def(
      'int',
      '10',
      'Threads for background tasks (accepted; no effect: one Node.js event loop).',
      { dynamic: true, validator: atLeast(1) },
    ),
    'log.cleaner.enable': def(
      'boolean',
      'true',
      'Run the log cleaner; when false, topics with cleanup.policy=compact (the internal ones too) are never compacted, as Kafka.',
    ),
    'log.cleaner.threads': def(
      'int',
      '1',
      'Log cleaner threads (accepted; no effect: the cleaner runs on the event loop).',
      { dynamic: true, validator: atLeast(0) },
    ),
    'log.cleaner.dedupe.buffer.size': def(
      'long',
      '134217728',
      'Memory for log deduplication (accepted; no effect: the key map is not capped).',
      { dynamic: true },
    ),
    'log.cleaner.io.buffer.size': def('int', '524288', 'Log cleaner I/O buffer memory (accepted; no effect).', {
      dynamic: true,
      validator: atLeast(0),
    }),
    'log.cleaner.io.max.bytes.per.second': def('double', '1.7976931348623157E308', 'Log cleaner I/O throttle.', {
      dynamic: true,
      validator: onlyDefault('1.7976931348623157E308', 'a log cleaner I/O throttle'),
    }),
    'log.cleaner.backoff.ms': def(
      'long',
      '15000',
      'Sleep when there is nothing to clean (accepted; no effect: the cleaner runs every 15 s).',
      {
        dynamic: true,
        validator: atLeast(0),
      },
    ),
    'log.cleaner.io.buffer.load.factor': def('double', '0.9', 'Dedupe buffer load factor (accepted; no effect).', {
      dynamic: true,
    }),
    'max.connections': def('int', INT_MAX, 'Connections allowed at any time.', {
      dynamic: true,
      validator: atLeast(0),
    }),
    'max.connections.per.ip': def('int', INT_MAX, 'Connections allowed per IP.', {
      dynamic: true,
      validator: atLeast(0),
    }),
    'max.connections.per.ip.overrides': def('string', '', 'Per-IP or host connection limits, host:limit,...', {
      dynamic: true,
      validator: {
        expected: 'host:limit[,host:limit...]',
        problem: (v) =>
          v
            .split(',')
            .map((e) => e.trim())
            .filter((e) => e !== '')
            .every((e) => /^.+:\d+$/.test(e))
            ? null
            : 'Each entry must be host:limit',
      },
    }),
    'max.connection.creation.rate': def(
      'int',
      INT_MAX,
      'New connections per second allowed on the client listeners together (the inter-broker listener is exempt when there are others); a connection over the rate waits until it is back under it. Per listener: listener.name.<listener>.max.connection.creation.rate.',
      { dynamic: true, validator: atLeast(0) },
    ),
    'metric.reporters': def(
      'list',
      '',
      'Metrics reporter classes (Java classes: none can be loaded; Prometheus metrics are on metrics.listener).',
      {
        dynamic: true,
        validator: onlyDefault('', 'loading metrics reporter classes'),
      },
    ),
    'replica.selector.class': def(
      'string',
      null,
      'The ReplicaSelector that lets consumers fetch from a follower (KIP-392; Java classes: none can be loaded, every fetch goes to the leader).',
      { validator: onlyDefault('', 'fetching from followers (KIP-392)') },
    ),
    'follower.replication.throttled.rate': def('long', LONG_MAX, 'Follower replication throttle, bytes/s.', {
      dynamic: true,
      validator: onlyDefault(LONG_MAX, 'replication throttling'),
    }),
    'leader.replication.throttled.rate': def('long', LONG_MAX, 'Leader replication throttle, bytes/s.', {
      dynamic: true,
      validator: onlyDefault(LONG_MAX, 'replication throttling'),
    }),
    'replica.alter.log.dirs.io.max.bytes.per.second': def('long', LONG_MAX, 'Log dir move throttle, bytes/s.', {
      dynamic: true,
      validator: onlyDefault(LONG_MAX, 'moving logs between dirs'),
    }),
    'ssl.keystore.location': def('string', null, 'Key store location.', { perBrokerOnly: true }),
    'ssl.keystore.password': def('password', null, 'Key store password.', { perBrokerOnly: true }),
    'ssl.key.password': def('password', null, 'Private key password.', { perBrokerOnly: true }),
    'ssl.truststore.location': def('string', null, 'Trust store location.', { perBrokerOnly: true }),
    'ssl.truststore.password': def('password', null, 'Trust store password.', { perBrokerOnly: true }),
    'sasl.jaas.config': def('password', null, 'JAAS login context.', { perBrokerOnly: true }),
    // Security (docs/security.md). Each ssl.* and sasl.* setting may also be given per listener as
    // listener.name.<listener name, lower case>.<setting>. ssl.keystore.location, ssl.keystore.password,
    // ssl.key.password, ssl.truststore.location and ssl.truststore.password are defined with the dynamic
    // broker configs (admin/broker-config-schema.ts).
    'ssl.keystore.type': def(
      'string',
      'JKS',
      'Key store format: JKS or PKCS12 (each reads both Java formats, as Java 9+) or PEM; others are refused at start-up.',
    ),
    'ssl.keystore.certificate.chain': def(
      'password',
      null,
      'The certificate chain in PEM, inline (KIP-651; needs ssl.keystore.type=PEM).',
    ),
    'ssl.keystore.key': def('password', null, 'The private key in PEM, inline (KIP-651; needs ssl.keystore.type=PEM).'),
    'ssl.truststore.type': def(
      'string',
      'JKS',
      'Trust store format: JKS or PKCS12 (each reads both Java formats, as Java 9+) or PEM; others are refused at start-up.',
    ),
    'ssl.truststore.certificates': def(
      'password',
      null,
      'Trusted certificates in PEM, inline (KIP-651; needs ssl.truststore.type=PEM).',
    ),
    'ssl.client.auth': def('string', 'none', 'Client certificates: none, requested or required.'),
    'ssl.allow.dn.changes': def(
      'boolean',
      'false',
      'Allow a key store changed at run time whose certificate names another subject (else the change is refused).',
    ),
    'ssl.allow.san.changes': def(
      'boolean',
      'false',
      'Allow a key store changed at run time whose certificate has other subject alternative names (else the change is refused).',
    ),
    'ssl.enabled.protocols': def(
      'list',
      'TLSv1.2,TLSv1.3',
      'TLS versions served (a contiguous range of TLSv1 .. TLSv1.3).',
    ),
    'ssl.endpoint.identification.algorithm': def(
      'string',
      'https',
      "Node-to-node TLS connections: https checks the other node's certificate names its host; empty turns the check off.",
    ),
    'ssl.cipher.suites': def(
      'list',
      '',
      'Cipher suites (IANA/Java or OpenSSL names); empty: the TLS library defaults.',
    ),
    'ssl.principal.mapping.rules': def(
      'string',
      'DEFAULT',
      'Rules mapping a client certificate subject to a user principal.',
    ),
    'sasl.enabled.mechanisms': def(
      'list',
      'GSSAPI',
      'SASL mechanisms served: PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER (GSSAPI, the default, is refused at start-up).',
    ),
    'authorizer.class.name': def(
      'class',
      '',
      'The authorizer: empty (none) or org.apache.kafka.metadata.authorizer.StandardAuthorizer (ACLs in the metadata log).',
      { validator: oneOf('', 'org.apache.kafka.metadata.authorizer.StandardAuthorizer') },
    ),
    'super.users': def('string', '', 'Principals (User:name, separated by ;) the authorizer allows everything.'),
    'allow.everyone.if.no.acl.found': def(
      'boolean',
      'false',
      'With an authorizer: allow an operation on a resource that has no ACL at all.',
    ),
    'bootstrap.scram.credentials': def(
      'password',
      null,
      "SCRAM users a fresh cluster starts with, as Kafka's kafka-storage format --add-scram: SCRAM-SHA-256=[name=alice,password=alice-secret];... Written once, by the first active controller of a fresh cluster; later changes are never overwritten.",
    ),
    'connection.failed.authentication.delay.ms': def(
      'int',
      '100',
      'How long the answer to a failed SASL authentication and the close of its connection are delayed (a TLS handshake failure is not).',
      nonNegative,
    ),
    'sasl.server.max.receive.size': def(
      'int',
      '524288',
      'Largest frame a client may send before it has authenticated.',
    ),
    'connections.max.reauth.ms': def(
      'long',
      '0',
      'SASL session lifetime (KIP-368): clients re-authenticate within it, else their connection is closed at its next request; 0: no limit (an OAUTHBEARER token still ends its session when it expires). Also per listener and mechanism.',
      nonNegative,
    ),
    // Gregor loads no Java class: these four are checked where Kafka reads them (common/sasl-class-settings.ts).
    'sasl.server.callback.handler.class': def(
      'class',
      null,
      "The SASL server callback handler, read per listener and mechanism (listener.name.<l>.<mechanism>.sasl.server.callback.handler.class): for OAUTHBEARER Kafka's unsecured validator or OAuthBearerValidatorCallbackHandler (needs sasl.oauthbearer.jwks.endpoint.url), for PLAIN Kafka's PlainServerCallbackHandler; any other class stops start-up.",
    ),
    'sasl.login.callback.handler.class': def(
      'class',
      null,
      "The broker's SASL login callback handler, read per listener and mechanism: only Kafka's defaults (OAuthBearerUnsecuredLoginCallbackHandler for OAUTHBEARER, AbstractLogin$DefaultLoginCallbackHandler otherwise); any other class stops start-up.",
    ),
    'sasl.login.class': def(
      'class',
      null,
      "The broker's SASL Login class, read per listener and mechanism: only Kafka's defaults (OAuthBearerRefreshingLogin for OAUTHBEARER, DefaultLogin otherwise); any other class stops start-up.",
    ),
    'sasl.client.callback.handler.class': def(
      'class',
      null,
      "The SASL client callback handler of this node's logins to other nodes: only Kafka's SaslClientCallbackHandler (username and password from the JAAS config); any other class stops start-up.",
    ),
    'sasl.oauthbearer.jwks.endpoint.url': def(
      'string',
      null,
      'OAUTHBEARER: JWKS of the signed-token validator (https: or file: URL); unset: the unsecured validator.',
    ),
    'sasl.oauthbearer.jwks.endpoint.refresh.ms': def(
      'long',
      '3600000',
      'OAUTHBEARER: how long fetched JWKS keys are cached.',
    ),
    'sasl.oauthbearer.expected.audience': def(
      'list',
      null,
      'OAUTHBEARER: audiences a signed token must name (one of).',
    ),
    'sasl.oauthbearer.expected.issuer': def('string', null, 'OAUTHBEARER: issuer a signed token must name.'),
    'sasl.oauthbearer.sub.claim.name': def(
      'string',
      'sub',
      'OAUTHBEARER: the claim naming the principal of a signed token.',
    ),
    'sasl.oauthbearer.clock.skew.seconds': def(
      'int',
      '30',
      'OAUTHBEARER: clock skew allowed when checking signed token times.',
    ),
    // Operations (Gregor's own; Kafka has no HTTP listener): see docs/metrics.md.
    'console.read.only': def(
      'boolean',
      'false',
      'Gregor only: the web console at /ui of metrics.listener (and gregor console) refuses every change.',
    ),
    'memory.max.bytes': def(
      'long',
      '1073741824',
      'Gregor only: with log.dirs=memory: (in-memory mode), the cap on the bytes of all partition logs together; over it, the oldest segments of delete-policy topics are dropped. Refused with disk log dirs.',
      positive,
    ),
    'metrics.listener': def(
      'string',
      null,
      'Gregor only: http://host:port of the HTTP listener serving /metrics, /livez and /readyz; off when unset.',
    ),
    'log4j.root.loglevel': def(
      'string',
      null,
      'Level of the root logger (TRACE, DEBUG, INFO, WARN, ERROR, FATAL, OFF), as KAFKA_LOG4J_ROOT_LOGLEVEL sets it in the Confluent image.',
    ),
    'log4j.loggers': def(
      'list',
      '',
      'Levels of named loggers, name=LEVEL,... (as KAFKA_LOG4J_LOGGERS); BROKER_LOGGER configs change them at run time.',
    ),
    'broker.rack': def(
      'string',
      null,
      'Rack of this broker: registered with the controller, shown in Metadata and DescribeCluster, and used by rack-aware replica placement.',
    ),
  },
  UNIMPLEMENTED_BROKER_CONFIGS,
  NO_EFFECT_BROKER_CONFIGS,
);
