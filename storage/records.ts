/**
 * Minimal walk over the records of an uncompressed v2 batch: offset and timestamp
 * deltas, the key and whether the value is null, and each record's byte range, so the
 * cleaner can keep records by copying their bytes and ListOffsets can find a record.
 * Leaves out: compressed batches (callers treat them as opaque), headers, full decoding.
 */
import { Reader } from '../protocol/primitives/index.js';
import { BASE_TIMESTAMP_OFFSET, RECORD_BATCH_OVERHEAD, RECORD_COUNT_OFFSET } from '../protocol/records/batch-header.js';
import { readInt64Number } from './batch-scan.js';

export interface RecordView {
  offsetDelta: number;
  timestamp: number;
  key: Buffer | null;
  valueIsNull: boolean;
  /** Byte range of the whole record (length varint included) in the batch buffer. */
  start: number;
  end: number;
}

/** Calls `visit` per record until it returns false. Throws ProtocolDecodeError on malformed records. */
export function forEachRecord(batch: Buffer, visit: (record: RecordView) => boolean | void): void {
  const count = batch.readInt32BE(RECORD_COUNT_OFFSET);
  const baseTimestamp = readInt64Number(batch, BASE_TIMESTAMP_OFFSET);
  const reader = new Reader(batch, RECORD_BATCH_OVERHEAD);
  for (let i = 0; i < count; i++) {
    const start = reader.offset;
    const length = reader.varint();
    const bodyStart = reader.offset;
    const body = new Reader(batch, bodyStart, bodyStart + length);
    reader.skip(length);
    body.int8();
    const timestamp = baseTimestamp + Number(body.varlong());
    const offsetDelta = body.varint();
    const keyLength = body.varint();
    const key = keyLength < 0 ? null : body.raw(keyLength);
    const valueLength = body.varint();
    if (visit({ offsetDelta, timestamp, key, valueIsNull: valueLength < 0, start, end: reader.offset }) === false)
      return;
  }
}
