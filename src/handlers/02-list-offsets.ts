/**
 * ListOffsets, versions 0-11 (v10, served by Kafka 4.0, adds TimeoutMs, the wait for offsets in
 * remote storage: Gregor has no tiered storage, every lookup is local and answers at once;
 * v11, Kafka 4.2's, allows -6, earliest pending upload, KIP-1023: offset -1, nothing is tiered).
 * Timestamps: -2 earliest (log start), -1 latest (high watermark, or the last stable
 * offset for read_committed, or the log end for followers), -3 max timestamp (v7+:
 * the record with the largest timestamp), -4 earliest local (v8+: the log start, there
 * is no tiered storage), -5 latest tiered (v9+: offset -1, nothing is tiered); any other
 * value finds the first offset whose timestamp is at or after it, among fetchable offsets
 * (offset and timestamp -1 when there is none).
 * v0 answers oldStyleOffsets as Kafka's legacy lookup (broker/legacy-offsets.ts): up to
 * maxNumOffsets offsets, descending, from the segments' base offsets and last modification
 * times and the log end; timestamps below -2 are UNSUPPORTED_VERSION. leaderEpoch (v4+) is the partition's current
 * epoch: the memory log keeps no epoch per offset. currentLeaderEpoch is checked (v4+).
 * A partition named more than once in one request (v1+) is answered INVALID_REQUEST at each
 * place, as Kafka's ReplicaManager.fetchOffset answers duplicated partitions.
 */
import {
  ListOffsetsApi,
  defaultListOffsetsResponseListOffsetsPartitionResponse,
  type ListOffsetsRequest,
  type ListOffsetsRequestListOffsetsPartition,
  type ListOffsetsResponse,
  type ListOffsetsResponseListOffsetsPartitionResponse,
} from '../../protocol/generated/messages/02-list-offsets.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { defineHandler } from './handler.js';
import { IsolationLevel, checkCurrentLeaderEpoch, fetchableEnd, leaderPartition } from '../broker/partition-access.js';
import type { Partition } from '../broker/replica-manager.js';
import { LegacyOffsetsError } from '../broker/errors.js';
import { legacyOffsetsBefore } from '../broker/legacy-offsets.js';
import type { RequestContext } from '../server/request-context.js';

export const LATEST_TIMESTAMP = -1n;
export const EARLIEST_TIMESTAMP = -2n;
export const MAX_TIMESTAMP = -3n;
export const EARLIEST_LOCAL_TIMESTAMP = -4n;
export const LATEST_TIERED_TIMESTAMP = -5n;
export const EARLIEST_PENDING_UPLOAD_TIMESTAMP = -6n;

interface Found {
  offset: number;
  timestamp: number;
}

function lookup(partition: Partition, timestamp: bigint, end: number, version: number): Found | null {
  const log = partition.log;
  if (timestamp === LATEST_TIMESTAMP) return { offset: end, timestamp: -1 };
  if (timestamp === EARLIEST_TIMESTAMP) return { offset: log.logStartOffset, timestamp: -1 };
  if (timestamp === EARLIEST_LOCAL_TIMESTAMP && version >= 8) return { offset: log.logStartOffset, timestamp: -1 };
  if (timestamp === LATEST_TIERED_TIMESTAMP && version >= 9) return null;
  if (timestamp === EARLIEST_PENDING_UPLOAD_TIMESTAMP && version >= 11) return null;
  if (timestamp === MAX_TIMESTAMP && version >= 7) {
    const max = log.maxTimestamp();
    return max !== null && max.offset < end ? max : null;
  }
  const found = log.offsetForTimestamp(Number(timestamp));
  return found !== null && found.offset < end ? found : null;
}

function answer(
  ctx: RequestContext,
  request: ListOffsetsRequest,
  topic: string,
  p: ListOffsetsRequestListOffsetsPartition,
): ListOffsetsResponseListOffsetsPartitionResponse {
  const base = { ...defaultListOffsetsResponseListOffsetsPartitionResponse(), partitionIndex: p.partitionIndex };
  const found = leaderPartition(ctx.broker, topic, p.partitionIndex);
  if (!found.ok) return { ...base, errorCode: found.errorCode };
  const partition = found.partition;
  const epochError = ctx.apiVersion >= 4 ? checkCurrentLeaderEpoch(partition, p.currentLeaderEpoch) : ErrorCode.NONE;
  if (epochError !== ErrorCode.NONE) return { ...base, errorCode: epochError };
  if (ctx.apiVersion === 0) return { ...base, ...legacyAnswer(ctx, request, partition, p) };
  const isolation = ctx.apiVersion >= 2 ? request.isolationLevel : IsolationLevel.READ_UNCOMMITTED;
  const end = request.replicaId === -1 ? fetchableEnd(partition, isolation) : partition.log.logEndOffset;
  const result = lookup(partition, p.timestamp, end, ctx.apiVersion);
  if (result === null) return base;
  return {
    ...base,
    offset: BigInt(result.offset),
    timestamp: BigInt(result.timestamp),
    leaderEpoch: ctx.apiVersion >= 4 ? partition.leaderEpoch : -1,
  };
}

/** v0: Kafka's legacy offsets before a time (negative timestamps other than -1 and -2 are v1+'s). */
function legacyAnswer(
  ctx: RequestContext,
  request: ListOffsetsRequest,
  partition: Partition,
  p: ListOffsetsRequestListOffsetsPartition,
): Partial<ListOffsetsResponseListOffsetsPartitionResponse> {
  if (p.timestamp < EARLIEST_TIMESTAMP) return { errorCode: ErrorCode.UNSUPPORTED_VERSION };
  const log = partition.log;
  try {
    const offsets = legacyOffsetsBefore({
      segments: log.segmentTimes(),
      logStartOffset: log.logStartOffset,
      logEndOffset: log.logEndOffset,
      timestamp: Number(p.timestamp),
      maxNumOffsets: p.maxNumOffsets,
      now: ctx.clock.now(),
      highWatermark: request.replicaId === -1 ? partition.highWatermark : null,
    });
    return { oldStyleOffsets: offsets.map((o) => BigInt(o)) };
  } catch (err) {
    if (err instanceof LegacyOffsetsError) return { errorCode: ErrorCode.UNKNOWN_SERVER_ERROR };
    throw err;
  }
}

/** The topic-partitions named more than once in the request (`topic\0partition` keys). */
function duplicatedPartitions(request: ListOffsetsRequest): Set<string> {
  const seen = new Set<string>();
  const duplicated = new Set<string>();
  for (const t of request.topics) {
    for (const p of t.partitions) {
      const key = `${t.name}\0${p.partitionIndex}`;
      if (seen.has(key)) duplicated.add(key);
      seen.add(key);
    }
  }
  return duplicated;
}

function listOffsets(ctx: RequestContext, request: ListOffsetsRequest): ListOffsetsResponse {
  const duplicated = ctx.apiVersion >= 1 ? duplicatedPartitions(request) : new Set<string>();
  return {
    throttleTimeMs: 0,
    topics: request.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) =>
        duplicated.has(`${t.name}\0${p.partitionIndex}`)
          ? {
              ...defaultListOffsetsResponseListOffsetsPartitionResponse(),
              partitionIndex: p.partitionIndex,
              errorCode: ErrorCode.INVALID_REQUEST,
            }
          : answer(ctx, request, t.name, p),
      ),
    })),
  };
}

export const listOffsetsHandler = defineHandler({
  api: ListOffsetsApi,
  minVersion: 0,
  maxVersion: 11,
  handle: listOffsets,
});
