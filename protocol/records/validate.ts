/**
 * The hot-path check for produced v2 batches: walks a buffer of concatenated batches
 * and, per batch, checks the frame (size, limit, magic 2, CRC-32C), a known codec id,
 * and, for batches from clients, Kafka's LogValidator batch rules (recordCount ==
 * lastOffsetDelta + 1 > 0, no control batches, a base sequence with a producer id).
 * Records are not decoded or decompressed here (record-walk.ts walks them next, in
 * place). Returns one summary per batch or raises a RecordsError naming the check and
 * position. Leaves to the broker: producer sequence/epoch state, the record walk with
 * the topic's rules, and Kafka's one-batch-per-partition rule for produce v3+ (the
 * summaries make it a length check).
 */
import {
  NO_PRODUCER_ID,
  compressionCodecOf,
  hasDeleteHorizon,
  isControl,
  isTransactional,
  readBatchHeader,
  timestampTypeOf,
  type BatchAttributes,
  type BatchHeader,
} from './batch-header.js';
import { checkBatchFrame, type FrameCheckOptions } from './batch-frame.js';
import { RecordsError } from './errors.js';

export interface BatchSummary extends BatchHeader, BatchAttributes {
  /** Where the batch starts in the validated buffer. */
  position: number;
  /** Total bytes on the wire, log overhead included. */
  sizeInBytes: number;
}

export interface ValidateOptions extends FrameCheckOptions {
  /** 'client' (default) applies the produce-only rules; 'replication' skips them. */
  origin?: 'client' | 'replication';
}

function checkClientRules(s: BatchSummary): void {
  const at = s.position;
  if (s.lastOffsetDelta < 0) {
    throw new RecordsError(
      'record-count',
      `batch at ${at} has an invalid offset range: last offset delta ${s.lastOffsetDelta}`,
      at,
    );
  }
  if (s.recordCount <= 0) throw new RecordsError('record-count', `batch at ${at} reports ${s.recordCount} records`, at);
  if (s.recordCount !== s.lastOffsetDelta + 1) {
    throw new RecordsError(
      'record-count',
      `batch at ${at}: offset range of ${s.lastOffsetDelta + 1} does not match its count of ${s.recordCount} records`,
      at,
    );
  }
  if (s.control) throw new RecordsError('not-allowed', `batch at ${at}: clients may not write control batches`, at);
  if (s.producerId > NO_PRODUCER_ID && s.baseSequence < 0) {
    throw new RecordsError(
      'producer',
      `batch at ${at}: invalid base sequence ${s.baseSequence} with producer id ${s.producerId}`,
      at,
    );
  }
}

/** Builds the summary field by field: a plain literal keeps this hot path free of spread copies. */
function summarize(buffer: Buffer, at: number, size: number): BatchSummary {
  const h = readBatchHeader(buffer, at);
  const a = h.attributes;
  return {
    baseOffset: h.baseOffset,
    batchLength: h.batchLength,
    partitionLeaderEpoch: h.partitionLeaderEpoch,
    magic: h.magic,
    crc: h.crc,
    attributes: a,
    lastOffsetDelta: h.lastOffsetDelta,
    baseTimestamp: h.baseTimestamp,
    maxTimestamp: h.maxTimestamp,
    producerId: h.producerId,
    producerEpoch: h.producerEpoch,
    baseSequence: h.baseSequence,
    recordCount: h.recordCount,
    compression: compressionCodecOf(a),
    timestampType: timestampTypeOf(a),
    transactional: isTransactional(a),
    control: isControl(a),
    deleteHorizon: hasDeleteHorizon(a),
    position: at,
    sizeInBytes: size,
  };
}

/** Checks one batch at `at` and summarises it. */
export function validateRecordBatch(buffer: Buffer, at = 0, options: ValidateOptions = {}): BatchSummary {
  const size = checkBatchFrame(buffer, at, options);
  const summary = summarize(buffer, at, size);
  if (summary.compression > 4) {
    throw new RecordsError('codec', `batch at ${at} names unknown compression codec ${summary.compression}`, at);
  }
  if ((options.origin ?? 'client') === 'client') checkClientRules(summary);
  return summary;
}

/** Checks every batch of a buffer of concatenated v2 batches. An empty buffer gives []. */
export function validateRecordBatches(buffer: Buffer, options: ValidateOptions = {}): BatchSummary[] {
  const summaries: BatchSummary[] = [];
  let at = 0;
  while (at < buffer.length) {
    const summary = validateRecordBatch(buffer, at, options);
    summaries.push(summary);
    at += summary.sizeInBytes;
  }
  return summaries;
}
