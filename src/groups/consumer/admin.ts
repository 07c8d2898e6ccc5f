/**
 * The consumer-group side of the other group APIs: ConsumerGroupDescribe, ListGroups
 * entries (type "consumer"), DeleteGroups of an empty consumer group (tombstones for
 * every record of the group and its offsets), the member/epoch checks of OffsetCommit
 * (v9+: STALE_MEMBER_EPOCH) and OffsetFetch (v9), and what a classic JoinGroup meets
 * when the id is a consumer group (an empty one is removed so the classic group can
 * take the id; a non-empty one answers INCONSISTENT_GROUP_PROTOCOL, since classic
 * members inside a consumer group, Kafka's migration path, are not supported).
 */
import { ErrorCode } from '../../../protocol/generated/error-codes.js';
import type { GroupStore } from '../group-store.js';
import type { GroupRecord } from '../records.js';
import { toWire, type Assignment } from './assignment.js';
import type { ConsumerGroup, ConsumerGroupState } from './consumer-group.js';
import type { ConsumerGroupHeartbeats } from './heartbeat.js';
import type { TopicSource } from './target.js';

export interface DescribedTopicPartitions {
  topicId: string;
  topicName: string;
  partitions: number[];
}

export interface DescribedConsumerMember {
  memberId: string;
  instanceId: string | null;
  rackId: string | null;
  memberEpoch: number;
  clientId: string;
  clientHost: string;
  subscribedTopicNames: string[];
  subscribedTopicRegex: string | null;
  assignment: { topicPartitions: DescribedTopicPartitions[] };
  targetAssignment: { topicPartitions: DescribedTopicPartitions[] };
}

export interface DescribedConsumerGroup {
  errorCode: number;
  errorMessage: string | null;
  groupId: string;
  groupState: string;
  groupEpoch: number;
  assignmentEpoch: number;
  assignorName: string;
  members: DescribedConsumerMember[];
}

export class ConsumerGroupAdmin {
  constructor(
    private readonly store: GroupStore,
    private readonly heartbeats: ConsumerGroupHeartbeats,
    private readonly topics: TopicSource,
    private readonly assignors: readonly string[],
  ) {}

  get(groupId: string): ConsumerGroup | undefined {
    return this.store.consumerGroups.groups.get(groupId);
  }

  describe(groupId: string): DescribedConsumerGroup {
    const group = this.get(groupId);
    const none = { groupId, groupState: '', groupEpoch: 0, assignmentEpoch: 0, assignorName: '', members: [] };
    if (!group) {
      const message = this.store.groups.has(groupId)
        ? `Group ${groupId} is not a consumer group.`
        : `Group ${groupId} not found.`;
      return { ...none, errorCode: ErrorCode.GROUP_ID_NOT_FOUND, errorMessage: message };
    }
    const described = (a: Assignment): { topicPartitions: DescribedTopicPartitions[] } => ({
      topicPartitions: toWire(a).map((tp) => ({
        topicId: tp.topicId,
        topicName: this.topics.byId(tp.topicId)?.name ?? '',
        partitions: tp.partitions,
      })),
    });
    return {
      errorCode: 0,
      errorMessage: null,
      groupId,
      groupState: group.state,
      groupEpoch: group.groupEpoch,
      assignmentEpoch: group.assignmentEpoch,
      assignorName: group.preferredAssignor(this.assignors),
      members: [...group.members.values()].map((m) => ({
        memberId: m.memberId,
        instanceId: m.subscription.instanceId,
        rackId: m.subscription.rackId,
        memberEpoch: m.current.memberEpoch,
        clientId: m.subscription.clientId,
        clientHost: m.subscription.clientHost,
        subscribedTopicNames: m.subscription.subscribedTopicNames,
        subscribedTopicRegex: m.subscription.subscribedTopicRegex,
        assignment: described(m.current.assigned),
        targetAssignment: described(group.targetOf(m.memberId)),
      })),
    };
  }

  list(): Array<{ groupId: string; groupState: ConsumerGroupState }> {
    return [...this.store.consumerGroups.groups.values()].map((g) => ({ groupId: g.groupId, groupState: g.state }));
  }

  /** OffsetCommit's check for a consumer group (Kafka's ConsumerGroup.validateOffsetCommit); 0 to accept. */
  commitError(group: ConsumerGroup, memberId: string, memberEpoch: number, apiVersion: number): number {
    if (memberEpoch < 0 && group.members.size === 0) return 0;
    const member = group.members.get(memberId);
    if (!member) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (apiVersion < 9) return ErrorCode.UNSUPPORTED_VERSION;
    return memberEpoch === member.current.memberEpoch ? 0 : ErrorCode.STALE_MEMBER_EPOCH;
  }

  /**
   * TxnOffsetCommit's check for a consumer group (validateOffsetCommit for a transactional commit:
   * no version rule); a stale epoch is ILLEGAL_GENERATION, as TxnOffsetCommit has no
   * STALE_MEMBER_EPOCH (Kafka's OffsetMetadataManager maps it so). 0 to accept.
   */
  txnCommitError(group: ConsumerGroup, memberId: string, memberEpoch: number): number {
    if (memberEpoch < 0 && group.members.size === 0) return 0;
    const member = group.members.get(memberId);
    if (!member) return ErrorCode.UNKNOWN_MEMBER_ID;
    return memberEpoch === member.current.memberEpoch ? 0 : ErrorCode.ILLEGAL_GENERATION;
  }

  /** OffsetFetch v9's check (null member id with a negative epoch: an admin fetch); 0 to accept. */
  fetchError(groupId: string, memberId: string | null, memberEpoch: number): number {
    const group = this.get(groupId);
    if (!group || (memberId === null && memberEpoch < 0)) return 0;
    const member = memberId === null ? undefined : group.members.get(memberId);
    if (!member) return ErrorCode.UNKNOWN_MEMBER_ID;
    return memberEpoch === member.current.memberEpoch ? 0 : ErrorCode.STALE_MEMBER_EPOCH;
  }

  /** The records deleting a group: every member's, then target metadata, topics, epoch tombstones. */
  private tombstones(group: ConsumerGroup): GroupRecord[] {
    const records: GroupRecord[] = [];
    for (const memberId of group.members.keys()) {
      records.push(
        { kind: 'cg-current', groupId: group.groupId, memberId, value: null },
        { kind: 'cg-target', groupId: group.groupId, memberId, value: null },
        { kind: 'cg-member', groupId: group.groupId, memberId, value: null },
      );
    }
    records.push(
      { kind: 'cg-target-epoch', groupId: group.groupId, value: null },
      { kind: 'cg-topics', groupId: group.groupId, value: null },
      { kind: 'cg-epoch', groupId: group.groupId, value: null },
    );
    return records;
  }

  /** DeleteGroups for a consumer group; null when the id is not one. */
  deleteGroup(groupId: string, now: number): number | null {
    const group = this.get(groupId);
    if (!group) return null;
    if (group.members.size > 0) return ErrorCode.NON_EMPTY_GROUP;
    const records = this.tombstones(group);
    for (const [topic, partitions] of this.store.offsets.get(groupId) ?? []) {
      for (const partition of partitions.keys())
        records.push({ kind: 'offset', groupId, topic, partition, value: null });
    }
    try {
      this.store.write(groupId, records, now);
    } catch {
      return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    }
    return 0;
  }

  /**
   * Before a classic JoinGroup: 0 when the id is free for a classic group (an empty
   * consumer group is removed, keeping its offsets), else the error to answer.
   */
  classicJoinError(groupId: string, now: number): number {
    const group = this.get(groupId);
    if (!group) return 0;
    if (group.members.size > 0) return ErrorCode.INCONSISTENT_GROUP_PROTOCOL;
    try {
      this.store.write(groupId, this.tombstones(group), now);
    } catch {
      return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    }
    return 0;
  }

  /** Member sessions restart on load. */
  resumeLoaded(now: number): void {
    this.heartbeats.resumeLoaded(now);
  }
}
