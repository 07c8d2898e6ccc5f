/**
 * The Java producer's size estimates for a record in a magic-2 batch
 * (AbstractRecords.estimateSizeInBytesUpperBound): the batch header (61 bytes), a record's largest
 * fixed overhead (21) and its key, value and headers with their varint lengths. The producer uses
 * them to cut batches at batch.size; the tools to refuse a record over max.request.size.
 */
import { sizeOfVarint } from '../../protocol/records/record.js';

/** A record's parts that take room in a batch. */
export interface SizedRecord {
  key: Buffer | null;
  value: Buffer | null;
  headers: ReadonlyArray<{ key: string; value: Buffer | null }>;
}

export const RECORD_BATCH_OVERHEAD = 61;
const MAX_RECORD_OVERHEAD = 21;

const sizedBytes = (bytes: Buffer | null): number =>
  bytes === null ? sizeOfVarint(-1) : sizeOfVarint(bytes.length) + bytes.length;

/** The upper bound of one record's bytes inside a batch (its share, without the batch header). */
export function recordSizeInBatch(record: SizedRecord): number {
  let size = sizedBytes(record.key) + sizedBytes(record.value) + sizeOfVarint(record.headers.length);
  for (const header of record.headers) size += sizedBytes(Buffer.from(header.key, 'utf8')) + sizedBytes(header.value);
  return MAX_RECORD_OVERHEAD + size;
}

/** AbstractRecords.estimateSizeInBytesUpperBound for magic v2: a batch holding only this record. */
export function estimatedRecordSize(record: SizedRecord): number {
  return RECORD_BATCH_OVERHEAD + recordSizeInBatch(record);
}
