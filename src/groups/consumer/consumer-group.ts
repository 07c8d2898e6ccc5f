/**
 * A KIP-848 consumer group in memory, changed only by replaying its records
 * (`ConsumerGroupStore.replay`): the group epoch, the subscribed topics' metadata, the
 * members (subscription + reconciled current assignment), the target assignment and
 * its epoch, and who owns each partition (assigned or still pending revocation) so
 * reconciliation never hands a partition to two members.
 *
 * The group state is derived, as in Kafka's ConsumerGroup:
 *
 * | state       | when                                                                 |
 * |-------------|----------------------------------------------------------------------|
 * | Empty       | no members                                                           |
 * | Assigning   | group epoch > assignment epoch (a new target assignment is due)      |
 * | Reconciling | some member is not STABLE at the assignment epoch                    |
 * | Stable      | every member is STABLE at the assignment epoch                       |
 * | Dead        | the group was deleted (its tombstone replayed); never stored         |
 *
 * Any of the four live states can follow any other (a join, leave, new partitions or a
 * member's acknowledgement decide); `Dead` is final (the object is dropped).
 */
import { copyAssignment, emptyAssignment, type Assignment } from './assignment.js';
import {
  MemberState,
  type ConsumerGroupRecord,
  type CurrentAssignment,
  type MemberSubscription,
  type SubscribedTopic,
} from './records.js';

export type ConsumerGroupState = 'Empty' | 'Assigning' | 'Reconciling' | 'Stable';

export interface ConsumerMember {
  memberId: string;
  subscription: MemberSubscription;
  current: CurrentAssignment;
}

export function initialCurrentAssignment(): CurrentAssignment {
  return {
    memberEpoch: 0,
    previousMemberEpoch: 0,
    state: MemberState.STABLE,
    assigned: emptyAssignment(),
    pendingRevocation: emptyAssignment(),
  };
}

export function emptySubscription(): MemberSubscription {
  return {
    instanceId: null,
    rackId: null,
    clientId: '',
    clientHost: '',
    subscribedTopicNames: [],
    subscribedTopicRegex: null,
    rebalanceTimeoutMs: -1,
    serverAssignor: null,
  };
}

export class ConsumerGroup {
  groupEpoch = 0;
  assignmentEpoch = 0;
  subscribedTopics: SubscribedTopic[] = [];
  readonly members = new Map<string, ConsumerMember>();
  readonly target = new Map<string, Assignment>();
  /** topic id -> partition -> member that owns it (assigned or pending revocation). */
  private readonly owners = new Map<string, Map<number, string>>();

  constructor(readonly groupId: string) {}

  get state(): ConsumerGroupState {
    if (this.members.size === 0) return 'Empty';
    if (this.groupEpoch > this.assignmentEpoch) return 'Assigning';
    for (const m of this.members.values()) {
      if (m.current.state !== MemberState.STABLE || m.current.memberEpoch !== this.assignmentEpoch)
        return 'Reconciling';
    }
    return 'Stable';
  }

  /** The member that owns a partition, if any. */
  ownerOf(topicId: string, partition: number): string | undefined {
    return this.owners.get(topicId)?.get(partition);
  }

  targetOf(memberId: string): Assignment {
    return this.target.get(memberId) ?? emptyAssignment();
  }

  memberByInstanceId(instanceId: string): ConsumerMember | undefined {
    for (const m of this.members.values()) if (m.subscription.instanceId === instanceId) return m;
    return undefined;
  }

  /** Every topic name some member subscribes to. */
  subscribedTopicNames(overrides?: ReadonlyMap<string, MemberSubscription | null>): Set<string> {
    const names = new Set<string>();
    for (const m of this.members.values()) {
      if (overrides?.has(m.memberId)) continue;
      for (const n of m.subscription.subscribedTopicNames) names.add(n);
    }
    for (const [, sub] of overrides ?? []) for (const n of sub?.subscribedTopicNames ?? []) names.add(n);
    return names;
  }

  /** Every non-empty topic regex some member subscribes with. */
  subscribedTopicRegexes(overrides?: ReadonlyMap<string, MemberSubscription | null>): Set<string> {
    const regexes = new Set<string>();
    const add = (s: MemberSubscription | null | undefined): void => {
      if (s?.subscribedTopicRegex) regexes.add(s.subscribedTopicRegex);
    };
    for (const m of this.members.values()) if (!overrides?.has(m.memberId)) add(m.subscription);
    for (const [, sub] of overrides ?? []) add(sub);
    return regexes;
  }

  /**
   * The assignor the group uses: the one most members ask for (ties: the first
   * configured), or the default when none asks (Kafka's preferred server assignor).
   */
  preferredAssignor(configured: readonly string[], overrides?: ReadonlyMap<string, MemberSubscription | null>): string {
    const counts = new Map<string, number>();
    const count = (s: MemberSubscription | null | undefined): void => {
      if (s?.serverAssignor) counts.set(s.serverAssignor, (counts.get(s.serverAssignor) ?? 0) + 1);
    };
    for (const m of this.members.values()) if (!overrides?.has(m.memberId)) count(m.subscription);
    for (const [, s] of overrides ?? []) count(s);
    let best = configured[0] ?? 'uniform';
    let bestCount = 0;
    for (const name of configured) {
      const n = counts.get(name) ?? 0;
      if (n > bestCount) [best, bestCount] = [name, n];
    }
    return best;
  }

  /** Applies one record of this group. */
  replay(r: ConsumerGroupRecord): void {
    switch (r.kind) {
      case 'cg-epoch':
        if (r.value) this.groupEpoch = r.value.epoch;
        return;
      case 'cg-topics':
        this.subscribedTopics = r.value ?? [];
        return;
      case 'cg-member': {
        if (r.value === null) {
          const m = this.members.get(r.memberId);
          if (m) this.setOwnership(m, null);
          this.members.delete(r.memberId);
          return;
        }
        const existing = this.members.get(r.memberId);
        if (existing) existing.subscription = r.value;
        else
          this.members.set(r.memberId, {
            memberId: r.memberId,
            subscription: r.value,
            current: initialCurrentAssignment(),
          });
        return;
      }
      case 'cg-target-epoch':
        if (r.value) this.assignmentEpoch = r.value.assignmentEpoch;
        return;
      case 'cg-target':
        if (r.value === null) this.target.delete(r.memberId);
        else this.target.set(r.memberId, copyAssignment(r.value));
        return;
      case 'cg-current': {
        let m = this.members.get(r.memberId);
        if (!m) {
          if (r.value === null) return;
          m = { memberId: r.memberId, subscription: emptySubscription(), current: initialCurrentAssignment() };
          this.members.set(r.memberId, m);
        }
        const next: CurrentAssignment = r.value
          ? {
              ...r.value,
              assigned: copyAssignment(r.value.assigned),
              pendingRevocation: copyAssignment(r.value.pendingRevocation),
            }
          : {
              memberEpoch: -1,
              previousMemberEpoch: -1,
              state: MemberState.STABLE,
              assigned: emptyAssignment(),
              pendingRevocation: emptyAssignment(),
            };
        this.setOwnership(m, next);
        m.current = next;
        return;
      }
    }
  }

  private setOwnership(m: ConsumerMember, next: CurrentAssignment | null): void {
    for (const a of [m.current.assigned, m.current.pendingRevocation]) {
      for (const [topic, parts] of a) {
        const owners = this.owners.get(topic);
        if (!owners) continue;
        for (const p of parts) if (owners.get(p) === m.memberId) owners.delete(p);
        if (owners.size === 0) this.owners.delete(topic);
      }
    }
    if (!next) return;
    for (const a of [next.assigned, next.pendingRevocation]) {
      for (const [topic, parts] of a) {
        let owners = this.owners.get(topic);
        if (!owners) this.owners.set(topic, (owners = new Map()));
        for (const p of parts) owners.set(p, m.memberId);
      }
    }
  }
}

/** Every consumer group this coordinator holds, changed only by `replay`. */
export class ConsumerGroupStore {
  readonly groups = new Map<string, ConsumerGroup>();

  replay(r: ConsumerGroupRecord): void {
    let group = this.groups.get(r.groupId);
    if (r.kind === 'cg-epoch' && r.value === null) {
      this.groups.delete(r.groupId);
      return;
    }
    if (!group) {
      if (r.value === null) return;
      group = new ConsumerGroup(r.groupId);
      this.groups.set(r.groupId, group);
    }
    group.replay(r);
  }
}
