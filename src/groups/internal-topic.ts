/**
 * Creates an internal topic (`__consumer_offsets`, `__transaction_state`) on first use
 * through the metadata controller: the partition count from its config, replication
 * min(configured factor, live brokers), compacted. Returns a Kafka error code.
 */
import type { BrokerConfig } from '../common/config.js';
import type { MetadataController } from '../metadata/controller.js';

export function ensureInternalTopic(controller: MetadataController, config: BrokerConfig, name: string, partitionsConfig: string, replicationConfig: string): number {
  if (controller.image.topicsByName.has(name)) return 0;
  const result = controller.createTopic({
    name,
    numPartitions: config.int(partitionsConfig),
    replicationFactor: Math.min(config.int(replicationConfig), Math.max(1, controller.liveBrokerIds().length)),
    configs: new Map([
      ['cleanup.policy', 'compact'],
      ['compression.type', 'producer'],
      ['segment.bytes', '104857600'],
    ]),
  });
  if (!result.ok) return result.error.errorCode;
  controller.commit(result.records);
  return 0;
}
