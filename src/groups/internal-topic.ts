/**
 * Creates an internal topic (`__consumer_offsets`, `__transaction_state`) on first use
 * through the metadata controller: the partition count from its config, replication
 * min(configured factor, live brokers), compacted. Returns a Kafka error code.
 * On a node that is not the active controller the creation is handed to `forward` (a
 * CreateTopics forwarded to the active controller, as auto-creation does) and the answer is
 * COORDINATOR_NOT_AVAILABLE, which clients retry; it never throws NotControllerError.
 */
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import type { BrokerConfig } from '../common/config.js';
import type { MetadataController } from '../metadata/controller.js';

export interface InternalTopicSpec {
  readonly name: string;
  readonly numPartitions: number;
  readonly replicationFactor: number;
  readonly configs: ReadonlyMap<string, string>;
}

/** Starts the creation of a topic on the active controller (the broker forwards a CreateTopics); does not wait. */
export type TopicCreationForwarder = (topic: InternalTopicSpec) => void;

const INTERNAL_TOPIC_CONFIGS: ReadonlyMap<string, string> = new Map([
  ['cleanup.policy', 'compact'],
  ['compression.type', 'producer'],
  ['segment.bytes', '104857600'],
]);

export function ensureInternalTopic(
  controller: MetadataController,
  config: BrokerConfig,
  name: string,
  partitionsConfig: string,
  replicationConfig: string,
  forward: TopicCreationForwarder | undefined,
): number {
  if (controller.image.topicsByName.has(name)) return 0;
  const spec: InternalTopicSpec = {
    name,
    numPartitions: config.int(partitionsConfig),
    replicationFactor: Math.min(config.int(replicationConfig), Math.max(1, controller.liveBrokerIds().length)),
    configs: INTERNAL_TOPIC_CONFIGS,
  };
  if (!controller.isActive()) {
    forward?.(spec);
    return ErrorCode.COORDINATOR_NOT_AVAILABLE;
  }
  const result = controller.createTopic({ ...spec, configs: new Map(spec.configs) });
  if (!result.ok) return result.error.errorCode;
  controller.commit(result.records);
  return 0;
}
