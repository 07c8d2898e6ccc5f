/**
 * Walking and checking record batches (magic 2) in a buffer without decoding records:
 * size, magic and CRC-32C checks, and the few header fields the log needs as numbers.
 * Offsets are JavaScript numbers here; a value past 2^53 is refused, never rounded.
 * Leaves out: record-level validation (protocol/records does that before append).
 */
import { crc32c } from '@node-rs/crc32';
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

/** Reads an int64 as a number; throws InvalidOffsetError when it does not fit exactly. */
export function readInt64Number(buffer: Buffer, at: number): number {
  const high = buffer.readInt32BE(at);
  const low = buffer.readUInt32BE(at + 4);
  if (high > MAX_SAFE_HIGH || high < -MAX_SAFE_HIGH - 1) {
    throw new InvalidOffsetError(`int64 at ${at} does not fit in 2^53`);
  }
  return high * 0x100000000 + low;
}

export function writeInt64Number(buffer: Buffer, at: number, value: number): void {
  if (!Number.isSafeInteger(value)) throw new InvalidOffsetError(`${value} is not a safe integer`);
  const low = value % 0x100000000;
  const high = (value - low) / 0x100000000;
  if (low < 0) {
    buffer.writeInt32BE(high - 1, at);
    buffer.writeUInt32BE(low + 0x100000000, at + 4);
  } else {
    buffer.writeInt32BE(high, at);
    buffer.writeUInt32BE(low, at + 4);
  }
}

export const BATCH_INCOMPLETE = -1;
export const BATCH_CORRUPT = -2;

/** Size of the batch at `at` if the whole batch lies before `limit`; else BATCH_INCOMPLETE. Checks the length only. */
export function batchExtent(buffer: Buffer, at: number, limit: number): number {
  if (limit - at < LOG_OVERHEAD) return BATCH_INCOMPLETE;
  const length = buffer.readInt32BE(at + BATCH_LENGTH_OFFSET);
  if (length < RECORD_BATCH_OVERHEAD - LOG_OVERHEAD) return BATCH_CORRUPT;
  const size = length + LOG_OVERHEAD;
  return size <= limit - at ? size : BATCH_INCOMPLETE;
}

/** Like checkBatch without the CRC-32C: for batches whose CRC the caller already checked. */
export function checkBatchStructure(buffer: Buffer, at: number, limit: number): number {
  const size = batchExtent(buffer, at, limit);
  if (size < 0) return size;
  if (buffer[at + MAGIC_OFFSET] !== 2) return BATCH_CORRUPT;
  if (buffer.readInt32BE(at + LAST_OFFSET_DELTA_OFFSET) < 0) return BATCH_CORRUPT;
  if (buffer.readInt32BE(at + RECORD_COUNT_OFFSET) < 0) return BATCH_CORRUPT;
  const high = buffer.readInt32BE(at + BASE_OFFSET_OFFSET);
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
  const stored = buffer.readUInt32BE(at + CRC_OFFSET);
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
