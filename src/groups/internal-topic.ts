/**
 * Creates an internal topic (`__consumer_offsets`, `__transaction_state`) on first use
 * through the metadata controller: the partition count and replication factor from its
 * configs, compacted, plus the topic's own configs (`min.insync.replicas` of
 * `__transaction_state` from transaction.state.log.min.isr; `segment.bytes` from
 * offsets.topic.segment.bytes / transaction.state.log.segment.bytes, 100 MiB by default, as Kafka). As Kafka, the topic is not created
 * until that many brokers are registered and unfenced: the answer is COORDINATOR_NOT_AVAILABLE
 * meanwhile (clients retry) and a warning is logged (at most every 30 s per topic), never a topic
 * with fewer replicas than configured. Only a single node (a combined node that is the only voter
 * of its quorum, Gregor's dev mode, where Kafka's own server.properties sets the factors to 1)
 * caps the factor at the live brokers, and `min.insync.replicas` at that factor. Returns a Kafka
 * error code. On a node that is not the active controller the creation is handed to `forward` (a
 * CreateTopics forwarded to the active controller, as auto-creation does) and the answer is
 * COORDINATOR_NOT_AVAILABLE, which clients retry; it never throws NotControllerError.
 */
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import type { Clock } from '../common/clock.js';
import type { BrokerConfig } from '../common/config.js';
import type { Logger } from '../common/logger.js';
import { WarnOncePerInterval } from '../common/warn-once-per-interval.js';
import type { MetadataController } from '../metadata/controller.js';
import { parseQuorumVoters } from '../controller/quorum-voters.js';

/** A combined broker+controller node that is the only voter of its metadata quorum. */
export function isSingleNode(config: BrokerConfig): boolean {
  const roles = config.list('process.roles');
  if (!roles.includes('broker') || !roles.includes('controller')) return false;
  const voters = parseQuorumVoters(config.list('controller.quorum.voters'));
  return voters.size === 0 || (voters.size === 1 && voters.has(config.nodeId()));
}

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

/** Warns that an internal topic waits for brokers, at most once per interval per topic. */
export class InternalTopicShortageLog {
  private readonly warnings: WarnOncePerInterval;

  constructor(log: Logger, clock: Clock) {
    this.warnings = new WarnOncePerInterval(log, clock);
  }

  warn(topic: string, replicationConfig: string, message: string): void {
    this.warnings.warn(
      topic,
      { topic },
      `${topic} is not created yet: ${message} Coordinator requests get COORDINATOR_NOT_AVAILABLE until enough brokers are registered, or lower ${replicationConfig}.`,
    );
  }
}

export interface InternalTopicOptions {
  readonly name: string;
  readonly partitionsConfig: string;
  readonly replicationConfig: string;
  readonly minInsyncReplicasConfig?: string;
  /** The broker config whose value becomes the topic's segment.bytes (offsets.topic.segment.bytes, ...). */
  readonly segmentBytesConfig?: string;
  readonly forward?: TopicCreationForwarder | undefined;
  readonly shortage?: InternalTopicShortageLog | undefined;
}

export function ensureInternalTopic(
  controller: MetadataController,
  config: BrokerConfig,
  options: InternalTopicOptions,
): number {
  const { name, replicationConfig, minInsyncReplicasConfig } = options;
  if (controller.image.topicsByName.has(name)) return 0;
  const single = isSingleNode(config);
  const configured = config.int(replicationConfig);
  const replicationFactor = single ? Math.min(configured, Math.max(1, controller.liveBrokerIds().length)) : configured;
  const configs = new Map(INTERNAL_TOPIC_CONFIGS);
  if (minInsyncReplicasConfig !== undefined) {
    const minIsr = config.int(minInsyncReplicasConfig);
    configs.set('min.insync.replicas', String(single ? Math.min(minIsr, replicationFactor) : minIsr));
  }
  if (options.segmentBytesConfig !== undefined)
    configs.set('segment.bytes', String(config.int(options.segmentBytesConfig)));
  const spec: InternalTopicSpec = {
    name,
    numPartitions: config.int(options.partitionsConfig),
    replicationFactor,
    configs,
  };
  if (!controller.isActive()) {
    options.forward?.(spec);
    return ErrorCode.COORDINATOR_NOT_AVAILABLE;
  }
  const result = controller.createTopic({ ...spec, configs: new Map(spec.configs) });
  // Too few brokers for the configured factor yet: the coordinator is not available (Kafka's answer).
  if (!result.ok && result.error.errorCode === ErrorCode.INVALID_REPLICATION_FACTOR) {
    options.shortage?.warn(name, replicationConfig, result.error.errorMessage);
    return ErrorCode.COORDINATOR_NOT_AVAILABLE;
  }
  if (!result.ok) return result.error.errorCode;
  controller.commit(result.records);
  return 0;
}
