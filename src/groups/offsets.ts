/**
 * Committed offsets: OffsetCommit (with Kafka's generation and member checks; simple
 * commits with generation -1 from outside the group are accepted only while the
 * group is Empty, creating a "simple" group when there is none), OffsetFetch (all
 * partitions when topics are null; a `requireStable` hook for pending transactional
 * offsets), OffsetDelete (refused for topics a consumer group is subscribed to; partitions that do not
 * exist get UNKNOWN_TOPIC_OR_PARTITION and nothing is deleted for them), and
 * the periodic expiry of offsets of empty groups after offsets.retention.minutes
 * (or an explicit v2-4 retention), which also removes groups left with nothing.
 * Every change is a record written through the GroupStore; the cache follows replay.
 * Commits to a KIP-848 consumer group are checked by its member epoch (consumer/admin.ts).
 * Leaves out: expiring offsets of consumer groups, and of topics a non-empty group stopped subscribing to.
 */
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { Reader } from '../../protocol/primitives/index.js';
import type { ClassicGroup } from './classic-group.js';
import type { ConsumerGroup } from './consumer/consumer-group.js';
import { isValidGroupId, isValidOffsetsGroupId, type CoordinatorConfig } from './config.js';
import type { GroupStore } from './group-store.js';
import type { Membership } from './membership.js';
import type { GroupRecord } from './records.js';

export interface CommitPartition {
  partitionIndex: number;
  committedOffset: bigint;
  committedLeaderEpoch: number;
  committedMetadata: string | null;
}

export interface CommitRequest {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
  /** -1: the broker's retention. */
  retentionTimeMs: number;
  topics: Array<{ name: string; partitions: CommitPartition[] }>;
  apiVersion: number;
}

export type PartitionErrors = Array<{ name: string; partitions: Array<{ partitionIndex: number; errorCode: number }> }>;

/** A validated commit: its answer, and the records to append before giving it. */
export interface PreparedCommit {
  results: PartitionErrors;
  records: GroupRecord[];
  /** The results of the partitions in `records`. */
  written: Array<{ partitionIndex: number; errorCode: number }>;
}

/** Marks a prepared commit's written partitions with `errorCode` (COORDINATOR_NOT_AVAILABLE by default): its append failed. */
export function failCommit(prepared: PreparedCommit, errorCode: number = ErrorCode.COORDINATOR_NOT_AVAILABLE): void {
  for (const r of prepared.written) r.errorCode = errorCode;
}

export interface FetchedOffset {
  partitionIndex: number;
  committedOffset: bigint;
  committedLeaderEpoch: number;
  metadata: string | null;
  errorCode: number;
}

export interface FetchResult {
  errorCode: number;
  topics: Array<{ name: string; partitions: FetchedOffset[] }>;
}

/** The broker's answers the offset manager needs: does a partition exist, is an offset pending in a transaction. */
export interface OffsetEnvironment {
  partitionExists(topic: string, partition: number): boolean;
  /** Hook for transactions: true while a transactional commit to this partition is pending. */
  hasPendingTransactionalOffset?(groupId: string, topic: string, partition: number): boolean;
}

const allPartitions = (
  topics: CommitRequest['topics'] | Array<{ name: string; partitions: Array<{ partitionIndex: number }> }>,
  errorCode: number,
): PartitionErrors =>
  topics.map((t) => ({
    name: t.name,
    partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })),
  }));

export class OffsetManager {
  constructor(
    private readonly store: GroupStore,
    private readonly membership: Membership,
    private readonly config: CoordinatorConfig,
    private readonly env: OffsetEnvironment,
    /** A KIP-848 consumer group's member/epoch check (consumer/admin.ts), 0 to accept. */
    private readonly consumerCommitCheck: (
      group: ConsumerGroup,
      memberId: string,
      memberEpoch: number,
      apiVersion: number,
    ) => number = () => 0,
  ) {}

  private consumerCommitError(group: ConsumerGroup, req: CommitRequest): number {
    return this.consumerCommitCheck(group, req.memberId, req.generationId, req.apiVersion);
  }

  /** The group-level check of a commit; 0 when the commit may proceed. */
  private validateCommit(group: ClassicGroup | undefined, req: CommitRequest): number {
    if (!group)
      return req.generationId < 0
        ? 0
        : req.apiVersion >= 9
          ? ErrorCode.GROUP_ID_NOT_FOUND
          : ErrorCode.ILLEGAL_GENERATION;
    if (group.is('Dead')) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    // Generation -1 on an Empty group: an admin client or a consumer outside group management
    // (librdkafka sends its own member id even then); accepted whatever the member id, as Kafka.
    if (req.generationId < 0 && group.is('Empty')) return 0;
    if (req.generationId >= 0 || req.memberId !== '' || req.groupInstanceId !== null) {
      const error = this.membership.validateMember(group, req.memberId, req.groupInstanceId);
      if (error !== 0) return error;
      if (req.generationId !== group.generationId) return ErrorCode.ILLEGAL_GENERATION;
      if (group.is('CompletingRebalance')) return ErrorCode.REBALANCE_IN_PROGRESS;
      return 0;
    }
    return group.is('Empty') ? 0 : ErrorCode.UNKNOWN_MEMBER_ID;
  }

  /** Validates and writes a commit; the answer follows the append. */
  commit(req: CommitRequest, now: number): PartitionErrors {
    const prepared = this.prepareCommit(req, now);
    try {
      this.store.write(req.groupId, prepared.records, now);
    } catch {
      failCommit(prepared);
    }
    return prepared.results;
  }

  /**
   * Validates a commit and builds its records without writing them, for callers that
   * batch several commits into one append (the broker's service): they write
   * `records`, then answer `results`, after `failCommit` if the append failed.
   */
  prepareCommit(req: CommitRequest, now: number): PreparedCommit {
    if (!isValidOffsetsGroupId(req.groupId))
      return { results: allPartitions(req.topics, ErrorCode.INVALID_GROUP_ID), records: [], written: [] };
    // As Kafka's KafkaApis: partitions of unknown topics are answered before the group is
    // consulted, and a commit naming only such partitions never reaches (or creates) it.
    const known = (topic: string, partition: number): boolean => this.env.partitionExists(topic, partition);
    if (!req.topics.some((t) => t.partitions.some((p) => known(t.name, p.partitionIndex))))
      return { results: allPartitions(req.topics, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION), records: [], written: [] };
    const consumerGroup = this.store.consumerGroups.groups.get(req.groupId);
    const existing = consumerGroup ? undefined : this.store.groups.get(req.groupId);
    const error = consumerGroup ? this.consumerCommitError(consumerGroup, req) : this.validateCommit(existing, req);
    if (error !== 0) {
      const results = req.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({
          partitionIndex: p.partitionIndex,
          errorCode: known(t.name, p.partitionIndex) ? error : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
        })),
      }));
      return { results, records: [], written: [] };
    }
    if (!consumerGroup) {
      const group = existing ?? this.store.getOrCreateGroup(req.groupId, now);
      if (req.memberId !== '') this.membership.touch(group, req.memberId, now);
    }
    const records: GroupRecord[] = [];
    const written: Array<{ partitionIndex: number; errorCode: number }> = [];
    const commitTimestamp = BigInt(now);
    const expireTimestamp = req.retentionTimeMs >= 0 ? BigInt(now + req.retentionTimeMs) : -1n;
    const results: PartitionErrors = req.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => {
        const result = { partitionIndex: p.partitionIndex, errorCode: 0 };
        if (!known(t.name, p.partitionIndex)) {
          result.errorCode = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
        } else if (
          p.committedMetadata !== null &&
          Buffer.byteLength(p.committedMetadata) > this.config.offsetMetadataMaxBytes
        ) {
          result.errorCode = ErrorCode.OFFSET_METADATA_TOO_LARGE;
        } else {
          records.push({
            kind: 'offset',
            groupId: req.groupId,
            topic: t.name,
            partition: p.partitionIndex,
            value: {
              offset: p.committedOffset,
              leaderEpoch: p.committedLeaderEpoch,
              metadata: p.committedMetadata ?? '',
              commitTimestamp,
              expireTimestamp,
            },
          });
          written.push(result);
        }
        return result;
      }),
    }));
    return { results, records, written };
  }

  fetch(
    groupId: string,
    topics: Array<{ name: string; partitionIndexes: number[] }> | null,
    requireStable: boolean,
  ): FetchResult {
    if (!isValidOffsetsGroupId(groupId)) return { errorCode: ErrorCode.INVALID_GROUP_ID, topics: [] };
    const committed = this.store.offsets.get(groupId);
    const wanted =
      topics ??
      [...(committed?.entries() ?? [])].map(([name, partitions]) => ({
        name,
        partitionIndexes: [...partitions.keys()].sort((a, b) => a - b),
      }));
    return {
      errorCode: 0,
      topics: wanted.map((t) => ({
        name: t.name,
        partitions: t.partitionIndexes.map((partitionIndex) => {
          if (requireStable && this.env.hasPendingTransactionalOffset?.(groupId, t.name, partitionIndex)) {
            return {
              partitionIndex,
              committedOffset: -1n,
              committedLeaderEpoch: -1,
              metadata: '',
              errorCode: ErrorCode.UNSTABLE_OFFSET_COMMIT,
            };
          }
          const c = committed?.get(t.name)?.get(partitionIndex);
          return c
            ? {
                partitionIndex,
                committedOffset: c.offset,
                committedLeaderEpoch: c.leaderEpoch,
                metadata: c.metadata,
                errorCode: 0,
              }
            : { partitionIndex, committedOffset: -1n, committedLeaderEpoch: -1, metadata: '', errorCode: 0 };
        }),
      })),
    };
  }

  delete(
    groupId: string,
    topics: Array<{ name: string; partitions: Array<{ partitionIndex: number }> }>,
    now: number,
  ): { errorCode: number; topics: PartitionErrors } {
    if (!isValidGroupId(groupId)) return { errorCode: ErrorCode.INVALID_GROUP_ID, topics: [] };
    const kip848 = this.store.consumerGroups.groups.get(groupId);
    const group = this.store.groups.get(groupId);
    if (!kip848 && (!group || group.is('Dead'))) return { errorCode: ErrorCode.GROUP_ID_NOT_FOUND, topics: [] };
    const consumerGroup = kip848 !== undefined || group!.protocolType === 'consumer';
    if (!consumerGroup && !group!.is('Empty')) return { errorCode: ErrorCode.NON_EMPTY_GROUP, topics: [] };
    const subscribed = kip848
      ? kip848.subscribedTopicNames()
      : consumerGroup && !group!.is('Empty')
        ? subscribedTopics(group!)
        : new Set<string>();
    const records: GroupRecord[] = [];
    // Kafka's KafkaApis answers partitions missing from the metadata UNKNOWN_TOPIC_OR_PARTITION before
    // the coordinator sees the rest, so they come first in a topic's list, and deletes nothing for them.
    const exists = (topic: string, p: { partitionIndex: number }): boolean =>
      this.env.partitionExists(topic, p.partitionIndex);
    const results = topics.map((t) => {
      const inUse = subscribed === null || subscribed.has(t.name);
      const unknown = t.partitions.filter((p) => !exists(t.name, p));
      const known = t.partitions.filter((p) => exists(t.name, p));
      return {
        name: t.name,
        partitions: [
          ...unknown.map((p) => ({
            partitionIndex: p.partitionIndex,
            errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
          })),
          ...known.map((p) => {
            if (inUse) return { partitionIndex: p.partitionIndex, errorCode: ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC };
            if (this.store.committed(groupId, t.name, p.partitionIndex)) {
              records.push({ kind: 'offset', groupId, topic: t.name, partition: p.partitionIndex, value: null });
            }
            return { partitionIndex: p.partitionIndex, errorCode: 0 };
          }),
        ],
      };
    });
    try {
      this.store.write(groupId, records, now);
    } catch {
      return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, topics: [] };
    }
    return { errorCode: 0, topics: results };
  }

  /**
   * Deletes every group's committed offsets on a deleted topic (one tombstone each, per group),
   * as Kafka's OffsetMetadataManager.onPartitionsDeleted: a topic recreated under the name is
   * then read from auto.offset.reset, not from the old topic's offsets. Groups whose partition
   * cannot be written now (leadership moving) keep theirs. `pending` names the group partitions
   * whose offsets in open transactions were dropped: they get a tombstone too, so that a replay
   * drops those transactional records as well. Returns how many offsets went.
   */
  deleteTopicOffsets(
    topic: string,
    now: number,
    pending: ReadonlyArray<{ groupId: string; partition: number }> = [],
  ): number {
    const byGroup = new Map<string, Set<number>>();
    for (const [groupId, topics] of this.store.offsets) {
      const partitions = topics.get(topic);
      if (partitions) byGroup.set(groupId, new Set(partitions.keys()));
    }
    for (const { groupId, partition } of pending) {
      let set = byGroup.get(groupId);
      if (!set) byGroup.set(groupId, (set = new Set()));
      set.add(partition);
    }
    let deleted = 0;
    for (const [groupId, partitions] of byGroup) {
      const records: GroupRecord[] = [...partitions].map((partition) => ({
        kind: 'offset',
        groupId,
        topic,
        partition,
        value: null,
      }));
      try {
        this.store.write(groupId, records, now);
        deleted += records.length;
      } catch {
        continue;
      }
    }
    return deleted;
  }

  /** Removes expired offsets of empty groups, then empty groups with no offsets left. Returns how many offsets expired. */
  expire(now: number): number {
    let expired = 0;
    for (const group of [...this.store.groups.values()]) {
      if (!group.is('Empty') || group.pendingMembers.size > 0) continue;
      const records: GroupRecord[] = [];
      for (const [topic, partitions] of this.store.offsets.get(group.groupId) ?? []) {
        for (const [partition, c] of partitions) {
          const base =
            group.protocolType !== null ? Math.max(group.currentStateTimestamp, c.commitTimestamp) : c.commitTimestamp;
          const deadline = c.expireTimestamp >= 0 ? c.expireTimestamp : base + this.config.offsetsRetentionMs;
          if (now >= deadline) records.push({ kind: 'offset', groupId: group.groupId, topic, partition, value: null });
        }
      }
      const removeGroup = records.length === this.store.offsetCount(group.groupId);
      if (removeGroup) records.push({ kind: 'group', groupId: group.groupId, value: null });
      try {
        this.store.write(group.groupId, records, now);
      } catch {
        continue;
      }
      expired += removeGroup ? records.length - 1 : records.length;
      if (removeGroup) {
        group.transitionTo('Dead', now);
        this.membership.forget(group);
        this.store.groups.delete(group.groupId);
      }
    }
    return expired;
  }
}

/**
 * The topics a consumer group's members subscribe to, from their ConsumerProtocolSubscription
 * (int16 version, then an array of int16 strings); null when a subscription cannot be read,
 * which callers treat as "subscribed to everything".
 */
export function subscribedTopics(group: ClassicGroup): Set<string> | null {
  const topics = new Set<string>();
  const protocol = group.protocolName ?? '';
  for (const m of group.members.values()) {
    try {
      const r = new Reader(group.metadataFor(m, protocol));
      r.int16();
      const count = r.int32();
      if (count < 0 || count * 2 > r.remaining) return null;
      for (let i = 0; i < count; i++) topics.add(r.string());
    } catch {
      return null;
    }
  }
  return topics;
}
