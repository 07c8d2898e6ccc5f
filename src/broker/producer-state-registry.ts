/**
 * Finds the producer state of a hosted partition, building it on first use by scanning
 * the partition's log: batch headers give producer ids, epochs, sequences and offsets;
 * control batches (decoded, they are tiny) give the COMMIT/ABORT markers that close
 * transactions. This is how state survives a restart until the storage snapshot hook
 * is wired (then the scan would start at the snapshot offset). Keyed by the Partition
 * object, so a re-created partition starts afresh.
 * Leaves out: rebuilding after truncation in the middle of the log (a truncated
 * partition should be dropped with `forgetProducerState` and rescanned).
 */
import {
  LOG_OVERHEAD,
  RECORD_BATCH_OVERHEAD,
  batchSizeAt,
  decodeRecordBatch,
  isControl,
  isTransactional,
  readBatchHeader,
  readTxnMarker,
} from '../../protocol/records/index.js';
import { PartitionProducerState } from './producer-state.js';
import type { PartitionLog } from './partition-log.js';
import type { Partition } from './replica-manager.js';

const SCAN_CHUNK_BYTES = 1 << 20;
const states = new WeakMap<Partition, PartitionProducerState>();

/** Replays the batch headers and markers of a log into a fresh producer state. */
export function rebuildProducerState(log: PartitionLog, now: number, expirationMs?: number): PartitionProducerState {
  const state = new PartitionProducerState(expirationMs);
  let offset = log.logStartOffset;
  while (offset < log.logEndOffset) {
    const bytes = log.read(offset, SCAN_CHUNK_BYTES);
    const before = offset;
    let at = 0;
    while (at + RECORD_BATCH_OVERHEAD <= bytes.length) {
      const size = batchSizeAt(bytes, at);
      if (size < RECORD_BATCH_OVERHEAD || at + size > bytes.length) break;
      const h = readBatchHeader(bytes, at);
      const base = Number(h.baseOffset);
      const next = base + h.lastOffsetDelta + 1;
      if (next > offset && h.producerId >= 0n) {
        // Without a clock (now 0: the fetch path's LSO), the batch's own time stamps the producer,
        // as Kafka's load does; else a state first built there would expire every producer at once.
        const stamp = now > 0 ? now : Math.max(0, Number(h.maxTimestamp));
        if (isControl(h.attributes)) {
          const batch = decodeRecordBatch(bytes.subarray(at, at + size), 0);
          const record = batch.records[0];
          const marker = record ? readTxnMarker(record) : null;
          if (marker)
            state.marker(
              h.producerId,
              h.producerEpoch,
              marker.commit,
              marker.coordinatorEpoch,
              base,
              stamp,
              Number(h.maxTimestamp),
            );
        } else {
          state.appended(
            {
              producerId: h.producerId,
              producerEpoch: h.producerEpoch,
              baseSequence: h.baseSequence,
              lastOffsetDelta: h.lastOffsetDelta,
              transactional: isTransactional(h.attributes),
            },
            base,
            stamp,
            Number(h.maxTimestamp),
          );
        }
      }
      offset = Math.max(offset, next);
      at += size;
    }
    if (offset === before || bytes.length < LOG_OVERHEAD) break;
  }
  state.trimBefore(log.logStartOffset);
  return state;
}

/** The producer state of a partition, scanned from its log on first use. */
export function producerStateOf(partition: Partition, now = 0): PartitionProducerState {
  let state = states.get(partition);
  if (!state) {
    state = rebuildProducerState(partition.log, now);
    states.set(partition, state);
  }
  return state;
}

/** The state if it was already built (no scan), for hot read paths that only need the LSO. */
export function existingProducerState(partition: Partition): PartitionProducerState | undefined {
  return states.get(partition);
}

export function forgetProducerState(partition: Partition): void {
  states.delete(partition);
}
