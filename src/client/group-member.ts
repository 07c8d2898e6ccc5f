/**
 * A member of a classic consumer group for one topic or several: JoinGroup (retrying with
 * the member id the coordinator hands out), the leader computes a range assignment (per
 * topic, over the members subscribed to it, as Kafka's RangeAssignor), SyncGroup,
 * heartbeats every `heartbeatIntervalMs`, and a rejoin whenever the coordinator says the
 * group is rebalancing. Commits go with the generation and member id; `leave` sends
 * LeaveGroup. Leaves out: static membership, cooperative rebalancing, KIP-848.
 */
import { Reader, Writer } from '../../protocol/primitives/index.js';
import {
  decodeConsumerProtocolSubscription,
  encodeConsumerProtocolSubscription,
  defaultConsumerProtocolSubscription,
} from '../../protocol/generated/data/ConsumerProtocolSubscription.js';
import {
  decodeConsumerProtocolAssignment,
  encodeConsumerProtocolAssignment,
} from '../../protocol/generated/data/ConsumerProtocolAssignment.js';
import { JoinGroupApi, defaultJoinGroupRequest } from '../../protocol/generated/messages/11-join-group.js';
import { SyncGroupApi, defaultSyncGroupRequest } from '../../protocol/generated/messages/14-sync-group.js';
import { HeartbeatApi, defaultHeartbeatRequest } from '../../protocol/generated/messages/12-heartbeat.js';
import { LeaveGroupApi, defaultLeaveGroupRequest } from '../../protocol/generated/messages/13-leave-group.js';
import type { ApiDefinition } from '../../protocol/generated/api-definition.js';
import type { Cluster } from './cluster.js';
import { KafkaClientError } from './errors.js';

const MEMBER_ID_REQUIRED = 79;
const REBALANCE_IN_PROGRESS = 27;
const UNKNOWN_MEMBER_ID = 25;
const ILLEGAL_GENERATION = 22;

export interface GroupMemberOptions {
  groupId: string;
  /** The topic subscribed to; `topics`, when given, subscribes to all of those instead. */
  topic: string;
  topics?: readonly string[];
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  /**
   * allow.auto.create.topics: the leader's Metadata asks the broker to auto-create a subscribed
   * topic that is missing (the Java consumer's default; the broker decides).
   */
  autoCreateTopics?: boolean;
}

/** Metadata's answers for a topic that does not exist (yet): the Java consumer assigns nothing of it. */
const TOPIC_MISSING = new Set([3, 5]); // UNKNOWN_TOPIC_OR_PARTITION, LEADER_NOT_AVAILABLE (being created)

function encodeWithVersion(write: (w: Writer) => void): Buffer {
  const w = new Writer();
  w.int16(0);
  write(w);
  return w.toBuffer();
}

/** Range assignment of one topic's partitions over the members, sorted by member id. */
export function rangeAssign(memberIds: string[], partitionCount: number): Map<string, number[]> {
  const sorted = [...memberIds].sort();
  const result = new Map<string, number[]>();
  const per = Math.floor(partitionCount / sorted.length);
  const extra = partitionCount % sorted.length;
  let next = 0;
  sorted.forEach((member, i) => {
    const count = per + (i < extra ? 1 : 0);
    result.set(
      member,
      Array.from({ length: count }, (_, k) => next + k),
    );
    next += count;
  });
  return result;
}

/** The members' subscriptions (from their JoinGroup metadata), range-assigned topic by topic. */
export function rangeAssignTopics(
  subscriptions: ReadonlyMap<string, readonly string[]>,
  partitionCounts: ReadonlyMap<string, number>,
): Map<string, Map<string, number[]>> {
  const result = new Map<string, Map<string, number[]>>([...subscriptions.keys()].map((m) => [m, new Map()]));
  for (const [topic, count] of partitionCounts) {
    const members = [...subscriptions].filter(([, topics]) => topics.includes(topic)).map(([m]) => m);
    if (members.length === 0) continue;
    for (const [member, partitions] of rangeAssign(members, count))
      if (partitions.length > 0) result.get(member)!.set(topic, partitions);
  }
  return result;
}

function decodeSubscription(metadata: Buffer): string[] {
  if (metadata.length < 2) return [];
  const reader = new Reader(metadata);
  const version = reader.int16();
  return decodeConsumerProtocolSubscription(reader, Math.min(Math.max(version, 0), 3)).topics;
}

export class GroupMember {
  memberId = '';
  generationId = -1;
  assigned: number[] = [];
  /** Every assigned topic's partitions (`assigned` is those of `topic`). */
  assignment = new Map<string, number[]>();
  /**
   * Subscribed topics that did not exist when this member, as the group's leader, last assigned:
   * once one appears the group must rebalance (the Java consumer's leader rejoins when its
   * metadata no longer matches the assignment's).
   */
  missingTopics: string[] = [];
  private rejoinNeeded = true;

  constructor(
    private readonly cluster: Cluster,
    private readonly options: GroupMemberOptions,
  ) {}

  get needsRejoin(): boolean {
    return this.rejoinNeeded;
  }

  /** Joins (or rejoins) the group and returns the partitions assigned to this member. */
  async join(): Promise<number[]> {
    for (let attempt = 0; attempt < 20; attempt++) {
      const coordinator = await this.cluster.coordinator(this.options.groupId);
      const request = defaultJoinGroupRequest();
      request.groupId = this.options.groupId;
      request.sessionTimeoutMs = this.options.sessionTimeoutMs;
      request.rebalanceTimeoutMs = this.options.sessionTimeoutMs;
      request.memberId = this.memberId;
      request.protocolType = 'consumer';
      const subscription = defaultConsumerProtocolSubscription();
      subscription.topics = [...this.subscribed()];
      request.protocols = [
        { name: 'range', metadata: encodeWithVersion((w) => encodeConsumerProtocolSubscription(w, 0, subscription)) },
      ];
      const joined = await coordinator.send(JoinGroupApi, request);
      if (joined.errorCode === MEMBER_ID_REQUIRED) {
        this.memberId = joined.memberId;
        continue;
      }
      if (joined.errorCode === UNKNOWN_MEMBER_ID) {
        this.memberId = '';
        continue;
      }
      if (joined.errorCode === REBALANCE_IN_PROGRESS) continue;
      if (joined.errorCode !== 0) throw new KafkaClientError(joined.errorCode, `join group ${this.options.groupId}`);
      this.memberId = joined.memberId;
      this.generationId = joined.generationId;
      const sync = defaultSyncGroupRequest();
      sync.groupId = this.options.groupId;
      sync.generationId = joined.generationId;
      sync.memberId = this.memberId;
      sync.protocolType = 'consumer';
      sync.protocolName = joined.protocolName;
      if (joined.leader === this.memberId) {
        const subscriptions = new Map(joined.members.map((m) => [m.memberId, decodeSubscription(m.metadata)]));
        const counts = new Map<string, number>();
        const missing: string[] = [];
        for (const topic of new Set([...subscriptions.values()].flat())) {
          const count = await this.partitionCount(topic);
          if (count === null) missing.push(topic);
          else counts.set(topic, count);
        }
        this.missingTopics = missing;
        const plan = rangeAssignTopics(subscriptions, counts);
        sync.assignments = [...plan].map(([memberId, topics]) => ({
          memberId,
          assignment: encodeWithVersion((w) =>
            encodeConsumerProtocolAssignment(w, 0, {
              assignedPartitions: [...topics].map(([topic, partitions]) => ({ topic, partitions })),
              userData: null,
            }),
          ),
        }));
      }
      const synced = await coordinator.send(SyncGroupApi, sync);
      if (synced.errorCode === REBALANCE_IN_PROGRESS || synced.errorCode === ILLEGAL_GENERATION) continue;
      if (synced.errorCode !== 0) throw new KafkaClientError(synced.errorCode, `sync group ${this.options.groupId}`);
      this.assignment = this.decodeAssignment(synced.assignment);
      this.assigned = this.assignment.get(this.options.topic) ?? [];
      this.rejoinNeeded = false;
      return this.assigned;
    }
    throw new Error(`could not join group ${this.options.groupId} after 20 attempts`);
  }

  /** The partitions of `topic`, or null while it does not exist (auto-created first when allowed). */
  async partitionCount(topic: string): Promise<number | null> {
    return partitionCountOrNull(this.cluster, topic, this.options.autoCreateTopics === true);
  }

  /** Whether a topic missing at the last assignment exists now (the group should rebalance). */
  async missingTopicAppeared(): Promise<boolean> {
    for (const topic of this.missingTopics) if ((await this.partitionCount(topic)) !== null) return true;
    return false;
  }

  /** Sends one heartbeat; marks a rejoin as needed when the group rebalances. */
  async heartbeat(): Promise<void> {
    const coordinator = await this.cluster.coordinator(this.options.groupId);
    const request = defaultHeartbeatRequest();
    request.groupId = this.options.groupId;
    request.generationId = this.generationId;
    request.memberId = this.memberId;
    const response = await coordinator.send(HeartbeatApi, request);
    if (
      response.errorCode === REBALANCE_IN_PROGRESS ||
      response.errorCode === ILLEGAL_GENERATION ||
      response.errorCode === UNKNOWN_MEMBER_ID
    ) {
      if (response.errorCode === UNKNOWN_MEMBER_ID) this.memberId = '';
      this.rejoinNeeded = true;
    } else if (response.errorCode !== 0)
      throw new KafkaClientError(response.errorCode, `heartbeat to ${this.options.groupId}`);
  }

  async leave(): Promise<void> {
    if (this.memberId === '') return;
    const coordinator = await this.cluster.coordinator(this.options.groupId);
    const request = defaultLeaveGroupRequest();
    request.groupId = this.options.groupId;
    request.memberId = this.memberId;
    request.members = [{ memberId: this.memberId, groupInstanceId: null, reason: 'the consumer is closing' }];
    const version = Math.max(0, coordinator.versionFor(LeaveGroupApi as ApiDefinition<unknown, unknown>));
    if (version < 3) request.members = [];
    else request.memberId = '';
    if (version < 5) for (const m of request.members) m.reason = null;
    await coordinator.send(LeaveGroupApi, request, version);
    this.memberId = '';
  }

  private subscribed(): readonly string[] {
    return this.options.topics ?? [this.options.topic];
  }

  private decodeAssignment(bytes: Buffer): Map<string, number[]> {
    const result = new Map<string, number[]>();
    if (bytes.length < 2) return result;
    const reader = new Reader(bytes);
    const version = reader.int16();
    const assignment = decodeConsumerProtocolAssignment(reader, Math.min(version, 3));
    for (const tp of assignment.assignedPartitions)
      if (this.subscribed().includes(tp.topic))
        result.set(
          tp.topic,
          [...(result.get(tp.topic) ?? []), ...tp.partitions].sort((a, b) => a - b),
        );
    return result;
  }
}

/**
 * The partitions of `topic`, or null while it does not exist or is being created (auto-created first
 * when `autoCreate`, as a Java consumer with allow.auto.create.topics asks).
 */
export async function partitionCountOrNull(
  cluster: Cluster,
  topic: string,
  autoCreate: boolean,
): Promise<number | null> {
  try {
    const count = (await cluster.leaders(topic, autoCreate)).size;
    return count > 0 ? count : null;
  } catch (err) {
    if (err instanceof KafkaClientError && TOPIC_MISSING.has(err.code)) return null;
    throw err;
  }
}
