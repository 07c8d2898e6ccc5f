/**
 * The reads every RaftLog answers the same way: a bounded read from an offset of an in-memory entry
 * list, the epoch of an offset, and the end offset of an epoch (Kafka's OffsetForLeaderEpoch rule).
 * The epoch rules need only each entry's epoch (FileRaftLog keeps epochs, not entries, in memory);
 * InMemoryRaftLog shares all three over its entry list.
 */
import { RaftInvariantError } from './errors.js';
import type { EpochEndOffset, OffsetAndEpoch, RaftEntry, SnapshotId } from './types.js';

/** The epochs of a log's entries from `start` on, after the snapshot (if any) that ends at `start`. */
export interface EpochView {
  readonly start: number;
  /** Number of entries from `start` on. */
  readonly count: number;
  /** Epoch of the entry at offset start + index (0 <= index < count). */
  epochAtIndex(index: number): number;
  readonly snapshot: { readonly id: SnapshotId } | undefined;
}

/** A log's entries from `start` on, kept in memory. */
export interface EntryView extends EpochView {
  readonly entries: readonly RaftEntry[];
}

/** The EntryView of an in-memory entry list. */
export function entryListView(
  entries: readonly RaftEntry[],
  start: number,
  snapshot: { readonly id: SnapshotId } | undefined,
): EntryView {
  return { entries, start, snapshot, count: entries.length, epochAtIndex: (i) => (entries[i] as RaftEntry).epoch };
}

const endOf = (log: EpochView): number => log.start + log.count;

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
export function epochAt(log: EpochView, offset: number): number | undefined {
  if (offset >= log.start && offset < endOf(log)) return log.epochAtIndex(offset - log.start);
  if (log.snapshot && offset === log.start - 1) return log.snapshot.id.epoch;
  return undefined;
}

/** The largest epoch <= `epoch` in the log and the offset just after its last entry; -1/-1 if none. */
export function endOffsetForEpochIn(log: EpochView, last: OffsetAndEpoch, epoch: number): EpochEndOffset {
  if (epoch >= last.epoch) return { epoch: last.epoch, endOffset: last.offset };
  for (let i = log.count - 1; i >= 0; i--) {
    const entryEpoch = log.epochAtIndex(i);
    if (entryEpoch <= epoch) return { epoch: entryEpoch, endOffset: log.start + i + 1 };
  }
  if (log.snapshot && log.snapshot.id.epoch <= epoch) return { epoch: log.snapshot.id.epoch, endOffset: log.start };
  return { epoch: -1, endOffset: -1 };
}
