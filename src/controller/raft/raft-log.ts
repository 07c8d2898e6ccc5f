/**
 * The log the Raft core replicates, as an interface: an in-memory twin lives in in-memory-raft-log.ts,
 * and a segment-file log can back it later. The calls are synchronous: the metadata log is small and
 * the core is a pure state machine, so a disk backing uses synchronous writes and fsync.
 * Leaves out: record-batch encoding, segment files, retention by time (snapshots bound the log instead).
 */
import type { EpochEndOffset, OffsetAndEpoch, RaftEntry, SnapshotId } from './types.js';

export interface RaftLog {
  /** First offset still in the log; the latest snapshot covers everything below it. */
  startOffset(): number;
  /** Offset the next appended entry gets. */
  endOffset(): number;
  /** End offset and the epoch of the last entry (the snapshot's epoch if the log is empty, else 0). */
  lastFetched(): OffsetAndEpoch;
  /** Appends entries whose offsets continue at endOffset() and whose epochs do not go down. Not durable until flush(). */
  append(entries: readonly RaftEntry[]): void;
  /** Removes every entry at or above `offset` (startOffset() <= offset <= endOffset()). */
  truncateTo(offset: number): void;
  /** Entries from `fromOffset` on, up to about maxBytes of payload (at least one entry if any). */
  read(fromOffset: number, maxBytes: number): RaftEntry[];
  /** Epoch of the entry at `offset`, or of the snapshot for startOffset() - 1; undefined if unknown. */
  epochOf(offset: number): number | undefined;
  /** The largest epoch <= `epoch` the log knows, and the offset where it ends; {-1, -1} if none. */
  endOffsetForEpoch(epoch: number): EpochEndOffset;
  /** Makes every appended entry durable (fsync). */
  flush(): void;
  /** Offset below which entries are durable. */
  flushedOffset(): number;
  /** Id of the latest snapshot, if any. */
  latestSnapshotId(): SnapshotId | undefined;
  /** Bytes of the snapshot with this id, if the log still has it. */
  readSnapshot(id: SnapshotId): Buffer | undefined;
  /** Durably stores a snapshot of the state below id.endOffset and deletes the log prefix it covers. */
  createSnapshot(id: SnapshotId, data: Buffer): void;
  /** Durably replaces the whole log with a snapshot fetched from the leader: start = end = id.endOffset. */
  installSnapshot(id: SnapshotId, data: Buffer): void;
}
