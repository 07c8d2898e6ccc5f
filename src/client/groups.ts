/**
 * Consumer group administration over the Kafka protocol: list groups, describe one
 * (state, members with their assignments, committed offsets, log end offsets and lag),
 * reset its offsets (only while the group has no active member, as Kafka's tools
 * require; a group that does not exist yet can be given offsets) and delete it.
 */
import { Reader } from '../../protocol/primitives/index.js';
import { decodeConsumerProtocolAssignment } from '../../protocol/generated/data/ConsumerProtocolAssignment.js';
import { ListGroupsApi, defaultListGroupsRequest } from '../../protocol/generated/messages/16-list-groups.js';
import {
  DescribeGroupsApi,
  defaultDescribeGroupsRequest,
} from '../../protocol/generated/messages/15-describe-groups.js';
import { DeleteGroupsApi, defaultDeleteGroupsRequest } from '../../protocol/generated/messages/42-delete-groups.js';
import { OffsetDeleteApi, defaultOffsetDeleteRequest } from '../../protocol/generated/messages/47-offset-delete.js';
import type { Cluster } from './cluster.js';
import { KafkaClientError, check } from './errors.js';

/** Kafka's error code for a group the coordinator does not know. */
const GROUP_ID_NOT_FOUND = 69;
import { LATEST, listOffsets } from './offsets.js';
import { commitOffsets, fetchCommittedOffsets } from './group-offsets.js';

export interface GroupListing {
  groupId: string;
  state: string;
  protocolType: string;
  type: string;
}

export interface MemberDescription {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  host: string;
  assignment: string[];
}

export interface PartitionLag {
  topic: string;
  partition: number;
  committedOffset: string;
  logEndOffset: string;
  lag: string;
  owner: string;
}

export interface GroupDescription {
  groupId: string;
  state: string;
  protocolType: string;
  protocol: string;
  members: MemberDescription[];
  offsets: PartitionLag[];
  totalLag: string;
  /** Log end offsets of assigned partitions with no committed offset, by `topic-partition` (Kafka's describe lists them). */
  uncommittedLogEnds: Map<string, string>;
}

export async function listGroups(cluster: Cluster): Promise<GroupListing[]> {
  return cluster.withRetries('FindAllBrokers', () => listGroupsOnce(cluster));
}

async function listGroupsOnce(cluster: Cluster): Promise<GroupListing[]> {
  await cluster.metadata([]);
  const all: GroupListing[] = [];
  for (const broker of cluster.knownBrokers) {
    const connection = await cluster.toNode(broker.nodeId);
    const response = await connection.send(ListGroupsApi, defaultListGroupsRequest());
    check(response.errorCode, `ListGroups on broker ${broker.nodeId}`);
    for (const g of response.groups)
      all.push({ groupId: g.groupId, state: g.groupState, protocolType: g.protocolType, type: g.groupType });
  }
  return all.sort((a, b) => a.groupId.localeCompare(b.groupId));
}

function decodeAssignment(bytes: Buffer): string[] {
  if (bytes.length < 2) return [];
  try {
    const reader = new Reader(bytes);
    const version = reader.int16();
    const assignment = decodeConsumerProtocolAssignment(reader, Math.min(version, 3));
    return assignment.assignedPartitions.flatMap((tp) => tp.partitions.map((p) => `${tp.topic}-${p}`));
  } catch {
    return ['(not a consumer assignment)'];
  }
}

/** The log end offsets of the partitions members own that have no committed offset ('-' where unknown). */
async function logEndsOfUncommitted(
  cluster: Cluster,
  members: readonly MemberDescription[],
  committed: ReadonlyArray<{ topic: string; partition: number }>,
): Promise<Map<string, string>> {
  const done = new Set(committed.map((c) => `${c.topic}-${c.partition}`));
  const byTopic = new Map<string, number[]>();
  for (const m of members)
    for (const tp of m.assignment) {
      const cut = tp.lastIndexOf('-');
      const partition = Number(tp.slice(cut + 1));
      if (done.has(tp) || cut < 0 || !Number.isInteger(partition)) continue;
      byTopic.set(tp.slice(0, cut), [...(byTopic.get(tp.slice(0, cut)) ?? []), partition]);
    }
  const ends = new Map<string, string>();
  for (const [topic, partitions] of byTopic) {
    const found = await listOffsets(cluster, topic, partitions, LATEST).catch(() => new Map<number, bigint>());
    for (const [partition, end] of found) ends.set(`${topic}-${partition}`, String(end));
  }
  return ends;
}

export async function describeGroup(cluster: Cluster, groupId: string): Promise<GroupDescription> {
  const group = await cluster.withRetries(`DescribeGroups ${groupId}`, async () => {
    const coordinator = await cluster.coordinator(groupId);
    const request = defaultDescribeGroupsRequest();
    request.groups = [groupId];
    const response = await coordinator.send(DescribeGroupsApi, request);
    const described = response.groups[0];
    if (!described) throw new KafkaClientError(-1, `DescribeGroups ${groupId}`, 'empty answer');
    check(described.errorCode, `describe group ${groupId}`);
    return described;
  });
  const members = group.members.map((m) => ({
    memberId: m.memberId,
    groupInstanceId: m.groupInstanceId,
    clientId: m.clientId,
    host: m.clientHost,
    assignment: group.protocolType === 'consumer' ? decodeAssignment(m.memberAssignment) : [],
  }));
  const owners = new Map<string, string>();
  for (const m of members) for (const tp of m.assignment) owners.set(tp, m.clientId || m.memberId);
  const committed = await fetchCommittedOffsets(cluster, groupId, null);
  const offsets: PartitionLag[] = [];
  let totalLag = 0n;
  const byTopic = new Map<string, Map<number, bigint>>();
  for (const c of committed)
    byTopic.set(c.topic, (byTopic.get(c.topic) ?? new Map<number, bigint>()).set(c.partition, c.offset));
  for (const [topic, partitions] of [...byTopic].sort((a, b) => a[0].localeCompare(b[0]))) {
    const ends = await listOffsets(cluster, topic, [...partitions.keys()], LATEST).catch(
      () => new Map<number, bigint>(),
    );
    for (const [partition, offset] of [...partitions].sort((a, b) => a[0] - b[0])) {
      const end = ends.get(partition);
      const lag = end !== undefined && offset >= 0n ? (end > offset ? end - offset : 0n) : null;
      if (lag !== null) totalLag += lag;
      offsets.push({
        topic,
        partition,
        committedOffset: String(offset),
        logEndOffset: end === undefined ? '-' : String(end),
        lag: lag === null ? '-' : String(lag),
        owner: owners.get(`${topic}-${partition}`) ?? '-',
      });
    }
  }
  const uncommittedLogEnds = await logEndsOfUncommitted(cluster, members, committed);
  return {
    groupId,
    uncommittedLogEnds,
    state: group.groupState,
    protocolType: group.protocolType,
    protocol: group.protocolData,
    members,
    offsets,
    totalLag: String(totalLag),
  };
}

export async function deleteGroup(cluster: Cluster, groupId: string): Promise<void> {
  await cluster.withRetries(`DeleteGroups ${groupId}`, async () => {
    const coordinator = await cluster.coordinator(groupId);
    const request = defaultDeleteGroupsRequest();
    request.groupsNames = [groupId];
    const response = await coordinator.send(DeleteGroupsApi, request);
    const result = response.results[0];
    if (!result) throw new KafkaClientError(-1, `DeleteGroups ${groupId}`, 'empty answer');
    check(result.errorCode, `delete group ${groupId}`);
  });
}

export type ResetTarget =
  | { kind: 'earliest' }
  | { kind: 'latest' }
  | { kind: 'datetime'; timestampMs: bigint }
  | { kind: 'shift'; by: bigint }
  | { kind: 'offset'; offset: bigint }
  /** Given offsets (`${topic}:${partition}` to offset); partitions not named are left alone. */
  | { kind: 'plan'; offsets: ReadonlyMap<string, bigint> };

export interface PlannedReset {
  topic: string;
  partition: number;
  currentOffset: string;
  newOffset: string;
}

/**
 * Computes new offsets for every partition of `topics` (default: the topics the group
 * has offsets for) and, unless `dryRun`, commits them. Refused while the group has
 * members, as kafka-consumer-groups.sh refuses it.
 */
export async function resetOffsets(
  cluster: Cluster,
  groupId: string,
  target: ResetTarget,
  topics: string[] | null,
  dryRun: boolean,
): Promise<PlannedReset[]> {
  // A group that does not exist yet (GROUP_ID_NOT_FOUND from DescribeGroups v6) is Kafka's
  // "Dead" state: kafka-consumer-groups.sh resets it, so offsets can be set before its first start.
  const description = await describeGroup(cluster, groupId).catch((e: unknown) => {
    if (e instanceof KafkaClientError && e.code === GROUP_ID_NOT_FOUND) return null;
    throw e;
  });
  // As kafka-consumer-groups.sh, a dry run included: only an Empty (or not yet existing) group.
  if (description && description.state !== 'Empty' && description.state !== 'Dead') {
    throw new Error(
      `Assignments can only be reset if the group '${groupId}' is inactive, but the current state is ${description.state} (${description.members.length} member(s)): stop its consumers first`,
    );
  }
  const committed = await fetchCommittedOffsets(cluster, groupId, null);
  const wanted = topics ?? [...new Set(committed.map((c) => c.topic))];
  if (wanted.length === 0)
    throw new Error(`group ${groupId} has no committed offsets: name the topics to set offsets for (-t TOPIC)`);
  const plan: PlannedReset[] = [];
  for (const topic of wanted.sort()) {
    const partitions = [...(await cluster.leaders(topic)).keys()].sort((a, b) => a - b);
    const earliest = await listOffsets(cluster, topic, partitions, -2n);
    const latest = await listOffsets(cluster, topic, partitions, LATEST);
    const atTime =
      target.kind === 'datetime' ? await listOffsets(cluster, topic, partitions, target.timestampMs) : null;
    for (const partition of partitions) {
      const given = target.kind === 'plan' ? target.offsets.get(`${topic}:${partition}`) : undefined;
      if (target.kind === 'plan' && given === undefined) continue;
      const current = committed.find((c) => c.topic === topic && c.partition === partition)?.offset ?? -1n;
      const low = earliest.get(partition) ?? 0n;
      const high = latest.get(partition) ?? 0n;
      let next: bigint;
      if (target.kind === 'earliest') next = low;
      else if (target.kind === 'latest') next = high;
      else if (target.kind === 'offset') next = target.offset;
      else if (given !== undefined) next = given;
      else if (target.kind === 'shift') next = (current < 0n ? high : current) + target.by;
      else {
        const found = atTime?.get(partition) ?? -1n;
        next = found < 0n ? high : found;
      }
      if (next < low) next = low;
      if (next > high) next = high;
      plan.push({ topic, partition, currentOffset: String(current), newOffset: String(next) });
    }
  }
  if (!dryRun && plan.length > 0) {
    await commitOffsets(
      cluster,
      groupId,
      { generationId: -1, memberId: '' },
      plan.map((p) => ({ topic: p.topic, partition: p.partition, offset: BigInt(p.newOffset) })),
    );
  }
  return plan;
}

export interface OffsetDeleteResult {
  /** The request's error (0 when the group accepted it). */
  errorCode: number;
  partitions: Array<{ topic: string; partition: number; errorCode: number }>;
}

/** OffsetDelete: removes the group's committed offsets of these partitions (an Empty group, or unsubscribed topics). */
export async function deleteGroupOffsets(
  cluster: Cluster,
  groupId: string,
  partitions: Array<{ topic: string; partition: number }>,
): Promise<OffsetDeleteResult> {
  return cluster.withRetries(`OffsetDelete ${groupId}`, async () => {
    const coordinator = await cluster.coordinator(groupId);
    const request = defaultOffsetDeleteRequest();
    request.groupId = groupId;
    const byTopic = new Map<string, number[]>();
    for (const p of partitions) byTopic.set(p.topic, [...(byTopic.get(p.topic) ?? []), p.partition]);
    request.topics = [...byTopic].map(([name, indexes]) => ({
      name,
      partitions: indexes.map((partitionIndex) => ({ partitionIndex })),
    }));
    const response = await coordinator.send(OffsetDeleteApi, request);
    if (response.errorCode === 16 || response.errorCode === 15 || response.errorCode === 14)
      throw new KafkaClientError(response.errorCode, `OffsetDelete ${groupId}`);
    return {
      errorCode: response.errorCode,
      partitions: response.topics.flatMap((t) =>
        t.partitions.map((p) => ({ topic: t.name, partition: p.partitionIndex, errorCode: p.errorCode })),
      ),
    };
  });
}
