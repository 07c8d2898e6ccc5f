/**
 * The `.timeindex` file: sparse 12-byte entries (int64 timestamp, int32 offset relative
 * to the segment base). Each entry says: the largest timestamp up to this offset is this
 * one. Entries are added when the largest timestamp grows, at the offset index's pace.
 */
import { int32At, putInt32, readInt64Number, writeInt64Number } from './batch-scan.js';
import type { FileSystem } from './fs.js';
import { IndexFile } from './index-file.js';

export const TIME_INDEX_ENTRY_SIZE = 12;

export interface TimestampOffset {
  timestamp: number;
  offset: number;
}

export class TimeIndex extends IndexFile {
  constructor(
    fs: FileSystem,
    path: string,
    readonly baseOffset: number,
    initial?: Buffer,
  ) {
    super(fs, path, TIME_INDEX_ENTRY_SIZE, initial);
  }

  timestampAt(i: number): number {
    return readInt64Number(this.buffer, i * 12);
  }

  relativeOffsetAt(i: number): number {
    return this.buffer.readInt32BE(i * 12 + 8);
  }

  lastEntry(): TimestampOffset | null {
    if (this.count === 0) return null;
    return {
      timestamp: this.timestampAt(this.count - 1),
      offset: this.baseOffset + this.relativeOffsetAt(this.count - 1),
    };
  }

  /** Adds an entry when the timestamp is larger than the last one. */
  maybeAppend(timestamp: number, offset: number): void {
    const relative = offset - this.baseOffset;
    if (this.count > 0) {
      const last = (this.count - 1) * TIME_INDEX_ENTRY_SIZE;
      if (timestamp <= readInt64Number(this.buffer, last)) return;
      if (relative <= int32At(this.buffer, last + 8)) return;
    }
    const at = this.reserve();
    writeInt64Number(this.buffer, at, timestamp);
    putInt32(this.buffer, at + 8, relative);
  }

  /** Entry with the largest timestamp <= target; the segment base when none. */
  lookup(timestamp: number): TimestampOffset {
    const i = this.floorEntry(timestamp, (k) => this.timestampAt(k));
    if (i < 0) return { timestamp: -1, offset: this.baseOffset };
    return { timestamp: this.timestampAt(i), offset: this.baseOffset + this.relativeOffsetAt(i) };
  }

  truncateToOffset(offset: number): void {
    let keep = this.count;
    while (keep > 0 && this.baseOffset + this.relativeOffsetAt(keep - 1) >= offset) keep--;
    this.truncateEntries(keep);
  }

  isSane(): boolean {
    let lastTimestamp = -Infinity;
    let lastOffset = -1;
    for (let i = 0; i < this.count; i++) {
      const relative = this.relativeOffsetAt(i);
      const high = this.buffer.readInt32BE(i * 12);
      if (high > 0x1fffff || high < -0x200000) return false;
      const timestamp = this.timestampAt(i);
      if (timestamp <= lastTimestamp || relative <= lastOffset) return false;
      lastTimestamp = timestamp;
      lastOffset = relative;
    }
    return true;
  }
}
