/**
 * Writes a transaction's COMMIT or ABORT markers: one control batch per data partition
 * of the transaction, appended through the partition (`appendAsLeader`) (one broker, so no
 * WriteTxnMarkers round trip), then the partition's producer state closes the
 * transaction (an abort is recorded for read_committed fetches, and in the segment's
 * `.txnindex` as Kafka keeps it) and the last stable
 * offset moves on. The group's `__consumer_offsets` partition (added by AddOffsetsToTxn)
 * gets its marker too, which settles the transactional offsets written there.
 * Partitions that are gone (topic deleted) or not led here are skipped.
 */
import { buildTxnMarkerBatch } from '../../protocol/records/index.js';
import type { ReplicaManager } from '../broker/replica-manager.js';
import { producerStateOf } from '../broker/producer-state-registry.js';
import { COORDINATOR_EPOCH } from './coordinator.js';
import type { TxnMetadata } from './txn-log.js';

export function writeTxnMarkers(replicas: ReplicaManager, txn: TxnMetadata, commit: boolean, now: number): void {
  for (const [topic, partitions] of txn.partitions) {
    for (const index of partitions) {
      const partition = replicas.get(topic, index);
      if (!partition) continue;
      const state = producerStateOf(partition, now);
      const batch = buildTxnMarkerBatch({
        producerId: txn.producerId,
        producerEpoch: txn.producerEpoch,
        coordinatorEpoch: COORDINATOR_EPOCH,
        commit,
        timestamp: BigInt(now),
      });
      const info = partition.appendAsLeader(batch);
      const aborted = state.marker(txn.producerId, txn.producerEpoch, commit, COORDINATOR_EPOCH, info.baseOffset, now);
      if (aborted) partition.log.recordAbortedTxn?.(aborted);
    }
  }
}
