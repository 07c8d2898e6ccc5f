/**
 * The group coordinator's admin side: DescribeGroups, ListGroups (state and type
 * filters, compared case-insensitively; KIP-848 consumer groups listed with type "consumer") and DeleteGroups (only Empty groups; writes
 * tombstones for the group and all its offsets). A group that does not exist is
 * described as Dead with no error, as Kafka does before DescribeGroups v6.
 */
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import type { ClassicGroupState } from './group-state.js';
import type { ConsumerGroupState } from './consumer/consumer-group.js';
import { isValidOffsetsGroupId } from './config.js';
import type { GroupStore } from './group-store.js';
import type { Membership } from './membership.js';
import type { GroupRecord } from './records.js';

export interface DescribedMember {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  memberMetadata: Buffer;
  memberAssignment: Buffer;
}

export interface DescribedGroup {
  errorCode: number;
  groupId: string;
  groupState: ClassicGroupState;
  protocolType: string;
  protocolData: string;
  members: DescribedMember[];
}

export interface ListedGroup {
  groupId: string;
  protocolType: string;
  groupState: ClassicGroupState | ConsumerGroupState;
  groupType: 'classic' | 'consumer';
}

export class GroupAdmin {
  constructor(
    private readonly store: GroupStore,
    private readonly membership: Membership,
  ) {}

  /** Whether a classic group (with members or only offsets) of this id exists. */
  isClassicGroup(groupId: string): boolean {
    return this.store.groups.has(groupId);
  }

  describe(groupId: string): DescribedGroup {
    const none: DescribedGroup = {
      errorCode: 0,
      groupId,
      groupState: 'Dead',
      protocolType: '',
      protocolData: '',
      members: [],
    };
    if (!isValidOffsetsGroupId(groupId)) return { ...none, errorCode: ErrorCode.INVALID_GROUP_ID };
    const group = this.store.groups.get(groupId);
    if (!group) return none;
    const stable = group.is('Stable');
    const protocol = group.protocolName ?? '';
    return {
      errorCode: 0,
      groupId,
      groupState: group.state,
      protocolType: group.protocolType ?? '',
      protocolData: stable ? protocol : '',
      members: [...group.members.values()].map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        memberMetadata: stable ? group.metadataFor(m, protocol) : Buffer.alloc(0),
        memberAssignment: stable ? m.assignment : Buffer.alloc(0),
      })),
    };
  }

  list(statesFilter: readonly string[], typesFilter: readonly string[]): ListedGroup[] {
    const states = new Set(statesFilter.map((s) => s.toLowerCase()));
    const types = new Set(typesFilter.map((s) => s.toLowerCase()));
    const out: ListedGroup[] = [];
    for (const group of this.store.groups.values()) {
      if (states.size > 0 && !states.has(group.state.toLowerCase())) continue;
      if (types.size > 0 && !types.has('classic')) continue;
      out.push({
        groupId: group.groupId,
        protocolType: group.protocolType ?? '',
        groupState: group.state,
        groupType: 'classic',
      });
    }
    for (const group of this.store.consumerGroups.groups.values()) {
      if (states.size > 0 && !states.has(group.state.toLowerCase())) continue;
      if (types.size > 0 && !types.has('consumer')) continue;
      out.push({ groupId: group.groupId, protocolType: 'consumer', groupState: group.state, groupType: 'consumer' });
    }
    return out;
  }

  /** Kafka 3.9 deletes the empty group id too (offsets committed under it, "for backwards compatibility"). */
  deleteGroup(groupId: string, now: number): number {
    if (!isValidOffsetsGroupId(groupId)) return ErrorCode.INVALID_GROUP_ID;
    const group = this.store.groups.get(groupId);
    if (!group || group.is('Dead')) return ErrorCode.GROUP_ID_NOT_FOUND;
    if (!group.is('Empty')) return ErrorCode.NON_EMPTY_GROUP;
    const records: GroupRecord[] = [];
    for (const [topic, partitions] of this.store.offsets.get(groupId) ?? []) {
      for (const partition of partitions.keys())
        records.push({ kind: 'offset', groupId, topic, partition, value: null });
    }
    records.push({ kind: 'group', groupId, value: null });
    try {
      this.store.write(groupId, records, now);
    } catch {
      return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    }
    group.transitionTo('Dead', now);
    this.membership.forget(group);
    this.store.groups.delete(groupId);
    return 0;
  }
}
