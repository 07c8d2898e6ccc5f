/**
 * WriteTxnMarkers, versions 0-1: the inter-broker request a transaction coordinator sends to
 * the leaders of a transaction's partitions. Per marker and partition this broker appends the
 * COMMIT/ABORT control batch, closes the producer's transaction in the partition's producer
 * state (last stable offset, aborted list, `.txnindex`) and, for `__consumer_offsets`,
 * commits or drops the transactional offsets held for the producer
 * (src/transactions/markers.ts). Each answer waits until the high watermark passes the
 * marker, as Kafka writes markers with acks=-1 (request.timeout.ms, then REQUEST_TIMED_OUT).
 * Errors per partition: NOT_LEADER_OR_FOLLOWER, UNKNOWN_TOPIC_OR_PARTITION,
 * TRANSACTION_COORDINATOR_FENCED (an older coordinator epoch than the producer has seen),
 * NOT_ENOUGH_REPLICAS (ISR below min.insync.replicas: nothing appended),
 * NOT_ENOUGH_REPLICAS_AFTER_APPEND, KAFKA_STORAGE_ERROR.
 * With an authorizer the caller needs CLUSTER_ACTION on the cluster (server/api-rules.ts), as
 * on Kafka: the brokers' principal must have it (or be a super user). Leaves out: nothing of v0-1.
 */
import { WriteTxnMarkersApi } from '../../protocol/generated/messages/27-write-txn-markers.js';
import { defineHandler } from './handler.js';
import type { MarkerResult } from '../transactions/marker-sender.js';

export const writeTxnMarkersHandler = defineHandler({
  api: WriteTxnMarkersApi,
  minVersion: 0,
  maxVersion: 1,
  async handle(ctx, request) {
    const txns = ctx.broker.transactions;
    const perMarker = await Promise.all(
      request.markers.map((m) => {
        const outcome = txns.writeMarkersHere(
          {
            producerId: m.producerId,
            producerEpoch: m.producerEpoch,
            coordinatorEpoch: m.coordinatorEpoch,
            commit: m.transactionResult,
          },
          m.topics.flatMap((t) => t.partitionIndexes.map((partition) => ({ topic: t.name, partition }))),
        );
        return txns.confirmMarkers(outcome);
      }),
    );
    return {
      markers: request.markers.map((m, i) => ({
        producerId: m.producerId,
        topics: m.topics.map((t) => ({
          name: t.name,
          partitions: t.partitionIndexes.map((p) => ({
            partitionIndex: p,
            errorCode: findResult(perMarker[i] ?? [], t.name, p),
          })),
        })),
      })),
    };
  },
});

function findResult(results: readonly MarkerResult[], topic: string, partition: number): number {
  return results.find((r) => r.topic === topic && r.partition === partition)?.errorCode ?? 0;
}
