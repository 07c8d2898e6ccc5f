/**
 * The reads every RaftLog answers the same way from its in-memory entry list: a bounded read from an
 * offset, the epoch of an offset, and the end offset of an epoch (Kafka's OffsetForLeaderEpoch rule).
 * Shared by InMemoryRaftLog and the segment-file FileRaftLog, which keeps the same list beside its file.
 */
import { RaftInvariantError } from './errors.js';
import type { EpochEndOffset, OffsetAndEpoch, RaftEntry, SnapshotId } from './types.js';

/** A log's entries from `start` on, after the snapshot (if any) that ends at `start`. */
export interface EntryView {
  readonly entries: readonly RaftEntry[];
  readonly start: number;
  readonly snapshot: { readonly id: SnapshotId } | undefined;
}

const endOf = (log: EntryView): number => log.start + log.entries.length;

/** Entries from `fromOffset`, at least one, then as many as fit in `maxBytes` of payload. */
export function readEntries(log: EntryView, fromOffset: number, maxBytes: number): RaftEntry[] {
  if (fromOffset < log.start || fromOffset > endOf(log)) {
    throw new RaftInvariantError(`read from ${fromOffset} outside [${log.start}, ${endOf(log)}]`);
  }
  const out: RaftEntry[] = [];
  let bytes = 0;
  for (let i = fromOffset - log.start; i < log.entries.length; i++) {
    const entry = log.entries[i] as RaftEntry;
    if (out.length > 0 && bytes + entry.payload.length > maxBytes) break;
    bytes += entry.payload.length;
    out.push(entry);
  }
  return out;
}

/** The epoch of the entry at `offset`, or of the snapshot ending just before the first entry. */
export function epochAt(log: EntryView, offset: number): number | undefined {
  if (offset >= log.start && offset < endOf(log)) return (log.entries[offset - log.start] as RaftEntry).epoch;
  if (log.snapshot && offset === log.start - 1) return log.snapshot.id.epoch;
  return undefined;
}

/** The largest epoch <= `epoch` in the log and the offset just after its last entry; -1/-1 if none. */
export function endOffsetForEpochIn(log: EntryView, last: OffsetAndEpoch, epoch: number): EpochEndOffset {
  if (epoch >= last.epoch) return { epoch: last.epoch, endOffset: last.offset };
  for (let i = log.entries.length - 1; i >= 0; i--) {
    const entry = log.entries[i] as RaftEntry;
    if (entry.epoch <= epoch) return { epoch: entry.epoch, endOffset: entry.offset + 1 };
  }
  if (log.snapshot && log.snapshot.id.epoch <= epoch) return { epoch: log.snapshot.id.epoch, endOffset: log.start };
  return { epoch: -1, endOffset: -1 };
}
