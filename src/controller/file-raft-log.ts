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
 * Entries stay in memory as well (the metadata log is small; snapshots bound it).
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
  renameSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { checkBatchFrame, readBatchHeader } from '../../protocol/records/index.js';
import { decodeEntries, encodeEntries } from './raft-entries-codec.js';
import { fsyncDir } from './file-quorum-state-store.js';
import { RaftInvariantError } from './raft/errors.js';
import type { RaftLog } from './raft/raft-log.js';
import { endOffsetForEpochIn, epochAt, readEntries, type EntryView } from './raft/raft-log-entries.js';
import {
  checkOffset,
  type EpochEndOffset,
  type OffsetAndEpoch,
  type RaftEntry,
  type SnapshotId,
} from './raft/types.js';
import { makeDirsSync } from '../../storage/make-dirs.js';

const SEGMENT = /^(\d{20})\.log$/;
/** Upper bound of records in one batch on disk (a fetch of 8 MiB of tiny records stays several batches). */
const MAX_BATCH_ENTRIES = 4096;
const CHECKPOINT = /^(\d{20})-(\d{10})\.checkpoint$/;

export function segmentName(startOffset: number): string {
  return `${String(startOffset).padStart(20, '0')}.log`;
}

export function checkpointName(id: SnapshotId): string {
  return `${String(id.endOffset).padStart(20, '0')}-${String(id.epoch).padStart(10, '0')}.checkpoint`;
}

/** Temporary file, fsync, rename, directory fsync (the fsyncs left out when `fsync` is false). */
function writeDurably(dir: string, name: string, data: Buffer, fsync: boolean): void {
  const tmp = join(dir, `${name}.tmp`);
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, data, 0, data.length, 0);
    if (fsync) fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, join(dir, name));
  if (fsync) fsyncDir(dir);
}

/**
 * Encodes entries[from ..] as record batches laid out from file position `position`: one batch per run
 * of equal epoch and kind, at most MAX_BATCH_ENTRIES records each. Returns the bytes, the batch start of
 * each encoded entry and the end position.
 */
function layoutBatches(
  entries: readonly RaftEntry[],
  from: number,
  position: number,
): { data: Buffer; starts: number[]; end: number } {
  const chunks: Buffer[] = [];
  const starts: number[] = [];
  while (from < entries.length) {
    const first = entries[from] as RaftEntry;
    let to = from + 1;
    while (to < entries.length && to - from < MAX_BATCH_ENTRIES) {
      const next = entries[to] as RaftEntry;
      if (next.epoch !== first.epoch || next.control !== first.control) break;
      to++;
    }
    const batch = encodeEntries(entries.slice(from, to));
    for (let i = from; i < to; i++) starts.push(position);
    chunks.push(batch);
    position += batch.length;
    from = to;
  }
  return { data: chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks), starts, end: position };
}

export class FileRaftLog implements RaftLog {
  private entries: RaftEntry[] = [];
  /** File position of the batch holding each entry written so far (entries[0 .. batchStarts.length)). */
  private batchStarts: number[] = [];
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
      this.rewriteSegment();
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
        if (first.offset !== this.start + this.entries.length) break;
        for (const entry of batchEntries) {
          this.entries.push(entry);
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

  /** Writes entries[batchStarts.length ..] to the segment: one batch per run of equal epoch and kind. */
  private writePending(): void {
    if (this.batchStarts.length === this.entries.length) return;
    const { data, starts, end } = layoutBatches(this.entries, this.batchStarts.length, this.fileEnd);
    writeSync(this.fd, data, 0, data.length, this.fileEnd);
    for (const position of starts) this.batchStarts.push(position);
    this.fileEnd = end;
  }

  truncateTo(offset: number): void {
    if (offset < this.start || offset > this.endOffset()) {
      throw new RaftInvariantError(`truncate to ${offset} outside [${this.start}, ${this.endOffset()}]`);
    }
    const keep = offset - this.start;
    if (keep === this.entries.length) return;
    this.entries.length = keep;
    this.flushed = Math.min(this.flushed, offset);
    if (keep >= this.batchStarts.length) return; // only unwritten entries went
    // Cut at the batch holding the first removed entry; the entries before it in that batch are
    // written again (a batch is the unit on disk).
    const cut = this.batchStarts[keep] as number;
    let head = keep;
    while (head > 0 && this.batchStarts[head - 1] === cut) head--;
    this.batchStarts.length = head;
    ftruncateSync(this.fd, cut);
    this.fileEnd = cut;
    this.writePending();
    this.syncSegment();
  }

  private syncSegment(): void {
    if (this.fsync) fsyncSync(this.fd);
  }

  private view(): EntryView {
    return { entries: this.entries, start: this.start, snapshot: this.snapshot };
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
    this.replaceSnapshot(id, data);
    // Everything the snapshot covers is flushed, so written: the rest keeps its written/pending split.
    this.batchStarts = this.batchStarts.slice(id.endOffset - this.start);
    this.entries = this.entries.slice(id.endOffset - this.start);
    this.start = id.endOffset;
    this.rewriteSegment();
  }

  installSnapshot(id: SnapshotId, data: Buffer): void {
    checkOffset(id.endOffset, 'snapshot end offset');
    this.replaceSnapshot(id, data);
    this.entries = [];
    this.batchStarts = [];
    this.start = id.endOffset;
    this.rewriteSegment();
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

  /** Writes the kept entries to `<start>.log` (temp + fsync + rename) and drops the old segment. */
  private rewriteSegment(): void {
    // Entries not written yet stay pending: they are written (and durable) at the next flush.
    const written = Math.min(this.batchStarts.length, this.entries.length);
    const { data, starts, end } = layoutBatches(this.entries.slice(0, written), 0, 0);
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
