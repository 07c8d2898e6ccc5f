/**
 * Full decode of v2 record batches: frame checks (size, magic, CRC), then the records,
 * decompressed when the batch is compressed (capped by maxDecompressedBytes). Checks
 * that the declared record count fits the bytes before allocating, that exactly that
 * many records are present, and that no bytes trail the last one.
 * For the hot produce path, use validate.ts and record-walk.ts instead: they check the
 * same structure without building record objects.
 */
import { Reader } from '../primitives/index.js';
import {
  RECORD_BATCH_OVERHEAD,
  TimestampType,
  parseBatchAttributes,
  readBatchHeader,
  type BatchAttributes,
  type BatchHeader,
} from './batch-header.js';
import { checkBatchFrame, type FrameCheckOptions } from './batch-frame.js';
import { decompress, type DecompressOptions } from './compression/index.js';
import { RecordsError } from './errors.js';
import { MIN_RECORD_SIZE, readRecord, type DecodedRecord } from './record.js';

export interface RecordBatch extends BatchHeader, BatchAttributes {
  /** Total bytes on the wire, log overhead included. */
  sizeInBytes: number;
  records: DecodedRecord[];
}

export interface DecodeBatchOptions extends FrameCheckOptions, DecompressOptions {}

export interface DecodeBatchesOptions extends DecodeBatchOptions {
  /**
   * Stop quietly at a trailing partial batch instead of raising 'truncated'
   * (fetch responses may end with one).
   */
  allowPartialTrailing?: boolean;
}

/** Decodes the records section of a batch whose frame is already checked. */
export function decodeBatchRecords(
  buffer: Buffer,
  at: number,
  size: number,
  header: BatchHeader,
  options: DecompressOptions = {},
): DecodedRecord[] {
  const attributes = parseBatchAttributes(header.attributes);
  if (attributes.compression > 4) {
    throw new RecordsError('codec', `batch at ${at} names unknown compression codec ${attributes.compression}`, at);
  }
  if (header.recordCount < 0)
    throw new RecordsError('record-count', `batch at ${at} declares ${header.recordCount} records`, at);
  let payload = buffer.subarray(at + RECORD_BATCH_OVERHEAD, at + size);
  if (attributes.compression !== 0) {
    try {
      payload = decompress(attributes.compression, payload, options);
    } catch (error) {
      if (error instanceof RecordsError) throw new RecordsError(error.check, `batch at ${at}: ${error.message}`, at);
      throw error;
    }
  }
  if (header.recordCount * MIN_RECORD_SIZE > payload.length) {
    throw new RecordsError(
      'record-count',
      `batch at ${at} declares ${header.recordCount} records in ${payload.length} bytes`,
      at,
    );
  }
  const logAppendTime = attributes.timestampType === TimestampType.LOG_APPEND_TIME ? header.maxTimestamp : null;
  const reader = new Reader(payload);
  const records = new Array<DecodedRecord>(header.recordCount);
  try {
    for (let i = 0; i < header.recordCount; i++) {
      records[i] = readRecord(reader, header.baseOffset, header.baseTimestamp, logAppendTime);
    }
  } catch (error) {
    if (error instanceof RecordsError) throw new RecordsError(error.check, `batch at ${at}: ${error.message}`, at);
    throw error;
  }
  if (reader.remaining !== 0) {
    throw new RecordsError(
      'record-count',
      `batch at ${at}: ${reader.remaining} bytes remain after its ${header.recordCount} records`,
      at,
    );
  }
  return records;
}

/** Decodes the one batch at `at`, checking its frame first. */
export function decodeRecordBatch(buffer: Buffer, at = 0, options: DecodeBatchOptions = {}): RecordBatch {
  const size = checkBatchFrame(buffer, at, options);
  const header = readBatchHeader(buffer, at);
  const records = decodeBatchRecords(buffer, at, size, header, options);
  return { ...header, ...parseBatchAttributes(header.attributes), sizeInBytes: size, records };
}

/** Decodes every batch of a buffer of concatenated v2 batches. */
export function decodeRecordBatches(buffer: Buffer, options: DecodeBatchesOptions = {}): RecordBatch[] {
  const batches: RecordBatch[] = [];
  let at = 0;
  while (at < buffer.length) {
    try {
      const batch = decodeRecordBatch(buffer, at, options);
      batches.push(batch);
      at += batch.sizeInBytes;
    } catch (error) {
      if (options.allowPartialTrailing && error instanceof RecordsError && error.check === 'truncated') break;
      throw error;
    }
  }
  return batches;
}
