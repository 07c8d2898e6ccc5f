/**
 * The checks and offset assignment of one append, without allocating per batch: walks
 * the batches of the appended buffer, checks each (length, magic 2, non-negative deltas,
 * CRC-32C unless the caller already checked it, size against segment.bytes), assigns
 * offsets by patching base offset and partition leader epoch in place (leader appends) or
 * checks that they follow the log end (replication), stamps LogAppendTime when asked, and
 * records per batch its position, size, last offset and max timestamp in a reusable
 * table that the segment indexes from after the write. One AppendScan per log, reused by
 * every append (appends are synchronous, so they never overlap).
 * Leaves out: writing (segment.ts), record-level validation (the produce path).
 */
import {
  ATTRIBUTES_OFFSET,
  LAST_OFFSET_DELTA_OFFSET,
  MAX_TIMESTAMP_OFFSET,
  PARTITION_LEADER_EPOCH_OFFSET,
  RECORD_COUNT_OFFSET,
  TIMESTAMP_TYPE_MASK,
} from '../protocol/records/batch-header.js';
import {
  baseOffsetOf,
  checkBatch,
  checkBatchStructure,
  int32At,
  putInt32,
  readInt64Number,
  rewriteCrc,
  writeInt64Number,
} from './batch-scan.js';
import { CorruptRecordError, InvalidOffsetError, RecordBatchTooLargeError } from './errors.js';

export interface AppendScanParams {
  /** The log end offset: where a leader append starts, what a replicated one must not go below. */
  logEnd: number;
  replication: boolean;
  leaderEpoch: number;
  logAppendTime: boolean;
  now: number;
  crcVerified: boolean;
  segmentBytes: number;
  /** The latest epoch of the leader epoch cache, -1 when it is empty. */
  latestEpoch: number;
}

const FIELDS = 4;

export class AppendScan {
  /** Per batch: position in the appended buffer, size, last offset, max timestamp. */
  private table = new Float64Array(FIELDS * 4);
  /** Batches scanned. */
  count = 0;
  /** The offset after the last batch: the new log end. */
  next = 0;
  maxTimestamp = -1;
  recordCount = 0;
  /** (epoch, start offset) pairs newer than the latest cached epoch, in order: `newEpochCount` pairs. */
  readonly newEpochs: number[] = [];
  newEpochCount = 0;

  at(i: number): number {
    return this.table[i * FIELDS]!;
  }
  size(i: number): number {
    return this.table[i * FIELDS + 1]!;
  }
  lastOffset(i: number): number {
    return this.table[i * FIELDS + 2]!;
  }
  batchMaxTimestamp(i: number): number {
    return this.table[i * FIELDS + 3]!;
  }

  /**
   * Checks every batch of `records` and assigns offsets; throws CorruptRecordError,
   * RecordBatchTooLargeError or InvalidOffsetError before anything is written.
   */
  run(records: Buffer, p: AppendScanParams): void {
    this.count = 0;
    this.maxTimestamp = -1;
    this.recordCount = 0;
    this.newEpochCount = 0;
    let next = p.logEnd;
    let topEpoch = p.latestEpoch;
    const length = records.length;
    for (let at = 0; at < length;) {
      const size = p.crcVerified ? checkBatchStructure(records, at, length) : checkBatch(records, at, length);
      if (size < 0)
        throw new CorruptRecordError(`batch at byte ${at} of the append failed its size, magic or CRC check`);
      if (size > p.segmentBytes) throw new RecordBatchTooLargeError(`batch of ${size} bytes exceeds segment.bytes`);
      // The whole 61-byte header lies inside `records` from here on.
      let base = next;
      let epoch = p.leaderEpoch;
      if (p.replication) {
        base = baseOffsetOf(records, at);
        if (base < next) throw new InvalidOffsetError(`replicated batch at ${base} is below the log end ${next}`);
        epoch = int32At(records, at + PARTITION_LEADER_EPOCH_OFFSET);
      } else {
        writeInt64Number(records, at, base);
        putInt32(records, at + PARTITION_LEADER_EPOCH_OFFSET, epoch);
      }
      if (p.logAppendTime) {
        records[at + ATTRIBUTES_OFFSET + 1] = records[at + ATTRIBUTES_OFFSET + 1]! | TIMESTAMP_TYPE_MASK;
        writeInt64Number(records, at + MAX_TIMESTAMP_OFFSET, p.now);
        rewriteCrc(records, at, size);
      }
      const lastOffset = base + int32At(records, at + LAST_OFFSET_DELTA_OFFSET);
      if (!Number.isSafeInteger(lastOffset + 1)) throw new InvalidOffsetError(`offset ${lastOffset} is past 2^53`);
      const batchMax = readInt64Number(records, at + MAX_TIMESTAMP_OFFSET);
      if (batchMax > this.maxTimestamp) this.maxTimestamp = batchMax;
      this.recordCount += int32At(records, at + RECORD_COUNT_OFFSET);
      if (epoch >= 0 && epoch > topEpoch) {
        this.newEpochs[this.newEpochCount * 2] = epoch;
        this.newEpochs[this.newEpochCount * 2 + 1] = base;
        this.newEpochCount++;
        topEpoch = epoch;
      }
      this.push(at, size, lastOffset, batchMax);
      next = lastOffset + 1;
      at += size;
    }
    if (this.count === 0) throw new CorruptRecordError('empty append');
    this.next = next;
  }

  private push(at: number, size: number, lastOffset: number, maxTimestamp: number): void {
    let i = this.count * FIELDS;
    if (i + FIELDS > this.table.length) {
      const grown = new Float64Array(this.table.length * 2);
      grown.set(this.table);
      this.table = grown;
    }
    const table = this.table;
    table[i++] = at;
    table[i++] = size;
    table[i++] = lastOffset;
    table[i] = maxTimestamp;
    this.count++;
  }
}
