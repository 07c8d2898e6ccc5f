/**
 * Partitions of topics as Kafka's admin client describes them: DescribeTopicPartitions (v0,
 * with the eligible leader replicas and the last known ones, paged with its cursor) when the
 * broker serves it, else Metadata, which has no ELR (then `elr` and `lastKnownElr` are null,
 * which kafka-topics.sh prints as N/A).
 */
import type { ApiDefinition } from '../../protocol/generated/api-definition.js';
import {
  DescribeTopicPartitionsApi,
  defaultDescribeTopicPartitionsRequest,
  type DescribeTopicPartitionsRequestCursor,
} from '../../protocol/generated/messages/75-describe-topic-partitions.js';
import type { Cluster } from './cluster.js';
import { check } from './errors.js';

export interface PartitionInfo {
  partition: number;
  leader: number;
  replicas: number[];
  isr: number[];
  elr: number[] | null;
  lastKnownElr: number[] | null;
}

export interface TopicPartitions {
  name: string;
  topicId: string;
  internal: boolean;
  partitions: PartitionInfo[];
}

/** The topics named (each must exist, else its error is thrown), partitions sorted. */
export async function describeTopicPartitions(cluster: Cluster, names: string[]): Promise<TopicPartitions[]> {
  if (names.length === 0) return [];
  const connection = await cluster.any();
  const byName = new Map<string, TopicPartitions>();
  if (connection.versionFor(DescribeTopicPartitionsApi as ApiDefinition<unknown, unknown>) >= 0) {
    let cursor: DescribeTopicPartitionsRequestCursor | null = null;
    for (let page = 0; page < 10_000; page++) {
      const request = defaultDescribeTopicPartitionsRequest();
      request.topics = names.map((name) => ({ name }));
      request.responsePartitionLimit = 2000;
      request.cursor = cursor;
      const response = await cluster.withRetries('DescribeTopicPartitions', () =>
        connection.send(DescribeTopicPartitionsApi, request),
      );
      for (const t of response.topics) {
        check(t.errorCode, `topic ${t.name ?? ''}`);
        const name = t.name ?? '';
        const entry = byName.get(name) ?? { name, topicId: t.topicId, internal: t.isInternal, partitions: [] };
        for (const p of t.partitions)
          entry.partitions.push({
            partition: p.partitionIndex,
            leader: p.leaderId,
            replicas: p.replicaNodes,
            isr: p.isrNodes,
            elr: p.eligibleLeaderReplicas,
            lastKnownElr: p.lastKnownElr,
          });
        byName.set(name, entry);
      }
      cursor = response.nextCursor;
      if (cursor === null) break;
    }
  } else {
    const response = await cluster.withRetries('Metadata', () => cluster.metadata(names));
    for (const t of response.topics) {
      check(t.errorCode, `topic ${t.name ?? ''}`);
      byName.set(t.name ?? '', {
        name: t.name ?? '',
        topicId: t.topicId,
        internal: t.isInternal,
        partitions: t.partitions.map((p) => ({
          partition: p.partitionIndex,
          leader: p.leaderId,
          replicas: p.replicaNodes,
          isr: p.isrNodes,
          elr: null,
          lastKnownElr: null,
        })),
      });
    }
  }
  const out = names.map((n) => byName.get(n)).filter((t): t is TopicPartitions => t !== undefined);
  for (const t of out) t.partitions.sort((a, b) => a.partition - b.partition);
  return out;
}
