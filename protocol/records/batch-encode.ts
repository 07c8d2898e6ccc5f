/**
 * Builds one v2 record batch: records encoded with varints, optionally compressed,
 * behind the 61-byte header with the CRC-32C filled in. Timestamps follow Kafka's
 * builder: the base timestamp is the first record's, deltas are relative to it, and
 * the max timestamp is the largest record timestamp (or the given log-append time).
 * Leaves out: offset assignment across batches (the log patches the base offset).
 */
import { Writer } from '../primitives/index.js';
import {
  CRC_OFFSET,
  CURRENT_MAGIC,
  LOG_OVERHEAD,
  NO_PARTITION_LEADER_EPOCH,
  NO_PRODUCER_EPOCH,
  NO_PRODUCER_ID,
  NO_SEQUENCE,
  NO_TIMESTAMP,
  RECORD_BATCH_OVERHEAD,
  TimestampType,
  makeBatchAttributes,
  writeBatchHeader,
  type TimestampTypeId,
} from './batch-header.js';
import { computeBatchCrc } from './batch-frame.js';
import { compress, type CompressOptions } from './compression/index.js';
import { writeRecord, type RecordInput } from './record.js';

export interface BuildBatchOptions {
  records: RecordInput[];
  baseOffset?: bigint;
  partitionLeaderEpoch?: number;
  /** Codec id 0-4 (default 0, none). */
  compression?: number;
  compressOptions?: CompressOptions;
  timestampType?: TimestampTypeId;
  transactional?: boolean;
  control?: boolean;
  /** When set, the delete-horizon flag is set and this becomes the base timestamp. */
  deleteHorizon?: bigint;
  producerId?: bigint;
  producerEpoch?: number;
  baseSequence?: number;
  /** Overrides the first record's timestamp as the base. */
  baseTimestamp?: bigint;
  /** Overrides the computed max timestamp (for LOG_APPEND_TIME, the append time). */
  maxTimestamp?: bigint;
  /** Overrides the last record's offset delta (compacted batches may end with a gap). */
  lastOffsetDelta?: number;
}

/** The records section (everything after the record count), uncompressed. */
export function encodeRecords(records: RecordInput[], baseTimestamp: bigint): Buffer {
  const writer = new Writer(Math.max(64, records.length * 32));
  records.forEach((record, index) => {
    const timestamp = record.timestamp ?? NO_TIMESTAMP;
    writeRecord(writer, record, timestamp - baseTimestamp, record.offsetDelta ?? index);
  });
  return writer.toBuffer();
}

function maxRecordTimestamp(records: RecordInput[]): bigint {
  let max = NO_TIMESTAMP;
  for (const r of records) if (r.timestamp !== undefined && r.timestamp > max) max = r.timestamp;
  return max;
}

/** Encodes one complete batch, CRC included. */
export function buildRecordBatch(options: BuildBatchOptions): Buffer {
  const records = options.records;
  const codec = options.compression ?? 0;
  const timestampType = options.timestampType ?? TimestampType.CREATE_TIME;
  const first = records[0];
  const baseTimestamp = options.deleteHorizon ?? options.baseTimestamp ?? first?.timestamp ?? NO_TIMESTAMP;
  const last = records[records.length - 1];
  const lastOffsetDelta =
    options.lastOffsetDelta ?? (last === undefined ? 0 : (last.offsetDelta ?? records.length - 1));
  const body = encodeRecords(records, baseTimestamp);
  const payload = codec === 0 ? body : compress(codec, body, options.compressOptions);
  const size = RECORD_BATCH_OVERHEAD + payload.length;
  const batch = Buffer.allocUnsafe(size);
  writeBatchHeader(batch, 0, {
    baseOffset: options.baseOffset ?? 0n,
    batchLength: size - LOG_OVERHEAD,
    partitionLeaderEpoch: options.partitionLeaderEpoch ?? NO_PARTITION_LEADER_EPOCH,
    magic: CURRENT_MAGIC,
    crc: 0,
    attributes: makeBatchAttributes({
      compression: codec,
      timestampType,
      transactional: options.transactional ?? false,
      control: options.control ?? false,
      deleteHorizon: options.deleteHorizon !== undefined,
    }),
    lastOffsetDelta,
    baseTimestamp,
    maxTimestamp: options.maxTimestamp ?? maxRecordTimestamp(records),
    producerId: options.producerId ?? NO_PRODUCER_ID,
    producerEpoch: options.producerEpoch ?? NO_PRODUCER_EPOCH,
    baseSequence: options.baseSequence ?? NO_SEQUENCE,
    recordCount: records.length,
  });
  payload.copy(batch, RECORD_BATCH_OVERHEAD);
  batch.writeUInt32BE(computeBatchCrc(batch, 0, size), CRC_OFFSET);
  return batch;
}
