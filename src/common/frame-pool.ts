/**
 * Recycled buffers for large request frames. A fresh 1 MB buffer per Produce request costs more than
 * the allocation: its pages are new to the process, so the kernel's copy of the socket data into it
 * takes a page fault every 4 KiB (under this machine's hypervisor ~12% of the broker's CPU under a
 * kcat produce load, docs/benchmarks.md), and V8 collects the garbage those buffers make. Frames of
 * at least MIN_POOLED_BYTES come from here instead; a connection gives a Produce frame back once its
 * request has been answered.
 *
 * Why that is safe for Produce (and why only Produce): the produce path copies the records into the
 * log before it answers (a write into the segment, which the handler waits for when the write-behind
 * worker makes it, storage/write-behind.ts; or a copy into the in-memory log), the decoded
 * request's strings are copies, and nothing else keeps a view of the frame once the handler's promise
 * has settled: acks=all waits inside the handler, KIP-890 verification reads the batch headers before
 * the append. Other APIs are not given back (they may keep views).
 *
 * The same for a follower's fetch responses (`responseFramePool`): the inter-broker transport reads
 * large response frames into buffers from it, and the replica fetcher gives a Fetch response's frame
 * back once its records are in the log (the follower's append writes them synchronously and keeps
 * no view; nothing else sees the response). Other inter-broker responses are never given back.
 * A pool takes back only buffers it handed out (a WeakSet), so a frame from elsewhere (a test's, the
 * simulation's) is never put in one.
 *
 * The request pool is sharable (storage/read-buffers.ts): the tail cache of a partition with followers
 * keeps a Produce frame's records instead of a copy, so such a frame comes back to the pool only once
 * both the connection and the cache have given it back.
 *
 * Buffers are kept by capacity (a multiple of 64 KiB); a frame takes the smallest kept one that fits
 * and is at most twice its size. At most POOL_MAX_BYTES are kept in all; the rest go to the GC.
 */
import { ReadBufferPool } from '../../storage/read-buffers.js';

const POOL_MAX_BYTES = 16 * 1024 * 1024;

/**
 * The storage read-buffer pool (storage/read-buffers.ts: one allocator, best fit within twice the size,
 * only buffers it lent are taken back, each once) with the frame paths' bound and a one-frame `give`.
 */
export class FramePool extends ReadBufferPool {
  constructor(maxBytes = POOL_MAX_BYTES, sharable = false, shared: () => boolean = () => false) {
    super(maxBytes, sharable, shared);
  }

  /**
   * `frame` (from take, or a view into it) is no longer used by anyone; its whole buffer may be
   * handed out again. Buffers this pool did not hand out are ignored.
   */
  give(frame: Buffer): void {
    this.giveBack([frame]);
  }
}

export const responseFramePool = new FramePool();
