/**
 * The checks every v2 batch gets before its contents are trusted: enough bytes for
 * the header and for the declared length, a length no smaller than the header and
 * no larger than a configured limit, magic 2, and the CRC-32C over attributes..end.
 * Shared by the fast validation path and the full decoder. Nothing is decompressed.
 */
import { crc32c } from './crc32c.js';
import {
  ATTRIBUTES_OFFSET,
  BATCH_LENGTH_OFFSET,
  CRC_OFFSET,
  CURRENT_MAGIC,
  LOG_OVERHEAD,
  MAGIC_OFFSET,
  RECORD_BATCH_OVERHEAD,
} from './batch-header.js';
import { RecordsError } from './errors.js';

export interface FrameCheckOptions {
  /** Verify the CRC-32C (default true). */
  verifyCrc?: boolean;
  /** Largest batch accepted, in bytes including the 12-byte log overhead; 'too-large' past it. */
  maxBatchSize?: number;
}

/** The magic byte of the batch or legacy message at `at`; both formats keep it at byte 16. */
export function magicAt(buffer: Buffer, at = 0): number {
  if (at + MAGIC_OFFSET >= buffer.length)
    throw new RecordsError('truncated', `no magic byte at ${at}: the input ends at ${buffer.length}`, at);
  return buffer.readInt8(at + MAGIC_OFFSET);
}

/** CRC-32C of a batch as Kafka computes it: attributes to the end. */
export function computeBatchCrc(buffer: Buffer, at: number, size: number): number {
  return crc32c(buffer.subarray(at + ATTRIBUTES_OFFSET, at + size)) >>> 0;
}

/** Checks the frame of the v2 batch at `at` and returns its total size on the wire. */
export function checkBatchFrame(buffer: Buffer, at: number, options: FrameCheckOptions = {}): number {
  const remaining = buffer.length - at;
  if (remaining < LOG_OVERHEAD) {
    throw new RecordsError('truncated', `${remaining} bytes at ${at} cannot hold a batch's offset and length`, at);
  }
  const batchLength = buffer.readInt32BE(at + BATCH_LENGTH_OFFSET);
  const size = batchLength + LOG_OVERHEAD;
  if (batchLength < RECORD_BATCH_OVERHEAD - LOG_OVERHEAD) {
    throw new RecordsError(
      'size',
      `batch at ${at} declares length ${batchLength}, below the ${RECORD_BATCH_OVERHEAD - LOG_OVERHEAD}-byte minimum`,
      at,
    );
  }
  if (options.maxBatchSize !== undefined && size > options.maxBatchSize) {
    throw new RecordsError(
      'too-large',
      `batch at ${at} is ${size} bytes, over the ${options.maxBatchSize}-byte limit`,
      at,
    );
  }
  if (size > remaining) {
    throw new RecordsError('truncated', `batch at ${at} declares ${size} bytes, only ${remaining} remain`, at);
  }
  const magic = buffer.readInt8(at + MAGIC_OFFSET);
  if (magic !== CURRENT_MAGIC)
    throw new RecordsError('magic', `batch at ${at} has magic ${magic}, expected ${CURRENT_MAGIC}`, at);
  if (options.verifyCrc !== false) {
    const stored = buffer.readUInt32BE(at + CRC_OFFSET);
    const computed = computeBatchCrc(buffer, at, size);
    if (stored !== computed) {
      throw new RecordsError(
        'crc',
        `batch at ${at} has CRC-32C 0x${stored.toString(16)}, computed 0x${computed.toString(16)}`,
        at,
      );
    }
  }
  return size;
}
