/**
 * Recycled buffers for reads that go out on a socket (consumers' and followers' fetches). A fresh
 * ~1 MB buffer per fetch costs more than its allocation: its pages are new to the process, so the copy
 * from the page cache into it takes a page fault every 4 KiB, and V8 collects the garbage. A read that
 * asks for it (log.read's `allocate`) gets its window from here; whoever sends the bytes gives the
 * buffer back once the socket is done with them (server/connection.ts, after the write's callback).
 *
 * A buffer is only ever given back once per lending: `lent` holds the stores handed out and not yet
 * returned, and `giveBack` ignores any chunk whose store is not in it (a chunk of a buffer the pool
 * never lent, or one already returned). A lent buffer that is dropped instead (a fetch that waited and
 * read again, records down-converted into a copy) is left to the GC. Buffers are kept by capacity (a
 * multiple of 64 KiB); a read takes the smallest kept one that fits and is at most twice its size; at
 * most 32 MiB are kept. The same pool serves the network's frame buffers (src/common/frame-pool.ts).
 *
 * Views of memory owned elsewhere can go out the same way (`lendView`): the tail cache
 * (storage/tail-cache.ts) hands a follower or consumer a view of a cached append and learns from
 * `giveBack` of that very view object that the socket is done with it, so it may reuse the memory.
 */

const MIN_POOLED_BYTES = 64 * 1024;
const CAPACITY_STEP = 64 * 1024;
const POOL_MAX_BYTES = 32 * 1024 * 1024;

export class ReadBufferPool {
  private readonly free: ArrayBuffer[] = [];
  private freeBytes = 0;
  private readonly lent = new WeakSet<ArrayBufferLike>();
  /** Views of others' memory out on the same path, each with what to run when it comes back (once). */
  private readonly lentViews = new WeakMap<Uint8Array, () => void>();
  /** How many reads got a kept buffer, and how many were lent one at all (tests, benchmarks). */
  reuses = 0;
  lendings = 0;

  constructor(private readonly maxBytes = POOL_MAX_BYTES) {}

  /** A buffer of exactly `size` bytes (its content undefined), lent until given back. */
  readonly take = (size: number): Buffer => {
    if (size < MIN_POOLED_BYTES) return Buffer.allocUnsafe(size);
    let best = -1;
    for (let i = 0; i < this.free.length; i++) {
      const length = this.free[i]!.byteLength;
      if (length >= size && length <= 2 * size && (best < 0 || length < this.free[best]!.byteLength)) best = i;
    }
    let store: ArrayBuffer;
    if (best >= 0) {
      store = this.free[best]!;
      this.free[best] = this.free[this.free.length - 1]!;
      this.free.pop();
      this.freeBytes -= store.byteLength;
      this.reuses++;
    } else {
      // Not zero-filled (the caller overwrites what it reads), and a store of its own (not Node's shared slab).
      store = Buffer.allocUnsafeSlow(Math.ceil(size / CAPACITY_STEP) * CAPACITY_STEP).buffer as ArrayBuffer;
    }
    this.lent.add(store);
    this.lendings++;
    return Buffer.from(store, 0, size);
  };

  /** Whether `chunk` is a view of a buffer this pool has lent and not had back (or a lent view itself). */
  isLent(chunk: Uint8Array): boolean {
    return this.lent.has(chunk.buffer) || this.lentViews.has(chunk);
  }

  /**
   * `view` (memory this pool does not own) goes out like a lent buffer: when `giveBack` gets this
   * very object, `onReturn` runs, once. A view that is dropped instead never runs it.
   */
  lendView(view: Uint8Array, onReturn: () => void): void {
    this.lentViews.set(view, onReturn);
  }

  /** Nothing reads these chunks any more: the buffers they view may be lent again. */
  giveBack(chunks: readonly Uint8Array[]): void {
    for (const chunk of chunks) {
      const onReturn = this.lentViews.get(chunk);
      if (onReturn !== undefined) {
        this.lentViews.delete(chunk);
        onReturn();
        continue;
      }
      const store = chunk.buffer;
      if (!this.lent.has(store)) continue;
      this.lent.delete(store);
      if (!(store instanceof ArrayBuffer) || this.freeBytes + store.byteLength > this.maxBytes) continue;
      this.free.push(store);
      this.freeBytes += store.byteLength;
    }
  }

  /** Bytes kept for reuse (tests). */
  get keptBytes(): number {
    return this.freeBytes;
  }
}

/** The pool the fetch path of this process reads into. */
export const fetchReadBuffers = new ReadBufferPool();
