/** An in-memory PartitionLog twin, for unit tests and `log.dirs=:memory:` brokers. */
import {
  LAST_OFFSET_DELTA_OFFSET,
  MAX_TIMESTAMP_OFFSET,
  BASE_TIMESTAMP_OFFSET,
  ATTRIBUTES_OFFSET,
  TIMESTAMP_TYPE_MASK,
  batchSizeAt,
  patchBaseOffset,
  patchPartitionLeaderEpoch,
} from '../../protocol/records/batch-header.js';
import { crc32c } from '../../protocol/records/crc32c.js';
import {
  OffsetOutOfRangeError,
  type AppendInfo,
  type PartitionLog,
  type PartitionLogFactory,
} from './partition-log.js';

interface StoredBatch {
  baseOffset: number;
  lastOffset: number;
  maxTimestamp: number;
  bytes: Buffer;
}

/** Rewrites a batch to LogAppendTime: timestamp type bit, max timestamp, and the CRC. */
export function stampLogAppendTime(batch: Buffer, at: number, time: number): void {
  const attrs = batch.readInt16BE(at + ATTRIBUTES_OFFSET) | TIMESTAMP_TYPE_MASK;
  batch.writeInt16BE(attrs, at + ATTRIBUTES_OFFSET);
  batch.writeBigInt64BE(BigInt(time), at + MAX_TIMESTAMP_OFFSET);
  const end = at + batchSizeAt(batch, at);
  batch.writeUInt32BE(crc32c(batch.subarray(at + ATTRIBUTES_OFFSET, end)) >>> 0, at + 17);
}

export class MemoryPartitionLog implements PartitionLog {
  private batches: StoredBatch[] = [];
  logStartOffset = 0;
  logEndOffset = 0;
  /** Wall-clock time of the last append: the one segment's modification time. */
  private modifiedMs = Date.now();

  append(data: Buffer, options: { leaderEpoch: number; logAppendTime?: number }): AppendInfo {
    const bytes = Buffer.from(data);
    const baseOffset = this.logEndOffset;
    let pos = 0;
    while (pos < bytes.length) {
      const size = batchSizeAt(bytes, pos);
      const lastDelta = bytes.readInt32BE(pos + LAST_OFFSET_DELTA_OFFSET);
      patchBaseOffset(bytes, pos, BigInt(this.logEndOffset));
      patchPartitionLeaderEpoch(bytes, pos, options.leaderEpoch);
      if (options.logAppendTime !== undefined) stampLogAppendTime(bytes, pos, options.logAppendTime);
      const own = bytes.subarray(pos, pos + size);
      this.batches.push({
        baseOffset: this.logEndOffset,
        lastOffset: this.logEndOffset + lastDelta,
        maxTimestamp: Number(own.readBigInt64BE(MAX_TIMESTAMP_OFFSET)),
        bytes: own,
      });
      this.logEndOffset += lastDelta + 1;
      pos += size;
    }
    this.modifiedMs = Date.now();
    return { baseOffset, lastOffset: this.logEndOffset - 1, logAppendTime: options.logAppendTime ?? -1 };
  }

  /** Keeps the batches' offsets and epochs; the first must start at the log end. */
  appendReplicated(data: Buffer): AppendInfo {
    const bytes = Buffer.from(data);
    const baseOffset = this.logEndOffset;
    let pos = 0;
    while (pos < bytes.length) {
      const size = batchSizeAt(bytes, pos);
      const first = Number(bytes.readBigInt64BE(pos));
      if (first !== this.logEndOffset)
        throw new Error(`replicated batch at offset ${first}, but the log ends at ${this.logEndOffset}`);
      const lastOffset = first + bytes.readInt32BE(pos + LAST_OFFSET_DELTA_OFFSET);
      const own = bytes.subarray(pos, pos + size);
      this.batches.push({
        baseOffset: first,
        lastOffset,
        maxTimestamp: Number(own.readBigInt64BE(MAX_TIMESTAMP_OFFSET)),
        bytes: own,
      });
      this.logEndOffset = lastOffset + 1;
      pos += size;
    }
    this.modifiedMs = Date.now();
    return { baseOffset, lastOffset: this.logEndOffset - 1, logAppendTime: -1 };
  }

  /** The log as one segment from the log start. */
  segmentTimes(): ReadonlyArray<{ baseOffset: number; size: number; lastModifiedMs: number }> {
    return [{ baseOffset: this.logStartOffset, size: this.size(), lastModifiedMs: this.modifiedMs }];
  }

  read(offset: number, maxBytes: number, maxOffset = Number.MAX_SAFE_INTEGER): Buffer {
    if (offset < this.logStartOffset || offset > this.logEndOffset) {
      throw new OffsetOutOfRangeError(`offset ${offset} is outside [${this.logStartOffset}, ${this.logEndOffset}]`);
    }
    const out: Buffer[] = [];
    let size = 0;
    for (const b of this.batches) {
      if (b.lastOffset < offset) continue;
      if (b.baseOffset >= maxOffset) break;
      if (out.length > 0 && size + b.bytes.length > maxBytes) break;
      out.push(b.bytes);
      size += b.bytes.length;
      if (size >= maxBytes) break;
    }
    return Buffer.concat(out);
  }

  offsetForTimestamp(timestamp: number): { offset: number; timestamp: number } | null {
    for (const b of this.batches) {
      if (b.maxTimestamp >= timestamp && b.lastOffset >= this.logStartOffset) {
        const first = Number(b.bytes.readBigInt64BE(BASE_TIMESTAMP_OFFSET));
        return {
          offset: Math.max(b.baseOffset, this.logStartOffset),
          timestamp: Math.max(first, Math.min(timestamp, b.maxTimestamp)),
        };
      }
    }
    return null;
  }

  maxTimestamp(): { offset: number; timestamp: number } | null {
    let best: { offset: number; timestamp: number } | null = null;
    for (const b of this.batches) {
      if (best === null || b.maxTimestamp > best.timestamp) best = { offset: b.lastOffset, timestamp: b.maxTimestamp };
    }
    return best;
  }

  deleteRecordsBefore(offset: number): void {
    if (offset > this.logEndOffset)
      throw new OffsetOutOfRangeError(`offset ${offset} is past the log end ${this.logEndOffset}`);
    this.logStartOffset = Math.max(this.logStartOffset, offset);
    this.batches = this.batches.filter((b) => b.lastOffset >= this.logStartOffset);
  }

  truncateTo(offset: number): void {
    this.batches = this.batches.filter((b) => b.lastOffset < offset);
    this.logEndOffset = Math.min(this.logEndOffset, offset);
  }

  truncateFullyAndStartAt(offset: number): void {
    this.batches = [];
    this.logStartOffset = offset;
    this.logEndOffset = offset;
  }

  size(): number {
    let total = 0;
    for (const b of this.batches) total += b.bytes.length;
    return total;
  }

  flush(): void {}
  close(): void {}
  delete(): void {
    this.batches = [];
  }
}

export class MemoryLogFactory implements PartitionLogFactory {
  open(): PartitionLog {
    return new MemoryPartitionLog();
  }
  close(): void {}
}
