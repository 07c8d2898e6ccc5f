/**
 * DeleteRecords, versions 0-2.
 * Moves each partition's log start on the leader to the requested offset (-1: the high
 * watermark); offsets past the high watermark or below -1 get OFFSET_OUT_OF_RANGE. As Kafka,
 * partitions of the internal topics get INVALID_TOPIC_EXCEPTION and of a topic whose
 * cleanup.policy lacks `delete` (compact only) POLICY_VIOLATION, and nothing is deleted. Parked
 * fetches of the partition are woken, so a reader below the new start sees OFFSET_OUT_OF_RANGE
 * at once, and followers take the new log start from their next fetch answers and delete their
 * segments below it (src/broker/replica-fetcher.ts). As Kafka's DelayedDeleteRecords, each answer
 * then waits until the partition's low watermark (the smallest log start over the leader and
 * the followers on live brokers, as their fetches report it) reaches the requested offset:
 * NONE with that low watermark, REQUEST_TIMED_OUT at `timeoutMs`, NOT_LEADER_OR_FOLLOWER when
 * leadership moves meanwhile. A partition without live followers answers at once.
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
import type { Partition } from '../broker/partition.js';
import type { RequestContext } from '../server/request-context.js';
import { isInternalTopic } from '../broker/internal-topics.js';
import { cleanupPolicies, effectiveTopicConfig } from '../metadata/topic-configs.js';

const HIGH_WATERMARK = -1n;

type PartitionResult = DeleteRecordsResponseDeleteRecordsPartitionResult;

/** A deletion done on the leader, waiting for the low watermark to reach `offset`. */
interface PendingDeletion {
  partition: Partition;
  offset: number;
  result: PartitionResult;
  done: boolean;
}

const failed = (index: number, errorCode: number): PartitionResult => ({
  partitionIndex: index,
  lowWatermark: -1n,
  errorCode,
});

function deleteOne(
  ctx: RequestContext,
  topic: string,
  index: number,
  requested: bigint,
  pending: PendingDeletion[],
): PartitionResult {
  // As Kafka's ReplicaManager: internal topics first, then the partition, then its cleanup policy.
  if (isInternalTopic(topic)) return failed(index, ErrorCode.INVALID_TOPIC_EXCEPTION);
  const found = leaderPartition(ctx.broker, topic, index);
  if (!found.ok) return failed(index, found.errorCode);
  const partition = found.partition;
  const configs = ctx.broker.controller.image.topicsByName.get(topic)?.configs ?? new Map<string, string>();
  if (!cleanupPolicies(effectiveTopicConfig('cleanup.policy', configs, ctx.broker.config)).includes('delete'))
    return failed(index, ErrorCode.POLICY_VIOLATION);
  const hw = partition.highWatermark;
  const offset = requested === HIGH_WATERMARK ? hw : Number(requested);
  if (requested < HIGH_WATERMARK || offset > hw) return failed(index, ErrorCode.OFFSET_OUT_OF_RANGE);
  try {
    partition.log.deleteRecordsBefore(offset);
  } catch (error) {
    if (error instanceof OffsetOutOfRangeError) return failed(index, ErrorCode.OFFSET_OUT_OF_RANGE);
    throw error;
  }
  partition.notifyChange();
  const result = failed(index, ErrorCode.REQUEST_TIMED_OUT);
  pending.push({ partition, offset, result, done: false });
  return result;
}

/** Settles what it can: NONE once the low watermark reached the offset, NOT_LEADER_OR_FOLLOWER once led elsewhere. */
function settle(ctx: RequestContext, deletion: PendingDeletion): void {
  const { partition, result } = deletion;
  const hosted = ctx.broker.replicas.get(partition.topic, partition.index);
  if (hosted !== partition || !partition.isLeader()) {
    Object.assign(result, failed(result.partitionIndex, ErrorCode.NOT_LEADER_OR_FOLLOWER));
    deletion.done = true;
    return;
  }
  const brokers = ctx.broker.controller.image.brokers;
  const low = partition.lowWatermark((id) => brokers.get(id)?.fenced === false);
  if (low < deletion.offset) return;
  result.errorCode = ErrorCode.NONE;
  result.lowWatermark = BigInt(low);
  deletion.done = true;
}

async function deleteRecords(ctx: RequestContext, request: DeleteRecordsRequest): Promise<DeleteRecordsResponse> {
  const pending: PendingDeletion[] = [];
  const response: DeleteRecordsResponse = {
    throttleTimeMs: 0,
    topics: request.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => deleteOne(ctx, t.name, p.partitionIndex, p.offset, pending)),
    })),
  };
  if (pending.length === 0) return response;
  await ctx.broker.dataPath.producePurgatory.run(Math.max(0, request.timeoutMs), {
    attempt: (final) => {
      for (const deletion of pending) if (!deletion.done) settle(ctx, deletion);
      // At the timeout the ones still waiting keep REQUEST_TIMED_OUT.
      return final || pending.every((d) => d.done) ? true : null;
    },
    watch: () => pending.filter((d) => !d.done).map((d) => d.partition),
  });
  return response;
}

export const deleteRecordsHandler = defineHandler({
  api: DeleteRecordsApi,
  minVersion: 0,
  maxVersion: 2,
  handle: deleteRecords,
});
