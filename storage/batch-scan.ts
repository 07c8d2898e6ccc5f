/**
 * Walking and checking record batches (magic 2) in a buffer without decoding records:
 * size, magic and CRC-32C checks, and the few header fields the log needs as numbers.
 * Offsets are JavaScript numbers here; a value past 2^53 is refused, never rounded.
 * Leaves out: record-level validation (protocol/records does that before append).
 */
import { crc32c } from '../protocol/records/crc32c.js';
import {
  ATTRIBUTES_OFFSET,
  BASE_OFFSET_OFFSET,
  BATCH_LENGTH_OFFSET,
  CRC_OFFSET,
  LAST_OFFSET_DELTA_OFFSET,
  LOG_OVERHEAD,
  MAGIC_OFFSET,
  MAX_TIMESTAMP_OFFSET,
  RECORD_BATCH_OVERHEAD,
  RECORD_COUNT_OFFSET,
} from '../protocol/records/batch-header.js';
import { InvalidOffsetError } from './errors.js';

export const MAX_SAFE_HIGH = 0x1fffff;

/**
 * Big-endian int32 at `at` without Buffer's argument checks (a hot-path cost): the
 * caller guarantees `at + 4 <= buffer.length`.
 */
export function int32At(buffer: Buffer, at: number): number {
  return (buffer[at]! << 24) | (buffer[at + 1]! << 16) | (buffer[at + 2]! << 8) | buffer[at + 3]!;
}

/** Stores a big-endian int32 at `at`; the caller guarantees `at + 4 <= buffer.length`. */
export function putInt32(buffer: Buffer, at: number, value: number): void {
  buffer[at] = value >>> 24;
  buffer[at + 1] = value >>> 16;
  buffer[at + 2] = value >>> 8;
  buffer[at + 3] = value;
}

function outOfRange(buffer: Buffer, at: number): RangeError {
  return new RangeError(`int64 at ${at} lies outside a buffer of ${buffer.length} bytes`);
}

/** Reads an int64 as a number; throws InvalidOffsetError when it does not fit exactly. */
export function readInt64Number(buffer: Buffer, at: number): number {
  if (!(at >= 0 && at + 8 <= buffer.length)) throw outOfRange(buffer, at);
  const high = int32At(buffer, at);
  const low = int32At(buffer, at + 4) >>> 0;
  if (high > MAX_SAFE_HIGH || high < -MAX_SAFE_HIGH - 1) {
    throw new InvalidOffsetError(`int64 at ${at} does not fit in 2^53`);
  }
  return high * 0x100000000 + low;
}

export function writeInt64Number(buffer: Buffer, at: number, value: number): void {
  if (!Number.isSafeInteger(value)) throw new InvalidOffsetError(`${value} is not a safe integer`);
  if (!(at >= 0 && at + 8 <= buffer.length)) throw outOfRange(buffer, at);
  const low = value % 0x100000000;
  const high = (value - low) / 0x100000000;
  if (low < 0) {
    putInt32(buffer, at, high - 1);
    putInt32(buffer, at + 4, low + 0x100000000);
  } else {
    putInt32(buffer, at, high);
    putInt32(buffer, at + 4, low);
  }
}

export const BATCH_INCOMPLETE = -1;
export const BATCH_CORRUPT = -2;

/** Size of the batch at `at` if the whole batch lies before `limit`; else BATCH_INCOMPLETE. Checks the length only. */
export function batchExtent(buffer: Buffer, at: number, limit: number): number {
  const end = Math.min(limit, buffer.length);
  if (!(at >= 0) || end - at < LOG_OVERHEAD) return BATCH_INCOMPLETE;
  const length = int32At(buffer, at + BATCH_LENGTH_OFFSET);
  if (length < RECORD_BATCH_OVERHEAD - LOG_OVERHEAD) return BATCH_CORRUPT;
  const size = length + LOG_OVERHEAD;
  return size <= end - at ? size : BATCH_INCOMPLETE;
}

/** Like checkBatch without the CRC-32C: for batches whose CRC the caller already checked. */
export function checkBatchStructure(buffer: Buffer, at: number, limit: number): number {
  const size = batchExtent(buffer, at, limit);
  if (size < 0) return size;
  // The whole header lies inside the buffer now (size >= RECORD_BATCH_OVERHEAD).
  if (buffer[at + MAGIC_OFFSET] !== 2) return BATCH_CORRUPT;
  if (int32At(buffer, at + LAST_OFFSET_DELTA_OFFSET) < 0) return BATCH_CORRUPT;
  if (int32At(buffer, at + RECORD_COUNT_OFFSET) < 0) return BATCH_CORRUPT;
  const high = int32At(buffer, at + BASE_OFFSET_OFFSET);
  if (high < 0 || high > MAX_SAFE_HIGH) return BATCH_CORRUPT;
  return size;
}

/**
 * Full check of the batch at `at`: length, magic 2, CRC-32C, sane offset delta and an
 * exact 53-bit base offset. Returns its size, BATCH_INCOMPLETE or BATCH_CORRUPT.
 */
export function checkBatch(buffer: Buffer, at: number, limit: number): number {
  const size = batchExtent(buffer, at, limit);
  if (size < 0) return size;
  if (buffer[at + MAGIC_OFFSET] !== 2) return BATCH_CORRUPT;
  const stored = int32At(buffer, at + CRC_OFFSET) >>> 0;
  if (crc32c(buffer.subarray(at + ATTRIBUTES_OFFSET, at + size)) >>> 0 !== stored) return BATCH_CORRUPT;
  return checkBatchStructure(buffer, at, limit);
}

export function baseOffsetOf(buffer: Buffer, at: number): number {
  return readInt64Number(buffer, at + BASE_OFFSET_OFFSET);
}

export function lastOffsetOf(buffer: Buffer, at: number): number {
  return baseOffsetOf(buffer, at) + buffer.readInt32BE(at + LAST_OFFSET_DELTA_OFFSET);
}

export function maxTimestampOf(buffer: Buffer, at: number): number {
  return readInt64Number(buffer, at + MAX_TIMESTAMP_OFFSET);
}

/** Recomputes and stores the CRC-32C of the batch at `at` of `size` bytes. */
export function rewriteCrc(buffer: Buffer, at: number, size: number): void {
  buffer.writeUInt32BE(crc32c(buffer.subarray(at + ATTRIBUTES_OFFSET, at + size)) >>> 0, at + CRC_OFFSET);
}
