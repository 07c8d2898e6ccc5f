/**
 * Recycled buffers for large request frames. A fresh 1 MB buffer per Produce request costs more than
 * the allocation: its pages are new to the process, so the kernel's copy of the socket data into it
 * takes a page fault every 4 KiB (under this machine's hypervisor ~12% of the broker's CPU under a
 * kcat produce load, docs/benchmarks.md), and V8 collects the garbage those buffers make. Frames of
 * at least MIN_POOLED_BYTES come from here instead; a connection gives a Produce frame back once its
 * request has been answered.
 *
 * Why that is safe for Produce (and why only Produce): the produce path copies the records into the
 * log before it answers (a `writeSync` into the segment, or a copy into the in-memory log), the decoded
 * request's strings are copies, and nothing else keeps a view of the frame once the handler's promise
 * has settled: acks=all waits inside the handler, KIP-890 verification reads the batch headers before
 * the append, the append itself is synchronous. Other APIs are not given back (they may keep views).
 *
 * The same for a follower's fetch responses (`responseFramePool`): the inter-broker transport reads
 * large response frames into buffers from it, and the replica fetcher gives a Fetch response's frame
 * back once its records are in the log (the follower's append writes them synchronously and keeps
 * no view; nothing else sees the response). Other inter-broker responses are never given back.
 * A pool takes back only buffers it handed out (a WeakSet), so a frame from elsewhere (a test's, the
 * simulation's) is never put in one.
 *
 * Buffers are kept by capacity (a multiple of 64 KiB); a frame takes the smallest kept one that fits
 * and is at most twice its size. At most POOL_MAX_BYTES are kept in all; the rest go to the GC.
 */

const MIN_POOLED_BYTES = 64 * 1024;
const CAPACITY_STEP = 64 * 1024;
const POOL_MAX_BYTES = 16 * 1024 * 1024;

export class FramePool {
  private readonly free: Buffer[] = [];
  /** The stores this pool handed out: the only ones it takes back. */
  private readonly issued = new WeakSet<ArrayBufferLike>();
  /** The stores in `free` now: one given back twice is kept once. */
  private readonly kept = new WeakSet<ArrayBufferLike>();
  private freeBytes = 0;
  /** How many frames got a kept buffer (tests, benchmarks). */
  reuses = 0;

  constructor(private readonly maxBytes = POOL_MAX_BYTES) {}

  /** A buffer of exactly `size` bytes (its content undefined). */
  take(size: number): Buffer {
    if (size < MIN_POOLED_BYTES) return Buffer.allocUnsafe(size);
    let best = -1;
    for (let i = 0; i < this.free.length; i++) {
      const length = this.free[i]!.length;
      if (length >= size && length <= 2 * size && (best < 0 || length < this.free[best]!.length)) best = i;
    }
    if (best >= 0) {
      const whole = this.free[best]!;
      this.free[best] = this.free[this.free.length - 1]!;
      this.free.pop();
      this.freeBytes -= whole.length;
      this.kept.delete(whole.buffer);
      this.reuses++;
      return whole.subarray(0, size);
    }
    const capacity = Math.ceil(size / CAPACITY_STEP) * CAPACITY_STEP;
    const fresh = Buffer.allocUnsafeSlow(capacity);
    this.issued.add(fresh.buffer);
    return fresh.subarray(0, size);
  }

  /**
   * `frame` (from take, or a view into it) is no longer used by anyone; its whole buffer may be
   * handed out again. Buffers this pool did not hand out are ignored.
   */
  give(frame: Buffer): void {
    const store = frame.buffer;
    if (!this.issued.has(store) || store.byteLength < MIN_POOLED_BYTES || store.byteLength % CAPACITY_STEP !== 0)
      return;
    if (this.kept.has(store) || this.freeBytes + store.byteLength > this.maxBytes) return;
    this.kept.add(store);
    this.free.push(Buffer.from(store, 0, store.byteLength));
    this.freeBytes += store.byteLength;
  }

  /** Bytes kept for reuse (tests). */
  get keptBytes(): number {
    return this.freeBytes;
  }
}

/** The pool of the inter-broker transport's large response frames (a follower's Fetch responses). */
export const responseFramePool = new FramePool();
