/**
 * One classic (JoinGroup/SyncGroup) group in memory: its state, generation, selected
 * protocol, leader and members, with the bookkeeping a rebalance needs (members
 * waiting for their JoinGroup or SyncGroup answer, members that still have to sync,
 * members told MEMBER_ID_REQUIRED that have not joined yet). Protocol selection is
 * Kafka's: among the protocols every member supports, each member votes for the first
 * one in its own preference order and the most voted wins (ties: the earlier
 * candidate in the first member's order). Every state change goes through the
 * transition table in group-state.ts. No I/O, no clock: time comes in as `now`.
 */
import { checkTransition, type ClassicGroupState } from './group-state.js';

export interface MemberProtocol {
  name: string;
  metadata: Buffer;
}

export interface JoinResult {
  errorCode: number;
  generationId: number;
  protocolType: string | null;
  protocolName: string | null;
  leader: string;
  memberId: string;
  skipAssignment: boolean;
  members: Array<{ memberId: string; groupInstanceId: string | null; metadata: Buffer }>;
}

export interface SyncResult {
  errorCode: number;
  protocolType: string | null;
  protocolName: string | null;
  assignment: Buffer;
}

export interface ClassicMember {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  rebalanceTimeoutMs: number;
  sessionTimeoutMs: number;
  protocolType: string;
  protocols: MemberProtocol[];
  assignment: Buffer;
  /** Set while the member's JoinGroup waits for the rebalance to finish. */
  awaitingJoin: ((result: JoinResult) => void) | null;
  /** The JoinGroup version the member waits with (skipAssignment needs v9). */
  joinVersion: number;
  /** Set while the member's SyncGroup waits for the leader's assignment. */
  awaitingSync: ((result: SyncResult) => void) | null;
  /** Joined during this rebalance and never completed a join. */
  isNew: boolean;
}

export function joinError(errorCode: number, memberId = ''): JoinResult {
  return {
    errorCode,
    generationId: -1,
    protocolType: null,
    protocolName: null,
    leader: '',
    memberId,
    skipAssignment: false,
    members: [],
  };
}

export function syncError(errorCode: number): SyncResult {
  return { errorCode, protocolType: null, protocolName: null, assignment: Buffer.alloc(0) };
}

export class ClassicGroup {
  state: ClassicGroupState;
  generationId = 0;
  protocolType: string | null = null;
  protocolName: string | null = null;
  leaderId: string | null = null;
  readonly members = new Map<string, ClassicMember>();
  /** group.instance.id -> member id of static members. */
  readonly staticMembers = new Map<string, string>();
  /** Members told MEMBER_ID_REQUIRED that have not joined with their id yet. */
  readonly pendingMembers = new Set<string>();
  /** Members that got their JoinGroup answer and still owe a SyncGroup. */
  readonly pendingSync = new Set<string>();
  /** A member was added during the current (initial, delayed) rebalance. */
  newMemberAdded = false;
  /** When the group entered its current state (ms). */
  currentStateTimestamp: number;

  constructor(
    readonly groupId: string,
    now: number,
    initial: 'Empty' | 'Stable' = 'Empty',
  ) {
    this.state = initial;
    this.currentStateTimestamp = now;
  }

  is(state: ClassicGroupState): boolean {
    return this.state === state;
  }

  transitionTo(state: ClassicGroupState, now: number): void {
    checkTransition(this.groupId, this.state, state);
    this.state = state;
    this.currentStateTimestamp = now;
  }

  get size(): number {
    return this.members.size;
  }

  isLeader(memberId: string): boolean {
    return this.leaderId === memberId;
  }

  add(member: ClassicMember): void {
    if (this.members.size === 0) this.protocolType = member.protocolType;
    this.members.set(member.memberId, member);
    if (member.groupInstanceId !== null) this.staticMembers.set(member.groupInstanceId, member.memberId);
    if (this.leaderId === null) this.leaderId = member.memberId;
  }

  remove(memberId: string): ClassicMember | undefined {
    const member = this.members.get(memberId);
    if (!member) return undefined;
    this.members.delete(memberId);
    this.pendingSync.delete(memberId);
    if (member.groupInstanceId !== null && this.staticMembers.get(member.groupInstanceId) === memberId) {
      this.staticMembers.delete(member.groupInstanceId);
    }
    if (this.leaderId === memberId) this.leaderId = this.members.keys().next().value ?? null;
    return member;
  }

  /** Moves a static member to a new member id, keeping its assignment and place. */
  replaceStaticMember(instanceId: string, oldMemberId: string, newMemberId: string): ClassicMember {
    const old = this.members.get(oldMemberId)!;
    this.members.delete(oldMemberId);
    this.pendingSync.delete(oldMemberId);
    const replaced: ClassicMember = { ...old, memberId: newMemberId, awaitingJoin: null, awaitingSync: null };
    this.members.set(newMemberId, replaced);
    this.staticMembers.set(instanceId, newMemberId);
    if (this.leaderId === oldMemberId) this.leaderId = newMemberId;
    return replaced;
  }

  memberByInstanceId(instanceId: string): ClassicMember | undefined {
    const id = this.staticMembers.get(instanceId);
    return id === undefined ? undefined : this.members.get(id);
  }

  /** Protocol names with how many members support each. */
  private protocolSupport(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const m of this.members.values())
      for (const p of m.protocols) counts.set(p.name, (counts.get(p.name) ?? 0) + 1);
    return counts;
  }

  /** Whether a member with these protocols can join: same type, and a protocol in common with everyone. */
  supportsProtocols(protocolType: string, names: readonly string[]): boolean {
    if (this.members.size === 0) return protocolType.length > 0 && names.length > 0;
    if (this.protocolType !== protocolType) return false;
    const counts = this.protocolSupport();
    return names.some((n) => counts.get(n) === this.members.size);
  }

  /** The protocols every member supports, in the first member's order. */
  candidateProtocols(): string[] {
    const counts = this.protocolSupport();
    const first = this.members.values().next().value;
    if (!first) return [];
    return first.protocols.map((p) => p.name).filter((n) => counts.get(n) === this.members.size);
  }

  selectProtocol(): string {
    const candidates = this.candidateProtocols();
    if (candidates.length === 0) throw new Error(`group ${this.groupId}: no protocol supported by all members`);
    const votes = new Map<string, number>(candidates.map((c) => [c, 0]));
    for (const m of this.members.values()) {
      const vote = m.protocols.find((p) => votes.has(p.name))!.name;
      votes.set(vote, votes.get(vote)! + 1);
    }
    let best = candidates[0]!;
    for (const c of candidates) if (votes.get(c)! > votes.get(best)!) best = c;
    return best;
  }

  metadataFor(member: ClassicMember, protocol: string): Buffer {
    return member.protocols.find((p) => p.name === protocol)?.metadata ?? Buffer.alloc(0);
  }

  /** The largest rebalance timeout among members: how long a rebalance may wait for them. */
  rebalanceTimeoutMs(): number {
    let max = 0;
    for (const m of this.members.values()) max = Math.max(max, m.rebalanceTimeoutMs);
    return max;
  }

  awaitingJoinCount(): number {
    let n = 0;
    for (const m of this.members.values()) if (m.awaitingJoin !== null) n++;
    return n;
  }

  allMembersJoined(): boolean {
    return this.members.size === this.awaitingJoinCount() && this.pendingMembers.size === 0;
  }
}
