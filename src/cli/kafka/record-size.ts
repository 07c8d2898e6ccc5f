/**
 * The Java producer's check of a record's size before it is batched (KafkaProducer.ensureValidRecordSize
 * over AbstractRecords.estimateSizeInBytesUpperBound, src/client/record-size.ts): the upper bound of a
 * v2 batch holding only this record above max.request.size, or above buffer.memory, fails the record
 * at once with RecordTooLargeException, without a request to the broker.
 */
import type { OutgoingRecord } from '../../client/producer.js';
import { estimatedRecordSize } from '../../client/record-size.js';
import { JavaError } from './errors.js';

/** max.request.size's default (the tools refuse another value: client-config.ts). */
export const MAX_REQUEST_SIZE = 1048576;
/** buffer.memory's default. */
export const BUFFER_MEMORY = 33554432;

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
