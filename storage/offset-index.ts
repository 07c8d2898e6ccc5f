/**
 * The `.index` file: sparse 8-byte entries (int32 offset relative to the segment base,
 * int32 position in the segment file), one at most every index.interval.bytes, keyed by
 * the last offset of the batch that starts at that position.
 */
import { int32At, putInt32 } from './batch-scan.js';
import type { FileSystem } from './fs.js';
import { IndexFile } from './index-file.js';

export const OFFSET_INDEX_ENTRY_SIZE = 8;

export interface OffsetPosition {
  offset: number;
  position: number;
}

export class OffsetIndex extends IndexFile {
  constructor(
    fs: FileSystem,
    path: string,
    readonly baseOffset: number,
    initial?: Buffer,
  ) {
    super(fs, path, OFFSET_INDEX_ENTRY_SIZE, initial);
  }

  relativeOffsetAt(i: number): number {
    return this.buffer.readInt32BE(i * 8);
  }

  positionAt(i: number): number {
    return this.buffer.readInt32BE(i * 8 + 4);
  }

  lastPosition(): number {
    return this.count === 0 ? 0 : this.positionAt(this.count - 1);
  }

  /** Adds an entry if it moves both offset and position forward. */
  append(offset: number, position: number): void {
    const relative = offset - this.baseOffset;
    if (this.count > 0) {
      const last = (this.count - 1) * OFFSET_INDEX_ENTRY_SIZE;
      if (relative <= int32At(this.buffer, last) || position <= int32At(this.buffer, last + 4)) return;
    }
    const at = this.reserve();
    putInt32(this.buffer, at, relative);
    putInt32(this.buffer, at + 4, position);
  }

  /** The entry with the largest offset <= target, or the segment start. */
  lookup(offset: number): OffsetPosition {
    const relative = offset - this.baseOffset;
    const i = this.floorEntry(relative, (k) => this.relativeOffsetAt(k));
    if (i < 0) return { offset: this.baseOffset, position: 0 };
    return { offset: this.baseOffset + this.relativeOffsetAt(i), position: this.positionAt(i) };
  }

  /** Drops entries whose offset is >= target (their batches are being cut). */
  truncateToOffset(offset: number): void {
    const i = this.floorEntry(offset - this.baseOffset - 1, (k) => this.relativeOffsetAt(k));
    this.truncateEntries(i + 1);
  }

  /** True when entries increase strictly and every position lies inside the log file. */
  isSane(logSize: number): boolean {
    let lastOffset = -1;
    let lastPosition = -1;
    for (let i = 0; i < this.count; i++) {
      const relative = this.relativeOffsetAt(i);
      const position = this.positionAt(i);
      if (relative <= lastOffset || position <= lastPosition || position >= logSize) return false;
      lastOffset = relative;
      lastPosition = position;
    }
    return true;
  }
}
