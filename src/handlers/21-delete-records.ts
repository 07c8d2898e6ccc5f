/**
 * DeleteRecords, versions 0-2.
 * Moves each partition's log start to the requested offset (-1: the high watermark);
 * offsets past the high watermark or below -1 get OFFSET_OUT_OF_RANGE. Answers the new
 * low watermark (the log start offset; -1 on errors). Parked fetches of the partition
 * are woken, so a reader below the new start sees OFFSET_OUT_OF_RANGE at once.
 * Followers take the new log start from their next fetch answers (woken at once here) and delete
 * their segments below it (src/broker/replica-fetcher.ts).
 * Gaps: with replicas, Kafka waits for followers to reach the new start (timeoutMs);
 * here the leader's log start is the answer.
 */
import {
  DeleteRecordsApi,
  type DeleteRecordsRequest,
  type DeleteRecordsResponse,
  type DeleteRecordsResponseDeleteRecordsPartitionResult,
} from '../../protocol/generated/messages/21-delete-records.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { defineHandler } from './handler.js';
import { leaderPartition } from '../broker/partition-access.js';
import { OffsetOutOfRangeError } from '../broker/partition-log.js';
import type { RequestContext } from '../server/request-context.js';

const HIGH_WATERMARK = -1n;

function deleteOne(
  ctx: RequestContext,
  topic: string,
  index: number,
  requested: bigint,
): DeleteRecordsResponseDeleteRecordsPartitionResult {
  const failed = (errorCode: number): DeleteRecordsResponseDeleteRecordsPartitionResult => ({
    partitionIndex: index,
    lowWatermark: -1n,
    errorCode,
  });
  const found = leaderPartition(ctx.broker, topic, index);
  if (!found.ok) return failed(found.errorCode);
  const partition = found.partition;
  const hw = partition.highWatermark;
  const offset = requested === HIGH_WATERMARK ? hw : Number(requested);
  if (requested < HIGH_WATERMARK || offset > hw) return failed(ErrorCode.OFFSET_OUT_OF_RANGE);
  try {
    partition.log.deleteRecordsBefore(offset);
  } catch (error) {
    if (error instanceof OffsetOutOfRangeError) return failed(ErrorCode.OFFSET_OUT_OF_RANGE);
    throw error;
  }
  partition.notifyChange();
  return { partitionIndex: index, lowWatermark: BigInt(partition.log.logStartOffset), errorCode: ErrorCode.NONE };
}

function deleteRecords(ctx: RequestContext, request: DeleteRecordsRequest): DeleteRecordsResponse {
  return {
    throttleTimeMs: 0,
    topics: request.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => deleteOne(ctx, t.name, p.partitionIndex, p.offset)),
    })),
  };
}

export const deleteRecordsHandler = defineHandler({
  api: DeleteRecordsApi,
  minVersion: 0,
  maxVersion: 2,
  handle: deleteRecords,
});
