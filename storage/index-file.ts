/**
 * A sparse index of fixed-size big-endian entries kept in memory exactly as it is laid
 * out on disk, so persisting it is one write of the unwritten tail. The offset index and
 * the time index build on it. Entries are only appended or cut from the end.
 * Leaves out: mmap and preallocation (Kafka's segment.index.bytes).
 */
import type { FileHandle, FileSystem } from './fs.js';

/** Where an index without entries points: nothing is allocated until the first entry (many partitions never get one). */
const NO_ENTRIES = Buffer.alloc(0);
/** Entries room is made for at the first one. */
const FIRST_CAPACITY = 64;

export class IndexFile {
  protected buffer: Buffer;
  /** Number of entries held. */
  count = 0;
  /** Entries already written to the file; the file may hold more if we truncated since. */
  private written = 0;
  private truncatedSinceWrite = false;

  constructor(
    protected readonly fs: FileSystem,
    public path: string,
    readonly entrySize: number,
    initial?: Buffer,
  ) {
    if (initial && initial.length >= entrySize) {
      this.count = Math.floor(initial.length / entrySize);
      this.buffer = initial;
      this.written = this.count;
    } else {
      this.buffer = NO_ENTRIES;
    }
  }

  /** Reads the whole index file, or null when it is missing or not a whole number of entries. */
  static readFile(fs: FileSystem, path: string, entrySize: number): Buffer | null {
    const data = fs.readFile(path);
    return data && data.length % entrySize === 0 ? data : null;
  }

  protected reserve(): number {
    const at = this.count * this.entrySize;
    if (at + this.entrySize > this.buffer.length) {
      const grown = Buffer.alloc(Math.max(this.buffer.length * 2 + this.entrySize, FIRST_CAPACITY * this.entrySize));
      this.buffer.copy(grown, 0, 0, at);
      this.buffer = grown;
    }
    this.count++;
    return at;
  }

  /** Keeps only the first `count` entries. */
  truncateEntries(count: number): void {
    if (count >= this.count) return;
    this.count = count;
    if (count < this.written) {
      this.written = count;
      this.truncatedSinceWrite = true;
    }
  }

  /** Forgets what was written, so the next persist writes every entry. */
  markUnwritten(): void {
    this.written = 0;
    this.truncatedSinceWrite = false;
  }

  get dirty(): boolean {
    return this.truncatedSinceWrite || this.written < this.count;
  }

  /** Writes unwritten entries to the file, creating it when there is none, without syncing it. */
  writeOut(): void {
    if (this.dirty || !this.fs.exists(this.path)) this.persist(false, undefined, true);
  }

  /** Writes unwritten entries to the file; with `sync`, makes them durable; `create`: opens it even with nothing to write. */
  persist(sync: boolean, handle?: FileHandle, create = false): void {
    if (!this.dirty && !sync && !create) return;
    const file = handle ?? this.fs.open(this.path, true);
    try {
      if (this.truncatedSinceWrite) file.truncate(this.written * this.entrySize);
      if (this.written < this.count) {
        const from = this.written * this.entrySize;
        file.write(this.buffer.subarray(from, this.count * this.entrySize), from);
      }
      this.written = this.count;
      this.truncatedSinceWrite = false;
      if (sync) file.sync();
    } finally {
      if (!handle) file.close();
    }
  }

  /** Index of the last entry whose key (read by `keyAt`) is <= target, or -1. */
  protected floorEntry(target: number, keyAt: (i: number) => number): number {
    let lo = 0;
    let hi = this.count - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (keyAt(mid) <= target) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }
}
