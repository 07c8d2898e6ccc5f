/**
 * OffsetForLeaderEpoch, versions 0-4.
 * For each partition: the largest epoch at or below the requested one and the offset
 * where the next epoch starts (the log end for the current epoch); (-1, -1) for an epoch
 * newer than the current one. The history comes from the batch headers in the log (see
 * broker/leader-epochs.ts: there is no leader-epoch cache yet). currentLeaderEpoch (v2+)
 * is checked: FENCED_LEADER_EPOCH / UNKNOWN_LEADER_EPOCH. leaderEpoch is answered from v1.
 * replicaId (v3+) is not used to tell followers from consumers, as in Kafka 3.9 (KafkaApis answers
 * both through ReplicaManager.lastOffsetForLeaderEpoch; consumers, e.g. librdkafka validating its
 * position after a leader change, need DESCRIBE on the topic or CLUSTER_ACTION).
 */
import {
  OffsetForLeaderEpochApi,
  defaultOffsetForLeaderEpochResponseEpochEndOffset,
  type OffsetForLeaderEpochRequest,
  type OffsetForLeaderEpochResponse,
} from '../../protocol/generated/messages/23-offset-for-leader-epoch.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { defineHandler } from './handler.js';
import { checkCurrentLeaderEpoch, leaderPartition } from '../broker/partition-access.js';
import { endOffsetForEpoch } from '../broker/leader-epochs.js';
import type { RequestContext } from '../server/request-context.js';

function offsetForLeaderEpoch(ctx: RequestContext, request: OffsetForLeaderEpochRequest): OffsetForLeaderEpochResponse {
  return {
    throttleTimeMs: 0,
    topics: request.topics.map((t) => ({
      topic: t.topic,
      partitions: t.partitions.map((p) => {
        const base = { ...defaultOffsetForLeaderEpochResponseEpochEndOffset(), partition: p.partition };
        const found = leaderPartition(ctx.broker, t.topic, p.partition);
        if (!found.ok) return { ...base, errorCode: found.errorCode };
        const epochError =
          ctx.apiVersion >= 2 ? checkCurrentLeaderEpoch(found.partition, p.currentLeaderEpoch) : ErrorCode.NONE;
        if (epochError !== ErrorCode.NONE) return { ...base, errorCode: epochError };
        const end = endOffsetForEpoch(found.partition, p.leaderEpoch);
        return { ...base, leaderEpoch: ctx.apiVersion >= 1 ? end.epoch : -1, endOffset: BigInt(end.endOffset) };
      }),
    })),
  };
}

export const offsetForLeaderEpochHandler = defineHandler({
  api: OffsetForLeaderEpochApi,
  minVersion: 0,
  maxVersion: 4,
  handle: offsetForLeaderEpoch,
});
