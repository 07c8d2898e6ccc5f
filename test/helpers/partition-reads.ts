/**
 * Test helper for process clusters: what one partition holds, asked of its current leader with raw
 * requests (no consumer group, so no `__consumer_offsets` is needed while brokers are down):
 * ListOffsets earliest/latest, every record value from an offset up to the high watermark, and
 * the base offsets of a replica's segment files on disk.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { FetchApi } from '../../protocol/generated/messages/01-fetch.js';
import { ListOffsetsApi, defaultListOffsetsRequest } from '../../protocol/generated/messages/02-list-offsets.js';
import { decodeRecordBatches } from '../../protocol/records/index.js';
import { fetchRequest } from './data-path.js';
import type { ClusterNode, ProcessCluster } from './process-cluster.js';

const EARLIEST = -2n;
const LATEST = -1n;

/** ListOffsets (v7) earliest or latest of partition 0 on `node`; null on any error. */
export async function listOffset(
  cluster: ProcessCluster,
  node: ClusterNode,
  topic: string,
  which: 'earliest' | 'latest',
): Promise<number | null> {
  try {
    const response = await cluster.call(node, ListOffsetsApi, 7, {
      ...defaultListOffsetsRequest(),
      replicaId: -1,
      topics: [
        {
          name: topic,
          partitions: [
            {
              partitionIndex: 0,
              currentLeaderEpoch: -1,
              timestamp: which === 'earliest' ? EARLIEST : LATEST,
              maxNumOffsets: 1,
            },
          ],
        },
      ],
    });
    const p = response.topics[0]?.partitions[0];
    return p && p.errorCode === 0 ? Number(p.offset) : null;
  } catch {
    return null;
  }
}

/** Every record value of partition 0 from `from` to the high watermark, read from `node` (its leader); null on an error. */
export async function readAll(
  cluster: ProcessCluster,
  node: ClusterNode,
  topic: string,
  from = 0,
  maxTurns = 1000,
): Promise<string[] | null> {
  const values: string[] = [];
  let offset = BigInt(from);
  for (let turn = 0; turn < maxTurns; turn++) {
    let response;
    try {
      response = await cluster.call(node, FetchApi, 12, fetchRequest([{ topic, offset }]));
    } catch {
      return null;
    }
    const p = response.responses[0]?.partitions[0];
    if (!p || response.errorCode !== 0 || p.errorCode !== 0) return null;
    const batches = decodeRecordBatches(p.records ?? Buffer.alloc(0), { allowPartialTrailing: true });
    for (const batch of batches)
      for (const record of batch.records) {
        const at = batch.baseOffset + BigInt(record.offsetDelta);
        if (at >= offset && at < p.highWatermark) values.push(record.value?.toString('utf8') ?? '');
      }
    const last = batches[batches.length - 1];
    if (last) offset = last.baseOffset + BigInt(last.lastOffsetDelta) + 1n;
    if (offset >= p.highWatermark || !last) return values;
  }
  return null;
}

/** Base offsets of the segment files of `<topic>-0` in a node's log dir, sorted ([] when the folder is gone). */
export function segmentBases(node: ClusterNode, topic: string): number[] {
  try {
    return readdirSync(join(node.dir, `${topic}-0`))
      .filter((f) => f.endsWith('.log'))
      .map((f) => Number(f.slice(0, -'.log'.length)))
      .sort((a, b) => a - b);
  } catch {
    return [];
  }
}

/** Whether a node's log dir still holds a live folder for `<topic>-0` (a folder renamed for deletion does not count). */
export function hostsPartitionFolder(node: ClusterNode, topic: string): boolean {
  try {
    return readdirSync(node.dir).includes(`${topic}-0`);
  } catch {
    return false;
  }
}
