/**
 * DescribeProducers, version 0. Per partition this broker leads: the producers with
 * live state (epoch, last sequence, last append time, coordinator epoch, start offset
 * of the open transaction or -1). Partitions of unknown topics get
 * UNKNOWN_TOPIC_OR_PARTITION, others NOT_LEADER_OR_FOLLOWER, as Kafka does.
 */
import { DescribeProducersApi } from '../../protocol/generated/messages/61-describe-producers.js';
import { defineHandler } from './handler.js';
import { leaderPartition } from '../broker/partition-access.js';
import { producerStateOf } from '../broker/producer-state-registry.js';

export const describeProducersHandler = defineHandler({
  api: DescribeProducersApi,
  minVersion: 0,
  maxVersion: 0,
  handle(ctx, request) {
    const now = ctx.clock.now();
    return {
      throttleTimeMs: 0,
      topics: request.topics.map((t) => ({
        name: t.name,
        partitions: t.partitionIndexes.map((index) => {
          const found = leaderPartition(ctx.broker, t.name, index);
          if (!found.ok)
            return { partitionIndex: index, errorCode: found.errorCode, errorMessage: null, activeProducers: [] };
          const state = producerStateOf(found.partition, now);
          return {
            partitionIndex: index,
            errorCode: 0,
            errorMessage: null,
            activeProducers: state.active(now).map((e) => ({
              producerId: e.producerId,
              producerEpoch: e.epoch,
              lastSequence: e.batches[e.batches.length - 1]?.lastSeq ?? -1,
              lastTimestamp: BigInt(e.lastTimestamp),
              coordinatorEpoch: e.coordinatorEpoch,
              currentTxnStartOffset: BigInt(e.currentTxnFirstOffset),
            })),
          };
        }),
      })),
    };
  },
});
