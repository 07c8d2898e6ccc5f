/**
 * One segment of a partition log: `<base>.log` with batches as they travel on the wire,
 * its `.index` and `.timeindex`. Appends are one positional write; index entries are
 * kept in memory and written out on flush, fsynced on roll and close (a crash rebuilds
 * the indexes of every segment after the recovery point, so they need not be synced
 * per write). Indexes and the tail summary of a segment opened after a clean shutdown
 * are loaded lazily, on first use.
 * Leaves out: decoding records (log.ts does it where needed), the txn index (txn-index.ts).
 */
import {
  BATCH_LENGTH_OFFSET,
  LAST_OFFSET_DELTA_OFFSET,
  LOG_OVERHEAD,
  MAX_TIMESTAMP_OFFSET,
  PARTITION_LEADER_EPOCH_OFFSET,
  RECORD_BATCH_OVERHEAD,
} from '../protocol/records/batch-header.js';
import { baseOffsetOf, checkBatch, readInt64Number } from './batch-scan.js';
import { walkBatches } from './batch-walker.js';
import { joinPath, type FileHandle, type FileSystem } from './fs.js';
import type { AppendScan } from './append-scan.js';
import { IndexFile } from './index-file.js';
import { OFFSET_INDEX_ENTRY_SIZE, OffsetIndex } from './offset-index.js';
import { TIME_INDEX_ENTRY_SIZE, TimeIndex } from './time-index.js';

export const LOG_SUFFIX = '.log';
export const INDEX_SUFFIX = '.index';
export const TIME_INDEX_SUFFIX = '.timeindex';
export const TXN_INDEX_SUFFIX = '.txnindex';
const RECOVERY_WINDOW = 4 * 1024 * 1024;
/** Bytes per read of batch headers when a read looks for its first batch (LogSegment.read). */
const HEADER_PROBE_BYTES = 8 * 1024;
/**
 * The one buffer those reads go into, for every segment: a read is synchronous and done with it
 * before it returns (what it returns is copied out of it).
 */
const headerProbe = Buffer.allocUnsafeSlow(HEADER_PROBE_BYTES);
/** A first batch at least this large has its read sized from the headers after it (LogSegment.readWindow). */
const SIZED_READ_MIN_BATCH = 64 * 1024;
/** Headers a sized read looks at past its first batch before it reads the plain window instead. */
const SIZED_READ_MAX_HEADERS = 8;
/** The one buffer those header reads go into. */
const nextHeader = Buffer.allocUnsafeSlow(LOG_OVERHEAD);

export function offsetFileName(offset: number, suffix: string): string {
  return `${String(offset).padStart(20, '0')}${suffix}`;
}

/** Where a batch lies in the segment file. */
export interface BatchLocation {
  position: number;
  size: number;
  baseOffset: number;
  lastOffset: number;
  maxTimestamp: number;
}

export interface RecoveryResult {
  validBytes: number;
  truncatedBytes: number;
}

/** Kafka's suffix for a segment file awaiting its (background) removal. */
export const DELETED_SUFFIX = '.deleted';

export class LogSegment {
  private offsetIndexCache: OffsetIndex | null = null;
  private timeIndexCache: TimeIndex | null = null;
  private tailKnown = false;
  private maxTsKnown = false;
  private next = 0;
  private maxTs = -1;
  private offsetOfMaxTs = -1;
  private logUnsynced = false;
  private indexesUnsynced = false;
  private bytesSinceIndexEntry = 0;
  /** Clock time of the last append in this process (null: none since the segment was opened). */
  private appendedMs: number | null = null;

  private constructor(
    private readonly fs: FileSystem,
    readonly dir: string,
    readonly baseOffset: number,
    private readonly handle: FileHandle,
    public size: number,
    public indexIntervalBytes: number,
    /** Clock time the segment was created or opened: what segment.ms counts from when no batch has a timestamp. */
    readonly createdMs: number,
  ) {
    this.next = baseOffset;
  }

  static create(fs: FileSystem, dir: string, baseOffset: number, indexIntervalBytes: number, now: number): LogSegment {
    for (const suffix of [INDEX_SUFFIX, TIME_INDEX_SUFFIX, TXN_INDEX_SUFFIX]) {
      const path = joinPath(dir, offsetFileName(baseOffset, suffix));
      if (fs.exists(path)) fs.unlink(path);
    }
    const handle = fs.open(joinPath(dir, offsetFileName(baseOffset, LOG_SUFFIX)), true);
    // Only a leftover is truncated: on ext4 a truncate to 0 arms auto_da_alloc, and the file's next close then
    // writes back every dirty page in the closing thread (180-215 ms for 512 MiB here), which the event loop
    // paid when a partition was deleted or a descriptor evicted (docs/benchmarks.md, session 21).
    if (handle.size() > 0) handle.truncate(0);
    const segment = new LogSegment(fs, dir, baseOffset, handle, 0, indexIntervalBytes, now);
    segment.offsetIndexCache = new OffsetIndex(fs, segment.indexPath, baseOffset);
    segment.timeIndexCache = new TimeIndex(fs, segment.timeIndexPath, baseOffset);
    segment.tailKnown = true;
    segment.maxTsKnown = true;
    return segment;
  }

  /** `knownSize`: the file's size from the clean-shutdown listing (no stat). */
  static open(
    fs: FileSystem,
    dir: string,
    baseOffset: number,
    indexIntervalBytes: number,
    now: number,
    knownSize?: number,
  ): LogSegment {
    const path = joinPath(dir, offsetFileName(baseOffset, LOG_SUFFIX));
    if (fs.openDeferred) {
      // No descriptor until the segment is read or written: a start with many partitions stats each file instead.
      const { handle, size } = fs.openDeferred(path, knownSize);
      return new LogSegment(fs, dir, baseOffset, handle, size, indexIntervalBytes, now);
    }
    const handle = fs.open(path);
    return new LogSegment(fs, dir, baseOffset, handle, handle.size(), indexIntervalBytes, now);
  }

  get logPath(): string {
    return joinPath(this.dir, offsetFileName(this.baseOffset, LOG_SUFFIX));
  }
  get indexPath(): string {
    return joinPath(this.dir, offsetFileName(this.baseOffset, INDEX_SUFFIX));
  }
  get timeIndexPath(): string {
    return joinPath(this.dir, offsetFileName(this.baseOffset, TIME_INDEX_SUFFIX));
  }
  get txnIndexPath(): string {
    return joinPath(this.dir, offsetFileName(this.baseOffset, TXN_INDEX_SUFFIX));
  }

  /** One past the last offset stored here; the base offset when empty. */
  get nextOffset(): number {
    if (!this.tailKnown && this.presetNext >= 0) return this.presetNext;
    this.ensureTail();
    return this.next;
  }

  private presetNext = -1;

  /**
   * After a clean shutdown the recovery-point checkpoint holds the log end offset: it
   * stands in for the next offset until something needs the tail (an append, a read of
   * the indexes), which then reads it from the file as usual.
   */
  presetNextOffset(offset: number): void {
    this.presetNext = offset;
  }

  /** Largest batch max timestamp in the segment, -1 when none. */
  get maxTimestamp(): number {
    this.ensureMaxTimestamp();
    return this.maxTs;
  }

  get offsetIndex(): OffsetIndex {
    if (!this.offsetIndexCache) {
      const data = IndexFile.readFile(this.fs, this.indexPath, OFFSET_INDEX_ENTRY_SIZE);
      const index = new OffsetIndex(this.fs, this.indexPath, this.baseOffset, data ?? undefined);
      if ((data !== null || this.size === 0) && index.isSane(this.size)) this.offsetIndexCache = index;
      else this.recover();
    }
    return this.offsetIndexCache!;
  }

  get timeIndex(): TimeIndex {
    if (!this.timeIndexCache) {
      const data = IndexFile.readFile(this.fs, this.timeIndexPath, TIME_INDEX_ENTRY_SIZE);
      const index = new TimeIndex(this.fs, this.timeIndexPath, this.baseOffset, data ?? undefined);
      if ((data !== null || this.size === 0) && index.isSane()) this.timeIndexCache = index;
      else this.recover();
    }
    return this.timeIndexCache!;
  }

  /** Appends whole, checked batches whose offsets are already assigned (by `scan`); one write. */
  append(data: Buffer, scan: AppendScan, now: number): void {
    if (!this.maxTsKnown) this.ensureMaxTimestamp();
    const start = this.size;
    this.logUnsynced = true;
    this.indexesUnsynced = true;
    this.handle.write(data, start);
    this.size = start + data.length;
    const count = scan.count;
    for (let i = 0; i < count; i++)
      this.indexBatch(scan.lastOffset(i), scan.batchMaxTimestamp(i), start + scan.at(i), scan.size(i));
    this.next = scan.next;
    this.appendedMs = now;
  }

  /**
   * When the segment was last written, as Kafka's legacy ListOffsets v0 reads it: the file's
   * modification time where the file system keeps one, else the last append's clock time (or
   * when the segment was created or opened).
   */
  lastModifiedMs(): number {
    try {
      const mtime = this.fs.modifiedMs?.(this.logPath);
      if (mtime !== undefined && Number.isFinite(mtime)) return mtime;
    } catch {
      // A file removed under us (a deleted segment): the clock times below stand in.
    }
    return this.appendedMs ?? this.createdMs;
  }

  private indexBatch(lastOffset: number, maxTimestamp: number, position: number, size: number): void {
    if (maxTimestamp > this.maxTs) {
      this.maxTs = maxTimestamp;
      this.offsetOfMaxTs = lastOffset;
    }
    if (this.bytesSinceIndexEntry > this.indexIntervalBytes) {
      this.offsetIndexCache!.append(lastOffset, position);
      this.timeIndexCache!.maybeAppend(this.maxTs, this.offsetOfMaxTs);
      this.bytesSinceIndexEntry = 0;
    }
    this.bytesSinceIndexEntry += size;
  }

  /** The first batch whose last offset is >= offset, searching from `from` (a known batch start). */
  locate(offset: number, from?: number): BatchLocation | null {
    const start = from ?? this.offsetIndex.lookup(offset).position;
    let found: BatchLocation | null = null;
    walkBatches(this.handle, start, this.size, false, (buffer, at, position, size) => {
      const last = baseOffsetOf(buffer, at) + buffer.readInt32BE(at + LAST_OFFSET_DELTA_OFFSET);
      if (last < offset) return true;
      found = {
        position,
        size,
        baseOffset: baseOffsetOf(buffer, at),
        lastOffset: last,
        maxTimestamp: readInt64Number(buffer, at + MAX_TIMESTAMP_OFFSET),
      };
      return false;
    });
    return found;
  }

  /**
   * Whole batches from the one holding `offset`, at most `maxBytes` (but the first batch
   * whole when `minOneBatch`), stopping before a batch starting at or past `maxOffset`.
   * Returns null when nothing in this segment is at or past `offset`. The bytes are read into
   * buffers from `allocate` (read-buffers.ts lends recycled ones to the fetch path).
   *
   * As Kafka's LogSegment.translateOffset, the first batch is found from the offset index entry by its
   * header alone (probeFor), and only then is the data read: exactly the bytes that are returned. The
   * index entry names the batch whose last offset is at or below `offset`, usually the one before the
   * wanted batch, so one window read from it copied that batch too (2 MB per 1 MB fetch of 1 MB batches).
   * Nor is a partial batch read only to be cut off: after a large first batch the read ends where the
   * headers after it say the last whole batch within `maxBytes` ends (readWindow).
   */
  read(
    offset: number,
    maxBytes: number,
    maxOffset: number,
    minOneBatch: boolean,
    allocate: (size: number) => Buffer = (size) => Buffer.allocUnsafe(size),
  ): Buffer | null {
    if (offset >= this.nextOffset) return null;
    const probe = this.probeFor(offset, this.offsetIndex.lookup(offset).position);
    if (!probe) return null;
    const first = probe.location;
    if (first.baseOffset >= maxOffset) return Buffer.alloc(0);
    const wanted = first.size > maxBytes ? (minOneBatch ? first.size : 0) : this.readWindow(first, maxBytes, maxOffset);
    if (wanted === 0) return Buffer.alloc(0);
    let data = allocate(wanted);
    const from = first.position - probe.start;
    if (from + wanted <= probe.length) {
      // A small read: the probe holds it already.
      headerProbe.copy(data, 0, from, from + wanted);
    } else {
      data = data.subarray(0, this.handle.read(data, 0, wanted, first.position));
    }
    let cut = 0;
    while (cut + 12 <= data.length) {
      const size = data.readInt32BE(cut + 8) + 12;
      if (cut + size > data.length || (cut > 0 && baseOffsetOf(data, cut) >= maxOffset)) break;
      cut += size;
    }
    return data.subarray(0, cut);
  }

  /**
   * How many bytes a read from `first` (which fits in `maxBytes`) takes: min(maxBytes, the rest of the
   * file), which the caller cuts at its last whole batch; but after a first batch of SIZED_READ_MIN_BATCH
   * or more, the bytes up to the end of the last whole batch within maxBytes (none starting at or past
   * maxOffset), found from the headers after it with a 12-byte read each, so that no partial batch is
   * copied only to be cut off (a 557 KB batch under a 1 MiB limit was read as 1 MiB). Small batches
   * leave little to cut off and would take many header reads: after SIZED_READ_MAX_HEADERS the window.
   */
  private readWindow(first: BatchLocation, maxBytes: number, maxOffset: number): number {
    const window = Math.min(maxBytes, this.size - first.position);
    if (first.size < SIZED_READ_MIN_BATCH) return window;
    let taken = first.size;
    for (let headers = 0; headers < SIZED_READ_MAX_HEADERS; headers++) {
      const at = first.position + taken;
      if (taken + RECORD_BATCH_OVERHEAD > window) return taken;
      if (this.handle.read(nextHeader, 0, LOG_OVERHEAD, at) < LOG_OVERHEAD) return taken;
      const size = nextHeader.readInt32BE(BATCH_LENGTH_OFFSET) + LOG_OVERHEAD;
      if (size < RECORD_BATCH_OVERHEAD || taken + size > window || baseOffsetOf(nextHeader, 0) >= maxOffset)
        return taken;
      taken += size;
    }
    return window;
  }

  /**
   * The first batch whose last offset is >= offset, found by walking batch headers from `position` (a
   * batch start) in reads of HEADER_PROBE_BYTES into `headerProbe`, with where the last probe read
   * started and how many bytes it holds. Null when no whole batch at or past `offset` is in the file, or
   * at a header whose length is impossible.
   */
  private probeFor(
    offset: number,
    position: number,
  ): { location: BatchLocation; start: number; length: number } | null {
    let start = position;
    let length = 0;
    for (let at = position; at < this.size;) {
      if (at + RECORD_BATCH_OVERHEAD > start + length) {
        start = at;
        length = this.handle.read(headerProbe, 0, Math.min(HEADER_PROBE_BYTES, this.size - at), at);
        if (length < RECORD_BATCH_OVERHEAD) return null;
      }
      const i = at - start;
      const size = headerProbe.readInt32BE(i + BATCH_LENGTH_OFFSET) + LOG_OVERHEAD;
      if (size < RECORD_BATCH_OVERHEAD || at + size > this.size) return null;
      const baseOffset = baseOffsetOf(headerProbe, i);
      const lastOffset = baseOffset + headerProbe.readInt32BE(i + LAST_OFFSET_DELTA_OFFSET);
      if (lastOffset >= offset) {
        const maxTimestamp = readInt64Number(headerProbe, i + MAX_TIMESTAMP_OFFSET);
        return { location: { position: at, size, baseOffset, lastOffset, maxTimestamp }, start, length };
      }
      at += size;
    }
    return null;
  }

  /** The segment file, for whole-file scans (the cleaner). */
  readHandle(): FileHandle {
    return this.handle;
  }

  /** Reads `size` bytes at `position` (a whole batch found by locate). */
  readAt(position: number, size: number): Buffer {
    const data = Buffer.allocUnsafe(size);
    return data.subarray(0, this.handle.read(data, 0, size, position));
  }

  /** First batch at or after `startingOffset` whose max timestamp is >= target. */
  findByTimestamp(target: number, startingOffset: number): BatchLocation | null {
    if (this.maxTimestamp < target) return null;
    const entry = this.timeIndex.lookup(target - 1);
    const from = this.offsetIndex.lookup(Math.max(entry.offset, startingOffset)).position;
    let found: BatchLocation | null = null;
    walkBatches(this.handle, from, this.size, false, (buffer, at, position, size) => {
      const base = baseOffsetOf(buffer, at);
      const last = base + buffer.readInt32BE(at + LAST_OFFSET_DELTA_OFFSET);
      const maxTimestamp = readInt64Number(buffer, at + MAX_TIMESTAMP_OFFSET);
      if (last < startingOffset || maxTimestamp < target) return true;
      found = { position, size, baseOffset: base, lastOffset: last, maxTimestamp };
      return false;
    });
    return found;
  }

  /** Cuts every batch whose last offset is >= offset; returns the bytes removed. */
  truncateTo(offset: number): number {
    if (offset >= this.nextOffset) return 0;
    const cut = this.locate(offset);
    if (!cut) return 0;
    this.offsetIndex.truncateToOffset(cut.baseOffset);
    this.timeIndex.truncateToOffset(cut.baseOffset);
    const removed = this.size - cut.position;
    this.handle.truncate(cut.position);
    this.logUnsynced = true;
    this.indexesUnsynced = true;
    this.size = cut.position;
    this.tailKnown = false;
    this.maxTsKnown = false;
    this.ensureTail();
    return removed;
  }

  /**
   * Checks every batch (length, magic, CRC-32C, offsets increasing and inside this
   * segment), rebuilds both indexes and cuts the file at the first bad batch. `onEpoch` sees each valid batch's partition leader epoch and base offset (the log feeds the
   * leader-epoch cache with them, as Kafka's LogSegment.recover does).
   */
  recover(onEpoch?: (epoch: number, baseOffset: number) => void): RecoveryResult {
    const offsetIndex = new OffsetIndex(this.fs, this.indexPath, this.baseOffset);
    const timeIndex = new TimeIndex(this.fs, this.timeIndexPath, this.baseOffset);
    offsetIndex.truncateEntries(0);
    this.offsetIndexCache = offsetIndex;
    this.timeIndexCache = timeIndex;
    this.next = this.baseOffset;
    this.maxTs = -1;
    this.offsetOfMaxTs = -1;
    this.bytesSinceIndexEntry = 0;
    const result = walkBatches(
      this.handle,
      0,
      this.size,
      true,
      (buffer, at, position, size) => {
        if (checkBatch(buffer, at, at + size) !== size) return false;
        const base = baseOffsetOf(buffer, at);
        const last = base + buffer.readInt32BE(at + LAST_OFFSET_DELTA_OFFSET);
        if (base < this.next || last - this.baseOffset > 0x7fffffff) return false;
        this.indexBatch(last, readInt64Number(buffer, at + MAX_TIMESTAMP_OFFSET), position, size);
        onEpoch?.(buffer.readInt32BE(at + PARTITION_LEADER_EPOCH_OFFSET), base);
        this.next = last + 1;
        return true;
      },
      RECOVERY_WINDOW,
    );
    const truncatedBytes = this.size - result.position;
    if (truncatedBytes > 0) {
      this.handle.truncate(result.position);
      this.size = result.position;
      this.logUnsynced = true;
    }
    this.indexesUnsynced = true;
    this.tailKnown = true;
    this.maxTsKnown = true;
    this.rewriteIndexFiles();
    return { validBytes: this.size, truncatedBytes };
  }

  /**
   * Writes the rebuilt indexes over the files. An index without entries whose file is already
   * empty is left alone (a kill -9 restart of 10,000 small partitions otherwise opened, truncated
   * and closed 20,000 files that were empty already and stay empty).
   */
  private rewriteIndexFiles(): void {
    for (const index of [this.offsetIndexCache!, this.timeIndexCache!]) {
      if (index.count === 0 && this.fileIsEmpty(index.path)) {
        index.markUnwritten();
        continue;
      }
      const handle = this.fs.open(index.path, true);
      try {
        handle.truncate(0);
        index.markUnwritten();
        index.persist(false, handle);
      } finally {
        handle.close();
      }
    }
  }

  /** Whether the file exists and holds nothing (false when the file system cannot tell by path). */
  private fileIsEmpty(path: string): boolean {
    if (!this.fs.fileSize) return false;
    try {
      return this.fs.fileSize(path) === 0;
    } catch {
      return false; // missing: the rewrite creates it
    }
  }

  /**
   * Finds the next offset from the last offset-index entry and the batches after it,
   * checking on the way that the entry points at a batch ending at its offset (else the
   * segment is recovered, which rebuilds the indexes).
   */
  private ensureTail(): void {
    if (this.tailKnown) return;
    const index = this.offsetIndex;
    if (this.tailKnown) return; // loading the index ran a recovery
    const from = index.lastPosition();
    const expected = index.count > 0 ? index.baseOffset + index.relativeOffsetAt(index.count - 1) : -1;
    let next = this.baseOffset;
    let bytesSince = 0;
    let tailMax = -1;
    let tailMaxOffset = -1;
    let consistent = true;
    walkBatches(this.handle, from, this.size, false, (buffer, at, position, size) => {
      const last = baseOffsetOf(buffer, at) + buffer.readInt32BE(at + LAST_OFFSET_DELTA_OFFSET);
      if (position === from && expected >= 0 && last !== expected) {
        consistent = false;
        return false;
      }
      const ts = readInt64Number(buffer, at + MAX_TIMESTAMP_OFFSET);
      if (ts > tailMax) {
        tailMax = ts;
        tailMaxOffset = last;
      }
      next = last + 1;
      bytesSince += size;
      return true;
    });
    if (!consistent) {
      this.recover();
      return;
    }
    this.next = next;
    this.bytesSinceIndexEntry = bytesSince;
    this.tailMax = tailMax;
    this.tailMaxOffset = tailMaxOffset;
    this.tailKnown = true;
  }

  private tailMax = -1;
  private tailMaxOffset = -1;

  /** Largest timestamp: the time index's last entry or a larger one among the tail batches. */
  private ensureMaxTimestamp(): void {
    if (this.maxTsKnown) return;
    this.ensureTail();
    if (this.maxTsKnown) return;
    const last = this.timeIndex.lastEntry();
    if (this.maxTsKnown) return;
    this.maxTs = last ? last.timestamp : -1;
    this.offsetOfMaxTs = last ? last.offset : -1;
    if (this.tailMax > this.maxTs) {
      this.maxTs = this.tailMax;
      this.offsetOfMaxTs = this.tailMaxOffset;
    }
    this.maxTsKnown = true;
  }

  /**
   * fsyncs the log file only. Index entries stay in memory until the segment rolls or
   * closes: recovery rebuilds the indexes of every segment from the recovery point on.
   */
  flush(): void {
    if (!this.logUnsynced) return;
    this.handle.sync();
    this.logUnsynced = false;
  }

  /** Waits for the log file's write-behind writes (storage/write-behind.ts); throws a failed one's error. */
  settleWrites(): void {
    this.handle.settle?.();
  }

  /** Whether the log file has writes not known to be durable. */
  get hasUnsyncedWrites(): boolean {
    return this.logUnsynced;
  }

  /** Makes the segment and its indexes durable; run when it stops being active and at close. */
  flushAll(): void {
    this.flush();
    this.flushIndexes();
  }

  /**
   * Writes out the indexes without syncing them (their files exist afterwards), for a roll that
   * syncs them in the background with the log file (`syncPaths`, then `markSynced`).
   */
  writeIndexes(): void {
    if (!this.indexesUnsynced) return;
    if (this.maxTsKnown && this.maxTs >= 0) this.timeIndex.maybeAppend(this.maxTs, this.offsetOfMaxTs);
    this.offsetIndex.writeOut();
    this.timeIndex.writeOut();
  }

  /** The files a background sync of this segment makes durable: the log file and both indexes. */
  get syncPaths(): readonly string[] {
    return [this.logPath, this.indexPath, this.timeIndexPath];
  }

  /** The log file and the indexes were made durable elsewhere (a background sync started after the last writes). */
  markSynced(): void {
    this.logUnsynced = false;
    this.indexesUnsynced = false;
  }

  /** Writes out and syncs the indexes (small: a few MiB at most), not the log file. */
  flushIndexes(): void {
    if (!this.indexesUnsynced) return;
    if (this.maxTsKnown && this.maxTs >= 0) this.timeIndex.maybeAppend(this.maxTs, this.offsetOfMaxTs);
    this.offsetIndex.persist(true);
    this.timeIndex.persist(true);
    this.indexesUnsynced = false;
  }

  close(): void {
    this.handle.close();
  }

  /**
   * Closes and removes the segment's files. Where the file system can unlink off the caller's thread,
   * each file is first renamed with Kafka's `.deleted` suffix (so its name is free at once) and then
   * unlinked in the background: an unlink of a 1 GiB segment took ~0.3 s on the event loop here (ext4
   * with `discard`). A `.deleted` file left by a crash or a failed unlink is removed when the log
   * loads (log-loader.ts), as Kafka does. With `later` (file.delete.delay.ms, deferred-unlinks.ts) every
   * file is renamed `.deleted` and handed to it instead of being unlinked.
   */
  delete(later?: (doomed: string[]) => void): void {
    this.handle.close();
    const { fs } = this;
    const doomedFiles: string[] = [];
    for (const path of [this.logPath, this.indexPath, this.timeIndexPath, this.txnIndexPath]) {
      if (!fs.exists(path)) continue;
      if (later !== undefined) {
        fs.rename(path, path + DELETED_SUFFIX);
        doomedFiles.push(path + DELETED_SUFFIX);
        continue;
      }
      if (fs.unlinkInBackground === undefined) {
        fs.unlink(path);
        continue;
      }
      const doomed = path + DELETED_SUFFIX;
      fs.rename(path, doomed);
      // A failure leaves the file for the next load to remove; a later segment of the same base offset
      // renamed over it before this ran (ENOENT on its own unlink) is removed all the same.
      fs.unlinkInBackground(doomed, () => undefined);
    }
    later?.(doomedFiles);
  }
}
