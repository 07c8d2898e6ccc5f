/** Test helper: typed Produce and Fetch requests over a raw client, with sensible defaults. */
import {
  ProduceApi,
  type ProduceResponsePartitionProduceResponse,
} from '../../protocol/generated/messages/00-produce.js';
import {
  FetchApi,
  defaultFetchRequest,
  defaultFetchRequestFetchPartition,
  type FetchRequest,
  type FetchResponse,
  type FetchResponsePartitionData,
} from '../../protocol/generated/messages/01-fetch.js';
import { buildRecordBatch, type BuildBatchOptions } from '../../protocol/records/index.js';
import type { RawClient } from './raw-client.js';

export function batchOf(values: string[], options: Partial<BuildBatchOptions> = {}): Buffer {
  return buildRecordBatch({
    records: values.map((v, i) => ({
      key: Buffer.from(`k${i}`),
      value: Buffer.from(v),
      timestamp: 1_700_000_000_000n + BigInt(i),
    })),
    ...options,
  });
}

export function produceRequest(
  topic: string,
  partition: number,
  records: Buffer | null,
  acks = 1,
  transactionalId: string | null = null,
) {
  return {
    transactionalId,
    acks,
    timeoutMs: 5000,
    topicData: [{ name: topic, topicId: 'AAAAAAAAAAAAAAAAAAAAAA', partitionData: [{ index: partition, records }] }],
  };
}

export async function produce(
  client: RawClient,
  version: number,
  topic: string,
  partition: number,
  records: Buffer | null,
  acks = 1,
): Promise<ProduceResponsePartitionProduceResponse> {
  const response = await client.call(ProduceApi, version, produceRequest(topic, partition, records, acks));
  return response.responses[0]!.partitionResponses[0]!;
}

export interface FetchOne {
  topic?: string;
  topicId?: string;
  partition?: number;
  offset?: bigint;
  partitionMaxBytes?: number;
}

export function fetchRequest(parts: FetchOne[], overrides: Partial<FetchRequest> = {}): FetchRequest {
  return {
    ...defaultFetchRequest(),
    maxWaitMs: 0,
    minBytes: 0,
    sessionEpoch: -1,
    ...overrides,
    topics: parts.map((p) => ({
      topic: p.topic ?? '',
      topicId: p.topicId ?? 'AAAAAAAAAAAAAAAAAAAAAA',
      partitions: [
        {
          ...defaultFetchRequestFetchPartition(),
          partition: p.partition ?? 0,
          fetchOffset: p.offset ?? 0n,
          partitionMaxBytes: p.partitionMaxBytes ?? 1 << 20,
        },
      ],
    })),
  };
}

export async function fetchOne(
  client: RawClient,
  version: number,
  part: FetchOne,
  overrides: Partial<FetchRequest> = {},
): Promise<FetchResponsePartitionData> {
  const response: FetchResponse = await client.call(FetchApi, version, fetchRequest([part], overrides));
  if (response.errorCode !== 0) throw new Error(`fetch error ${response.errorCode}`);
  return response.responses[0]!.partitions[0]!;
}
