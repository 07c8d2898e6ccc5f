/**
 * Knobs of the KIP-848 consumer group protocol, with Kafka's config names and defaults
 * (Kafka 3.9): session 45 s, heartbeat interval 5 s, bounds min/max, group size,
 * and the server-side assignors (the first is the default). Assignor entries may be
 * Kafka's short names (`uniform`, `range`) or its class names, which map to them.
 */
export interface ConsumerGroupConfig {
  /** group.consumer.assignors: names of the server-side assignors; the first is the default. */
  assignors: string[];
  /** group.consumer.session.timeout.ms */
  sessionTimeoutMs: number;
  /** group.consumer.heartbeat.interval.ms */
  heartbeatIntervalMs: number;
  /** group.consumer.max.size */
  maxSize: number;
}

export const DEFAULT_CONSUMER_GROUP_CONFIG: ConsumerGroupConfig = {
  assignors: ['uniform', 'range'],
  sessionTimeoutMs: 45000,
  heartbeatIntervalMs: 5000,
  maxSize: 2147483647,
};

const CLASS_NAMES: Record<string, string> = {
  'org.apache.kafka.coordinator.group.assignor.UniformAssignor': 'uniform',
  'org.apache.kafka.coordinator.group.assignor.RangeAssignor': 'range',
  'org.apache.kafka.coordinator.group.api.assignor.UniformAssignor': 'uniform',
  'org.apache.kafka.coordinator.group.api.assignor.RangeAssignor': 'range',
};

/** Maps configured assignor entries to the names clients send (`uniform`, `range`); unknown entries stay as given. */
export function assignorNames(entries: readonly string[]): string[] {
  return entries
    .map((e) => e.trim())
    .filter((e) => e.length > 0)
    .map((e) => CLASS_NAMES[e] ?? e);
}

/**
 * Checks the bounds Kafka checks at start-up (the configured session timeout and heartbeat
 * interval within their min/max, heartbeat below session); returns the problem or null.
 */
export function checkConsumerGroupBounds(v: {
  sessionTimeoutMs: number;
  minSessionTimeoutMs: number;
  maxSessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  minHeartbeatIntervalMs: number;
  maxHeartbeatIntervalMs: number;
}): string | null {
  if (v.sessionTimeoutMs < v.minSessionTimeoutMs || v.sessionTimeoutMs > v.maxSessionTimeoutMs) {
    return 'group.consumer.session.timeout.ms must be within group.consumer.min/max.session.timeout.ms';
  }
  if (v.heartbeatIntervalMs < v.minHeartbeatIntervalMs || v.heartbeatIntervalMs > v.maxHeartbeatIntervalMs) {
    return 'group.consumer.heartbeat.interval.ms must be within group.consumer.min/max.heartbeat.interval.ms';
  }
  if (v.heartbeatIntervalMs >= v.sessionTimeoutMs)
    return 'group.consumer.heartbeat.interval.ms must be below group.consumer.session.timeout.ms';
  return null;
}
