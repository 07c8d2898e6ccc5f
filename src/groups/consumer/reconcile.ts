/**
 * Incremental reconciliation of one member towards its target assignment (Kafka's
 * CurrentAssignmentBuilder): revoke first, then assign. A member only gets a partition
 * no other member still owns; partitions it must give up stay "pending revocation"
 * (and owned by it) until its heartbeat's owned partitions no longer list them.
 *
 * Member states and transitions (checked by `checkMemberTransition`):
 *
 * | from \ to             | STABLE | UNREVOKED_PARTITIONS | UNRELEASED_PARTITIONS |
 * |-----------------------|:------:|:--------------------:|:---------------------:|
 * | STABLE                | yes    | yes                  | yes                   |
 * | UNREVOKED_PARTITIONS  | yes    | yes                  | yes                   |
 * | UNRELEASED_PARTITIONS | yes    | yes                  | yes                   |
 *
 * What is not free is the epoch: a member in UNREVOKED_PARTITIONS keeps its epoch until
 * it acknowledges the revocation; leaving UNREVOKED_PARTITIONS or STABLE for a newer
 * target moves it to the assignment epoch. An epoch never goes down while the member lives.
 */
import { addPartition, copyAssignment, hasPartition, type Assignment } from './assignment.js';
import { MemberState, type CurrentAssignment } from './records.js';

export interface ReconcileInput {
  memberId: string;
  current: CurrentAssignment;
  target: Assignment;
  targetEpoch: number;
  /** What the member says it owns; null when the heartbeat did not say. */
  owned: Assignment | null;
  /** The member owning a partition now (assigned or pending revocation), if any. */
  ownerOf(topicId: string, partition: number): string | undefined;
}

function ownsAnyOf(owned: Assignment | null, partitions: Assignment): boolean {
  if (owned === null) return true;
  for (const [topic, parts] of partitions) for (const p of parts) if (hasPartition(owned, topic, p)) return true;
  return false;
}

/** The member's next current assignment (possibly the same object when nothing changes). */
export function reconcile(input: ReconcileInput): CurrentAssignment {
  const { current } = input;
  switch (current.state) {
    case MemberState.STABLE:
      return current.memberEpoch !== input.targetEpoch ? next(input, current.memberEpoch) : current;
    case MemberState.UNREVOKED_PARTITIONS:
      if (ownsAnyOf(input.owned, current.pendingRevocation)) return current;
      return next(input, current.memberEpoch);
    case MemberState.UNRELEASED_PARTITIONS:
      return next(input, current.memberEpoch);
    default:
      return next(input, current.memberEpoch);
  }
}

function next(input: ReconcileInput, memberEpoch: number): CurrentAssignment {
  const { current, target, targetEpoch, memberId } = input;
  const kept: Assignment = new Map();
  const revoke: Assignment = new Map();
  const gained: Assignment = new Map();
  let unreleased = false;
  const topics = new Set([...current.assigned.keys(), ...target.keys()]);
  for (const topic of topics) {
    const have = current.assigned.get(topic) ?? new Set<number>();
    const want = target.get(topic) ?? new Set<number>();
    for (const p of have) addPartition(want.has(p) ? kept : revoke, topic, p);
    for (const p of want) {
      if (have.has(p)) continue;
      const owner = input.ownerOf(topic, p);
      if (owner === undefined || owner === memberId) addPartition(gained, topic, p);
      else unreleased = true;
    }
  }
  if (revoke.size > 0 && ownsAnyOf(input.owned, revoke)) {
    return transition(current, {
      memberEpoch,
      previousMemberEpoch: current.memberEpoch === memberEpoch ? current.previousMemberEpoch : current.memberEpoch,
      state: MemberState.UNREVOKED_PARTITIONS,
      assigned: kept,
      pendingRevocation: revoke,
    });
  }
  const assigned = copyAssignment(kept);
  for (const [topic, parts] of gained) for (const p of parts) addPartition(assigned, topic, p);
  const state = unreleased ? MemberState.UNRELEASED_PARTITIONS : MemberState.STABLE;
  const previousMemberEpoch = targetEpoch === current.memberEpoch ? current.previousMemberEpoch : current.memberEpoch;
  return transition(current, {
    memberEpoch: targetEpoch,
    previousMemberEpoch,
    state,
    assigned,
    pendingRevocation: new Map(),
  });
}

function transition(from: CurrentAssignment, to: CurrentAssignment): CurrentAssignment {
  checkMemberTransition(from, to);
  return to;
}

/** Throws on an impossible move: an epoch going down, or a member left in UNREVOKED_PARTITIONS with nothing to revoke. */
export function checkMemberTransition(from: CurrentAssignment, to: CurrentAssignment): void {
  if (to.memberEpoch < from.memberEpoch)
    throw new Error(`member epoch cannot go down (${from.memberEpoch} -> ${to.memberEpoch})`);
  if (to.state === MemberState.UNREVOKED_PARTITIONS && to.pendingRevocation.size === 0)
    throw new Error('UNREVOKED_PARTITIONS with nothing to revoke');
  if (to.state !== MemberState.UNREVOKED_PARTITIONS && to.pendingRevocation.size > 0)
    throw new Error(`state ${to.state} cannot hold partitions pending revocation`);
}
