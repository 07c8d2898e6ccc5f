/**
 * Reads the KIP-848 knobs from the broker config (Kafka's names), refusing values
 * outside their min/max bounds as Kafka does at start-up, and adapts the metadata
 * image's topics to the consumer coordinator's TopicSource.
 */
import type { BrokerConfig } from '../../common/config.js';
import type { TopicImage } from '../../metadata/image.js';
import { assignorNames, checkConsumerGroupBounds, type ConsumerGroupConfig } from './config.js';

export function consumerGroupConfigFrom(c: BrokerConfig): ConsumerGroupConfig {
  const v = {
    sessionTimeoutMs: c.int('group.consumer.session.timeout.ms'),
    minSessionTimeoutMs: c.int('group.consumer.min.session.timeout.ms'),
    maxSessionTimeoutMs: c.int('group.consumer.max.session.timeout.ms'),
    heartbeatIntervalMs: c.int('group.consumer.heartbeat.interval.ms'),
    minHeartbeatIntervalMs: c.int('group.consumer.min.heartbeat.interval.ms'),
    maxHeartbeatIntervalMs: c.int('group.consumer.max.heartbeat.interval.ms'),
  };
  const problem = checkConsumerGroupBounds(v);
  if (problem) throw new Error(problem);
  const assignors = assignorNames(c.list('group.consumer.assignors'));
  for (const a of assignors)
    if (a !== 'uniform' && a !== 'range')
      throw new Error(`group.consumer.assignors: unknown assignor ${a} (uniform and range are built in)`);
  return {
    assignors,
    sessionTimeoutMs: v.sessionTimeoutMs,
    heartbeatIntervalMs: v.heartbeatIntervalMs,
    maxSize: c.int('group.consumer.max.size'),
  };
}

export function topicInfo(
  t: TopicImage | undefined,
): { topicId: string; name: string; numPartitions: number } | undefined {
  return t && { topicId: t.topicId, name: t.name, numPartitions: t.partitions.size };
}
