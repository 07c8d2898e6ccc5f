/**
 * Format conversion, as Kafka's LogValidator and down-conversion do it.
 * Up: a legacy message set from an old producer becomes one v2 batch (offsets
 * relative from 0, no producer id; magic 0 messages get NO_TIMESTAMP).
 * Down: v2 batches become a magic 0 or 1 message set for Fetch v0-v3: control
 * batches are dropped, headers and producer fields are lost, a compressed batch
 * becomes one compressed wrapper with the same codec, an uncompressed one becomes
 * one message per record at its absolute offset. zstd cannot be down-converted: as in
 * Kafka's lazy down-conversion, the batches before the first zstd one are converted and the
 * rest dropped (the consumer fetches again from the zstd batch); only when nothing precedes
 * it is that a RecordsEncodeError (UNSUPPORTED_COMPRESSION_TYPE). Aborted-transaction
 * filtering is the fetch path's job, not this file's.
 */
import { NO_TIMESTAMP, TimestampType, type TimestampTypeId } from './batch-header.js';
import { buildRecordBatch } from './batch-encode.js';
import { decodeRecordBatches, type RecordBatch } from './batch-decode.js';
import { CompressionCodec, type CompressOptions, type DecompressOptions } from './compression/index.js';
import { RecordsEncodeError } from './errors.js';
import { decodeLegacyMessageSet, type LegacyMessage } from './legacy-decode.js';
import { buildLegacyMessageSet } from './legacy-encode.js';
import type { LegacyMagic } from './legacy-format.js';

export interface UpConvertOptions {
  /** Codec of the resulting batch (the topic's compression.type resolved by the caller). */
  compression?: number;
  compressOptions?: CompressOptions;
  timestampType?: TimestampTypeId;
  /** With LOG_APPEND_TIME: the append time, which becomes the max timestamp. */
  logAppendTime?: bigint;
}

/** One v2 batch holding the given legacy messages (already expanded from wrappers). */
export function legacyMessagesToBatch(messages: LegacyMessage[], options: UpConvertOptions = {}): Buffer {
  const timestampType = options.timestampType ?? TimestampType.CREATE_TIME;
  const logAppend = timestampType === TimestampType.LOG_APPEND_TIME && options.logAppendTime !== undefined;
  return buildRecordBatch({
    records: messages.map((m, i) => ({
      key: m.key,
      value: m.value,
      timestamp: logAppend ? options.logAppendTime! : m.magic === 0 ? NO_TIMESTAMP : m.timestamp,
      offsetDelta: i,
    })),
    compression: options.compression ?? CompressionCodec.NONE,
    timestampType,
    ...(options.compressOptions === undefined ? {} : { compressOptions: options.compressOptions }),
    ...(logAppend ? { maxTimestamp: options.logAppendTime! } : {}),
  });
}

/** Decodes a legacy message set and converts it to one v2 batch. */
export function convertLegacyMessageSet(buffer: Buffer, options: UpConvertOptions & DecompressOptions = {}): Buffer {
  return legacyMessagesToBatch(decodeLegacyMessageSet(buffer, options), options);
}

export interface DownConvertOptions extends DecompressOptions {
  compressOptions?: CompressOptions;
}

/**
 * Converts decoded v2 batches to a legacy message set of `magic`, up to the first zstd batch (which
 * throws if no batch with records precedes it).
 */
export function batchesToLegacy(batches: RecordBatch[], magic: LegacyMagic, options: DownConvertOptions = {}): Buffer {
  const parts: Buffer[] = [];
  for (const batch of batches) {
    if (batch.control || batch.records.length === 0) continue;
    if (batch.compression === CompressionCodec.ZSTD) {
      if (parts.length > 0) break;
      throw new RecordsEncodeError(
        `batch at offset ${batch.baseOffset} is zstd-compressed and cannot be down-converted to magic ${magic}`,
      );
    }
    parts.push(
      buildLegacyMessageSet({
        magic,
        compression: batch.compression,
        timestampType: batch.timestampType,
        ...(batch.timestampType === TimestampType.LOG_APPEND_TIME ? { logAppendTime: batch.maxTimestamp } : {}),
        messages: batch.records.map((r) => ({ key: r.key, value: r.value, timestamp: r.timestamp, offset: r.offset })),
        ...(options.compressOptions === undefined ? {} : { compressOptions: options.compressOptions }),
      }),
    );
  }
  return Buffer.concat(parts);
}

/** Decodes a buffer of v2 batches (a trailing partial batch is dropped) and down-converts it. */
export function downConvertBatches(buffer: Buffer, magic: LegacyMagic, options: DownConvertOptions = {}): Buffer {
  return batchesToLegacy(decodeRecordBatches(buffer, { ...options, allowPartialTrailing: true }), magic, options);
}
