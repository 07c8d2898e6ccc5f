/**
 * Encodes group records straight into one v2 record batch for `__consumer_offsets`:
 * the hot path of batched offset commits. The bytes are exactly those of
 * `buildRecordBatch` over `encodeGroupRecords` (same record formats, every record
 * stamped with one create time, no compression, no producer), but offset records are
 * written in place: one size pass, one buffer, no intermediate key/value buffers or
 * per-record objects. Other record kinds (group metadata, anything added later) go
 * through `encodeGroupRecord` and are copied in. Leaves out: compression, headers.
 */
import {
  CRC_OFFSET,
  CURRENT_MAGIC,
  LOG_OVERHEAD,
  NO_PARTITION_LEADER_EPOCH,
  NO_PRODUCER_EPOCH,
  NO_PRODUCER_ID,
  NO_SEQUENCE,
  RECORD_BATCH_OVERHEAD,
  computeBatchCrc,
  writeBatchHeader,
} from '../../protocol/records/index.js';
import { OFFSET_COMMIT_KEY_VERSION, encodeGroupRecord, type GroupRecord, type RawRecord } from './records.js';

/** Strings longer than this cannot be written with an int16 length (the generic path then throws). */
const MAX_INT16_STRING_BYTES = 0x7fff;

/** UTF-8 length; a loop for short ASCII strings (group ids, topics), which beats Buffer.byteLength's call overhead. */
function utf8Length(value: string): number {
  if (value.length > 64) return Buffer.byteLength(value, 'utf8');
  for (let i = 0; i < value.length; i++) if (value.charCodeAt(i) >= 0x80) return Buffer.byteLength(value, 'utf8');
  return value.length;
}

/** Writes an int16-length-prefixed UTF-8 string of `size` bytes at `at`; returns the end. */
function writeString(buffer: Buffer, at: number, value: string, size: number): number {
  buffer.writeInt16BE(size, at);
  at += 2;
  if (size !== value.length) return at + buffer.write(value, at, size, 'utf8');
  for (let i = 0; i < size; i++) buffer[at + i] = value.charCodeAt(i);
  return at + size;
}

/** Writes an int64: safe integers without BigInt arithmetic, others through writeBigInt64BE. */
function writeInt64(buffer: Buffer, at: number, value: bigint): number {
  const n = Number(value);
  if (Number.isSafeInteger(n)) {
    // Byte stores (a typed array keeps the low 8 bits; `>>>` gives the two's complement of a negative high word).
    const high = Math.floor(n / 0x1_0000_0000);
    const low = n - high * 0x1_0000_0000;
    buffer[at] = high >>> 24;
    buffer[at + 1] = high >>> 16;
    buffer[at + 2] = high >>> 8;
    buffer[at + 3] = high;
    buffer[at + 4] = low >>> 24;
    buffer[at + 5] = low >>> 16;
    buffer[at + 6] = low >>> 8;
    buffer[at + 7] = low;
  } else {
    buffer.writeBigInt64BE(BigInt.asIntN(64, value), at);
  }
  return at + 8;
}

function sizeOfZigzag(value: number): number {
  let v = ((value << 1) ^ (value >> 31)) >>> 0;
  let size = 1;
  while (v >= 0x80) {
    v >>>= 7;
    size++;
  }
  return size;
}

function writeZigzag(buffer: Buffer, at: number, value: number): number {
  let v = ((value << 1) ^ (value >> 31)) >>> 0;
  while (v >= 0x80) {
    buffer[at++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  buffer[at++] = v;
  return at;
}

/** Per record of the batch being encoded: sizes from the first pass, used by the second. */
interface Sizes {
  key: number;
  /** -1: null value. */
  value: number;
  group: number;
  topic: number;
  metadata: number;
  /** Set for records taken through the generic encoder. */
  raw: RawRecord | null;
}

function sizesOf(record: GroupRecord): Sizes {
  if (record.kind === 'offset') {
    const group = utf8Length(record.groupId);
    const topic = utf8Length(record.topic);
    const v = record.value;
    const metadata = v === null ? 0 : utf8Length(v.metadata);
    if (group <= MAX_INT16_STRING_BYTES && topic <= MAX_INT16_STRING_BYTES && metadata <= MAX_INT16_STRING_BYTES) {
      const key = 2 + 2 + group + 2 + topic + 4;
      // v1 (explicit expiry): offset, metadata, commit and expire timestamps; v3: offset, leader epoch, metadata, commit timestamp.
      const value =
        v === null ? -1 : v.expireTimestamp >= 0n ? 2 + 8 + 2 + metadata + 8 + 8 : 2 + 8 + 4 + 2 + metadata + 8;
      return { key, value, group, topic, metadata, raw: null };
    }
  }
  const raw = encodeGroupRecord(record);
  return {
    key: raw.key.length,
    value: raw.value === null ? -1 : raw.value.length,
    group: 0,
    topic: 0,
    metadata: 0,
    raw,
  };
}

/** The record body (everything after its length varint) at offset delta `index`. */
function bodySize(s: Sizes, index: number): number {
  const value = s.value < 0 ? 1 : sizeOfZigzag(s.value) + s.value;
  // attributes, timestamp delta 0, offset delta, key length + key, value, header count 0
  return 1 + 1 + sizeOfZigzag(index) + sizeOfZigzag(s.key) + s.key + value + 1;
}

function writeOffsetKey(
  buffer: Buffer,
  at: number,
  record: Extract<GroupRecord, { kind: 'offset' }>,
  s: Sizes,
): number {
  buffer.writeInt16BE(OFFSET_COMMIT_KEY_VERSION, at);
  at = writeString(buffer, at + 2, record.groupId, s.group);
  at = writeString(buffer, at, record.topic, s.topic);
  buffer.writeInt32BE(record.partition, at);
  return at + 4;
}

function writeOffsetValue(
  buffer: Buffer,
  at: number,
  record: Extract<GroupRecord, { kind: 'offset' }>,
  s: Sizes,
): number {
  const v = record.value!;
  const explicitExpiry = v.expireTimestamp >= 0n;
  buffer.writeInt16BE(explicitExpiry ? 1 : 3, at);
  at = writeInt64(buffer, at + 2, v.offset);
  if (!explicitExpiry) {
    buffer.writeInt32BE(v.leaderEpoch, at);
    at += 4;
  }
  at = writeString(buffer, at, v.metadata, s.metadata);
  at = writeInt64(buffer, at, v.commitTimestamp);
  return explicitExpiry ? writeInt64(buffer, at, v.expireTimestamp) : at;
}

/**
 * One complete batch (CRC included, base offset 0: the log assigns it) holding `records`
 * in order, each with create time `timestamp`. At least one record.
 */
export function encodeGroupBatch(
  records: readonly GroupRecord[],
  timestamp: bigint,
  partitionLeaderEpoch = NO_PARTITION_LEADER_EPOCH,
): Buffer {
  if (records.length === 0) throw new RangeError('a record batch needs at least one record');
  const sizes = records.map(sizesOf);
  let size = RECORD_BATCH_OVERHEAD;
  for (let i = 0; i < sizes.length; i++) {
    const body = bodySize(sizes[i]!, i);
    size += sizeOfZigzag(body) + body;
  }
  const batch = Buffer.allocUnsafe(size);
  writeBatchHeader(batch, 0, {
    baseOffset: 0n,
    batchLength: size - LOG_OVERHEAD,
    partitionLeaderEpoch,
    magic: CURRENT_MAGIC,
    crc: 0,
    attributes: 0,
    lastOffsetDelta: records.length - 1,
    baseTimestamp: timestamp,
    maxTimestamp: timestamp,
    producerId: NO_PRODUCER_ID,
    producerEpoch: NO_PRODUCER_EPOCH,
    baseSequence: NO_SEQUENCE,
    recordCount: records.length,
  });
  let at = RECORD_BATCH_OVERHEAD;
  for (let i = 0; i < records.length; i++) {
    const record = records[i]!;
    const s = sizes[i]!;
    at = writeZigzag(batch, at, bodySize(s, i));
    batch[at++] = 0; // attributes
    batch[at++] = 0; // timestamp delta
    at = writeZigzag(batch, at, i);
    at = writeZigzag(batch, at, s.key);
    if (s.raw !== null) {
      at += s.raw.key.copy(batch, at);
      at = writeZigzag(batch, at, s.value);
      if (s.raw.value !== null) at += s.raw.value.copy(batch, at);
    } else if (record.kind === 'offset') {
      at = writeOffsetKey(batch, at, record, s);
      at = writeZigzag(batch, at, s.value);
      if (s.value >= 0) at = writeOffsetValue(batch, at, record, s);
    }
    batch[at++] = 0; // header count
  }
  if (at !== size) throw new Error(`group batch encoded ${at} bytes, expected ${size}`);
  batch.writeUInt32BE(computeBatchCrc(batch, 0, size), CRC_OFFSET);
  return batch;
}
