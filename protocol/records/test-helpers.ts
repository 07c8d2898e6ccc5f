/**
 * Test-only helpers: assert that a function raises a RecordsError (by instanceof,
 * since RecordsError keeps ProtocolDecodeError's name) with the expected check; build
 * batches with a sound frame around corrupt records.
 */
import { RecordsError, type RecordsCheck } from './errors.js';
import {
  ATTRIBUTES_OFFSET,
  BATCH_LENGTH_OFFSET,
  COMPRESSION_CODEC_MASK,
  CRC_OFFSET,
  LOG_OVERHEAD,
  RECORD_BATCH_OVERHEAD,
} from './batch-header.js';
import { computeBatchCrc } from './batch-frame.js';

import type { Test } from 'tap';

type Assert = Pick<Test, 'fail' | 'ok' | 'equal'>;

export function catchRecordsError(fn: () => unknown): RecordsError | Error | null {
  try {
    fn();
    return null;
  } catch (error) {
    if (error instanceof Error) return error;
    return new Error(String(error));
  }
}

export function throwsRecordsError(t: Assert, fn: () => unknown, check?: RecordsCheck, message = ''): void {
  const error = catchRecordsError(fn);
  if (error === null) {
    t.fail(`expected a RecordsError ${check ?? ''} ${message}`);
    return;
  }
  if (!(error instanceof RecordsError)) {
    t.fail(`expected a RecordsError ${message}, got ${error.name}: ${error.message}`);
    return;
  }
  if (check !== undefined) t.equal(error.check, check, `${message} (${error.message})`);
  else t.ok(true, `${message} (${error.message})`);
}

/**
 * A copy of the v2 batch `batch` whose records section is `payload` (raw bytes, written
 * as given), with its length, codec bits and CRC-32C made consistent again: a batch
 * whose frame is sound and whose inside is whatever the test wants.
 */
export function reframeBatch(batch: Buffer, payload: Buffer, compression?: number): Buffer {
  const out = Buffer.alloc(RECORD_BATCH_OVERHEAD + payload.length);
  batch.copy(out, 0, 0, RECORD_BATCH_OVERHEAD);
  payload.copy(out, RECORD_BATCH_OVERHEAD);
  out.writeInt32BE(out.length - LOG_OVERHEAD, BATCH_LENGTH_OFFSET);
  if (compression !== undefined) {
    const attributes = out.readInt16BE(ATTRIBUTES_OFFSET);
    out.writeInt16BE((attributes & ~COMPRESSION_CODEC_MASK) | compression, ATTRIBUTES_OFFSET);
  }
  out.writeUInt32BE(computeBatchCrc(out, 0, out.length), CRC_OFFSET);
  return out;
}
