/**
 * Partition reassignments over Gregor's client, as Kafka's admin client's
 * alterPartitionReassignments and listPartitionReassignments: AlterPartitionReassignments (key 45,
 * v0) and ListPartitionReassignments (key 46, v0), sent to any broker (a KRaft broker forwards
 * them to the active controller). Used by kafka-reassign-partitions.sh.
 */
import {
  AlterPartitionReassignmentsApi,
  defaultAlterPartitionReassignmentsRequest,
} from '../../protocol/generated/messages/45-alter-partition-reassignments.js';
import {
  ListPartitionReassignmentsApi,
  defaultListPartitionReassignmentsRequest,
} from '../../protocol/generated/messages/46-list-partition-reassignments.js';
import type { Cluster } from './cluster.js';
import { check, KafkaClientError } from './errors.js';

export interface OngoingReassignment {
  topic: string;
  partition: number;
  replicas: number[];
  addingReplicas: number[];
  removingReplicas: number[];
}

/** The reassignments in progress (of the given partitions, or all when null). */
export async function listReassignments(
  cluster: Cluster,
  partitions: ReadonlyArray<{ topic: string; partition: number }> | null,
): Promise<OngoingReassignment[]> {
  return cluster.withRetries('ListPartitionReassignments', async () => {
    const request = defaultListPartitionReassignmentsRequest();
    request.timeoutMs = 30_000;
    if (partitions === null) request.topics = null;
    else {
      const byTopic = new Map<string, number[]>();
      for (const p of partitions) byTopic.set(p.topic, [...(byTopic.get(p.topic) ?? []), p.partition]);
      request.topics = [...byTopic].map(([name, partitionIndexes]) => ({ name, partitionIndexes }));
    }
    const response = await (await cluster.any()).send(ListPartitionReassignmentsApi, request, 0);
    check(response.errorCode, 'ListPartitionReassignments', response.errorMessage);
    return response.topics.flatMap((t) =>
      t.partitions.map((p) => ({
        topic: t.name,
        partition: p.partitionIndex,
        replicas: p.replicas,
        addingReplicas: p.addingReplicas,
        removingReplicas: p.removingReplicas,
      })),
    );
  });
}

/**
 * Starts (replicas given) or cancels (replicas null) reassignments: the error of each partition
 * that was refused, by `topic-partition` (empty when all were accepted).
 */
export async function alterReassignments(
  cluster: Cluster,
  targets: ReadonlyArray<{ topic: string; partition: number; replicas: number[] | null }>,
): Promise<Map<string, KafkaClientError>> {
  return cluster.withRetries('AlterPartitionReassignments', async () => {
    const request = defaultAlterPartitionReassignmentsRequest();
    request.timeoutMs = 30_000;
    const byTopic = new Map<string, Array<{ partitionIndex: number; replicas: number[] | null }>>();
    for (const t of targets)
      byTopic.set(t.topic, [...(byTopic.get(t.topic) ?? []), { partitionIndex: t.partition, replicas: t.replicas }]);
    request.topics = [...byTopic].map(([name, partitions]) => ({ name, partitions }));
    const response = await (await cluster.any()).send(AlterPartitionReassignmentsApi, request, 0);
    check(response.errorCode, 'AlterPartitionReassignments', response.errorMessage);
    const errors = new Map<string, KafkaClientError>();
    for (const t of response.responses)
      for (const p of t.partitions)
        if (p.errorCode !== 0)
          errors.set(
            `${t.name}-${p.partitionIndex}`,
            new KafkaClientError(p.errorCode, `${t.name}-${p.partitionIndex}`, p.errorMessage),
          );
    return errors;
  });
}
