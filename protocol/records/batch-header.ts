/**
 * The fixed 61-byte header of a record batch (magic 2): read, written whole, patched
 * in place, and its attribute bits packed and unpacked.
 * Offsets and sizes follow Kafka's DefaultRecordBatch layout. The CRC-32C covers the
 * bytes from `attributes` to the end of the batch, so the base offset and the
 * partition leader epoch can be rewritten without touching it.
 */
export const BASE_OFFSET_OFFSET = 0;
export const BATCH_LENGTH_OFFSET = 8;
/** Bytes before the batch-length field's count starts: baseOffset + batchLength. */
export const LOG_OVERHEAD = 12;
export const PARTITION_LEADER_EPOCH_OFFSET = 12;
export const MAGIC_OFFSET = 16;
export const CRC_OFFSET = 17;
export const ATTRIBUTES_OFFSET = 21;
export const LAST_OFFSET_DELTA_OFFSET = 23;
export const BASE_TIMESTAMP_OFFSET = 27;
export const MAX_TIMESTAMP_OFFSET = 35;
export const PRODUCER_ID_OFFSET = 43;
export const PRODUCER_EPOCH_OFFSET = 51;
export const BASE_SEQUENCE_OFFSET = 53;
export const RECORD_COUNT_OFFSET = 57;
export const RECORD_BATCH_OVERHEAD = 61;

export const COMPRESSION_CODEC_MASK = 0x07;
export const TIMESTAMP_TYPE_MASK = 0x08;
export const TRANSACTIONAL_FLAG_MASK = 0x10;
export const CONTROL_FLAG_MASK = 0x20;
export const DELETE_HORIZON_FLAG_MASK = 0x40;

export const NO_PRODUCER_ID = -1n;
export const NO_PRODUCER_EPOCH = -1;
export const NO_SEQUENCE = -1;
export const NO_PARTITION_LEADER_EPOCH = -1;

export interface BatchHeader {
  baseOffset: bigint;
  batchLength: number;
  partitionLeaderEpoch: number;
  magic: number;
  crc: number;
  attributes: number;
  lastOffsetDelta: number;
  baseTimestamp: bigint;
  maxTimestamp: bigint;
  producerId: bigint;
  producerEpoch: number;
  baseSequence: number;
  recordCount: number;
}

/** Reads the header of the batch at `at`. The caller has checked that 61 bytes are there. */
export function readBatchHeader(buffer: Buffer, at = 0): BatchHeader {
  return {
    baseOffset: buffer.readBigInt64BE(at + BASE_OFFSET_OFFSET),
    batchLength: buffer.readInt32BE(at + BATCH_LENGTH_OFFSET),
    partitionLeaderEpoch: buffer.readInt32BE(at + PARTITION_LEADER_EPOCH_OFFSET),
    magic: buffer.readInt8(at + MAGIC_OFFSET),
    crc: buffer.readUInt32BE(at + CRC_OFFSET),
    attributes: buffer.readInt16BE(at + ATTRIBUTES_OFFSET),
    lastOffsetDelta: buffer.readInt32BE(at + LAST_OFFSET_DELTA_OFFSET),
    baseTimestamp: buffer.readBigInt64BE(at + BASE_TIMESTAMP_OFFSET),
    maxTimestamp: buffer.readBigInt64BE(at + MAX_TIMESTAMP_OFFSET),
    producerId: buffer.readBigInt64BE(at + PRODUCER_ID_OFFSET),
    producerEpoch: buffer.readInt16BE(at + PRODUCER_EPOCH_OFFSET),
    baseSequence: buffer.readInt32BE(at + BASE_SEQUENCE_OFFSET),
    recordCount: buffer.readInt32BE(at + RECORD_COUNT_OFFSET),
  };
}

/** Total size on the wire of the batch at `at`: its batch length plus the 12-byte log overhead. */
export function batchSizeAt(buffer: Buffer, at = 0): number {
  return buffer.readInt32BE(at + BATCH_LENGTH_OFFSET) + LOG_OVERHEAD;
}

export function patchBaseOffset(buffer: Buffer, at: number, baseOffset: bigint): void {
  buffer.writeBigInt64BE(baseOffset, at + BASE_OFFSET_OFFSET);
}

export function patchPartitionLeaderEpoch(buffer: Buffer, at: number, epoch: number): void {
  buffer.writeInt32BE(epoch, at + PARTITION_LEADER_EPOCH_OFFSET);
}

export function compressionCodecOf(attributes: number): number {
  return attributes & COMPRESSION_CODEC_MASK;
}

export function isTransactional(attributes: number): boolean {
  return (attributes & TRANSACTIONAL_FLAG_MASK) !== 0;
}

export function isControl(attributes: number): boolean {
  return (attributes & CONTROL_FLAG_MASK) !== 0;
}

export const TimestampType = {
  CREATE_TIME: 0,
  LOG_APPEND_TIME: 1,
} as const;
export type TimestampTypeId = (typeof TimestampType)[keyof typeof TimestampType];

export const NO_TIMESTAMP = -1n;
export const CURRENT_MAGIC = 2;

export function timestampTypeOf(attributes: number): TimestampTypeId {
  return (attributes & TIMESTAMP_TYPE_MASK) !== 0 ? TimestampType.LOG_APPEND_TIME : TimestampType.CREATE_TIME;
}

export function hasDeleteHorizon(attributes: number): boolean {
  return (attributes & DELETE_HORIZON_FLAG_MASK) !== 0;
}

export interface BatchAttributes {
  compression: number;
  timestampType: TimestampTypeId;
  transactional: boolean;
  control: boolean;
  deleteHorizon: boolean;
}

/** Packs the attribute bits of a v2 batch header. */
export function makeBatchAttributes(a: BatchAttributes): number {
  return (
    (a.compression & COMPRESSION_CODEC_MASK) |
    (a.timestampType === TimestampType.LOG_APPEND_TIME ? TIMESTAMP_TYPE_MASK : 0) |
    (a.transactional ? TRANSACTIONAL_FLAG_MASK : 0) |
    (a.control ? CONTROL_FLAG_MASK : 0) |
    (a.deleteHorizon ? DELETE_HORIZON_FLAG_MASK : 0)
  );
}

/** Unpacks the attribute bits of a v2 batch header. */
export function parseBatchAttributes(attributes: number): BatchAttributes {
  return {
    compression: compressionCodecOf(attributes),
    timestampType: timestampTypeOf(attributes),
    transactional: isTransactional(attributes),
    control: isControl(attributes),
    deleteHorizon: hasDeleteHorizon(attributes),
  };
}

/** Writes all 61 header bytes at `at`, the CRC field included as given. */
export function writeBatchHeader(buffer: Buffer, at: number, h: BatchHeader): void {
  buffer.writeBigInt64BE(BigInt.asIntN(64, h.baseOffset), at + BASE_OFFSET_OFFSET);
  buffer.writeInt32BE(h.batchLength, at + BATCH_LENGTH_OFFSET);
  buffer.writeInt32BE(h.partitionLeaderEpoch, at + PARTITION_LEADER_EPOCH_OFFSET);
  buffer.writeInt8(h.magic, at + MAGIC_OFFSET);
  buffer.writeUInt32BE(h.crc >>> 0, at + CRC_OFFSET);
  buffer.writeInt16BE(h.attributes, at + ATTRIBUTES_OFFSET);
  buffer.writeInt32BE(h.lastOffsetDelta, at + LAST_OFFSET_DELTA_OFFSET);
  buffer.writeBigInt64BE(BigInt.asIntN(64, h.baseTimestamp), at + BASE_TIMESTAMP_OFFSET);
  buffer.writeBigInt64BE(BigInt.asIntN(64, h.maxTimestamp), at + MAX_TIMESTAMP_OFFSET);
  buffer.writeBigInt64BE(BigInt.asIntN(64, h.producerId), at + PRODUCER_ID_OFFSET);
  buffer.writeInt16BE(h.producerEpoch, at + PRODUCER_EPOCH_OFFSET);
  buffer.writeInt32BE(h.baseSequence, at + BASE_SEQUENCE_OFFSET);
  buffer.writeInt32BE(h.recordCount, at + RECORD_COUNT_OFFSET);
}
