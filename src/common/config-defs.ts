/**
 * The broker configs Gregor knows, with Kafka's names, types and defaults (Kafka 3.9),
 * except where a dev-friendly default is documented: listeners default to
 * 127.0.0.1:9092 and log.dirs to ./data. Unknown keys are kept and reported, never fatal,
 * so existing server.properties files start unchanged.
 */
export type ConfigType = 'int' | 'long' | 'boolean' | 'string' | 'list' | 'double' | 'password' | 'class';

export interface ConfigDef {
  type: ConfigType;
  default: string | null;
  doc: string;
}

const def = (type: ConfigType, dflt: string | null, doc: string): ConfigDef => ({ type, default: dflt, doc });

export const BROKER_CONFIGS: Readonly<Record<string, ConfigDef>> = {
  'node.id': def('int', '1', 'The node id of this server.'),
  'broker.id': def('int', null, 'Alias of node.id from ZooKeeper mode.'),
  'process.roles': def('list', 'broker,controller', 'The roles this process plays.'),
  'controller.quorum.voters': def('list', '', 'The voters of the metadata quorum, id@host:port.'),
  'controller.quorum.bootstrap.servers': def('list', '', 'Bootstrap servers of the metadata quorum.'),
  'controller.listener.names': def('list', 'CONTROLLER', 'The listeners the controller uses.'),
  'controller.quorum.election.timeout.ms': def('int', '1000', 'Raft election timeout.'),
  'controller.quorum.fetch.timeout.ms': def('int', '2000', 'Raft fetch timeout.'),
  'controller.quorum.election.backoff.max.ms': def('int', '1000', 'Largest random backoff after a lost election.'),
  'controller.quorum.request.timeout.ms': def('int', '2000', 'Raft request timeout (resend after).'),
  'controller.quorum.append.linger.ms': def('int', '25', 'How long the Raft leader lets appends accumulate before it flushes them.'),
  'broker.heartbeat.interval.ms': def('int', '2000', 'How often a broker heartbeats to the active controller.'),
  'broker.session.timeout.ms': def('int', '9000', 'A broker silent for this long is fenced.'),
  'inter.broker.listener.name': def('string', null, 'The listener brokers use between themselves.'),
  listeners: def('list', 'PLAINTEXT://127.0.0.1:9092', 'Listener URIs.'),
  'advertised.listeners': def('list', null, 'Listener URIs given to clients; defaults to listeners.'),
  'listener.security.protocol.map': def(
    'list',
    'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL',
    'Listener name to security protocol.',
  ),
  'cluster.id': def('string', null, 'The cluster id; generated and kept in meta.properties when absent.'),
  'log.dirs': def('list', null, 'Directories of the partition logs.'),
  'log.dir': def('string', './data', 'The log directory when log.dirs is not set.'),
  'metadata.log.dir': def('string', null, 'Directory of the metadata log; defaults to the first log dir.'),
  'num.partitions': def('int', '1', 'Default number of partitions of auto-created topics.'),
  'default.replication.factor': def('int', '1', 'Default replication factor of auto-created topics.'),
  'auto.create.topics.enable': def('boolean', 'true', 'Create topics on metadata requests for unknown topics.'),
  'delete.topic.enable': def('boolean', 'true', 'Allow topic deletion.'),
  'message.max.bytes': def('int', '1048588', 'Largest record batch size allowed.'),
  'socket.request.max.bytes': def('int', '104857600', 'Largest request frame accepted.'),
  'queued.max.requests': def('int', '500', 'Requests in flight per connection before reading pauses.'),
  'connections.max.idle.ms': def('long', '600000', 'Idle connections are closed after this.'),
  'fetch.max.bytes': def('int', '57671680', 'Largest fetch response.'),
  'max.incremental.fetch.session.cache.slots': def('int', '1000', 'Incremental fetch sessions kept (KIP-227).'),
  'log.segment.bytes': def('int', '1073741824', 'Segment size.'),
  'log.roll.ms': def('long', null, 'Segment roll time; log.roll.hours when absent.'),
  'log.roll.hours': def('int', '168', 'Segment roll time in hours.'),
  'log.retention.ms': def('long', null, 'Retention time; log.retention.minutes/hours when absent.'),
  'log.retention.minutes': def('int', null, 'Retention time in minutes.'),
  'log.retention.hours': def('int', '168', 'Retention time in hours.'),
  'log.retention.bytes': def('long', '-1', 'Retention size per partition.'),
  'log.retention.check.interval.ms': def('long', '300000', 'How often retention runs.'),
  'log.cleanup.policy': def('list', 'delete', 'Default cleanup policy.'),
  'log.cleaner.delete.retention.ms': def('long', '86400000', 'How long tombstones are kept.'),
  'log.index.interval.bytes': def('int', '4096', 'Bytes between index entries.'),
  'log.flush.interval.messages': def('long', '9223372036854775807', 'Messages between fsyncs.'),
  'log.flush.interval.ms': def('long', null, 'Time between fsyncs.'),
  'log.message.timestamp.type': def('string', 'CreateTime', 'CreateTime or LogAppendTime.'),
  'min.insync.replicas': def('int', '1', 'Minimum in-sync replicas for acks=all.'),
  'compression.type': def('string', 'producer', 'Broker-side compression of topics.'),
  'offsets.topic.num.partitions': def('int', '50', 'Partitions of __consumer_offsets.'),
  'offsets.topic.replication.factor': def('int', '3', 'Replication of __consumer_offsets (falls back to the broker count).'),
  'offsets.retention.minutes': def('int', '10080', 'Retention of committed offsets of empty groups.'),
  'offset.metadata.max.bytes': def('int', '4096', 'Largest metadata string of an offset commit.'),
  'offsets.retention.check.interval.ms': def('long', '600000', 'How often offset expiry runs.'),
  'group.initial.rebalance.delay.ms': def('int', '3000', 'Delay of the first rebalance of a new group.'),
  'group.min.session.timeout.ms': def('int', '6000', 'Smallest session timeout allowed.'),
  'group.max.session.timeout.ms': def('int', '1800000', 'Largest session timeout allowed.'),
  'group.max.size': def('int', '2147483647', 'Members allowed per group.'),
  'transaction.state.log.num.partitions': def('int', '50', 'Partitions of __transaction_state.'),
  'transaction.state.log.replication.factor': def('int', '3', 'Replication of __transaction_state.'),
  'transaction.max.timeout.ms': def('int', '900000', 'Largest transaction timeout allowed.'),
  'transactional.id.expiration.ms': def('int', '604800000', 'Idle transactional ids expire after this.'),
  'producer.id.expiration.ms': def('int', '86400000', 'Idle producer ids expire after this.'),
  'transaction.abort.timed.out.transaction.cleanup.interval.ms': def('int', '10000', 'How often timed-out transactions are aborted.'),
};
