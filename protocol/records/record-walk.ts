/**
 * The record-level check of a produced v2 batch, as Kafka's LogValidator and
 * DefaultRecord.readFrom do it: every record's length varint, attributes, timestamp
 * and offset deltas, key, value, header count and headers are read in place
 * (decompressed first, within a bound, when the batch is compressed), the records
 * must fill the batch exactly (no fewer than its count, no bytes after), and each
 * record is held to the topic's rules: a key on compacted topics, the CreateTime
 * window, no LogAppendTime batches from clients.
 * Allocation-light: no record objects, no BigInt per record, no closures; only the
 * decompressed payload and, when something fails, the error list are allocated. A batch whose
 * records are all plain and valid is walked by record-walk-fast.ts first; this full walk runs when
 * that one finds anything unusual, and decides every error.
 * Structural failures raise RecordsError ('record' or 'record-count': INVALID_RECORD;
 * 'compression' / 'decompressed-size': CORRUPT_MESSAGE); rule failures are returned
 * as per-record errors, so the broker can answer them as Kafka does.
 */
import { RECORD_BATCH_OVERHEAD, TimestampType } from './batch-header.js';
import { decompress } from './compression/index.js';
import { RecordsError } from './errors.js';
import { UNUSUAL, walkPlainRecords } from './record-walk-fast.js';
import type { BatchSummary } from './validate.js';

/** What the topic asks of every record (Kafka's compactedTopic and message.timestamp.* settings). */
export interface RecordRules {
  /** Refuse records with a null key (cleanup.policy includes compact). */
  requireKey: boolean;
  /** The topic's message.timestamp.type is CreateTime (else LogAppendTime). */
  createTime: boolean;
  /** CreateTime window, in ms: [minTimestamp, maxTimestamp]. */
  minTimestamp: number;
  maxTimestamp: number;
  /** Named in messages, as Kafka does: "topic partition <topic>-<partition>". */
  partitionName: string;
}

/** One record that breaks a rule; `invalidTimestamp` tells INVALID_TIMESTAMP from INVALID_RECORD. */
export interface RecordRuleError {
  batchIndex: number;
  invalidTimestamp: boolean;
  message: string;
}

export interface RecordWalkResult {
  /** Null when every record passed. */
  ruleErrors: RecordRuleError[] | null;
  /** Every record's offset delta equals its index (Kafka rebuilds compressed batches where not). */
  offsetDeltasInOrder: boolean;
}

export interface RecordWalkOptions {
  /** Largest decompressed payload accepted ('decompressed-size' past it). */
  maxDecompressedBytes: number;
}

/**
 * Varint readers over (buffer, position, end) that leave the position after the value
 * in `next`: no cursor object and no returned tuples, so the walk allocates nothing.
 */
let next = 0;

class Underflow extends Error {}
/** Thrown past the end of a record or payload; turned into Kafka's message by the caller. */
const UNDERFLOW = new Underflow('underflow');

function structure(detail: string): RecordsError {
  return new RecordsError('record', `Found invalid record structure: ${detail}`);
}

function readVarint(buf: Buffer, pos: number, end: number): number {
  let raw = 0;
  for (let shift = 0; shift < 35; shift += 7) {
    if (pos >= end) throw UNDERFLOW;
    const b = buf[pos++]!;
    raw |= (b & 0x7f) << shift;
    if ((b & 0x80) === 0) {
      next = pos;
      return (raw >>> 1) ^ -(raw & 1);
    }
  }
  throw structure('a varint is longer than 5 bytes');
}

/** A zig-zag varlong as a double (exact within ±2^53, enough for millisecond deltas). */
function readVarlong(buf: Buffer, pos: number, end: number): number {
  let raw = 0;
  let scale = 1;
  for (let i = 0; i < 10; i++) {
    if (pos >= end) throw UNDERFLOW;
    const b = buf[pos++]!;
    raw += (b & 0x7f) * scale;
    if ((b & 0x80) === 0) {
      next = pos;
      return raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2;
    }
    scale *= 128;
  }
  throw structure('a varlong is longer than 10 bytes');
}

function ruleError(errors: RecordRuleError[] | null, error: RecordRuleError): RecordRuleError[] {
  const list = errors ?? [];
  list.push(error);
  return list;
}

/** Fields of the record just read by readRecordBody (module state: no per-record object). */
let timestampDelta = 0;
let offsetDelta = 0;
let hasKey = false;

/**
 * Reads the body of the record in [start, recordEnd) (its length varint already read)
 * and checks that its fields end exactly at recordEnd.
 */
function readRecordBody(buf: Buffer, start: number, recordEnd: number): void {
  let pos = start + 1; // attributes: unused in v2
  if (pos > recordEnd) throw UNDERFLOW;
  timestampDelta = readVarlong(buf, pos, recordEnd);
  offsetDelta = readVarint(buf, next, recordEnd);
  const keySize = readVarint(buf, next, recordEnd);
  pos = next;
  hasKey = keySize >= 0;
  if (keySize > 0) pos += keySize;
  const valueSize = readVarint(buf, pos, recordEnd);
  pos = next;
  if (valueSize > 0) pos += valueSize;
  const headerCount = readVarint(buf, pos, recordEnd);
  pos = next;
  if (headerCount < 0) throw new RecordsError('record', `Found invalid number of record headers ${headerCount}`);
  if (headerCount > recordEnd - pos) {
    throw new RecordsError(
      'record',
      `Found invalid number of record headers. ${headerCount} is larger than the remaining size of the buffer`,
    );
  }
  for (let h = 0; h < headerCount; h++) {
    const headerKeySize = readVarint(buf, pos, recordEnd);
    if (headerKeySize < 0) throw new RecordsError('record', `Invalid negative header key size ${headerKeySize}`);
    const headerValueSize = readVarint(buf, next + headerKeySize, recordEnd);
    pos = next;
    if (headerValueSize > 0) pos += headerValueSize;
  }
  if (pos > recordEnd) throw UNDERFLOW;
  if (pos !== recordEnd) {
    throw new RecordsError(
      'record',
      `Invalid record size: expected to read ${recordEnd - start} bytes in record payload, but instead read ${pos - start}`,
    );
  }
}

/** Walks `recordCount` records of `payload` and applies the rules; see the file header. */
export function walkRecords(
  payload: Buffer,
  recordCount: number,
  batch: Pick<BatchSummary, 'baseOffset' | 'baseTimestamp' | 'maxTimestamp' | 'timestampType'>,
  rules: RecordRules,
): RecordWalkResult {
  if (recordCount >= 0 && batch.timestampType !== TimestampType.LOG_APPEND_TIME) {
    const plain = walkPlainRecords(payload, recordCount, {
      requireKey: rules.requireKey,
      createTime: rules.createTime,
      minTimestamp: rules.minTimestamp,
      maxTimestamp: rules.maxTimestamp,
      baseTimestamp: Number(batch.baseTimestamp),
    });
    if (plain !== UNUSUAL) return { ruleErrors: null, offsetDeltasInOrder: plain === 1 };
  }
  return walkRecordsFully(payload, recordCount, batch, rules);
}

/** walkRecords without the fast path: reads every field of every record and collects each rule error. */
export function walkRecordsFully(
  payload: Buffer,
  recordCount: number,
  batch: Pick<BatchSummary, 'baseOffset' | 'baseTimestamp' | 'maxTimestamp' | 'timestampType'>,
  rules: RecordRules,
): RecordWalkResult {
  if (recordCount < 0)
    throw new RecordsError('record-count', `Found invalid record count ${recordCount} in magic v2 batch`);
  const end = payload.length;
  const batchLogAppendTime = batch.timestampType === TimestampType.LOG_APPEND_TIME;
  const baseTimestamp = Number(batch.baseTimestamp);
  const logAppendTime = Number(batch.maxTimestamp);
  const baseOffset = Number(batch.baseOffset);
  let errors: RecordRuleError[] | null = null;
  let inOrder = true;
  let index = 0;
  let pos = 0;
  try {
    for (; index < recordCount; index++) {
      let size: number;
      try {
        size = readVarint(payload, pos, end);
      } catch (error) {
        if (error instanceof Underflow)
          throw new RecordsError('record-count', 'Incorrect declared batch size, premature EOF reached');
        throw error;
      }
      pos = next;
      if (size < 0 || size > end - pos) {
        throw new RecordsError(
          'record',
          `Invalid record size: expected ${size} bytes in record payload, but instead the buffer has only ${end - pos} remaining bytes.`,
        );
      }
      try {
        readRecordBody(payload, pos, pos + size);
      } catch (error) {
        if (error instanceof Underflow) throw structure(`a field runs past the record's declared ${size} bytes`);
        throw error;
      }
      pos += size;
      if (offsetDelta !== index) inOrder = false;
      if (rules.requireKey && !hasKey) {
        errors = ruleError(errors, {
          batchIndex: index,
          invalidTimestamp: false,
          message: `Compacted topic cannot accept message without key in topic partition ${rules.partitionName}.`,
        });
        continue;
      }
      const timestamp = batchLogAppendTime ? logAppendTime : baseTimestamp + timestampDelta;
      if (rules.createTime && timestamp !== -1) {
        if (timestamp < rules.minTimestamp || timestamp > rules.maxTimestamp) {
          errors = ruleError(errors, {
            batchIndex: index,
            invalidTimestamp: true,
            message: `Timestamp ${timestamp} of message with offset ${baseOffset + offsetDelta} is out of range. The timestamp should be within [${rules.minTimestamp}, ${rules.maxTimestamp}]`,
          });
        }
      } else if (batchLogAppendTime) {
        errors = ruleError(errors, {
          batchIndex: index,
          invalidTimestamp: true,
          message: 'Invalid timestamp type in message. Producer should not set timestamp type to LogAppendTime.',
        });
      }
    }
    if (pos !== end)
      throw new RecordsError('record-count', 'Incorrect declared batch size, records still remaining in file');
  } catch (error) {
    if (error instanceof RecordsError)
      throw new RecordsError(error.check, error.message, error.position, Math.min(index, recordCount - 1));
    throw error;
  }
  return { ruleErrors: errors, offsetDeltasInOrder: inOrder };
}

/**
 * Checks the records of the batch `summary` describes inside `buffer` (its frame and
 * batch rules already checked by validateRecordBatch): decompresses within the bound,
 * then walks. Errors name the batch's position.
 */
export function walkBatchRecords(
  buffer: Buffer,
  summary: BatchSummary,
  rules: RecordRules,
  options: RecordWalkOptions,
): RecordWalkResult {
  const at = summary.position;
  let payload = buffer.subarray(at + RECORD_BATCH_OVERHEAD, at + summary.sizeInBytes);
  try {
    if (summary.compression !== 0) {
      payload = decompress(summary.compression, payload, { maxDecompressedBytes: options.maxDecompressedBytes });
    }
    return walkRecords(payload, summary.recordCount, summary, rules);
  } catch (error) {
    if (error instanceof RecordsError) throw new RecordsError(error.check, error.message, at, error.recordIndex);
    throw error;
  }
}
