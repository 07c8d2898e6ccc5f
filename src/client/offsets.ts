/**
 * Log offsets of partitions through ListOffsets, asked of each partition's leader:
 * earliest (-2), latest (-1) or the first offset at or after a timestamp.
 */
import type { ApiDefinition } from '../../protocol/generated/api-definition.js';
import { ListOffsetsApi, defaultListOffsetsRequest } from '../../protocol/generated/messages/02-list-offsets.js';
import type { Cluster } from './cluster.js';
import { KafkaClientError } from './errors.js';

export const EARLIEST = -2n;
export const LATEST = -1n;

/** Offsets per partition for one topic; `spec` is EARLIEST, LATEST or a timestamp in ms. */
export async function listOffsets(
  cluster: Cluster,
  topic: string,
  partitions: number[],
  spec: bigint,
  isolationLevel = 0,
): Promise<Map<number, bigint>> {
  return cluster.withRetries(`ListOffsets ${topic}`, async () => {
    const leaders = await cluster.leaders(topic);
    const byLeader = new Map<number, number[]>();
    for (const p of partitions) {
      const leader = leaders.get(p);
      if (leader === undefined) throw new KafkaClientError(3, `${topic}-${p}`);
      if (leader < 0) throw new KafkaClientError(5, `${topic}-${p}`);
      byLeader.set(leader, [...(byLeader.get(leader) ?? []), p]);
    }
    const result = new Map<number, bigint>();
    for (const [leader, owned] of byLeader) {
      const connection = await cluster.toNode(leader);
      const version = connection.versionFor(ListOffsetsApi as ApiDefinition<unknown, unknown>);
      const request = defaultListOffsetsRequest();
      request.replicaId = -1;
      request.isolationLevel = version >= 2 ? isolationLevel : 0;
      request.topics = [
        {
          name: topic,
          partitions: owned.map((partitionIndex) => ({
            partitionIndex,
            currentLeaderEpoch: -1,
            timestamp: spec,
            maxNumOffsets: 1,
          })),
        },
      ];
      const response = await connection.send(ListOffsetsApi, request, version);
      for (const t of response.topics) {
        for (const p of t.partitions) {
          if (p.errorCode !== 0) throw new KafkaClientError(p.errorCode, `ListOffsets ${topic}-${p.partitionIndex}`);
          result.set(p.partitionIndex, version === 0 ? (p.oldStyleOffsets[0] ?? -1n) : p.offset);
        }
      }
    }
    return result;
  });
}
