/**
 * ConsumerGroupHeartbeat (KIP-848) as Kafka's group coordinator runs it: one call joins
 * (member epoch 0), heartbeats (epoch > 0), leaves (-1) or leaves as a static member
 * that will return (-2). A heartbeat may change the member's subscription (bumping the
 * group epoch), the subscribed topics' metadata (new topics or partitions bump it too),
 * then, when the group epoch is ahead of the assignment epoch, computes a new target
 * assignment, and finally reconciles the member towards its target (reconcile.ts).
 * Every change is a record; the records are appended and replayed before the answer
 * (an append failure answers COORDINATOR_NOT_AVAILABLE and changes nothing).
 *
 * Deadlines (TimerQueue, no clock here): a session per member (group.consumer.session
 * .timeout.ms from each heartbeat; on expiry the member is fenced: removed, group epoch
 * bumped), and a rebalance timeout while a member holds partitions it must revoke
 * (its rebalanceTimeoutMs; on expiry it is fenced). Loaded members get fresh sessions.
 *
 * Leaves out: SubscribedTopicRegex (v1, unstable in Kafka 3.9, not served), rack-aware
 * assignment, classic-protocol members inside a consumer group (KIP-848 migration).
 */
import { ErrorCode } from '../../../protocol/generated/error-codes.js';
import type { GroupStore } from '../group-store.js';
import type { GroupRecord } from '../records.js';
import type { TimerQueue } from '../timer-queue.js';
import { assignmentsEqual, fromWire, isSubset, toWire, type Assignment, type TopicPartitionsWire } from './assignment.js';
import type { ConsumerGroupConfig } from './config.js';
import { ConsumerGroup, emptySubscription, initialCurrentAssignment, type ConsumerMember } from './consumer-group.js';
import { MemberState, type ConsumerGroupRecord, type CurrentAssignment, type MemberSubscription } from './records.js';
import { reconcile } from './reconcile.js';
import { computeTargetAssignment, sameTopics, subscribedTopicsMetadata, type TopicSource } from './target.js';

export const LEAVE_EPOCH = -1;
export const STATIC_LEAVE_EPOCH = -2;

export interface HeartbeatRequest {
  groupId: string;
  memberId: string;
  memberEpoch: number;
  instanceId: string | null;
  rackId: string | null;
  rebalanceTimeoutMs: number;
  subscribedTopicNames: string[] | null;
  serverAssignor: string | null;
  topicPartitions: TopicPartitionsWire[] | null;
  clientId: string;
  clientHost: string;
}

export interface HeartbeatResult {
  errorCode: number;
  errorMessage: string | null;
  memberId: string | null;
  memberEpoch: number;
  heartbeatIntervalMs: number;
  assignment: TopicPartitionsWire[] | null;
}

const fail = (errorCode: number, errorMessage: string): HeartbeatResult => ({ errorCode, errorMessage, memberId: null, memberEpoch: 0, heartbeatIntervalMs: 0, assignment: null });

export class ConsumerGroupHeartbeats {
  constructor(
    private readonly store: GroupStore,
    private readonly timers: TimerQueue,
    private readonly config: ConsumerGroupConfig,
    private readonly topics: TopicSource,
    private readonly newUuid: () => string,
  ) {}

  private get groups(): Map<string, ConsumerGroup> {
    return this.store.consumerGroups.groups;
  }

  heartbeat(req: HeartbeatRequest, now: number): HeartbeatResult {
    const invalid = this.validate(req);
    if (invalid) return invalid;
    const classic = this.store.groups.get(req.groupId);
    const records: GroupRecord[] = [];
    let convertClassic = false;
    if (classic) {
      // An empty classic group (offsets only) becomes a consumer group on the first join, as in Kafka.
      if (req.memberEpoch !== 0 || classic.members.size > 0 || classic.pendingMembers.size > 0) {
        return fail(ErrorCode.GROUP_ID_NOT_FOUND, `Group ${req.groupId} is not a consumer group.`);
      }
      convertClassic = true;
    }
    const group = this.groups.get(req.groupId);
    if (req.memberEpoch === LEAVE_EPOCH || req.memberEpoch === STATIC_LEAVE_EPOCH) return this.leave(group, req, now);
    if (!group && req.memberEpoch !== 0) return fail(ErrorCode.GROUP_ID_NOT_FOUND, `Group ${req.groupId} not found.`);
    const g = group ?? new ConsumerGroup(req.groupId);

    // The member: existing, new, or a static member replacing its departed self.
    const member = req.memberId !== '' ? g.members.get(req.memberId) : undefined;
    let replaced: ConsumerMember | undefined;
    if (req.memberEpoch === 0 && req.instanceId !== null) {
      const holder = g.memberByInstanceId(req.instanceId);
      if (holder && holder.memberId !== req.memberId) {
        if (holder.current.memberEpoch !== STATIC_LEAVE_EPOCH) {
          return fail(ErrorCode.UNRELEASED_INSTANCE_ID, `Static member ${holder.memberId} with instance id ${req.instanceId} is still active.`);
        }
        replaced = holder;
      }
    }
    if (req.memberEpoch !== 0) {
      if (!member) return fail(ErrorCode.UNKNOWN_MEMBER_ID, `Member ${req.memberId} is not a member of group ${req.groupId}.`);
      const fenced = epochError(member, req);
      if (fenced) return fenced;
    }
    if (!member && !replaced && g.members.size >= this.config.maxSize) {
      return fail(ErrorCode.GROUP_MAX_SIZE_REACHED, `The consumer group has reached its maximum capacity of ${this.config.maxSize} members.`);
    }
    const memberId = member?.memberId ?? (req.memberId !== '' ? req.memberId : this.newUuid());
    const previous = member?.subscription ?? replaced?.subscription ?? emptySubscription();
    const subscription: MemberSubscription = {
      instanceId: req.instanceId ?? previous.instanceId,
      rackId: req.rackId ?? previous.rackId,
      clientId: req.clientId,
      clientHost: req.clientHost,
      subscribedTopicNames: req.subscribedTopicNames ?? previous.subscribedTopicNames,
      subscribedTopicRegex: null,
      rebalanceTimeoutMs: req.rebalanceTimeoutMs !== -1 ? req.rebalanceTimeoutMs : previous.rebalanceTimeoutMs,
      serverAssignor: req.serverAssignor ?? previous.serverAssignor,
    };
    const current: CurrentAssignment = member
      ? member.current
      : replaced
        ? { ...initialCurrentAssignment(), assigned: replaced.current.assigned }
        : initialCurrentAssignment();

    if (convertClassic) records.push({ kind: 'group', groupId: req.groupId, value: null });
    if (replaced) {
      records.push(
        { kind: 'cg-current', groupId: g.groupId, memberId: replaced.memberId, value: null },
        { kind: 'cg-target', groupId: g.groupId, memberId: replaced.memberId, value: null },
        { kind: 'cg-member', groupId: g.groupId, memberId: replaced.memberId, value: null },
      );
    }
    const overrides = new Map<string, MemberSubscription | null>([[memberId, subscription]]);
    if (replaced) overrides.set(replaced.memberId, null);

    let bump = false;
    if (!member || !sameSubscription(member.subscription, subscription)) {
      records.push({ kind: 'cg-member', groupId: g.groupId, memberId, value: subscription });
      bump = !member || subscriptionChanged(member.subscription, subscription);
    }
    if (replaced) bump = false;
    const subscribed = subscribedTopicsMetadata(g, overrides, this.topics);
    if (!sameTopics(subscribed, g.subscribedTopics)) {
      records.push({ kind: 'cg-topics', groupId: g.groupId, value: subscribed });
      bump = true;
    }
    let groupEpoch = g.groupEpoch;
    if (bump) {
      groupEpoch++;
      records.push({ kind: 'cg-epoch', groupId: g.groupId, value: { epoch: groupEpoch } });
    } else if (!group) {
      records.push({ kind: 'cg-epoch', groupId: g.groupId, value: { epoch: groupEpoch } });
    }

    let targetEpoch = g.assignmentEpoch;
    let target: Assignment = replaced && !g.target.has(memberId) ? g.targetOf(replaced.memberId) : g.targetOf(memberId);
    if (replaced) records.push({ kind: 'cg-target', groupId: g.groupId, memberId, value: target });
    if (groupEpoch > g.assignmentEpoch) {
      const computed = computeTargetAssignment(g, overrides, subscribed, g.preferredAssignor(this.config.assignors, overrides), groupEpoch);
      records.push(...computed.records);
      targetEpoch = groupEpoch;
      target = computed.targets.get(memberId) ?? new Map();
    }

    const owned = req.topicPartitions === null ? null : fromWire(req.topicPartitions);
    const next = reconcile({
      memberId,
      current,
      target,
      targetEpoch,
      owned,
      ownerOf: (topicId, p) => {
        const owner = g.ownerOf(topicId, p);
        return owner !== undefined && owner === replaced?.memberId ? memberId : owner;
      },
    });
    if (next !== current || !member) records.push({ kind: 'cg-current', groupId: g.groupId, memberId, value: next });

    try {
      this.store.write(g.groupId, records, now);
    } catch {
      return fail(ErrorCode.COORDINATOR_NOT_AVAILABLE, 'The coordinator could not write the group records.');
    }
    if (convertClassic) this.store.groups.delete(req.groupId);
    if (replaced) this.cancelTimers(g.groupId, replaced.memberId);
    this.scheduleSession(g.groupId, memberId, now);
    if (next.state === MemberState.UNREVOKED_PARTITIONS) {
      if (current.state !== MemberState.UNREVOKED_PARTITIONS || current.memberEpoch !== next.memberEpoch || !this.timers.has(rebalanceKey(g.groupId, memberId))) {
        this.scheduleRebalance(g.groupId, memberId, next.memberEpoch, subscription.rebalanceTimeoutMs, now);
      }
    } else {
      this.timers.cancel(rebalanceKey(g.groupId, memberId));
    }
    const fullRequest = req.memberEpoch === 0 || (req.rebalanceTimeoutMs !== -1 && req.subscribedTopicNames !== null && req.topicPartitions !== null);
    return {
      errorCode: 0,
      errorMessage: null,
      memberId,
      memberEpoch: next.memberEpoch,
      heartbeatIntervalMs: this.config.heartbeatIntervalMs,
      assignment: fullRequest || !assignmentsEqual(current.assigned, next.assigned) ? toWire(next.assigned) : null,
    };
  }

  /** Starts a session for every member of the loaded groups (members that do not come back expire). */
  resumeLoaded(now: number): void {
    for (const g of this.groups.values()) for (const m of g.members.values()) this.scheduleSession(g.groupId, m.memberId, now);
  }

  /** The records removing a member (current, target, subscription), the group's new topics and epoch. */
  removalRecords(g: ConsumerGroup, memberId: string): ConsumerGroupRecord[] {
    const records: ConsumerGroupRecord[] = [
      { kind: 'cg-current', groupId: g.groupId, memberId, value: null },
      { kind: 'cg-target', groupId: g.groupId, memberId, value: null },
      { kind: 'cg-member', groupId: g.groupId, memberId, value: null },
    ];
    const subscribed = subscribedTopicsMetadata(g, new Map([[memberId, null]]), this.topics);
    if (!sameTopics(subscribed, g.subscribedTopics)) records.push({ kind: 'cg-topics', groupId: g.groupId, value: subscribed });
    records.push({ kind: 'cg-epoch', groupId: g.groupId, value: { epoch: g.groupEpoch + 1 } });
    return records;
  }

  /** Removes a member (session or rebalance timeout); false if the append failed. */
  fence(groupId: string, memberId: string, now: number): boolean {
    const g = this.groups.get(groupId);
    if (!g?.members.has(memberId)) return true;
    try {
      this.store.write(groupId, this.removalRecords(g, memberId), now);
    } catch {
      return false;
    }
    this.cancelTimers(groupId, memberId);
    return true;
  }

  cancelTimers(groupId: string, memberId: string): void {
    this.timers.cancel(sessionKey(groupId, memberId));
    this.timers.cancel(rebalanceKey(groupId, memberId));
  }

  private leave(group: ConsumerGroup | undefined, req: HeartbeatRequest, now: number): HeartbeatResult {
    if (!group) return fail(ErrorCode.GROUP_ID_NOT_FOUND, `Group ${req.groupId} not found.`);
    const member = group.members.get(req.memberId);
    if (!member) return fail(ErrorCode.UNKNOWN_MEMBER_ID, `Member ${req.memberId} is not a member of group ${req.groupId}.`);
    const ok = (): HeartbeatResult => ({ errorCode: 0, errorMessage: null, memberId: req.memberId, memberEpoch: req.memberEpoch, heartbeatIntervalMs: 0, assignment: null });
    if (req.memberEpoch === STATIC_LEAVE_EPOCH) {
      // The static member keeps its partitions until it rejoins or its session expires.
      const c = member.current;
      const record: ConsumerGroupRecord = {
        kind: 'cg-current',
        groupId: group.groupId,
        memberId: member.memberId,
        value: { memberEpoch: STATIC_LEAVE_EPOCH, previousMemberEpoch: c.memberEpoch, state: MemberState.STABLE, assigned: c.assigned, pendingRevocation: new Map() },
      };
      try {
        this.store.write(group.groupId, [record], now);
      } catch {
        return fail(ErrorCode.COORDINATOR_NOT_AVAILABLE, 'The coordinator could not write the group records.');
      }
      this.timers.cancel(rebalanceKey(group.groupId, member.memberId));
      return ok();
    }
    if (!this.fence(group.groupId, member.memberId, now)) return fail(ErrorCode.COORDINATOR_NOT_AVAILABLE, 'The coordinator could not write the group records.');
    return ok();
  }

  private validate(req: HeartbeatRequest): HeartbeatResult | null {
    const bad = (m: string): HeartbeatResult => fail(ErrorCode.INVALID_REQUEST, m);
    if (req.groupId === '') return bad("GroupId can't be empty.");
    if (req.instanceId === '') return bad("InstanceId can't be empty.");
    if (req.rackId === '') return bad("RackId can't be empty.");
    if (req.memberEpoch > 0 || req.memberEpoch === LEAVE_EPOCH) {
      if (req.memberId === '') return bad("MemberId can't be empty.");
    } else if (req.memberEpoch === 0) {
      if (req.rebalanceTimeoutMs === -1) return bad('RebalanceTimeoutMs must be provided in first request.');
      if (req.topicPartitions === null || req.topicPartitions.length > 0) return bad('TopicPartitions must be empty when (re-)joining.');
      if (req.subscribedTopicNames === null) return bad('SubscribedTopicNames must be set in first request.');
    } else if (req.memberEpoch === STATIC_LEAVE_EPOCH) {
      if (req.memberId === '') return bad("MemberId can't be empty.");
      if (req.instanceId === null) return bad("InstanceId can't be null.");
    } else {
      return bad('MemberEpoch is invalid.');
    }
    if (req.serverAssignor !== null && !this.config.assignors.includes(req.serverAssignor)) {
      return fail(ErrorCode.UNSUPPORTED_ASSIGNOR, `ServerAssignor ${req.serverAssignor} is not supported. Supported assignors: ${this.config.assignors.join(', ')}.`);
    }
    return null;
  }

  private scheduleSession(groupId: string, memberId: string, now: number): void {
    this.timers.schedule(sessionKey(groupId, memberId), now + this.config.sessionTimeoutMs, (at) => {
      if (!this.fence(groupId, memberId, at)) this.scheduleSession(groupId, memberId, at);
    });
  }

  private scheduleRebalance(groupId: string, memberId: string, epoch: number, timeoutMs: number, now: number): void {
    this.timers.schedule(rebalanceKey(groupId, memberId), now + Math.max(0, timeoutMs), (at) => {
      const m = this.groups.get(groupId)?.members.get(memberId);
      if (m && m.current.state === MemberState.UNREVOKED_PARTITIONS && m.current.memberEpoch === epoch) this.fence(groupId, memberId, at);
    });
  }
}

const sessionKey = (groupId: string, memberId: string): string => `consumer-session\u0000${groupId}\u0000${memberId}`;
const rebalanceKey = (groupId: string, memberId: string): string => `consumer-rebalance\u0000${groupId}\u0000${memberId}`;

/** FENCED_MEMBER_EPOCH unless the epoch is the member's, or its previous one with owned partitions inside its assignment (a lost answer). */
function epochError(member: ConsumerMember, req: HeartbeatRequest): HeartbeatResult | null {
  const known = member.current.memberEpoch;
  if (req.memberEpoch === known) return null;
  if (req.memberEpoch < known && req.memberEpoch === member.current.previousMemberEpoch) {
    const owned = req.topicPartitions === null ? null : fromWire(req.topicPartitions);
    if (owned !== null && isSubset(owned, member.current.assigned)) return null;
  }
  const relation = req.memberEpoch > known ? 'greater' : 'smaller';
  return fail(
    ErrorCode.FENCED_MEMBER_EPOCH,
    `The consumer group member has a ${relation} member epoch (${req.memberEpoch}) than the one known by the group coordinator (${known}). The member must abandon all its partitions and rejoin.`,
  );
}

function sameSubscription(a: MemberSubscription, b: MemberSubscription): boolean {
  return (
    a.instanceId === b.instanceId &&
    a.rackId === b.rackId &&
    a.clientId === b.clientId &&
    a.clientHost === b.clientHost &&
    a.rebalanceTimeoutMs === b.rebalanceTimeoutMs &&
    a.subscribedTopicRegex === b.subscribedTopicRegex &&
    !subscriptionChanged(a, b)
  );
}

/** A change that needs a new target assignment: topics or assignor. */
function subscriptionChanged(a: MemberSubscription, b: MemberSubscription): boolean {
  if (a.serverAssignor !== b.serverAssignor) return true;
  if (a.subscribedTopicNames.length !== b.subscribedTopicNames.length) return true;
  const set = new Set(a.subscribedTopicNames);
  return b.subscribedTopicNames.some((n) => !set.has(n));
}
