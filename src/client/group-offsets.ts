/** Committed offsets of a group: OffsetFetch and OffsetCommit at the group's coordinator. */
import type { ApiDefinition } from '../../protocol/generated/api-definition.js';
import { OffsetFetchApi, defaultOffsetFetchRequest } from '../../protocol/generated/messages/09-offset-fetch.js';
import { OffsetCommitApi, defaultOffsetCommitRequest } from '../../protocol/generated/messages/08-offset-commit.js';
import { ZERO_UUID } from '../../protocol/primitives/index.js';
import type { Cluster } from './cluster.js';
import { KafkaClientError, check } from './errors.js';

/** The last OffsetCommit / OffsetFetch version that names topics (v10, Kafka 4.2, names them by id only). */
const LAST_OFFSETS_VERSION_BY_NAME = 9;

export interface CommittedOffset {
  topic: string;
  partition: number;
  offset: bigint;
}

/** The group's committed offsets, for the given topics' partitions or all (null). */
export async function fetchCommittedOffsets(
  cluster: Cluster,
  groupId: string,
  topics: Array<{ topic: string; partitions: number[] }> | null,
): Promise<CommittedOffset[]> {
  return cluster.withRetries(`OffsetFetch ${groupId}`, async () => {
    const coordinator = await cluster.coordinator(groupId);
    const version = coordinator.versionFor(
      OffsetFetchApi as ApiDefinition<unknown, unknown>,
      LAST_OFFSETS_VERSION_BY_NAME,
    );
    const request = defaultOffsetFetchRequest();
    const wanted =
      topics === null
        ? null
        : topics.map((t) => ({ name: t.topic, topicId: ZERO_UUID, partitionIndexes: t.partitions }));
    if (version >= 8) {
      request.groups = [{ groupId, memberId: null, memberEpoch: -1, topics: wanted }];
      request.topics = [];
    } else {
      request.groupId = groupId;
      request.topics = wanted;
    }
    const response = await coordinator.send(OffsetFetchApi, request, version);
    const result: CommittedOffset[] = [];
    if (version >= 8) {
      const group = response.groups[0];
      if (!group) throw new KafkaClientError(-1, `OffsetFetch ${groupId}`, 'empty answer');
      check(group.errorCode, `fetch offsets of ${groupId}`);
      for (const t of group.topics)
        for (const p of t.partitions)
          if (p.errorCode === 0) result.push({ topic: t.name, partition: p.partitionIndex, offset: p.committedOffset });
    } else {
      check(response.errorCode, `fetch offsets of ${groupId}`);
      for (const t of response.topics)
        for (const p of t.partitions)
          if (p.errorCode === 0) result.push({ topic: t.name, partition: p.partitionIndex, offset: p.committedOffset });
    }
    return result.filter((r) => r.offset >= 0n);
  });
}

export interface CommitIdentity {
  generationId: number;
  memberId: string;
}

export async function commitOffsets(
  cluster: Cluster,
  groupId: string,
  identity: CommitIdentity,
  offsets: CommittedOffset[],
): Promise<void> {
  await cluster.withRetries(`OffsetCommit ${groupId}`, async () => {
    const coordinator = await cluster.coordinator(groupId);
    const version = coordinator.versionFor(
      OffsetCommitApi as ApiDefinition<unknown, unknown>,
      LAST_OFFSETS_VERSION_BY_NAME,
    );
    const request = defaultOffsetCommitRequest();
    request.groupId = groupId;
    request.generationIdOrMemberEpoch = identity.generationId;
    request.memberId = identity.memberId;
    const byTopic = new Map<string, CommittedOffset[]>();
    for (const o of offsets) byTopic.set(o.topic, [...(byTopic.get(o.topic) ?? []), o]);
    request.topics = [...byTopic].map(([name, list]) => ({
      name,
      topicId: ZERO_UUID,
      partitions: list.map((o) => ({
        partitionIndex: o.partition,
        committedOffset: o.offset,
        committedLeaderEpoch: -1,
        commitTimestamp: -1n,
        committedMetadata: '',
      })),
    }));
    const response = await coordinator.send(OffsetCommitApi, request, version);
    for (const t of response.topics)
      for (const p of t.partitions) check(p.errorCode, `commit ${t.name}-${p.partitionIndex} for ${groupId}`);
  });
}
