/**
 * An in-memory RaftLog that models durability: entries above flushedOffset() are lost by crash().
 * Truncation, snapshots and snapshot installs are treated as durable at once. Used by the simulation
 * and unit tests; a segment-file log can replace it behind the same interface.
 * Leaves out: byte-level storage; keeps every snapshot it is given only until a newer one arrives.
 */
import { RaftInvariantError } from './errors.js';
import type { RaftLog } from './raft-log.js';
import { endOffsetForEpochIn, entryListView, epochAt, readEntries, type EntryView } from './raft-log-entries.js';
import { checkOffset, type EpochEndOffset, type OffsetAndEpoch, type RaftEntry, type SnapshotId } from './types.js';

export class InMemoryRaftLog implements RaftLog {
  private entries: RaftEntry[] = [];
  private start = 0;
  private flushed = 0;
  private snapshot: { id: SnapshotId; data: Buffer } | undefined;

  startOffset(): number {
    return this.start;
  }

  endOffset(): number {
    return this.start + this.entries.length;
  }

  lastFetched(): OffsetAndEpoch {
    const last = this.entries[this.entries.length - 1];
    if (last) return { offset: last.offset + 1, epoch: last.epoch };
    return { offset: this.start, epoch: this.snapshot ? this.snapshot.id.epoch : 0 };
  }

  append(entries: readonly RaftEntry[]): void {
    let { offset: next, epoch: lastEpoch } = this.lastFetched();
    for (const entry of entries) {
      checkOffset(entry.offset);
      if (entry.offset !== next) throw new RaftInvariantError(`append at offset ${entry.offset}, log ends at ${next}`);
      if (entry.epoch < lastEpoch)
        throw new RaftInvariantError(`append of epoch ${entry.epoch} after epoch ${lastEpoch}`);
      next++;
      lastEpoch = entry.epoch;
    }
    for (const entry of entries) this.entries.push(entry);
  }

  truncateTo(offset: number): void {
    if (offset < this.start || offset > this.endOffset()) {
      throw new RaftInvariantError(`truncate to ${offset} outside [${this.start}, ${this.endOffset()}]`);
    }
    this.entries.length = offset - this.start;
    this.flushed = Math.min(this.flushed, offset);
  }

  private view(): EntryView {
    return entryListView(this.entries, this.start, this.snapshot);
  }

  read(fromOffset: number, maxBytes: number): RaftEntry[] {
    return readEntries(this.view(), fromOffset, maxBytes);
  }

  epochOf(offset: number): number | undefined {
    return epochAt(this.view(), offset);
  }

  endOffsetForEpoch(epoch: number): EpochEndOffset {
    return endOffsetForEpochIn(this.view(), this.lastFetched(), epoch);
  }

  flush(): void {
    this.flushed = this.endOffset();
  }

  flushedOffset(): number {
    return this.flushed;
  }

  latestSnapshotId(): SnapshotId | undefined {
    return this.snapshot?.id;
  }

  readSnapshot(id: SnapshotId): Buffer | undefined {
    const snap = this.snapshot;
    if (snap && snap.id.endOffset === id.endOffset && snap.id.epoch === id.epoch) return snap.data;
    return undefined;
  }

  createSnapshot(id: SnapshotId, data: Buffer): void {
    checkOffset(id.endOffset, 'snapshot end offset');
    if (id.endOffset <= this.start) return; // nothing newer than what the log already dropped
    if (id.endOffset > this.flushed)
      throw new RaftInvariantError(`snapshot at ${id.endOffset} past durable ${this.flushed}`);
    if (this.epochOf(id.endOffset - 1) !== id.epoch)
      throw new RaftInvariantError(`snapshot epoch ${id.epoch} does not match the log`);
    this.snapshot = { id, data: Buffer.from(data) };
    this.entries = this.entries.slice(id.endOffset - this.start);
    this.start = id.endOffset;
  }

  installSnapshot(id: SnapshotId, data: Buffer): void {
    checkOffset(id.endOffset, 'snapshot end offset');
    this.snapshot = { id, data: Buffer.from(data) };
    this.entries = [];
    this.start = id.endOffset;
    this.flushed = id.endOffset;
  }

  /** Simulated crash: entries that were never flushed disappear. */
  crash(): void {
    this.truncateTo(Math.max(this.flushed, this.start));
  }

  /** Every entry in the log (for invariant checks). */
  allEntries(): readonly RaftEntry[] {
    return this.entries;
  }
}
