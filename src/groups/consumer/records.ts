/**
 * The KIP-848 consumer group records in `__consumer_offsets`, Kafka's formats (key
 * version = record type): 3 ConsumerGroupMetadata (group epoch), 4 PartitionMetadata
 * (subscribed topics with ids and partition counts), 5 MemberMetadata (a member's
 * subscription), 6 TargetAssignmentMetadata (assignment epoch), 7 TargetAssignmentMember,
 * 8 CurrentMemberAssignment. Values are version 0; a null value is a tombstone.
 * Rack data of PartitionMetadata is written empty (no rack-aware assignment), and the
 * classic-member metadata tag (members that joined through JoinGroup) is never written.
 */
import type { Reader, Writer } from '../../../protocol/primitives/index.js';
import { Reader as ValueReader } from '../../../protocol/primitives/index.js';
import * as K3 from '../../../protocol/generated/records/group-coordinator/ConsumerGroupMetadataKey.js';
import * as V3 from '../../../protocol/generated/records/group-coordinator/ConsumerGroupMetadataValue.js';
import * as K4 from '../../../protocol/generated/records/group-coordinator/ConsumerGroupPartitionMetadataKey.js';
import * as V4 from '../../../protocol/generated/records/group-coordinator/ConsumerGroupPartitionMetadataValue.js';
import * as K5 from '../../../protocol/generated/records/group-coordinator/ConsumerGroupMemberMetadataKey.js';
import * as V5 from '../../../protocol/generated/records/group-coordinator/ConsumerGroupMemberMetadataValue.js';
import * as K6 from '../../../protocol/generated/records/group-coordinator/ConsumerGroupTargetAssignmentMetadataKey.js';
import * as V6 from '../../../protocol/generated/records/group-coordinator/ConsumerGroupTargetAssignmentMetadataValue.js';
import * as K7 from '../../../protocol/generated/records/group-coordinator/ConsumerGroupTargetAssignmentMemberKey.js';
import * as V7 from '../../../protocol/generated/records/group-coordinator/ConsumerGroupTargetAssignmentMemberValue.js';
import * as K8 from '../../../protocol/generated/records/group-coordinator/ConsumerGroupCurrentMemberAssignmentKey.js';
import * as V8 from '../../../protocol/generated/records/group-coordinator/ConsumerGroupCurrentMemberAssignmentValue.js';
import { fromWire, toWire, type Assignment } from './assignment.js';

/** A topic the group subscribes to, as PartitionMetadata stores it. */
export interface SubscribedTopic {
  topicId: string;
  name: string;
  numPartitions: number;
}

/** What a member asked for (MemberMetadata). */
export interface MemberSubscription {
  instanceId: string | null;
  rackId: string | null;
  clientId: string;
  clientHost: string;
  subscribedTopicNames: string[];
  subscribedTopicRegex: string | null;
  rebalanceTimeoutMs: number;
  serverAssignor: string | null;
}

/** Member states (Kafka's MemberState byte values). */
export const MemberState = { UNREVOKED_PARTITIONS: 0, UNRELEASED_PARTITIONS: 1, STABLE: 2, UNKNOWN: 127 } as const;
export type MemberStateValue = (typeof MemberState)[keyof typeof MemberState];

/** A member's reconciled state (CurrentMemberAssignment). */
export interface CurrentAssignment {
  memberEpoch: number;
  previousMemberEpoch: number;
  state: MemberStateValue;
  assigned: Assignment;
  pendingRevocation: Assignment;
}

export type ConsumerGroupRecord =
  | { kind: 'cg-epoch'; groupId: string; value: { epoch: number } | null }
  | { kind: 'cg-topics'; groupId: string; value: SubscribedTopic[] | null }
  | { kind: 'cg-member'; groupId: string; memberId: string; value: MemberSubscription | null }
  | { kind: 'cg-target-epoch'; groupId: string; value: { assignmentEpoch: number } | null }
  | { kind: 'cg-target'; groupId: string; memberId: string; value: Assignment | null }
  | { kind: 'cg-current'; groupId: string; memberId: string; value: CurrentAssignment | null };

export const CONSUMER_GROUP_KINDS: ReadonlySet<string> = new Set([
  'cg-epoch',
  'cg-topics',
  'cg-member',
  'cg-target-epoch',
  'cg-target',
  'cg-current',
]);

export function isConsumerGroupRecord(r: { kind: string }): r is ConsumerGroupRecord {
  return CONSUMER_GROUP_KINDS.has(r.kind);
}

const KEY_VERSION = {
  'cg-epoch': 3,
  'cg-topics': 4,
  'cg-member': 5,
  'cg-target-epoch': 6,
  'cg-target': 7,
  'cg-current': 8,
} as const;

/** Writes the key (int16 version, then the key struct). */
export function encodeConsumerGroupKey(w: Writer, r: ConsumerGroupRecord): void {
  const version = KEY_VERSION[r.kind];
  w.int16(version);
  switch (r.kind) {
    case 'cg-epoch':
      return K3.encodeConsumerGroupMetadataKey(w, version, { groupId: r.groupId });
    case 'cg-topics':
      return K4.encodeConsumerGroupPartitionMetadataKey(w, version, { groupId: r.groupId });
    case 'cg-member':
      return K5.encodeConsumerGroupMemberMetadataKey(w, version, { groupId: r.groupId, memberId: r.memberId });
    case 'cg-target-epoch':
      return K6.encodeConsumerGroupTargetAssignmentMetadataKey(w, version, { groupId: r.groupId });
    case 'cg-target':
      return K7.encodeConsumerGroupTargetAssignmentMemberKey(w, version, { groupId: r.groupId, memberId: r.memberId });
    case 'cg-current':
      return K8.encodeConsumerGroupCurrentMemberAssignmentKey(w, version, { groupId: r.groupId, memberId: r.memberId });
  }
}

/** Writes the value (int16 version 0, then the value struct); nothing for a tombstone. */
export function encodeConsumerGroupValue(w: Writer, r: ConsumerGroupRecord): void {
  if (r.value === null) return;
  w.int16(0);
  switch (r.kind) {
    case 'cg-epoch':
      return V3.encodeConsumerGroupMetadataValue(w, 0, { epoch: r.value.epoch });
    case 'cg-topics':
      return V4.encodeConsumerGroupPartitionMetadataValue(w, 0, {
        topics: r.value.map((t) => ({
          topicId: t.topicId,
          topicName: t.name,
          numPartitions: t.numPartitions,
          partitionMetadata: [],
        })),
      });
    case 'cg-member':
      return V5.encodeConsumerGroupMemberMetadataValue(w, 0, { ...r.value, classicMemberMetadata: null });
    case 'cg-target-epoch':
      return V6.encodeConsumerGroupTargetAssignmentMetadataValue(w, 0, { assignmentEpoch: r.value.assignmentEpoch });
    case 'cg-target':
      return V7.encodeConsumerGroupTargetAssignmentMemberValue(w, 0, { topicPartitions: toWire(r.value) });
    case 'cg-current':
      return V8.encodeConsumerGroupCurrentMemberAssignmentValue(w, 0, {
        memberEpoch: r.value.memberEpoch,
        previousMemberEpoch: r.value.previousMemberEpoch,
        state: r.value.state,
        assignedPartitions: toWire(r.value.assigned),
        partitionsPendingRevocation: toWire(r.value.pendingRevocation),
      });
  }
}

function memberState(b: number): MemberStateValue {
  return b === 0 || b === 1 || b === 2 ? b : MemberState.UNKNOWN;
}

/**
 * Decodes a consumer group record whose key version (3-8) was already read from `k`;
 * null for other versions. Throws ProtocolDecodeError on corrupt bytes.
 */
export function decodeConsumerGroupRecord(
  keyVersion: number,
  k: Reader,
  value: Buffer | null,
): ConsumerGroupRecord | null {
  const v = value === null ? null : new ValueReader(value);
  const valueVersion = v === null ? 0 : v.int16();
  switch (keyVersion) {
    case 3: {
      const { groupId } = K3.decodeConsumerGroupMetadataKey(k, keyVersion);
      return {
        kind: 'cg-epoch',
        groupId,
        value: v && { epoch: V3.decodeConsumerGroupMetadataValue(v, valueVersion).epoch },
      };
    }
    case 4: {
      const { groupId } = K4.decodeConsumerGroupPartitionMetadataKey(k, keyVersion);
      const topics =
        v &&
        V4.decodeConsumerGroupPartitionMetadataValue(v, valueVersion).topics.map((t) => ({
          topicId: t.topicId,
          name: t.topicName,
          numPartitions: t.numPartitions,
        }));
      return { kind: 'cg-topics', groupId, value: topics };
    }
    case 5: {
      const { groupId, memberId } = K5.decodeConsumerGroupMemberMetadataKey(k, keyVersion);
      if (!v) return { kind: 'cg-member', groupId, memberId, value: null };
      const m = V5.decodeConsumerGroupMemberMetadataValue(v, valueVersion);
      return {
        kind: 'cg-member',
        groupId,
        memberId,
        value: {
          instanceId: m.instanceId,
          rackId: m.rackId,
          clientId: m.clientId,
          clientHost: m.clientHost,
          subscribedTopicNames: m.subscribedTopicNames,
          subscribedTopicRegex: m.subscribedTopicRegex,
          rebalanceTimeoutMs: m.rebalanceTimeoutMs,
          serverAssignor: m.serverAssignor,
        },
      };
    }
    case 6: {
      const { groupId } = K6.decodeConsumerGroupTargetAssignmentMetadataKey(k, keyVersion);
      return {
        kind: 'cg-target-epoch',
        groupId,
        value: v && {
          assignmentEpoch: V6.decodeConsumerGroupTargetAssignmentMetadataValue(v, valueVersion).assignmentEpoch,
        },
      };
    }
    case 7: {
      const { groupId, memberId } = K7.decodeConsumerGroupTargetAssignmentMemberKey(k, keyVersion);
      return {
        kind: 'cg-target',
        groupId,
        memberId,
        value: v && fromWire(V7.decodeConsumerGroupTargetAssignmentMemberValue(v, valueVersion).topicPartitions),
      };
    }
    case 8: {
      const { groupId, memberId } = K8.decodeConsumerGroupCurrentMemberAssignmentKey(k, keyVersion);
      if (!v) return { kind: 'cg-current', groupId, memberId, value: null };
      const c = V8.decodeConsumerGroupCurrentMemberAssignmentValue(v, valueVersion);
      return {
        kind: 'cg-current',
        groupId,
        memberId,
        value: {
          memberEpoch: c.memberEpoch,
          previousMemberEpoch: c.previousMemberEpoch,
          state: memberState(c.state),
          assigned: fromWire(c.assignedPartitions),
          pendingRevocation: fromWire(c.partitionsPendingRevocation),
        },
      };
    }
    default:
      return null;
  }
}
