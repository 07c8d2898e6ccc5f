/**
 * The client connections' pool of large request frames (src/common/frame-pool.ts says why and
 * when a frame may be given back): Produce frames only.
 */
import { FramePool } from '../common/frame-pool.js';
import { writeBehind } from '../../storage/write-behind.js';

export { FramePool };

/**
 * The pool every client connection of this process shares; sharable: the tail cache may keep a
 * Produce frame's records past the answer (storage/tail-cache.ts); shared memory: a segment append
 * of a Produce frame's records may be written by the write-behind worker (storage/write-behind.ts),
 * and the Produce handler answers, so gives the frame back, only once that write is done. Only while
 * write-behind is on: otherwise plain memory, as before it.
 */
export const requestFramePool = new FramePool(undefined, true, () => writeBehind.active);

/** Whether `frame` is a Produce request (API key 0), whose buffer may be given back once answered. */
export function isProduceFrame(frame: Buffer): boolean {
  return frame.length >= 2 && frame[0] === 0 && frame[1] === 0;
}
