/** The coordinator's knobs, read once from the broker config (Kafka names in comments). */
export interface CoordinatorConfig {
  /** group.initial.rebalance.delay.ms */
  initialRebalanceDelayMs: number;
  /** group.min.session.timeout.ms */
  minSessionTimeoutMs: number;
  /** group.max.session.timeout.ms */
  maxSessionTimeoutMs: number;
  /** group.max.size */
  maxGroupSize: number;
  /** offsets.retention.minutes, in ms */
  offsetsRetentionMs: number;
  /** offsets.retention.check.interval.ms */
  offsetsRetentionCheckIntervalMs: number;
  /** offset.metadata.max.bytes */
  offsetMetadataMaxBytes: number;
}

export const DEFAULT_COORDINATOR_CONFIG: CoordinatorConfig = {
  initialRebalanceDelayMs: 3000,
  minSessionTimeoutMs: 6000,
  maxSessionTimeoutMs: 1800000,
  maxGroupSize: 2147483647,
  offsetsRetentionMs: 7 * 24 * 3600 * 1000,
  offsetsRetentionCheckIntervalMs: 600000,
  offsetMetadataMaxBytes: 4096,
};

/** Longest group id: it must fit the int16-length string of the record keys. */
export const MAX_GROUP_ID_BYTES = 32767;

export function isValidGroupId(groupId: string): boolean {
  return groupId.length > 0 && Buffer.byteLength(groupId, 'utf8') <= MAX_GROUP_ID_BYTES;
}

/**
 * The group ids OffsetCommit, OffsetFetch and DescribeGroups take: the empty one too, as Kafka
 * 3.9's coordinators accept it there "for backwards compatibility" (offsets stored under "").
 */
export function isValidOffsetsGroupId(groupId: string): boolean {
  return Buffer.byteLength(groupId, 'utf8') <= MAX_GROUP_ID_BYTES;
}
