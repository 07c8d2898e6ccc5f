/**
 * Walks the batches of a segment file from a position, reading the file in windows so a
 * scan of many small batches costs few system calls. The visitor sees each batch in a
 * buffer holding at least its header (or, with `wholeBatches`, all of it).
 * Leaves out: validation beyond the length field; visitors call checkBatch when they care.
 */
import { LOG_OVERHEAD, RECORD_BATCH_OVERHEAD } from '../protocol/records/batch-header.js';
import type { FileHandle } from './fs.js';

export type WalkEnd = 'end' | 'stopped' | 'bad-length' | 'incomplete';

export interface WalkResult {
  /** Position of the batch where the walk ended (the file end when it ran out). */
  position: number;
  reason: WalkEnd;
}

/** Returns false to stop at this batch. */
export type BatchVisitor = (buffer: Buffer, at: number, position: number, size: number) => boolean;

export function walkBatches(
  handle: FileHandle,
  from: number,
  to: number,
  wholeBatches: boolean,
  visit: BatchVisitor,
  windowSize = 64 * 1024,
): WalkResult {
  let window: Buffer = Buffer.alloc(0);
  let windowStart = from;
  let windowEnd = from;
  let position = from;
  while (position < to) {
    if (to - position < LOG_OVERHEAD) return { position, reason: 'incomplete' };
    if (position + LOG_OVERHEAD > windowEnd || position < windowStart) {
      ({ window, windowStart, windowEnd } = readWindow(handle, position, Math.min(windowSize, to - position)));
      if (position + LOG_OVERHEAD > windowEnd) return { position, reason: 'incomplete' };
    }
    const size = window.readInt32BE(position - windowStart + 8) + LOG_OVERHEAD;
    if (size < RECORD_BATCH_OVERHEAD) return { position, reason: 'bad-length' };
    if (size > to - position) return { position, reason: 'incomplete' };
    const need = wholeBatches ? size : Math.min(size, RECORD_BATCH_OVERHEAD);
    if (position + need > windowEnd) {
      ({ window, windowStart, windowEnd } = readWindow(
        handle,
        position,
        Math.min(Math.max(windowSize, need), to - position),
      ));
      if (position + need > windowEnd) return { position, reason: 'incomplete' };
    }
    if (!visit(window, position - windowStart, position, size)) return { position, reason: 'stopped' };
    position += size;
  }
  return { position, reason: 'end' };
}

function readWindow(
  handle: FileHandle,
  position: number,
  length: number,
): { window: Buffer; windowStart: number; windowEnd: number } {
  const window = Buffer.allocUnsafe(length);
  const read = handle.read(window, 0, length, position);
  return { window, windowStart: position, windowEnd: position + read };
}
