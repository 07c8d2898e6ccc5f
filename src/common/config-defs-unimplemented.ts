/**
 * Kafka 3.9 broker settings that change behaviour and that Gregor does not implement: they are known
 * (so DescribeConfigs lists them and start-up does not call them unknown), and accept only Kafka's
 * default, so a server.properties that turns one on stops start-up with one line naming it instead
 * of being logged as "not known (ignored)" and silently run without it. Spread into BROKER_CONFIGS
 * (config-defs.ts). Leaves out Kafka's pure tuning knobs (thread counts, purgatory purge intervals,
 * load buffers, ZooKeeper-era client settings): config-defs-no-effect.ts accepts those.
 */
import { onlyDefault } from './config-validators.js';
import type { ConfigDef, ConfigType } from './config-def-types.js';

const refusedUnlessDefault = (type: ConfigType, dflt: string | null, doc: string, feature: string): ConfigDef => ({
  type,
  default: dflt,
  doc: `${doc} Not implemented: only the default is accepted.`,
  validator: onlyDefault(dflt ?? '', feature),
  dynamic: false,
  perBrokerOnly: false,
});

export const UNIMPLEMENTED_BROKER_CONFIGS: Readonly<Record<string, ConfigDef>> = {
  'create.topic.policy.class.name': refusedUnlessDefault(
    'class',
    null,
    'The CreateTopicPolicy class that validates topic creations.',
    'create-topic policies',
  ),
  'alter.config.policy.class.name': refusedUnlessDefault(
    'class',
    null,
    'The AlterConfigPolicy class that validates config changes.',
    'alter-config policies',
  ),
  'client.quota.callback.class': refusedUnlessDefault(
    'class',
    null,
    'A ClientQuotaCallback class that sets quotas.',
    'client quota callbacks',
  ),
  'kafka.metrics.reporters': refusedUnlessDefault(
    'list',
    '',
    'Yammer metrics reporter classes.',
    'loading metrics reporter classes',
  ),
  'control.plane.listener.name': refusedUnlessDefault(
    'string',
    null,
    'A listener of its own for controller-to-broker requests (ZooKeeper mode).',
    'a control plane listener',
  ),
  'group.share.enable': refusedUnlessDefault(
    'boolean',
    'false',
    'Share groups (KIP-932, early access).',
    'share groups',
  ),
  'eligible.leader.replicas.enable': refusedUnlessDefault(
    'boolean',
    'false',
    'Eligible leader replicas (KIP-966).',
    'eligible leader replicas (KIP-966)',
  ),
  'unstable.api.versions.enable': refusedUnlessDefault(
    'boolean',
    'false',
    'Advertise API versions still in development.',
    'unstable API versions',
  ),
  'unstable.feature.versions.enable': refusedUnlessDefault(
    'boolean',
    'false',
    'Allow feature versions still in development.',
    'unstable feature versions',
  ),
  'zookeeper.metadata.migration.enable': refusedUnlessDefault(
    'boolean',
    'false',
    'Migrate a ZooKeeper cluster to KRaft.',
    'ZooKeeper migration',
  ),
  'delegation.token.secret.key': refusedUnlessDefault(
    'password',
    null,
    'The secret that enables and signs delegation tokens.',
    'delegation tokens',
  ),
  'delegation.token.master.key': refusedUnlessDefault(
    'password',
    null,
    'Deprecated name of delegation.token.secret.key.',
    'delegation tokens',
  ),
  'password.encoder.secret': refusedUnlessDefault(
    'password',
    null,
    'The secret that encodes dynamically set passwords (ZooKeeper mode).',
    'password encoding',
  ),
  'queued.max.request.bytes': refusedUnlessDefault(
    'long',
    '-1',
    'Bytes of queued requests before reading pauses (-1: no limit).',
    'a request memory pool',
  ),
  'offsets.commit.required.acks': refusedUnlessDefault(
    'int',
    '-1',
    'Deprecated: the acks of offset commit writes (-1: all in-sync replicas).',
    'other acks for offset commits',
  ),
  'group.consumer.migration.policy': refusedUnlessDefault(
    'string',
    'disabled',
    'Internal: convert groups between the classic and the consumer protocol (upgrade, downgrade, bidirectional).',
    'group protocol migration',
  ),
  'principal.builder.class': refusedUnlessDefault(
    'class',
    'org.apache.kafka.common.security.authenticator.DefaultKafkaPrincipalBuilder',
    'The KafkaPrincipalBuilder class that names authenticated clients.',
    'other principal builders',
  ),
  'ssl.engine.factory.class': refusedUnlessDefault(
    'class',
    null,
    'An SslEngineFactory class.',
    'SSL engine factory classes',
  ),
  'security.providers': refusedUnlessDefault(
    'string',
    null,
    'Java security provider creator classes.',
    'Java security providers',
  ),
  'remote.log.storage.system.enable': refusedUnlessDefault(
    'boolean',
    'false',
    'Tiered storage (KIP-405).',
    'tiered storage',
  ),
  'remote.log.storage.manager.class.name': refusedUnlessDefault(
    'string',
    null,
    'The RemoteStorageManager class of tiered storage.',
    'tiered storage',
  ),
  'remote.log.metadata.manager.class.name': refusedUnlessDefault(
    'string',
    'org.apache.kafka.server.log.remote.metadata.storage.TopicBasedRemoteLogMetadataManager',
    'The RemoteLogMetadataManager class of tiered storage.',
    'tiered storage',
  ),
  'offsets.topic.compression.codec': refusedUnlessDefault(
    'int',
    '0',
    'Compression codec id of __consumer_offsets writes (0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd).',
    'compressing offset commits',
  ),
};
