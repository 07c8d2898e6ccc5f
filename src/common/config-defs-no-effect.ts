/**
 * Kafka 3.9 broker settings that are pure tuning knobs, or belong to a mode or feature Gregor does
 * not have (ZooKeeper mode, tiered storage, share groups, delegation tokens, Kerberos, Java's JSSE
 * and metrics libraries): known with Kafka's type, default and range, so a server.properties
 * written for Kafka starts and DescribeConfigs lists them, and documented "(accepted; no effect:
 * reason)". A setting that would change what a client sees does not belong here but in
 * config-defs-unimplemented.ts (only the default accepted) or config-defs.ts (implemented).
 * Spread into BROKER_CONFIGS (config-defs.ts). The ones Kafka lets AlterConfigs change (a listener's
 * TLS and Kerberos settings per broker, the tiered-storage throttles) are dynamic here too, stored
 * to no effect; the others are not dynamic.
 */
import { atLeast, between, type ConfigValidator } from './config-validators.js';
import type { ConfigDef, ConfigType } from './config-def-types.js';
import { metadataVersion } from './metadata-versions.js';

const noEffect = (
  type: ConfigType,
  dflt: string | null,
  doc: string,
  reason: string,
  validator: ConfigValidator | null = null,
): ConfigDef => ({
  type,
  default: dflt,
  doc: `${doc.replace(/\.$/, '')} (accepted; no effect: ${reason}).`,
  validator,
  dynamic: false,
  perBrokerOnly: false,
});

/** Dynamic in Kafka for one broker (a listener's TLS and SASL settings): AlterConfigs stores it, to no effect. */
const perBroker = (d: ConfigDef): ConfigDef => ({ ...d, dynamic: true, perBrokerOnly: true });
/** Dynamic in Kafka, for one broker or as the cluster default. */
const dynamic = (d: ConfigDef): ConfigDef => ({ ...d, dynamic: true });

const LONG_MAX = '9223372036854775807';
const SHORT = between(-32768, 32767);
const ONE_LOOP = 'one Node.js event loop';
const NO_PURGATORY = 'delayed requests are woken by events, there is no purgatory to purge';
const ZK = 'ZooKeeper mode only; Gregor runs KRaft';
const NO_TOKENS = 'delegation tokens are not implemented, see delegation.token.secret.key';
const NO_TIERED = 'tiered storage is not implemented, see remote.log.storage.system.enable';
const NO_SHARE = 'share groups are not implemented, see group.share.enable';
const NO_KERBEROS = 'GSSAPI (Kerberos) is not implemented';
const JSSE = 'Node.js TLS (OpenSSL) has no Java key/trust manager, provider or random source to choose';
const NO_PW_ENCODER = 'password encoding is not implemented, see password.encoder.secret';
const CLIENT_LOGIN = 'Gregor logs in to other nodes with the credentials of sasl.jaas.config, no login refresh';
const OAUTH_LOGIN = 'only an OAUTHBEARER login to another node uses it, and Gregor refuses OAUTHBEARER between nodes';
const METRICS = 'Gregor keeps its own metrics, served as Prometheus text on metrics.listener';
const QUOTA_WINDOW =
  'the quotas these windows measure (replication, log dir moves, controller mutations) are not enforced';

const zk = (type: ConfigType, dflt: string | null, doc: string, validator: ConfigValidator | null = null) =>
  noEffect(type, dflt, doc, ZK, validator);
const share = (dflt: string, doc: string, validator: ConfigValidator, type: ConfigType = 'int') =>
  noEffect(type, dflt, doc, NO_SHARE, validator);
const tiered = (type: ConfigType, dflt: string | null, doc: string, validator: ConfigValidator | null = null) =>
  noEffect(type, dflt, doc, NO_TIERED, validator);

export const NO_EFFECT_BROKER_CONFIGS: Readonly<Record<string, ConfigDef>> = {
  // Threads, buffers and intervals of Kafka's JVM internals.
  'group.coordinator.threads': noEffect('int', '1', 'Group coordinator threads.', ONE_LOOP, atLeast(1)),
  'group.coordinator.append.linger.ms': noEffect(
    'int',
    '10',
    'How long the group coordinator lets writes accumulate.',
    'each coordinator write is appended at once',
    atLeast(0),
  ),
  'group.coordinator.new.enable': noEffect(
    'boolean',
    'false',
    "Internal: turn on Kafka's new group coordinator.",
    'Gregor has one group coordinator, serving classic and consumer groups',
  ),
  'num.replica.alter.log.dirs.threads': noEffect('int', null, 'Threads moving replicas between log dirs.', ONE_LOOP),
  'offsets.load.buffer.size': noEffect(
    'int',
    '5242880',
    'Batch size for reading __consumer_offsets into the cache.',
    'the log is read segment by segment',
    atLeast(1),
  ),
  'transaction.state.log.load.buffer.size': noEffect(
    'int',
    '5242880',
    'Batch size for reading __transaction_state into the cache.',
    'the log is read segment by segment',
    atLeast(1),
  ),
  'fetch.purgatory.purge.interval.requests': noEffect('int', '1000', 'Fetch purgatory purge interval.', NO_PURGATORY),
  'producer.purgatory.purge.interval.requests': noEffect(
    'int',
    '1000',
    'Producer purgatory purge interval.',
    NO_PURGATORY,
  ),
  'delete.records.purgatory.purge.interval.requests': noEffect(
    'int',
    '1',
    'DeleteRecords purgatory purge interval.',
    NO_PURGATORY,
  ),
  'replica.high.watermark.checkpoint.interval.ms': noEffect(
    'long',
    '5000',
    'How often high watermarks are saved to disk.',
    'Gregor keeps its own checkpoint schedule',
  ),
  'log.flush.offset.checkpoint.interval.ms': noEffect(
    'int',
    '60000',
    'How often the recovery points are saved to disk.',
    'Gregor keeps its own checkpoint schedule',
    atLeast(0),
  ),
  'log.flush.start.offset.checkpoint.interval.ms': noEffect(
    'int',
    '60000',
    'How often the log start offsets are saved to disk.',
    'Gregor keeps its own checkpoint schedule',
    atLeast(0),
  ),
  'log.initial.task.delay.ms': noEffect(
    'long',
    '30000',
    'Internal: delay of the first log background tasks.',
    'Gregor schedules them itself',
    atLeast(0),
  ),
  'log.dir.failure.timeout.ms': noEffect(
    'long',
    '30000',
    'How long a broker whose log dir failed waits for the controller before it shuts down.',
    'a failed log dir is reported and its replicas go offline at once',
    atLeast(1),
  ),
  'producer.id.expiration.check.interval.ms': noEffect(
    'int',
    '600000',
    'Internal: how often expired producer ids are removed.',
    'Gregor checks them on its own schedule; producer.id.expiration.ms is honoured',
    atLeast(1),
  ),
  'transaction.remove.expired.transaction.cleanup.interval.ms': noEffect(
    'int',
    '3600000',
    'How often expired transactional ids are removed.',
    'Gregor checks them on its own schedule; transactional.id.expiration.ms is honoured',
    atLeast(1),
  ),
  'unclean.leader.election.interval.ms': noEffect(
    'long',
    '300000',
    'Internal: how often the controller looks for partitions to elect unclean leaders for.',
    'the controller elects when a partition loses its last in-sync replica',
    atLeast(1),
  ),
  'metadata.max.idle.interval.ms': noEffect(
    'int',
    '500',
    'How often the active controller writes a no-op record to the metadata log.',
    'the metadata log is written only when metadata changes',
    atLeast(0),
  ),
  'controller.quorum.retry.backoff.ms': noEffect(
    'int',
    '20',
    'Pause before a failed metadata quorum request is retried.',
    'retries follow controller.quorum.request.timeout.ms',
  ),
  'replica.socket.timeout.ms': noEffect(
    'int',
    '30000',
    'Socket timeout of follower fetch requests.',
    'follower fetches use replica.fetch.wait.max.ms and request.timeout.ms',
  ),
  'replica.socket.receive.buffer.bytes': noEffect(
    'int',
    '65536',
    'SO_RCVBUF of follower fetch connections.',
    'Node.js sets no TCP buffer sizes, the OS autotunes them',
  ),
  'socket.connection.setup.timeout.ms': noEffect(
    'long',
    '10000',
    'Timeout of a connection to another node.',
    'connections to other nodes use request.timeout.ms',
  ),
  'socket.connection.setup.timeout.max.ms': noEffect(
    'long',
    '30000',
    'Largest timeout of a connection to another node.',
    'connections to other nodes use request.timeout.ms',
  ),
  'server.max.startup.time.ms': noEffect(
    'long',
    '9223372036854775807',
    'Internal: longest wait for the metadata catch-up at start-up before the broker gives up.',
    'a broker waits until it has caught up',
    atLeast(0),
  ),
  'early.start.listeners': noEffect(
    'string',
    null,
    'Listeners started before the authorizer has loaded.',
    'all listeners start once the broker has caught up with the metadata log',
  ),
  'max.request.partition.size.limit': noEffect(
    'int',
    '2000',
    'Most partitions one request may be answered with.',
    'DescribeTopicPartitions answers at most 2000 partitions',
    atLeast(1),
  ),
  'telemetry.max.bytes': noEffect(
    'int',
    '1048576',
    'Largest client telemetry push (KIP-714).',
    'PushTelemetry is not served',
    atLeast(1),
  ),
  // The metadata log (KRaft's __cluster_metadata).
  'metadata.log.segment.bytes': noEffect(
    'int',
    '1073741824',
    'Segment size of the metadata log.',
    'the metadata log is one segment, rewritten without its covered prefix at each snapshot',
    atLeast(12),
  ),
  'metadata.log.segment.min.bytes': noEffect(
    'int',
    '8388608',
    'Internal: smallest metadata.log.segment.bytes allowed.',
    'the metadata log is one segment',
    atLeast(12),
  ),
  'metadata.log.segment.ms': noEffect(
    'long',
    '604800000',
    'Roll time of metadata log segments.',
    'the metadata log is one segment, rewritten without its covered prefix at each snapshot',
  ),
  'metadata.max.retention.bytes': noEffect(
    'long',
    '104857600',
    'Metadata log and snapshot bytes kept.',
    'only the newest snapshot and the log after it are kept',
  ),
  'metadata.max.retention.ms': noEffect(
    'long',
    '604800000',
    'How long metadata log segments and snapshots are kept.',
    'only the newest snapshot and the log after it are kept',
  ),
  // Quota sampling windows of quotas Gregor does not enforce.
  'replication.quota.window.num': noEffect('int', '11', 'Samples of the replication quota.', QUOTA_WINDOW, atLeast(1)),
  'replication.quota.window.size.seconds': noEffect(
    'int',
    '1',
    'Time span of a replication quota sample.',
    QUOTA_WINDOW,
    atLeast(1),
  ),
  'alter.log.dirs.replication.quota.window.num': noEffect(
    'int',
    '11',
    'Samples of the log dir move quota.',
    QUOTA_WINDOW,
    atLeast(1),
  ),
  'alter.log.dirs.replication.quota.window.size.seconds': noEffect(
    'int',
    '1',
    'Time span of a log dir move quota sample.',
    QUOTA_WINDOW,
    atLeast(1),
  ),
  'controller.quota.window.num': noEffect(
    'int',
    '11',
    'Samples of the controller mutation quota.',
    QUOTA_WINDOW,
    atLeast(1),
  ),
  'controller.quota.window.size.seconds': noEffect(
    'int',
    '1',
    'Time span of a controller mutation quota sample.',
    QUOTA_WINDOW,
    atLeast(1),
  ),
  // Java metrics libraries.
  'metrics.num.samples': noEffect('int', '2', 'Samples of Kafka metrics.', METRICS, atLeast(1)),
  'metrics.sample.window.ms': noEffect('long', '30000', 'Time span of a Kafka metrics sample.', METRICS, atLeast(1)),
  'metrics.recording.level': noEffect('string', 'INFO', 'Highest recording level of Kafka metrics.', METRICS),
  'auto.include.jmx.reporter': noEffect('boolean', 'true', 'Add the JMX reporter to metric.reporters.', METRICS),
  'kafka.metrics.polling.interval.secs': noEffect(
    'int',
    '10',
    'Polling interval of the Yammer metrics reporters.',
    METRICS,
    atLeast(1),
  ),
  // ZooKeeper mode.
  'zookeeper.connect': zk('string', null, 'ZooKeeper connection string.'),
  'zookeeper.session.timeout.ms': zk('int', '18000', 'ZooKeeper session timeout.'),
  'zookeeper.connection.timeout.ms': zk('int', null, 'ZooKeeper connection timeout.'),
  'zookeeper.set.acl': zk('boolean', 'false', 'Secure ACLs on ZooKeeper nodes.'),
  'zookeeper.max.in.flight.requests': zk('int', '10', 'Unacknowledged ZooKeeper requests.', atLeast(1)),
  'zookeeper.clientCnxnSocket': zk('string', null, 'ZooKeeper client socket class.'),
  'zookeeper.ssl.client.enable': zk('boolean', 'false', 'TLS to ZooKeeper.'),
  'zookeeper.ssl.keystore.location': zk('string', null, 'ZooKeeper TLS key store.'),
  'zookeeper.ssl.keystore.password': zk('password', null, 'ZooKeeper TLS key store password.'),
  'zookeeper.ssl.keystore.type': zk('string', null, 'ZooKeeper TLS key store type.'),
  'zookeeper.ssl.truststore.location': zk('string', null, 'ZooKeeper TLS trust store.'),
  'zookeeper.ssl.truststore.password': zk('password', null, 'ZooKeeper TLS trust store password.'),
  'zookeeper.ssl.truststore.type': zk('string', null, 'ZooKeeper TLS trust store type.'),
  'zookeeper.ssl.protocol': zk('string', 'TLSv1.2', 'ZooKeeper TLS protocol.'),
  'zookeeper.ssl.enabled.protocols': zk('list', null, 'ZooKeeper TLS versions.'),
  'zookeeper.ssl.cipher.suites': zk('list', null, 'ZooKeeper TLS cipher suites.'),
  'zookeeper.ssl.endpoint.identification.algorithm': zk('string', 'HTTPS', 'ZooKeeper TLS host name check.'),
  'zookeeper.ssl.crl.enable': zk('boolean', 'false', 'ZooKeeper TLS certificate revocation lists.'),
  'zookeeper.ssl.ocsp.enable': zk('boolean', 'false', 'ZooKeeper TLS OCSP.'),
  'zookeeper.metadata.migration.min.batch.size': zk(
    'int',
    '200',
    'Internal: records per ZooKeeper migration batch.',
    atLeast(1),
  ),
  'broker.id.generation.enable': zk('boolean', 'true', 'Generate broker ids in ZooKeeper.'),
  'reserved.broker.max.id': zk('int', '1000', 'Largest broker id not generated.', atLeast(0)),
  'controlled.shutdown.max.retries': zk('int', '3', 'Controlled shutdown retries.'),
  'controlled.shutdown.retry.backoff.ms': zk('long', '5000', 'Pause between controlled shutdown retries.'),
  'controller.socket.timeout.ms': zk('int', '30000', 'Socket timeout of controller-to-broker requests.'),
  'inter.broker.protocol.version': noEffect(
    'string',
    '3.9-IV0',
    'Inter-broker protocol version.',
    'in KRaft the metadata.version feature decides, as in Kafka',
    metadataVersion,
  ),
  // Delegation tokens, password encoding.
  'delegation.token.max.lifetime.ms': noEffect('long', '604800000', 'Longest token life.', NO_TOKENS, atLeast(1)),
  'delegation.token.expiry.time.ms': noEffect('long', '86400000', 'Token renewal interval.', NO_TOKENS, atLeast(1)),
  'delegation.token.expiry.check.interval.ms': noEffect(
    'long',
    '3600000',
    'How often expired tokens are removed.',
    NO_TOKENS,
    atLeast(1),
  ),
  'password.encoder.old.secret': noEffect('password', null, 'The previous password encoder secret.', NO_PW_ENCODER),
  'password.encoder.keyfactory.algorithm': noEffect('string', null, 'Password encoder key factory.', NO_PW_ENCODER),
  'password.encoder.cipher.algorithm': noEffect(
    'string',
    'AES/CBC/PKCS5Padding',
    'Password encoder cipher.',
    NO_PW_ENCODER,
  ),
  'password.encoder.key.length': noEffect('int', '128', 'Password encoder key length.', NO_PW_ENCODER, atLeast(8)),
  'password.encoder.iterations': noEffect('int', '4096', 'Password encoder iterations.', NO_PW_ENCODER, atLeast(1024)),
  // Kerberos, SASL client login, Java TLS.
  'sasl.kerberos.service.name': perBroker(noEffect('string', null, 'Kerberos principal name of Kafka.', NO_KERBEROS)),
  'sasl.kerberos.kinit.cmd': perBroker(noEffect('string', '/usr/bin/kinit', 'Kerberos kinit command.', NO_KERBEROS)),
  'sasl.kerberos.ticket.renew.window.factor': perBroker(
    noEffect('double', '0.8', 'Kerberos ticket renewal point.', NO_KERBEROS),
  ),
  'sasl.kerberos.ticket.renew.jitter': perBroker(
    noEffect('double', '0.05', 'Kerberos ticket renewal jitter.', NO_KERBEROS),
  ),
  'sasl.kerberos.min.time.before.relogin': perBroker(noEffect('long', '60000', 'Kerberos relogin pause.', NO_KERBEROS)),
  'sasl.kerberos.principal.to.local.rules': perBroker(
    noEffect('list', 'DEFAULT', 'Rules mapping Kerberos principals to short names.', NO_KERBEROS),
  ),
  'sasl.login.refresh.window.factor': noEffect('double', '0.8', 'Login refresh point.', CLIENT_LOGIN),
  'sasl.login.refresh.window.jitter': noEffect('double', '0.05', 'Login refresh jitter.', CLIENT_LOGIN),
  'sasl.login.refresh.min.period.seconds': noEffect('int', '60', 'Shortest login refresh period.', CLIENT_LOGIN, SHORT),
  'sasl.login.refresh.buffer.seconds': noEffect('int', '300', 'Login refresh buffer.', CLIENT_LOGIN, SHORT),
  'sasl.login.connect.timeout.ms': noEffect('int', null, 'Connect timeout of an OAuth login.', CLIENT_LOGIN),
  'sasl.login.read.timeout.ms': noEffect('int', null, 'Read timeout of an OAuth login.', CLIENT_LOGIN),
  'sasl.login.retry.backoff.ms': noEffect('long', '100', 'Pause before a login is retried.', CLIENT_LOGIN),
  'sasl.login.retry.backoff.max.ms': noEffect(
    'long',
    '10000',
    'Longest pause before a login is retried.',
    CLIENT_LOGIN,
  ),
  'sasl.oauthbearer.token.endpoint.url': noEffect(
    'string',
    null,
    'OAUTHBEARER: the token endpoint of an inter-broker login.',
    OAUTH_LOGIN,
  ),
  'sasl.oauthbearer.jwks.endpoint.retry.backoff.ms': noEffect(
    'long',
    '100',
    'OAUTHBEARER: pause before a JWKS fetch is retried.',
    'a failed JWKS fetch is retried at the next token',
  ),
  'sasl.oauthbearer.jwks.endpoint.retry.backoff.max.ms': noEffect(
    'long',
    '10000',
    'OAUTHBEARER: longest pause before a JWKS fetch is retried.',
    'a failed JWKS fetch is retried at the next token',
  ),
  'sasl.oauthbearer.scope.claim.name': noEffect(
    'string',
    'scope',
    'OAUTHBEARER: the claim naming the scopes of a token.',
    'scopes play no part in authorization, as in Kafka',
  ),
  'ssl.protocol': perBroker(
    noEffect('string', 'TLSv1.3', 'The SSLContext protocol.', 'ssl.enabled.protocols decides the TLS versions'),
  ),
  'ssl.provider': perBroker(noEffect('string', null, 'The JSSE security provider.', JSSE)),
  'ssl.keymanager.algorithm': perBroker(noEffect('string', 'SunX509', 'The key manager factory algorithm.', JSSE)),
  'ssl.trustmanager.algorithm': perBroker(noEffect('string', 'PKIX', 'The trust manager factory algorithm.', JSSE)),
  'ssl.secure.random.implementation': perBroker(noEffect('string', null, 'The SecureRandom implementation.', JSSE)),
  // Share groups (KIP-932, early access in 3.9).
  'group.share.session.timeout.ms': share('45000', 'Share group member session timeout.', atLeast(1)),
  'group.share.min.session.timeout.ms': share('45000', 'Smallest share group session timeout.', atLeast(1)),
  'group.share.max.session.timeout.ms': share('60000', 'Largest share group session timeout.', atLeast(1)),
  'group.share.heartbeat.interval.ms': share('5000', 'Share group heartbeat interval.', atLeast(1)),
  'group.share.min.heartbeat.interval.ms': share('5000', 'Smallest share group heartbeat interval.', atLeast(1)),
  'group.share.max.heartbeat.interval.ms': share('15000', 'Largest share group heartbeat interval.', atLeast(1)),
  'group.share.max.size': share('200', 'Members per share group.', between(10, 1000)),
  'group.share.delivery.count.limit': share('5', 'Deliveries of a record to share consumers.', between(2, 10)),
  'group.share.record.lock.duration.ms': share('30000', 'Share record lock duration.', between(1000, 60000)),
  'group.share.min.record.lock.duration.ms': share('15000', 'Shortest share record lock.', between(1000, 30000)),
  'group.share.max.record.lock.duration.ms': share('60000', 'Longest share record lock.', between(30000, 3600000)),
  'group.share.max.groups': share('10', 'Share groups per broker.', between(1, 100)),
  'group.share.partition.max.record.locks': share('200', 'Record locks per share partition.', between(100, 10000)),
  // Tiered storage (KIP-405).
  'remote.log.storage.manager.class.path': tiered('string', null, 'Class path of the RemoteStorageManager.'),
  'remote.log.storage.manager.impl.prefix': tiered('string', 'rsm.config.', 'Prefix of RemoteStorageManager configs.'),
  'remote.log.metadata.manager.class.path': tiered('string', null, 'Class path of the RemoteLogMetadataManager.'),
  'remote.log.metadata.manager.impl.prefix': tiered(
    'string',
    'rlmm.config.',
    'Prefix of RemoteLogMetadataManager configs.',
  ),
  'remote.log.metadata.manager.listener.name': tiered('string', null, 'Listener of the RemoteLogMetadataManager.'),
  'remote.log.metadata.custom.metadata.max.bytes': tiered(
    'int',
    '128',
    'Largest custom metadata of a remote segment.',
    atLeast(0),
  ),
  'remote.log.index.file.cache.total.size.bytes': dynamic(
    tiered('long', '1073741824', 'Size of the remote index cache.', atLeast(1)),
  ),
  'remote.log.manager.thread.pool.size': tiered('int', '10', 'Remote log manager threads.', atLeast(1)),
  'remote.log.manager.copier.thread.pool.size': tiered('int', '-1', 'Remote log copier threads.'),
  'remote.log.manager.expiration.thread.pool.size': tiered('int', '-1', 'Remote log expiration threads.'),
  'remote.log.manager.task.interval.ms': tiered('long', '30000', 'Remote log manager task interval.', atLeast(1)),
  'remote.log.manager.task.retry.backoff.ms': tiered('long', '500', 'Internal: remote task retry pause.', atLeast(1)),
  'remote.log.manager.task.retry.backoff.max.ms': tiered(
    'long',
    '30000',
    'Internal: longest remote task retry pause.',
    atLeast(1),
  ),
  'remote.log.manager.task.retry.jitter': tiered(
    'double',
    '0.2',
    'Internal: remote task retry jitter.',
    between(0, 0.5),
  ),
  'remote.log.reader.threads': tiered('int', '10', 'Remote log reader threads.', atLeast(1)),
  'remote.log.reader.max.pending.tasks': tiered('int', '100', 'Queued remote log reads.', atLeast(1)),
  'remote.log.manager.copy.max.bytes.per.second': dynamic(
    tiered('long', LONG_MAX, 'Remote copy throttle.', atLeast(1)),
  ),
  'remote.log.manager.copy.quota.window.num': tiered('int', '11', 'Samples of the remote copy quota.', atLeast(1)),
  'remote.log.manager.copy.quota.window.size.seconds': tiered(
    'int',
    '1',
    'Time span of a remote copy quota sample.',
    atLeast(1),
  ),
  'remote.log.manager.fetch.max.bytes.per.second': dynamic(
    tiered('long', LONG_MAX, 'Remote fetch throttle.', atLeast(1)),
  ),
  'remote.log.manager.fetch.quota.window.num': tiered('int', '11', 'Samples of the remote fetch quota.', atLeast(1)),
  'remote.log.manager.fetch.quota.window.size.seconds': tiered(
    'int',
    '1',
    'Time span of a remote fetch quota sample.',
    atLeast(1),
  ),
  'remote.fetch.max.wait.ms': dynamic(tiered('int', '500', 'Longest wait of a fetch for remote data.', atLeast(1))),
};
