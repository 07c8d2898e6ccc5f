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
 *
 * Holders: a pool made `sharable` (the Produce request frames, src/server/frame-pool.ts) lets another
 * user keep a lent buffer past its owner's `giveBack` (`retainLent`: the tail cache keeps a Produce
 * frame's records instead of copying them). Each holder gives the buffer back once more; it is kept
 * for reuse only when the owner and every holder have. One `giveBack` call releases at most one claim
 * on a buffer, however many of its views it names.
 */

const MIN_POOLED_BYTES = 64 * 1024;
const CAPACITY_STEP = 64 * 1024;
const POOL_MAX_BYTES = 32 * 1024 * 1024;

/** Every pool made sharable, the ones retainLent looks in. */
const sharablePools: ReadBufferPool[] = [];

export class ReadBufferPool {
  private readonly free: ArrayBufferLike[] = [];
  private freeBytes = 0;
  private readonly lent = new WeakSet<ArrayBufferLike>();
  /** Views of others' memory out on the same path, each with what to run when it comes back (once). */
  private readonly lentViews = new WeakMap<Uint8Array, () => void>();
  /** How many reads got a kept buffer, and how many were lent one at all (tests, benchmarks). */
  reuses = 0;
  lendings = 0;

  /** Claims on a lent buffer beyond its owner's (holders that called retainLent), by store. */
  private readonly holds = new WeakMap<ArrayBufferLike, number>();

  constructor(
    private readonly maxBytes = POOL_MAX_BYTES,
    /** Whether its buffers may be retained by holders (retainLent); registered in sharablePools. */
    sharable = false,
    /**
     * Whether its buffers are SharedArrayBuffers (zero-filled when new), which the write-behind worker
     * can write from without a copy (storage/write-behind.ts); asked at each new allocation.
     */
    private readonly shared: () => boolean = () => false,
  ) {
    if (sharable) sharablePools.push(this);
  }

  /** A buffer of exactly `size` bytes (its content undefined), lent until given back. */
  readonly take = (size: number): Buffer => {
    if (size < MIN_POOLED_BYTES) return Buffer.allocUnsafe(size);
    // The most recently given back of the best-fitting capacity: the free list is in give-back order
    // and is searched from its end, so a steady load keeps reusing the same few (warm) buffers.
    let best = -1;
    for (let i = this.free.length - 1; i >= 0; i--) {
      const length = this.free[i]!.byteLength;
      if (length >= size && length <= 2 * size && (best < 0 || length < this.free[best]!.byteLength)) best = i;
    }
    let store: ArrayBufferLike;
    if (best >= 0) {
      store = this.free[best]!;
      this.free.splice(best, 1);
      this.freeBytes -= store.byteLength;
      this.reuses++;
    } else {
      // Not zero-filled (the caller overwrites what it reads), and a store of its own (not Node's shared slab).
      const capacity = Math.ceil(size / CAPACITY_STEP) * CAPACITY_STEP;
      store = this.shared() ? new SharedArrayBuffer(capacity) : Buffer.allocUnsafeSlow(capacity).buffer;
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

  /**
   * One more user keeps `chunk`'s buffer (lent by this pool) past its owner's giveBack, and gives it
   * back itself once done; false (nothing retained) when the buffer is not lent by this pool now.
   */
  retain(chunk: Uint8Array): boolean {
    const store = chunk.buffer;
    if (!this.lent.has(store)) return false;
    this.holds.set(store, (this.holds.get(store) ?? 0) + 1);
    return true;
  }

  /** Nothing reads these chunks any more: the buffers they view may be lent again. */
  giveBack(chunks: readonly Uint8Array[]): void {
    const released: ArrayBufferLike[] = [];
    for (const chunk of chunks) {
      const onReturn = this.lentViews.get(chunk);
      if (onReturn !== undefined) {
        this.lentViews.delete(chunk);
        onReturn();
        continue;
      }
      const store = chunk.buffer;
      if (!this.lent.has(store)) continue;
      const holds = this.holds.get(store);
      if (holds !== undefined) {
        // Held by others too: this call drops one claim (once, however many views name the buffer).
        if (released.includes(store)) continue;
        released.push(store);
        if (holds > 1) this.holds.set(store, holds - 1);
        else this.holds.delete(store);
        continue;
      }
      this.lent.delete(store);
      if (this.freeBytes + store.byteLength > this.maxBytes) continue;
      this.free.push(store);
      this.freeBytes += store.byteLength;
    }
  }

  /** Bytes kept for reuse (tests). */
  get keptBytes(): number {
    return this.freeBytes;
  }
}

/**
 * Keeps `chunk`'s buffer for the caller when a sharable pool lent it (see ReadBufferPool.retain):
 * that pool, to give it back to when done, or null (not a lent buffer of a sharable pool).
 */
export function retainLent(chunk: Uint8Array): ReadBufferPool | null {
  for (const pool of sharablePools) if (pool.retain(chunk)) return pool;
  return null;
}

/** The pool the fetch path of this process reads into. */
export const fetchReadBuffers = new ReadBufferPool();
