/**
 * A RaftLog on disk under `<metadata.log.dir>/__cluster_metadata-0/`, in Kafka's formats:
 * - the log is one segment `<startOffset 20 digits>.log` of v2 record batches (partitionLeaderEpoch =
 *   entry epoch, control flag for Raft control records; CRC-32C per batch). append() only keeps entries
 *   in memory; flush() writes everything appended since the last flush as one batch per run of equal
 *   epoch and kind (many records per batch, as KRaft's accumulator does) and fsyncs. truncateTo() cuts
 *   the file at the entry's batch and rewrites the kept head of that batch.
 * - snapshots are `<endOffset 20 digits>-<epoch 10 digits>.checkpoint` files (the state machine's bytes),
 *   written to a temp file, fsynced and renamed. Creating one rewrites the segment without the
 *   covered prefix (temp + rename), so the segment's name always gives the log start.
 * Opening recovers: the newest readable snapshot is the base; the segment is read batch by batch and
 * cut at the first batch that fails its size/CRC check or breaks the offset/epoch sequence (a torn
 * tail from a crash). Everything fsynced before the crash was a prefix of the file, so it survives.
 * In memory it keeps only what Raft asks about without reading: per entry its epoch, payload size
 * and the file position of its batch, not an entry object with its payload buffer (at 10,000
 * partitions, 30,000 entries: the live heap after a restart fell 1.4 MiB, docs/benchmarks.md).
 * Entries not written yet are kept whole until flush();
 * read() reads written entries back from the segment (the page cache holds it; the log is small).
 * In a throwaway data dir (`fsync` false: startBroker()'s temporary dir, deleted on stop) the same
 * files are written without any fsync.
 * Leaves out: several segments, retention of older snapshots (only the newest is kept).
 */
import {
  closeSync,
  fsyncSync,
  ftruncateSync,
  openSync,
  readdirSync,
  readFileSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { checkBatchFrame, readBatchHeader } from '../../protocol/records/index.js';
import { decodeEntries } from './raft-entries-codec.js';
import { RaftInvariantError } from './raft/errors.js';
import type { RaftLog } from './raft/raft-log.js';
import { endOffsetForEpochIn, epochAt, type EpochView } from './raft/raft-log-entries.js';
import {
  checkOffset,
  type EpochEndOffset,
  type OffsetAndEpoch,
  type RaftEntry,
  type SnapshotId,
} from './raft/types.js';
import {
  CHECKPOINT,
  SEGMENT,
  checkpointName,
  layoutBatches,
  readWrittenEntries,
  segmentName,
  writeDurably,
} from './raft-log-segment.js';
import { makeDirsSync } from '../../storage/make-dirs.js';

export { checkpointName, segmentName } from './raft-log-segment.js';

export class FileRaftLog implements RaftLog {
  /** Per entry from the log start (index = offset - start): its epoch and payload bytes. */
  private epochs: number[] = [];
  private payloadSizes: number[] = [];
  /** File position of the batch holding each written entry (the first batchStarts.length entries). */
  private batchStarts: number[] = [];
  /** Entries appended and not written yet (indexes batchStarts.length on), written by the next flush. */
  private pending: RaftEntry[] = [];
  /** End of the written part of the segment. */
  private fileEnd = 0;
  private start = 0;
  private flushed = 0;
  private snapshot: { id: SnapshotId; data: Buffer } | undefined;
  private fd: number;
  /** Bytes cut from a torn or corrupt tail on open (for logs and tests). */
  readonly recoveredTailBytes: number;

  /**
   * `fsync` false: a throwaway data dir (deleted when its broker stops, so nothing in it outlives
   * the process): flush() and the snapshot writes leave out their fsyncs.
   */
  constructor(
    readonly dir: string,
    private readonly fsync = true,
  ) {
    makeDirsSync(dir);
    const names = readdirSync(dir);
    for (const name of names) if (name.endsWith('.tmp')) unlinkSync(join(dir, name));
    this.snapshot = this.loadNewestSnapshot(names);
    const segments = names.filter((n) => SEGMENT.test(n)).sort();
    const segmentFile = segments[segments.length - 1];
    this.start = this.snapshot ? this.snapshot.id.endOffset : 0;
    for (const old of segments.slice(0, -1)) unlinkSync(join(dir, old));
    if (segmentFile === undefined) {
      this.fd = openSync(join(dir, segmentName(this.start)), 'w+');
      this.recoveredTailBytes = 0;
      return;
    }
    const path = join(dir, segmentFile);
    const data = readFileSync(path);
    const fileStart = Number(SEGMENT.exec(segmentFile)?.[1]);
    const goodBytes = this.recover(data, fileStart);
    this.recoveredTailBytes = data.length - goodBytes;
    this.fd = openSync(path, 'r+');
    if (goodBytes !== data.length) {
      ftruncateSync(this.fd, goodBytes);
      this.syncSegment();
    }
    if (fileStart !== this.start) {
      // Crashed between writing a snapshot and rewriting the segment: finish the rewrite now.
      this.rewriteSegment(this.readWritten(0));
    }
    this.flushed = this.endOffset();
  }

  private loadNewestSnapshot(names: string[]): { id: SnapshotId; data: Buffer } | undefined {
    const found = names
      .map((n) => CHECKPOINT.exec(n))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => ({ name: m[0], id: { endOffset: Number(m[1]), epoch: Number(m[2]) } }))
      .sort((a, b) => b.id.endOffset - a.id.endOffset);
    const newest = found[0];
    for (const older of found.slice(1)) unlinkSync(join(this.dir, older.name));
    return newest ? { id: newest.id, data: readFileSync(join(this.dir, newest.name)) } : undefined;
  }

  /** Reads batches from the segment, keeping those at or above the log start; returns the good length. */
  private recover(data: Buffer, fileStart: number): number {
    let at = 0;
    let expected = fileStart;
    let lastEpoch = this.snapshot ? this.snapshot.id.epoch : 0;
    while (at < data.length) {
      let size: number;
      let batchEntries: RaftEntry[];
      try {
        size = checkBatchFrame(data, at);
        if (Number(readBatchHeader(data, at).baseOffset) !== expected) break;
        batchEntries = decodeEntries(data.subarray(at, at + size));
      } catch {
        break;
      }
      const first = batchEntries[0];
      const last = batchEntries[batchEntries.length - 1];
      if (!first || !last || first.epoch < lastEpoch || last.offset !== expected + batchEntries.length - 1) break;
      if (last.offset < this.start) {
        // a batch of the prefix the snapshot covers: skipped
      } else {
        if (first.offset < this.start) break; // a batch straddling the snapshot: the segment is rewritten anyway
        if (first.offset !== this.endOffset()) break;
        for (const entry of batchEntries) {
          this.remember(entry);
          this.batchStarts.push(at);
        }
      }
      lastEpoch = last.epoch;
      expected += batchEntries.length;
      at += size;
    }
    this.fileEnd = at;
    return at;
  }

  private remember(entry: RaftEntry): void {
    this.epochs.push(entry.epoch);
    this.payloadSizes.push(entry.payload.length);
  }

  /** Keeps the first `count` entries' metadata (count <= the number of entries). */
  private keepFirst(count: number): void {
    this.epochs.length = count;
    this.payloadSizes.length = count;
  }

  startOffset(): number {
    return this.start;
  }

  endOffset(): number {
    return this.start + this.epochs.length;
  }

  lastFetched(): OffsetAndEpoch {
    const count = this.epochs.length;
    if (count > 0) return { offset: this.start + count, epoch: this.epochs[count - 1] as number };
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
    for (const entry of entries) {
      this.remember(entry);
      this.pending.push(entry);
    }
  }

  /** Writes the pending entries to the segment: one batch per run of equal epoch and kind. */
  private writePending(): void {
    if (this.pending.length === 0) return;
    const { data, starts, end } = layoutBatches(this.pending, this.fileEnd);
    writeSync(this.fd, data, 0, data.length, this.fileEnd);
    for (const position of starts) this.batchStarts.push(position);
    this.fileEnd = end;
    this.pending = [];
  }

  /** File position just past the batch holding written entry `index`. */
  private batchEnd(index: number): number {
    const written = this.batchStarts.length;
    const at = this.batchStarts[index] as number;
    let next = index + 1;
    while (next < written && this.batchStarts[next] === at) next++;
    return next < written ? (this.batchStarts[next] as number) : this.fileEnd;
  }

  /** Written entries from index `from` (inclusive) to `to` (exclusive, default all written), read from the file. */
  private readWritten(from: number, to = this.batchStarts.length): RaftEntry[] {
    if (from >= to) return [];
    const position = this.batchStarts[from] as number;
    return readWrittenEntries(this.fd, position, this.batchEnd(to - 1), this.start + from, this.start + to);
  }

  truncateTo(offset: number): void {
    if (offset < this.start || offset > this.endOffset()) {
      throw new RaftInvariantError(`truncate to ${offset} outside [${this.start}, ${this.endOffset()}]`);
    }
    const keep = offset - this.start;
    if (keep === this.epochs.length) return;
    this.flushed = Math.min(this.flushed, offset);
    const written = this.batchStarts.length;
    if (keep >= written) {
      // only unwritten entries go
      this.pending.length = keep - written;
      this.keepFirst(keep);
      return;
    }
    // Cut at the batch holding the first removed entry; the entries before it in that batch are
    // written again (a batch is the unit on disk).
    const cut = this.batchStarts[keep] as number;
    let head = keep;
    while (head > 0 && this.batchStarts[head - 1] === cut) head--;
    const rewritten = this.readWritten(head, keep);
    this.keepFirst(keep);
    this.batchStarts.length = head;
    this.pending = rewritten;
    ftruncateSync(this.fd, cut);
    this.fileEnd = cut;
    this.writePending();
    this.syncSegment();
  }

  private syncSegment(): void {
    if (this.fsync) fsyncSync(this.fd);
  }

  private epochView(): EpochView {
    const epochs = this.epochs;
    return {
      start: this.start,
      count: epochs.length,
      epochAtIndex: (i) => epochs[i] as number,
      snapshot: this.snapshot,
    };
  }

  /** Entries from `fromOffset`, at least one, then as many as fit in `maxBytes` of payload. */
  read(fromOffset: number, maxBytes: number): RaftEntry[] {
    const count = this.epochs.length;
    if (fromOffset < this.start || fromOffset > this.start + count) {
      throw new RaftInvariantError(`read from ${fromOffset} outside [${this.start}, ${this.start + count}]`);
    }
    const from = fromOffset - this.start;
    let to = from;
    let bytes = 0;
    while (to < count) {
      const size = this.payloadSizes[to] as number;
      if (to > from && bytes + size > maxBytes) break;
      bytes += size;
      to++;
    }
    const written = this.batchStarts.length;
    const out = this.readWritten(from, Math.min(to, written));
    for (let i = Math.max(from, written); i < to; i++) out.push(this.pending[i - written] as RaftEntry);
    return out;
  }

  epochOf(offset: number): number | undefined {
    return epochAt(this.epochView(), offset);
  }

  endOffsetForEpoch(epoch: number): EpochEndOffset {
    return endOffsetForEpochIn(this.epochView(), this.lastFetched(), epoch);
  }

  flush(): void {
    if (this.flushed === this.endOffset()) return;
    this.writePending();
    this.syncSegment();
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
    if (id.endOffset <= this.start) return;
    if (id.endOffset > this.flushed)
      throw new RaftInvariantError(`snapshot at ${id.endOffset} past durable ${this.flushed}`);
    if (this.epochOf(id.endOffset - 1) !== id.epoch)
      throw new RaftInvariantError(`snapshot epoch ${id.epoch} does not match the log`);
    // Everything the snapshot covers is flushed, so written: the rest keeps its written/pending split.
    const dropped = id.endOffset - this.start;
    const keptWritten = this.readWritten(dropped);
    this.replaceSnapshot(id, data);
    this.epochs = this.epochs.slice(dropped);
    this.payloadSizes = this.payloadSizes.slice(dropped);
    this.start = id.endOffset;
    this.rewriteSegment(keptWritten);
  }

  installSnapshot(id: SnapshotId, data: Buffer): void {
    checkOffset(id.endOffset, 'snapshot end offset');
    this.replaceSnapshot(id, data);
    this.keepFirst(0);
    this.pending = [];
    this.start = id.endOffset;
    this.rewriteSegment([]);
    this.flushed = id.endOffset;
  }

  close(): void {
    closeSync(this.fd);
  }

  private replaceSnapshot(id: SnapshotId, data: Buffer): void {
    const previous = this.snapshot;
    writeDurably(this.dir, checkpointName(id), data, this.fsync);
    this.snapshot = { id, data: Buffer.from(data) };
    if (previous && checkpointName(previous.id) !== checkpointName(id))
      unlinkSync(join(this.dir, checkpointName(previous.id)));
  }

  /**
   * Writes `written` (the log's first entries, all already written before) to `<start>.log`
   * (temp + fsync + rename) and drops the old segment. Pending entries stay pending: they are
   * written (and durable) at the next flush.
   */
  private rewriteSegment(written: readonly RaftEntry[]): void {
    const { data, starts, end } = layoutBatches(written, 0);
    const name = segmentName(this.start);
    closeSync(this.fd);
    writeDurably(this.dir, name, data, this.fsync);
    // Only once the new segment is durable may the old one go (the newest name wins on recovery).
    for (const old of readdirSync(this.dir)) if (SEGMENT.test(old) && old !== name) unlinkSync(join(this.dir, old));
    this.fd = openSync(join(this.dir, name), 'r+');
    this.batchStarts = starts;
    this.fileEnd = end;
  }
}
