/**
 * The codec table: Kafka's compression ids (attributes bits 0-2) to compress and
 * decompress functions. Sync only; every decompression is capped (see limits.ts).
 * Ids 5-7 do not exist and raise a 'codec' RecordsError.
 */
import { RecordsError } from '../errors.js';
import { gzipCompress, gzipDecompress } from './gzip.js';
import { lz4Compress, lz4Decompress } from './lz4.js';
import { snappyCompress, snappyDecompress, type SnappyFraming } from './snappy.js';
import { zstdCompress, zstdDecompress } from './zstd.js';
import type { DecompressOptions } from './limits.js';

export { DEFAULT_MAX_DECOMPRESSED_BYTES, type DecompressOptions } from './limits.js';
export { gzipCompress, gzipDecompress } from './gzip.js';
export { lz4Compress, lz4Decompress, type Lz4CompressOptions } from './lz4.js';
export { snappyCompress, snappyDecompress, isXerialFramed, type SnappyFraming } from './snappy.js';
export { zstdCompress, zstdDecompress } from './zstd.js';
export { xxh32 } from './xxhash32.js';

export const CompressionCodec = {
  NONE: 0,
  GZIP: 1,
  SNAPPY: 2,
  LZ4: 3,
  ZSTD: 4,
} as const;
export type CompressionCodecId = (typeof CompressionCodec)[keyof typeof CompressionCodec];

export const CODEC_NAMES: Readonly<Record<CompressionCodecId, string>> = {
  0: 'none',
  1: 'gzip',
  2: 'snappy',
  3: 'lz4',
  4: 'zstd',
};

export function isCompressionCodec(id: number): id is CompressionCodecId {
  return Number.isInteger(id) && id >= 0 && id <= 4;
}

export interface CompressOptions {
  /** zlib level for gzip (default zlib's). */
  gzipLevel?: number;
  /** zstd level (default zstd's, 3). */
  zstdLevel?: number;
  /** Snappy framing to write (default 'xerial', as Kafka's Java client and broker do). */
  snappyFraming?: SnappyFraming;
  /** Write LZ4 frames with the header checksum Kafka's magic-0 writers used. */
  lz4BrokenHeaderChecksum?: boolean;
}

function checkCodec(codec: number): CompressionCodecId {
  if (!isCompressionCodec(codec)) throw new RecordsError('codec', `unknown compression codec id ${codec}`);
  return codec;
}

export function compress(codec: number, data: Uint8Array, options: CompressOptions = {}): Buffer {
  switch (checkCodec(codec)) {
    case CompressionCodec.NONE:
      return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    case CompressionCodec.GZIP:
      return gzipCompress(data, options.gzipLevel);
    case CompressionCodec.SNAPPY:
      return snappyCompress(data, options.snappyFraming);
    case CompressionCodec.LZ4:
      return lz4Compress(data, { brokenHeaderChecksum: options.lz4BrokenHeaderChecksum ?? false });
    case CompressionCodec.ZSTD:
      return zstdCompress(data, options.zstdLevel);
  }
}

export function decompress(codec: number, data: Uint8Array, options?: DecompressOptions): Buffer {
  switch (checkCodec(codec)) {
    case CompressionCodec.NONE:
      return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    case CompressionCodec.GZIP:
      return gzipDecompress(data, options);
    case CompressionCodec.SNAPPY:
      return snappyDecompress(data, options);
    case CompressionCodec.LZ4:
      return lz4Decompress(data, options);
    case CompressionCodec.ZSTD:
      return zstdDecompress(data, options);
  }
}
