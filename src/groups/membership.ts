/**
 * The classic group protocol: JoinGroup, SyncGroup, Heartbeat, LeaveGroup and the
 * deadlines that drive rebalances (session expiry, the rebalance timeout, the initial
 * delayed join of an empty group, the wait for members' SyncGroup, and the wait for
 * members told MEMBER_ID_REQUIRED). JoinGroup and SyncGroup answer through callbacks,
 * possibly much later (when the rebalance completes); everything else answers at once.
 * Time is passed in; deadlines live in a TimerQueue the broker polls.
 *
 * Follows Kafka's classic coordinator, including KIP-394 (member id required from
 * JoinGroup v4) and KIP-345 (static members keep their assignment across restarts
 * without a rebalance when their protocol does not change). Leaves out: KIP-848
 * groups, and upgrading a classic group to a consumer group.
 */
import { nodeCrypto } from '../common/node-crypto.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import {
  joinError,
  syncError,
  type ClassicGroup,
  type ClassicMember,
  type JoinResult,
  type MemberProtocol,
  type SyncResult,
} from './classic-group.js';
import { isValidGroupId, type CoordinatorConfig } from './config.js';
import type { GroupStore } from './group-store.js';
import type { GroupRecord } from './records.js';
import type { TimerQueue } from './timer-queue.js';

export interface JoinRequest {
  groupId: string;
  memberId: string;
  groupInstanceId: string | null;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocolType: string;
  protocols: MemberProtocol[];
  clientId: string;
  clientHost: string;
  /** The JoinGroup version: v4+ requires a member id, v9 can skip the leader's assignment. */
  apiVersion: number;
}

export interface SyncRequest {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
  protocolType: string | null;
  protocolName: string | null;
  assignments: Array<{ memberId: string; assignment: Buffer }>;
}

export interface MemberIdentity {
  memberId: string;
  groupInstanceId: string | null;
}

export interface LeaveResult {
  errorCode: number;
  members: Array<MemberIdentity & { errorCode: number }>;
}

const key = (kind: string, groupId: string, memberId = ''): string => `${kind}\u0000${groupId}\u0000${memberId}`;

export class Membership {
  constructor(
    private readonly store: GroupStore,
    private readonly timers: TimerQueue,
    private readonly config: CoordinatorConfig,
    private readonly newUuid: () => string = () => nodeCrypto().randomUUID(),
  ) {}

  // ---- JoinGroup ------------------------------------------------------------

  join(req: JoinRequest, now: number, respond: (r: JoinResult) => void): void {
    if (!isValidGroupId(req.groupId)) return respond(joinError(ErrorCode.INVALID_GROUP_ID, req.memberId));
    if (
      req.sessionTimeoutMs < this.config.minSessionTimeoutMs ||
      req.sessionTimeoutMs > this.config.maxSessionTimeoutMs
    ) {
      return respond(joinError(ErrorCode.INVALID_SESSION_TIMEOUT, req.memberId));
    }
    const unknownMember = req.memberId === '';
    let group = this.store.groups.get(req.groupId);
    if (!group) {
      if (!unknownMember) return respond(joinError(ErrorCode.UNKNOWN_MEMBER_ID, req.memberId));
      group = this.store.getOrCreateGroup(req.groupId, now);
    }
    if (group.is('Dead')) return respond(joinError(ErrorCode.COORDINATOR_NOT_AVAILABLE, req.memberId));
    if (
      !group.supportsProtocols(
        req.protocolType,
        req.protocols.map((p) => p.name),
      )
    ) {
      return respond(joinError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, req.memberId));
    }
    if (unknownMember) this.joinNewMember(group, req, now, respond);
    else this.joinExistingMember(group, req, now, respond);
  }

  private acceptsNewMember(group: ClassicGroup): boolean {
    return group.size + group.pendingMembers.size < this.config.maxGroupSize;
  }

  private joinNewMember(group: ClassicGroup, req: JoinRequest, now: number, respond: (r: JoinResult) => void): void {
    if (req.groupInstanceId !== null) {
      const memberId = `${req.groupInstanceId}-${this.newUuid()}`;
      const existing = group.memberByInstanceId(req.groupInstanceId);
      if (existing) return this.replaceStaticMember(group, existing, memberId, req, now, respond);
      if (!this.acceptsNewMember(group)) return respond(joinError(ErrorCode.GROUP_MAX_SIZE_REACHED, ''));
      return this.addMemberAndRebalance(group, memberId, req, now, respond);
    }
    if (!this.acceptsNewMember(group)) return respond(joinError(ErrorCode.GROUP_MAX_SIZE_REACHED, ''));
    const memberId = `${req.clientId}-${this.newUuid()}`;
    if (req.apiVersion >= 4) {
      group.pendingMembers.add(memberId);
      this.timers.schedule(key('pending', group.groupId, memberId), now + req.sessionTimeoutMs, (at) =>
        this.expirePending(group, memberId, at),
      );
      return respond(joinError(ErrorCode.MEMBER_ID_REQUIRED, memberId));
    }
    this.addMemberAndRebalance(group, memberId, req, now, respond);
  }

  private joinExistingMember(
    group: ClassicGroup,
    req: JoinRequest,
    now: number,
    respond: (r: JoinResult) => void,
  ): void {
    const memberId = req.memberId;
    if (group.pendingMembers.has(memberId)) {
      group.pendingMembers.delete(memberId);
      this.timers.cancel(key('pending', group.groupId, memberId));
      return this.addMemberAndRebalance(group, memberId, req, now, respond);
    }
    const error = this.validateMember(group, memberId, req.groupInstanceId);
    if (error !== 0) return respond(joinError(error, memberId));
    const member = group.members.get(memberId)!;
    switch (group.state) {
      case 'PreparingRebalance':
        return this.updateMemberAndRebalance(group, member, req, now, respond);
      case 'CompletingRebalance':
        if (sameProtocols(member.protocols, req.protocols))
          return respond(this.currentGenerationResult(group, member, req.apiVersion, true));
        return this.updateMemberAndRebalance(group, member, req, now, respond);
      case 'Stable':
        if (group.isLeader(memberId) || !sameProtocols(member.protocols, req.protocols)) {
          return this.updateMemberAndRebalance(group, member, req, now, respond);
        }
        return respond(this.currentGenerationResult(group, member, req.apiVersion, false));
      default:
        return respond(joinError(ErrorCode.UNKNOWN_MEMBER_ID, memberId));
    }
  }

  /** UNKNOWN_MEMBER_ID / FENCED_INSTANCE_ID checks shared by every member request. */
  validateMember(group: ClassicGroup, memberId: string, groupInstanceId: string | null): number {
    if (groupInstanceId !== null) {
      const byInstance = group.memberByInstanceId(groupInstanceId);
      if (!byInstance) return ErrorCode.UNKNOWN_MEMBER_ID;
      if (byInstance.memberId !== memberId) return ErrorCode.FENCED_INSTANCE_ID;
      return 0;
    }
    return group.members.has(memberId) ? 0 : ErrorCode.UNKNOWN_MEMBER_ID;
  }

  private currentGenerationResult(
    group: ClassicGroup,
    member: ClassicMember,
    apiVersion: number,
    completing: boolean,
  ): JoinResult {
    const isLeader = group.isLeader(member.memberId);
    const listMembers = isLeader && (completing || apiVersion >= 9);
    return {
      errorCode: 0,
      generationId: group.generationId,
      protocolType: group.protocolType,
      protocolName: group.protocolName,
      leader: group.leaderId ?? '',
      memberId: member.memberId,
      skipAssignment: !completing && isLeader && apiVersion >= 9,
      members: listMembers ? this.memberList(group) : [],
    };
  }

  private memberList(group: ClassicGroup): JoinResult['members'] {
    const protocol = group.protocolName ?? '';
    return [...group.members.values()].map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      metadata: group.metadataFor(m, protocol),
    }));
  }

  private newMember(memberId: string, req: JoinRequest, respond: (r: JoinResult) => void): ClassicMember {
    return {
      memberId,
      groupInstanceId: req.groupInstanceId,
      clientId: req.clientId,
      clientHost: req.clientHost,
      rebalanceTimeoutMs: req.rebalanceTimeoutMs,
      sessionTimeoutMs: req.sessionTimeoutMs,
      protocolType: req.protocolType,
      protocols: req.protocols,
      assignment: Buffer.alloc(0),
      awaitingJoin: respond,
      joinVersion: req.apiVersion,
      awaitingSync: null,
      isNew: true,
    };
  }

  private addMemberAndRebalance(
    group: ClassicGroup,
    memberId: string,
    req: JoinRequest,
    now: number,
    respond: (r: JoinResult) => void,
  ): void {
    group.add(this.newMember(memberId, req, respond));
    group.newMemberAdded = true;
    if (group.is('PreparingRebalance')) this.maybeCompleteJoin(group, now);
    else this.prepareRebalance(group, now);
  }

  private updateMember(member: ClassicMember, req: JoinRequest, respond: ((r: JoinResult) => void) | null): void {
    member.protocols = req.protocols;
    member.rebalanceTimeoutMs = req.rebalanceTimeoutMs;
    member.sessionTimeoutMs = req.sessionTimeoutMs;
    member.clientId = req.clientId;
    member.clientHost = req.clientHost;
    member.joinVersion = req.apiVersion;
    if (respond) {
      // A member joining again while its previous join still waits: the old request is superseded.
      if (member.awaitingJoin && member.awaitingJoin !== respond)
        member.awaitingJoin(joinError(ErrorCode.UNKNOWN_MEMBER_ID, member.memberId));
      member.awaitingJoin = respond;
    }
  }

  private updateMemberAndRebalance(
    group: ClassicGroup,
    member: ClassicMember,
    req: JoinRequest,
    now: number,
    respond: (r: JoinResult) => void,
  ): void {
    this.updateMember(member, req, respond);
    if (group.is('PreparingRebalance')) this.maybeCompleteJoin(group, now);
    else this.prepareRebalance(group, now);
  }

  private replaceStaticMember(
    group: ClassicGroup,
    existing: ClassicMember,
    newMemberId: string,
    req: JoinRequest,
    now: number,
    respond: (r: JoinResult) => void,
  ): void {
    const instanceId = req.groupInstanceId!;
    existing.awaitingJoin?.(joinError(ErrorCode.FENCED_INSTANCE_ID, existing.memberId));
    existing.awaitingSync?.(syncError(ErrorCode.FENCED_INSTANCE_ID));
    this.timers.cancel(key('session', group.groupId, existing.memberId));
    const oldMemberId = existing.memberId;
    const oldProtocols = existing.protocols;
    const member = group.replaceStaticMember(instanceId, oldMemberId, newMemberId);
    switch (group.state) {
      case 'Stable': {
        this.updateMember(member, req, null);
        if (group.selectProtocol() !== group.protocolName) {
          member.awaitingJoin = respond;
          return this.prepareRebalance(group, now);
        }
        try {
          this.store.write(group.groupId, [this.groupRecord(group, now)], now);
        } catch {
          // Put the old member back: the replacement never became durable.
          member.protocols = oldProtocols;
          group.replaceStaticMember(instanceId, newMemberId, oldMemberId);
          this.scheduleSession(group, group.members.get(oldMemberId)!, now);
          return respond(joinError(ErrorCode.UNKNOWN_SERVER_ERROR, ''));
        }
        this.scheduleSession(group, member, now);
        return respond(this.currentGenerationResult(group, member, req.apiVersion, false));
      }
      case 'CompletingRebalance':
        this.updateMember(member, req, respond);
        return this.prepareRebalance(group, now);
      case 'PreparingRebalance':
        this.updateMember(member, req, respond);
        return this.maybeCompleteJoin(group, now);
      default:
        return respond(joinError(ErrorCode.UNKNOWN_MEMBER_ID, newMemberId));
    }
  }

  // ---- rebalance ------------------------------------------------------------

  prepareRebalance(group: ClassicGroup, now: number): void {
    if (group.is('CompletingRebalance')) this.resetAssignments(group, ErrorCode.REBALANCE_IN_PROGRESS);
    this.timers.cancel(key('sync', group.groupId));
    const fromEmpty = group.is('Empty');
    group.transitionTo('PreparingRebalance', now);
    const delay = this.config.initialRebalanceDelayMs;
    if (fromEmpty && delay > 0) {
      group.newMemberAdded = false;
      const remaining = Math.max(group.rebalanceTimeoutMs() - delay, 0);
      this.scheduleInitialJoin(group, now + delay, remaining);
      return;
    }
    this.timers.schedule(key('join', group.groupId), now + group.rebalanceTimeoutMs(), (at) =>
      this.completeJoin(group, at),
    );
    this.maybeCompleteJoin(group, now);
  }

  private scheduleInitialJoin(group: ClassicGroup, at: number, remaining: number): void {
    this.timers.schedule(key('initial-join', group.groupId), at, (firedAt) => {
      const delay = this.config.initialRebalanceDelayMs;
      if (group.newMemberAdded && remaining > 0) {
        group.newMemberAdded = false;
        this.scheduleInitialJoin(group, firedAt + Math.min(delay, remaining), Math.max(remaining - delay, 0));
      } else {
        this.completeJoin(group, firedAt);
      }
    });
  }

  private maybeCompleteJoin(group: ClassicGroup, now: number): void {
    if (!group.is('PreparingRebalance') || this.timers.has(key('initial-join', group.groupId))) return;
    if (group.allMembersJoined()) this.completeJoin(group, now);
  }

  private resetAssignments(group: ClassicGroup, errorCode: number): void {
    for (const m of group.members.values()) {
      m.assignment = Buffer.alloc(0);
      const waiting = m.awaitingSync;
      m.awaitingSync = null;
      waiting?.(syncError(errorCode));
    }
    group.pendingSync.clear();
  }

  private completeJoin(group: ClassicGroup, now: number): void {
    this.timers.cancel(key('join', group.groupId));
    this.timers.cancel(key('initial-join', group.groupId));
    if (!group.is('PreparingRebalance')) return;
    for (const m of [...group.members.values()]) {
      if (m.awaitingJoin === null && m.groupInstanceId === null) this.dropMember(group, m);
    }
    if (group.size === 0) {
      group.generationId++;
      group.protocolName = null;
      group.leaderId = null;
      group.transitionTo('Empty', now);
      this.writeQuietly(group, now);
      return;
    }
    const leader = group.leaderId === null ? undefined : group.members.get(group.leaderId);
    if (!leader || leader.awaitingJoin === null) {
      const joined = [...group.members.values()].find((m) => m.awaitingJoin !== null);
      if (!joined) {
        // Only static members that did not rejoin remain: wait for them or their session expiry.
        this.timers.schedule(key('join', group.groupId), now + group.rebalanceTimeoutMs(), (at) =>
          this.completeJoin(group, at),
        );
        return;
      }
      group.leaderId = joined.memberId;
    }
    group.generationId++;
    group.protocolName = group.selectProtocol();
    group.transitionTo('CompletingRebalance', now);
    for (const m of group.members.values()) {
      const respond = m.awaitingJoin;
      if (respond === null) continue;
      m.awaitingJoin = null;
      m.isNew = false;
      group.pendingSync.add(m.memberId);
      this.scheduleSession(group, m, now);
      const isLeader = group.isLeader(m.memberId);
      respond({
        errorCode: 0,
        generationId: group.generationId,
        protocolType: group.protocolType,
        protocolName: group.protocolName,
        leader: group.leaderId!,
        memberId: m.memberId,
        skipAssignment: false,
        members: isLeader ? this.memberList(group) : [],
      });
    }
    const generation = group.generationId;
    // Kafka 3.x bounds the wait for SyncGroup by the rebalance timeout. Clients that send a
    // rebalance timeout of 0 (kafkajs's low-level joinGroup) would then lose the member before
    // its SyncGroup arrives; older brokers kept it for its session timeout, so take the larger.
    let syncDeadline = group.rebalanceTimeoutMs();
    for (const m of group.members.values()) syncDeadline = Math.max(syncDeadline, m.sessionTimeoutMs);
    this.timers.schedule(key('sync', group.groupId), now + syncDeadline, (at) =>
      this.expirePendingSync(group, generation, at),
    );
  }

  private expirePendingSync(group: ClassicGroup, generation: number, now: number): void {
    if (group.generationId !== generation || group.pendingSync.size === 0) return;
    if (!group.is('CompletingRebalance') && !group.is('Stable')) return;
    for (const memberId of [...group.pendingSync]) {
      const m = group.members.get(memberId);
      if (m) this.dropMember(group, m);
    }
    group.pendingSync.clear();
    this.prepareRebalance(group, now);
  }

  // ---- SyncGroup ------------------------------------------------------------

  sync(req: SyncRequest, now: number, respond: (r: SyncResult) => void): void {
    if (!isValidGroupId(req.groupId)) return respond(syncError(ErrorCode.INVALID_GROUP_ID));
    const group = this.store.groups.get(req.groupId);
    if (!group) return respond(syncError(ErrorCode.UNKNOWN_MEMBER_ID));
    if (group.is('Dead')) return respond(syncError(ErrorCode.COORDINATOR_NOT_AVAILABLE));
    const error = this.validateMember(group, req.memberId, req.groupInstanceId);
    if (error !== 0) return respond(syncError(error));
    if (req.generationId !== group.generationId) return respond(syncError(ErrorCode.ILLEGAL_GENERATION));
    if (
      (req.protocolType !== null && req.protocolType !== group.protocolType) ||
      (req.protocolName !== null && req.protocolName !== group.protocolName)
    ) {
      return respond(syncError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL));
    }
    const member = group.members.get(req.memberId)!;
    switch (group.state) {
      case 'PreparingRebalance':
        return respond(syncError(ErrorCode.REBALANCE_IN_PROGRESS));
      case 'CompletingRebalance':
        member.awaitingSync?.(syncError(ErrorCode.REBALANCE_IN_PROGRESS));
        member.awaitingSync = respond;
        this.markSynced(group, member, now);
        if (group.isLeader(member.memberId)) this.applyLeaderAssignment(group, req.assignments, now);
        return;
      case 'Stable':
        this.markSynced(group, member, now);
        return respond(this.syncSuccess(group, member.assignment));
      default:
        return respond(syncError(ErrorCode.UNKNOWN_MEMBER_ID));
    }
  }

  private markSynced(group: ClassicGroup, member: ClassicMember, now: number): void {
    group.pendingSync.delete(member.memberId);
    if (group.pendingSync.size === 0) this.timers.cancel(key('sync', group.groupId));
    this.scheduleSession(group, member, now);
  }

  private syncSuccess(group: ClassicGroup, assignment: Buffer): SyncResult {
    return { errorCode: 0, protocolType: group.protocolType, protocolName: group.protocolName, assignment };
  }

  private applyLeaderAssignment(group: ClassicGroup, assignments: SyncRequest['assignments'], now: number): void {
    const given = new Map(assignments.map((a) => [a.memberId, a.assignment]));
    const previous = new Map([...group.members.values()].map((m) => [m.memberId, m.assignment]));
    for (const m of group.members.values()) m.assignment = given.get(m.memberId) ?? Buffer.alloc(0);
    try {
      this.store.write(group.groupId, [this.groupRecord(group, now)], now);
    } catch {
      for (const m of group.members.values()) m.assignment = previous.get(m.memberId) ?? Buffer.alloc(0);
      this.resetAssignments(group, ErrorCode.COORDINATOR_NOT_AVAILABLE);
      this.prepareRebalance(group, now);
      return;
    }
    group.transitionTo('Stable', now);
    for (const m of group.members.values()) {
      const respond = m.awaitingSync;
      m.awaitingSync = null;
      respond?.(this.syncSuccess(group, m.assignment));
    }
  }

  // ---- Heartbeat and LeaveGroup ---------------------------------------------

  heartbeat(
    groupId: string,
    generationId: number,
    memberId: string,
    groupInstanceId: string | null,
    now: number,
  ): number {
    if (!isValidGroupId(groupId)) return ErrorCode.INVALID_GROUP_ID;
    const group = this.store.groups.get(groupId);
    if (!group) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (group.is('Dead')) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    const error = this.validateMember(group, memberId, groupInstanceId);
    if (error !== 0) return error;
    if (generationId !== group.generationId) return ErrorCode.ILLEGAL_GENERATION;
    const member = group.members.get(memberId)!;
    this.scheduleSession(group, member, now);
    return group.is('PreparingRebalance') ? ErrorCode.REBALANCE_IN_PROGRESS : 0;
  }

  leave(groupId: string, members: MemberIdentity[], now: number): LeaveResult {
    if (!isValidGroupId(groupId)) return { errorCode: ErrorCode.INVALID_GROUP_ID, members: [] };
    const group = this.store.groups.get(groupId);
    if (!group) return { errorCode: ErrorCode.UNKNOWN_MEMBER_ID, members: [] };
    if (group.is('Dead')) return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, members: [] };
    const results = members.map((identity) => ({ ...identity, errorCode: this.leaveOne(group, identity, now) }));
    return { errorCode: 0, members: results };
  }

  private leaveOne(group: ClassicGroup, identity: MemberIdentity, now: number): number {
    if (identity.groupInstanceId !== null) {
      const member = group.memberByInstanceId(identity.groupInstanceId);
      if (!member) return ErrorCode.UNKNOWN_MEMBER_ID;
      if (identity.memberId !== '' && member.memberId !== identity.memberId) return ErrorCode.FENCED_INSTANCE_ID;
      this.removeMemberAndUpdate(group, member, now);
      return 0;
    }
    if (group.pendingMembers.delete(identity.memberId)) {
      this.timers.cancel(key('pending', group.groupId, identity.memberId));
      this.maybeCompleteJoin(group, now);
      return 0;
    }
    const member = group.members.get(identity.memberId);
    if (!member) return ErrorCode.UNKNOWN_MEMBER_ID;
    this.removeMemberAndUpdate(group, member, now);
    return 0;
  }

  // ---- members leaving, sessions --------------------------------------------

  /** Removes a member without touching the group's state (its waiting requests get UNKNOWN_MEMBER_ID). */
  private dropMember(group: ClassicGroup, member: ClassicMember): void {
    this.timers.cancel(key('session', group.groupId, member.memberId));
    const join = member.awaitingJoin;
    const sync = member.awaitingSync;
    member.awaitingJoin = null;
    member.awaitingSync = null;
    group.remove(member.memberId);
    join?.(joinError(ErrorCode.UNKNOWN_MEMBER_ID, member.memberId));
    sync?.(syncError(ErrorCode.UNKNOWN_MEMBER_ID));
  }

  removeMemberAndUpdate(group: ClassicGroup, member: ClassicMember, now: number): void {
    this.dropMember(group, member);
    if (group.is('Stable') || group.is('CompletingRebalance')) this.prepareRebalance(group, now);
    else if (group.is('PreparingRebalance')) this.maybeCompleteJoin(group, now);
  }

  scheduleSession(group: ClassicGroup, member: ClassicMember, now: number): void {
    const memberId = member.memberId;
    this.timers.schedule(key('session', group.groupId, memberId), now + member.sessionTimeoutMs, (at) =>
      this.expireSession(group, memberId, at),
    );
  }

  /** Refreshes a member's session when it shows life (heartbeat, sync, offset commit). */
  touch(group: ClassicGroup, memberId: string, now: number): void {
    const member = group.members.get(memberId);
    if (member) this.scheduleSession(group, member, now);
  }

  private expireSession(group: ClassicGroup, memberId: string, now: number): void {
    const member = group.members.get(memberId);
    if (!member || this.store.groups.get(group.groupId) !== group) return;
    // A member whose JoinGroup or SyncGroup is parked is alive; the rebalance deadlines govern it.
    if (member.awaitingJoin !== null || member.awaitingSync !== null) return this.scheduleSession(group, member, now);
    this.removeMemberAndUpdate(group, member, now);
  }

  private expirePending(group: ClassicGroup, memberId: string, now: number): void {
    if (group.pendingMembers.delete(memberId)) this.maybeCompleteJoin(group, now);
  }

  /** Schedules session deadlines for members loaded from the log: they must heartbeat again. */
  resumeLoaded(group: ClassicGroup, now: number): void {
    for (const m of group.members.values()) this.scheduleSession(group, m, now);
  }

  /** Its partition moved to another coordinator: waiting joins and syncs get NOT_COORDINATOR, deadlines stop. */
  unload(group: ClassicGroup): void {
    this.forget(group);
    for (const m of group.members.values()) {
      const join = m.awaitingJoin;
      const sync = m.awaitingSync;
      m.awaitingJoin = null;
      m.awaitingSync = null;
      join?.(joinError(ErrorCode.NOT_COORDINATOR, m.memberId));
      sync?.(syncError(ErrorCode.NOT_COORDINATOR));
    }
  }

  /** Cancels every deadline of a group being deleted. */
  forget(group: ClassicGroup): void {
    for (const kind of ['join', 'initial-join', 'sync']) this.timers.cancel(key(kind, group.groupId));
    for (const m of group.members.keys()) this.timers.cancel(key('session', group.groupId, m));
    for (const m of group.pendingMembers) this.timers.cancel(key('pending', group.groupId, m));
  }

  groupRecord(group: ClassicGroup, now: number): GroupRecord {
    const protocol = group.protocolName ?? '';
    return {
      kind: 'group',
      groupId: group.groupId,
      value: {
        protocolType: group.protocolType ?? '',
        generation: group.generationId,
        protocol: group.protocolName,
        leader: group.leaderId,
        currentStateTimestamp: BigInt(now),
        members: [...group.members.values()].map((m) => ({
          memberId: m.memberId,
          groupInstanceId: m.groupInstanceId,
          clientId: m.clientId,
          clientHost: m.clientHost,
          rebalanceTimeout: m.rebalanceTimeoutMs,
          sessionTimeout: m.sessionTimeoutMs,
          subscription: group.metadataFor(m, protocol),
          assignment: m.assignment,
        })),
      },
    };
  }

  /** Writes the group's record where no client waits on the outcome (a failure is retried by the next change). */
  private writeQuietly(group: ClassicGroup, now: number): void {
    try {
      this.store.write(group.groupId, [this.groupRecord(group, now)], now);
    } catch {
      // The next rebalance writes the group again.
    }
  }
}

function sameProtocols(a: readonly MemberProtocol[], b: readonly MemberProtocol[]): boolean {
  return a.length === b.length && a.every((p, i) => p.name === b[i]!.name && p.metadata.equals(b[i]!.metadata));
}
