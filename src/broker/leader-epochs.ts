/**
 * Answers "where does leader epoch E end?" (OffsetForLeaderEpoch, a follower's divergence check):
 * the current epoch ends at the log end; for an older epoch the rule of Kafka's
 * LeaderEpochFileCache.endOffsetFor is applied to the epoch history. That history is the log's
 * leader-epoch cache when it keeps one (storage-backed logs: no read of the log, which matters since
 * a follower's fetches and every change of a followed partition ask for it); otherwise it is rebuilt
 * from the partitionLeaderEpoch field of the batch headers still in the log, reading at most
 * `maxScanBytes` per call (past that the history is what was seen). Epochs of deleted prefixes are
 * unknown, so an epoch older than the oldest known answers (requested epoch, start of the next known
 * epoch), as Kafka does for epochs older than its cache.
 */
import {
  LAST_OFFSET_DELTA_OFFSET,
  PARTITION_LEADER_EPOCH_OFFSET,
  batchSizeAt,
} from '../../protocol/records/batch-header.js';
import type { Partition } from './replica-manager.js';

export const UNDEFINED_EPOCH = -1;
export const UNDEFINED_EPOCH_OFFSET = -1;

export interface EpochEntry {
  epoch: number;
  startOffset: number;
}

const DEFAULT_SCAN_BYTES = 64 * 1024 * 1024;
const CHUNK_BYTES = 1024 * 1024;

/** The epochs of the batches in the log, each with the first offset it wrote, oldest first. */
export function epochHistory(partition: Partition, maxScanBytes = DEFAULT_SCAN_BYTES): EpochEntry[] {
  const log = partition.log;
  const cached = log.epochEntries?.();
  if (cached) return cached.map((e) => ({ epoch: e.epoch, startOffset: e.startOffset }));
  const entries: EpochEntry[] = [];
  let offset = log.logStartOffset;
  let scanned = 0;
  while (offset < log.logEndOffset && scanned < maxScanBytes) {
    const chunk = log.read(offset, CHUNK_BYTES);
    if (chunk.length === 0) break;
    scanned += chunk.length;
    let at = 0;
    let next = offset;
    while (at + LAST_OFFSET_DELTA_OFFSET + 4 <= chunk.length) {
      const size = batchSizeAt(chunk, at);
      if (size <= 0 || at + size > chunk.length) break;
      const base = Number(chunk.readBigInt64BE(at));
      const epoch = chunk.readInt32BE(at + PARTITION_LEADER_EPOCH_OFFSET);
      const last = entries[entries.length - 1];
      if (epoch >= 0 && (last === undefined || epoch > last.epoch)) entries.push({ epoch, startOffset: base });
      next = base + chunk.readInt32BE(at + LAST_OFFSET_DELTA_OFFSET) + 1;
      at += size;
    }
    if (next <= offset) break;
    offset = next;
  }
  return entries;
}

/** Kafka's endOffsetFor: the largest epoch <= requested and the offset where the next epoch starts. */
export function endOffsetForEpoch(partition: Partition, requested: number): { epoch: number; endOffset: number } {
  const logEnd = partition.log.logEndOffset;
  if (requested === UNDEFINED_EPOCH) return { epoch: UNDEFINED_EPOCH, endOffset: UNDEFINED_EPOCH_OFFSET };
  if (requested === partition.leaderEpoch) return { epoch: requested, endOffset: logEnd };
  if (requested > partition.leaderEpoch) return { epoch: UNDEFINED_EPOCH, endOffset: UNDEFINED_EPOCH_OFFSET };
  const history = epochHistory(partition);
  if (history.length === 0 || history[history.length - 1]!.epoch < partition.leaderEpoch) {
    history.push({ epoch: partition.leaderEpoch, startOffset: logEnd });
  }
  const higher = history.find((e) => e.epoch > requested);
  if (!higher) return { epoch: requested, endOffset: logEnd };
  let floor: EpochEntry | undefined;
  for (const e of history) if (e.epoch <= requested) floor = e;
  return floor
    ? { epoch: floor.epoch, endOffset: higher.startOffset }
    : { epoch: requested, endOffset: higher.startOffset };
}
