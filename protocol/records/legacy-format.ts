/**
 * Layout of legacy messages (magic 0 and 1), the pre-0.11 format that Produce v0-v2
 * and Fetch v0-v3 carry: offset int64, size int32, then the message: crc uint32
 * (CRC-32 of everything after it), magic int8, attributes int8 (codec bits 0-2,
 * timestamp type bit 3 in magic 1), timestamp int64 (magic 1 only), key and value as
 * int32-length bytes (-1 = null). Constants and small helpers only.
 */
import CRC32 from 'crc-32';

export const LEGACY_OFFSET_OFFSET = 0;
export const LEGACY_SIZE_OFFSET = 8;
export const LEGACY_LOG_OVERHEAD = 12;
export const LEGACY_CRC_OFFSET = 12;
export const LEGACY_MAGIC_OFFSET = 16;
export const LEGACY_ATTRIBUTES_OFFSET = 17;
export const LEGACY_TIMESTAMP_OFFSET = 18;
/** Smallest message body (crc .. value length) per magic. */
export const LEGACY_MIN_MESSAGE_SIZE: readonly [number, number] = [14, 22];
export const LEGACY_TIMESTAMP_TYPE_MASK = 0x08;

export type LegacyMagic = 0 | 1;

export function isLegacyMagic(magic: number): magic is LegacyMagic {
  return magic === 0 || magic === 1;
}

/** CRC-32 (IEEE) of `data[start, end)` as an unsigned number. */
export function legacyCrc(data: Buffer, start: number, end: number): number {
  return CRC32.buf(data.subarray(start, end)) >>> 0;
}
