/**
 * Encodes legacy message sets (magic 0 and 1). Uncompressed sets hold one entry per
 * message; compressed sets hold one wrapper whose value is the compressed inner set,
 * with inner offsets absolute in magic 0 and relative (0..n-1, gaps kept) in magic 1,
 * and the wrapper at the last inner offset, as Kafka writes them. LZ4 in magic 0 uses
 * the header checksum Kafka's old clients expect. zstd cannot be written in these
 * formats (Kafka answers UNSUPPORTED_COMPRESSION_TYPE), and raises RecordsEncodeError.
 */
import { NO_TIMESTAMP, TimestampType, type TimestampTypeId } from './batch-header.js';
import { CompressionCodec, compress, type CompressOptions } from './compression/index.js';
import { RecordsEncodeError } from './errors.js';
import {
  LEGACY_CRC_OFFSET,
  LEGACY_LOG_OVERHEAD,
  LEGACY_MAGIC_OFFSET,
  LEGACY_MIN_MESSAGE_SIZE,
  LEGACY_TIMESTAMP_TYPE_MASK,
  legacyCrc,
  type LegacyMagic,
} from './legacy-format.js';

export interface LegacyMessageInput {
  key?: Buffer | null;
  value?: Buffer | null;
  /** Ignored for magic 0. */
  timestamp?: bigint;
  /** Absolute offset; defaults to baseOffset + index. */
  offset?: bigint;
}

export interface BuildLegacyOptions {
  magic: LegacyMagic;
  messages: LegacyMessageInput[];
  compression?: number;
  compressOptions?: CompressOptions;
  baseOffset?: bigint;
  timestampType?: TimestampTypeId;
  /** For LOG_APPEND_TIME in magic 1: the wrapper's (or each message's) timestamp. */
  logAppendTime?: bigint;
}

/** One entry: offset, size, crc, magic, attributes, [timestamp], key, value. */
export function encodeLegacyEntry(
  magic: LegacyMagic,
  offset: bigint,
  attributes: number,
  timestamp: bigint,
  key: Buffer | null,
  value: Buffer | null,
): Buffer {
  const size = LEGACY_MIN_MESSAGE_SIZE[magic] + (key?.length ?? 0) + (value?.length ?? 0);
  const entry = Buffer.allocUnsafe(LEGACY_LOG_OVERHEAD + size);
  entry.writeBigInt64BE(BigInt.asIntN(64, offset), 0);
  entry.writeInt32BE(size, 8);
  entry.writeInt8(magic, LEGACY_MAGIC_OFFSET);
  entry.writeInt8(attributes, LEGACY_MAGIC_OFFSET + 1);
  let at = LEGACY_MAGIC_OFFSET + 2;
  if (magic === 1) {
    entry.writeBigInt64BE(BigInt.asIntN(64, timestamp), at);
    at += 8;
  }
  for (const field of [key, value]) {
    if (field === null) {
      entry.writeInt32BE(-1, at);
      at += 4;
    } else {
      entry.writeInt32BE(field.length, at);
      field.copy(entry, at + 4);
      at += 4 + field.length;
    }
  }
  entry.writeUInt32BE(legacyCrc(entry, LEGACY_MAGIC_OFFSET, entry.length), LEGACY_CRC_OFFSET);
  return entry;
}

/** Encodes a message set: plain entries, or one compressed wrapper around them. */
export function buildLegacyMessageSet(options: BuildLegacyOptions): Buffer {
  const { magic, messages } = options;
  const codec = options.compression ?? CompressionCodec.NONE;
  if (codec === CompressionCodec.ZSTD)
    throw new RecordsEncodeError(`zstd cannot be written in magic ${magic} messages`);
  const baseOffset = options.baseOffset ?? 0n;
  const logAppend = magic === 1 && options.timestampType === TimestampType.LOG_APPEND_TIME;
  const typeBit = logAppend ? LEGACY_TIMESTAMP_TYPE_MASK : 0;
  const timestampOf = (m: LegacyMessageInput): bigint =>
    magic === 0
      ? NO_TIMESTAMP
      : logAppend && options.logAppendTime !== undefined
        ? options.logAppendTime
        : (m.timestamp ?? NO_TIMESTAMP);
  const offsets = messages.map((m, i) => m.offset ?? baseOffset + BigInt(i));
  if (codec === CompressionCodec.NONE) {
    return Buffer.concat(
      messages.map((m, i) =>
        encodeLegacyEntry(magic, offsets[i]!, typeBit, timestampOf(m), m.key ?? null, m.value ?? null),
      ),
    );
  }
  if (messages.length === 0) return Buffer.alloc(0);
  const first = offsets[0]!;
  const inner = Buffer.concat(
    messages.map((m, i) =>
      encodeLegacyEntry(
        magic,
        magic === 0 ? offsets[i]! : offsets[i]! - first,
        0,
        timestampOf(m),
        m.key ?? null,
        m.value ?? null,
      ),
    ),
  );
  const packed = compress(codec, inner, { ...options.compressOptions, lz4BrokenHeaderChecksum: magic === 0 });
  let wrapperTimestamp = NO_TIMESTAMP;
  if (magic === 1) {
    if (logAppend && options.logAppendTime !== undefined) wrapperTimestamp = options.logAppendTime;
    else
      for (const m of messages)
        if ((m.timestamp ?? NO_TIMESTAMP) > wrapperTimestamp) wrapperTimestamp = m.timestamp ?? NO_TIMESTAMP;
  }
  return encodeLegacyEntry(magic, offsets[offsets.length - 1]!, codec | typeBit, wrapperTimestamp, null, packed);
}
