/**
 * One record inside a v2 batch: varint length, int8 attributes, varlong timestamp
 * delta, varint offset delta, varint-prefixed key and value (negative = null), and a
 * varint count of headers (varint-prefixed UTF-8 key, varint-prefixed nullable value).
 * Encoding computes each record's size first so the length prefix is written once.
 * Decoding checks every length against the bytes that remain and that each record
 * ends exactly where its length says; failures are RecordsError('record').
 */
import { ProtocolDecodeError, Reader, type Writer } from '../primitives/index.js';
import { RecordsError } from './errors.js';

export interface RecordHeader {
  key: string;
  value: Buffer | null;
}

/** What a producer supplies for one record. */
export interface RecordInput {
  key?: Buffer | null;
  value?: Buffer | null;
  headers?: RecordHeader[];
  /** Create time in ms; NO_TIMESTAMP (-1n) if absent. */
  timestamp?: bigint;
  /** Offset relative to the batch's base offset; defaults to the record's index. */
  offsetDelta?: number;
}

/** A record as decoded from a batch, with absolute offset and timestamp resolved. */
export interface DecodedRecord {
  offset: bigint;
  offsetDelta: number;
  timestamp: bigint;
  timestampDelta: bigint;
  attributes: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[];
}

/** Smallest possible record: length, attributes, timestamp, offset, key, value, header count. */
export const MIN_RECORD_SIZE = 7;

export function sizeOfUnsignedVarint(value: number): number {
  let v = value >>> 0;
  let size = 1;
  while (v >= 0x80) {
    v >>>= 7;
    size++;
  }
  return size;
}

export function sizeOfVarint(value: number): number {
  return sizeOfUnsignedVarint(((value << 1) ^ (value >> 31)) >>> 0);
}

export function sizeOfVarlong(value: bigint): number {
  let v = BigInt.asUintN(64, (value << 1n) ^ (value >> 63n));
  let size = 1;
  while (v >= 0x80n) {
    v >>= 7n;
    size++;
  }
  return size;
}

function sizeOfNullableBytes(value: Uint8Array | null): number {
  return value === null ? 1 : sizeOfVarint(value.length) + value.length;
}

interface EncodedHeader {
  key: Buffer;
  value: Buffer | null;
}

/** Appends one record; `timestampDelta` and `offsetDelta` are already relative to the batch. */
export function writeRecord(writer: Writer, record: RecordInput, timestampDelta: bigint, offsetDelta: number): void {
  const key = record.key ?? null;
  const value = record.value ?? null;
  const headers: EncodedHeader[] = (record.headers ?? []).map((h) => ({
    key: Buffer.from(h.key, 'utf8'),
    value: h.value,
  }));
  let bodySize =
    1 +
    sizeOfVarlong(timestampDelta) +
    sizeOfVarint(offsetDelta) +
    sizeOfNullableBytes(key) +
    sizeOfNullableBytes(value);
  bodySize += sizeOfVarint(headers.length);
  for (const h of headers) bodySize += sizeOfVarint(h.key.length) + h.key.length + sizeOfNullableBytes(h.value);
  writer.varint(bodySize).int8(0).varlong(timestampDelta).varint(offsetDelta);
  writeNullable(writer, key);
  writeNullable(writer, value);
  writer.varint(headers.length);
  for (const h of headers) {
    writer.varint(h.key.length).raw(h.key);
    writeNullable(writer, h.value);
  }
}

function writeNullable(writer: Writer, bytes: Uint8Array | null): void {
  if (bytes === null) writer.varint(-1);
  else writer.varint(bytes.length).raw(bytes);
}

function readNullable(reader: Reader): Buffer | null {
  const size = reader.varint();
  return size < 0 ? null : reader.raw(size);
}

/**
 * Reads one record at the reader's position. `logAppendTime`, when not null, replaces
 * every record's timestamp (batches with the LOG_APPEND_TIME attribute).
 */
export function readRecord(
  reader: Reader,
  baseOffset: bigint,
  baseTimestamp: bigint,
  logAppendTime: bigint | null,
): DecodedRecord {
  const start = reader.offset;
  try {
    const size = reader.varint();
    if (size < MIN_RECORD_SIZE - 1 || size > reader.remaining) {
      throw new RecordsError('record', `record at ${start} declares ${size} bytes, ${reader.remaining} remain`);
    }
    const end = reader.offset + size;
    const body = new Reader(reader.buffer, reader.offset, end);
    const attributes = body.int8();
    const timestampDelta = body.varlong();
    const offsetDelta = body.varint();
    const key = readNullable(body);
    const value = readNullable(body);
    const headerCount = body.varint();
    if (headerCount < 0) throw new RecordsError('record', `record at ${start} has ${headerCount} headers`);
    body.checkCount(headerCount, 2);
    const headers: RecordHeader[] = new Array<RecordHeader>(headerCount);
    for (let i = 0; i < headerCount; i++) {
      const keySize = body.varint();
      if (keySize < 0) throw new RecordsError('record', `record at ${start} has a header with a null key`);
      const headerKey = body.raw(keySize).toString('utf8');
      headers[i] = { key: headerKey, value: readNullable(body) };
    }
    if (body.offset !== end) {
      throw new RecordsError(
        'record',
        `record at ${start} declares ${size} bytes but its fields end ${end - body.offset} bytes early`,
      );
    }
    reader.offset = end;
    return {
      offset: baseOffset + BigInt(offsetDelta),
      offsetDelta,
      timestamp: logAppendTime ?? baseTimestamp + timestampDelta,
      timestampDelta,
      attributes,
      key,
      value,
      headers,
    };
  } catch (error) {
    if (error instanceof RecordsError) throw error;
    if (error instanceof ProtocolDecodeError)
      throw new RecordsError('record', `malformed record at ${start}: ${error.message}`);
    throw error;
  }
}
