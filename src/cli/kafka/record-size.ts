/**
 * The Java producer's check of a record's size before it is batched (KafkaProducer.ensureValidRecordSize
 * over AbstractRecords.estimateSizeInBytesUpperBound): the upper bound of a v2 batch holding only this
 * record — the batch header (61 bytes), a record's largest fixed overhead (21) and its key, value and
 * headers with their varint lengths — above max.request.size, or above buffer.memory, fails the
 * record at once with RecordTooLargeException, without a request to the broker.
 */
import type { OutgoingRecord } from '../../client/producer.js';
import { JavaError } from './errors.js';

const RECORD_BATCH_OVERHEAD = 61;
const MAX_RECORD_OVERHEAD = 21;
/** max.request.size's default (the tools refuse another value: client-config.ts). */
export const MAX_REQUEST_SIZE = 1048576;
/** buffer.memory's default. */
export const BUFFER_MEMORY = 33554432;

/** ByteUtils.sizeOfVarint: the bytes of the zig-zag varint of a 32-bit int. */
function sizeOfVarint(value: number): number {
  let v = ((value << 1) ^ (value >> 31)) >>> 0;
  let bytes = 1;
  while (v >= 0x80) {
    v >>>= 7;
    bytes++;
  }
  return bytes;
}

const sizedBytes = (bytes: Buffer | null): number =>
  bytes === null ? sizeOfVarint(-1) : sizeOfVarint(bytes.length) + bytes.length;

/** AbstractRecords.estimateSizeInBytesUpperBound for magic v2. */
export function estimatedRecordSize(record: OutgoingRecord): number {
  let size = sizedBytes(record.key) + sizedBytes(record.value) + sizeOfVarint(record.headers.length);
  for (const header of record.headers) size += sizedBytes(Buffer.from(header.key, 'utf8')) + sizedBytes(header.value);
  return RECORD_BATCH_OVERHEAD + MAX_RECORD_OVERHEAD + size;
}

/** The RecordTooLargeException the Java producer fails `record` with, or null when it fits. */
export function recordTooLarge(record: OutgoingRecord, bufferMemory = BUFFER_MEMORY): JavaError | null {
  const size = estimatedRecordSize(record);
  const tooLarge = (message: string) =>
    new JavaError('org.apache.kafka.common.errors.RecordTooLargeException', message);
  if (size > MAX_REQUEST_SIZE)
    return tooLarge(
      `The message is ${size} bytes when serialized which is larger than ${MAX_REQUEST_SIZE}, which is the value of the max.request.size configuration.`,
    );
  if (size > bufferMemory)
    return tooLarge(
      `The message is ${size} bytes when serialized which is larger than the total memory buffer you have configured with the buffer.memory configuration.`,
    );
  return null;
}
