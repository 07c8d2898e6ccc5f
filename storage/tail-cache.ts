/**
 * The tail cache: a copy of the batches last appended to each partition log, in memory, so that
 * reads of a log's tail (a leader's followers fetching what was just produced, consumers at the
 * end of the log) are served without reading the segment file into a fresh buffer. On a replicated
 * partition each produced byte is read back once per follower right after its append; from here
 * that costs no system call, no allocation and, when the read fits in one append, no copy (the
 * answer is a view of the cached copy, which is never written again).
 *
 * Rules that keep it exact (storage/log.ts applies them):
 * - only leader appends are cached (a copy taken after offsets, epochs and CRCs were stamped,
 *   so the bytes are those written to the segment); a replicated append clears the partition's
 *   cache (a follower serves no fetches of its tail, and it may be truncated);
 * - the cache holds a contiguous range [start, end) of whole batches; an append that does not
 *   start at its end (the log was truncated or restarted) starts it over; truncation, compaction,
 *   closing and deleting the log clear it;
 * - a read is served from it only when the cache ends at the log end and the offset lies inside
 *   it, with the segment read's rules (the batch holding the offset first, whole batches up to
 *   maxBytes, the first one whole when minOneBatch, none starting at or past maxOffset, nothing
 *   from the next segment), so that it answers exactly what the file read would.
 * Memory: one budget per broker (TailCacheBudget, shared by every log of a LogManager) bounds all
 * cached bytes; over it, the oldest appends broker-wide are dropped first. An append larger than a
 * quarter of the budget is not cached.
 * Recycled copies: a copy into fresh memory takes a page fault every 4 KiB (on this project's
 * hypervisor the copy was ~29% of a replicating broker's busy CPU, docs/benchmarks.md), so copies
 * of 64 KiB and more go into buffers from a pool (storage/read-buffers.ts). A dropped append's buffer
 * goes back to it only once nothing can read it any more: each view a read hands out is lent on the
 * fetch path's pool (`lendView`), and the connection gives it back once the socket has written it;
 * a view that is never given back (a reader that keeps or drops it) leaves its buffer to the GC.
 * No copy at all when the appended records are a view of a Produce request frame (a buffer lent by
 * a sharable pool, storage/read-buffers.ts `retainLent`) that they fill at least half of: the cache
 * keeps that view and gives the frame back to its pool once dropped and no view of it is out, so the
 * frame is reused only when both the connection and the cache are done with it. Such an entry holds
 * at most twice its own bytes, so the memory held stays within twice the budget.
 */
import { BASE_OFFSET_OFFSET, LAST_OFFSET_DELTA_OFFSET, LOG_OVERHEAD } from '../protocol/records/batch-header.js';
import { int32At, readInt64Number } from './batch-scan.js';
import { ReadBufferPool, fetchReadBuffers, retainLent } from './read-buffers.js';

/**
 * The default broker-wide bound on cached bytes: enough for in-sync followers, which read what was
 * appended moments ago; small so that a steady load keeps reusing a few warm buffers (it was 64 MiB:
 * cycling through that much memory made every copy into it dearer, docs/benchmarks.md session 10).
 */
export const DEFAULT_TAIL_CACHE_BYTES = 8 * 1024 * 1024;

const EMPTY = Buffer.alloc(0);

/** Buffers for cached copies, recycled once dropped and no longer being sent (at most 32 MiB kept). */
const cacheBuffers = new ReadBufferPool(32 * 1024 * 1024);

interface TailEntry {
  baseOffset: number;
  /** The offset after the entry's last record. */
  nextOffset: number;
  bytes: Buffer;
  /** The append opened a new segment: a read stops before it, as a segment read does. */
  startsSegment: boolean;
  owner: TailCache;
  live: boolean;
  /** The copy's whole buffer (or the retained frame view), kept after `bytes` is dropped. */
  store: Buffer;
  /** Where `store` goes back to: cacheBuffers for a copy, the frame's pool for a retained frame. */
  pool: ReadBufferPool;
  /** Views of it handed out and not given back yet. */
  viewsOut: number;
}

/** The entry's buffer goes back to the pool once it is dropped from its cache and no view is out. */
function recycleIfUnused(entry: TailEntry): void {
  if (entry.live || entry.viewsOut > 0 || entry.store === EMPTY) return;
  entry.pool.giveBack([entry.store]);
  entry.store = EMPTY;
}

/** Bounds the bytes held by every TailCache made with it; evicts the oldest appends first. */
export class TailCacheBudget {
  private readonly queue: TailEntry[] = [];
  private head = 0;
  private used = 0;
  private dead = 0;

  constructor(
    readonly maxBytes: number = DEFAULT_TAIL_CACHE_BYTES,
    /** Where handed-out views are lent, to learn when they come back (the fetch path's pool). */
    readonly lender: ReadBufferPool = fetchReadBuffers,
  ) {}

  /** Bytes cached now (tests). */
  get usedBytes(): number {
    return this.used;
  }

  admit(entry: TailEntry): void {
    this.queue.push(entry);
    this.used += entry.bytes.length;
    while (this.used > this.maxBytes && this.head < this.queue.length) {
      const oldest = this.queue[this.head]!;
      this.queue[this.head++] = undefined as unknown as TailEntry;
      if (!oldest.live) {
        this.dead--;
        continue;
      }
      this.forget(oldest);
      oldest.owner.evicted(oldest);
    }
    this.compact();
  }

  /** An entry left its cache (cleared): its bytes no longer count. */
  release(entry: TailEntry): void {
    if (!entry.live) return;
    this.forget(entry);
    this.dead++;
    this.compact();
  }

  private forget(entry: TailEntry): void {
    entry.live = false;
    this.used -= entry.bytes.length;
    entry.bytes = EMPTY;
    recycleIfUnused(entry);
  }

  /** Drops the queue's consumed head and, when they pile up, its released entries. */
  private compact(): void {
    const pending = this.queue.length - this.head;
    if (this.head > 1024 && this.head > pending) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    if (this.dead > 1024 && this.dead > pending / 2) {
      const live = this.queue.slice(this.head).filter((e) => e.live);
      this.queue.length = 0;
      this.queue.push(...live);
      this.head = 0;
      this.dead = 0;
    }
  }
}

/** A budget of 0 bytes: nothing is cached (logs opened without a LogManager). */
export const NO_TAIL_CACHE = new TailCacheBudget(0);

/** One partition log's cached tail. */
export class TailCache {
  private entries: TailEntry[] = [];

  constructor(private readonly budget: TailCacheBudget) {}

  /** The offset after the last cached record, or -1 when nothing is cached. */
  get end(): number {
    return this.entries.length === 0 ? -1 : this.entries[this.entries.length - 1]!.nextOffset;
  }

  /** The first cached offset, or -1 when nothing is cached. */
  get start(): number {
    return this.entries.length === 0 ? -1 : this.entries[0]!.baseOffset;
  }

  /** Caches `bytes` (a copy, or the frame it views), whole batches holding [baseOffset, nextOffset), just appended to the log. */
  add(bytes: Buffer, baseOffset: number, nextOffset: number, startsSegment: boolean): void {
    if (this.entries.length > 0 && this.end !== baseOffset) this.clear();
    if (bytes.length === 0 || bytes.length > this.budget.maxBytes / 4) {
      this.clear();
      return;
    }
    let kept = bytes;
    let pool = bytes.length * 2 >= bytes.buffer.byteLength ? retainLent(bytes) : null;
    if (pool === null) {
      kept = cacheBuffers.take(bytes.length);
      bytes.copy(kept);
      pool = cacheBuffers;
    }
    const entry: TailEntry = {
      baseOffset,
      nextOffset,
      bytes: kept,
      startsSegment,
      owner: this,
      live: true,
      store: kept,
      pool,
      viewsOut: 0,
    };
    this.entries.push(entry);
    this.budget.admit(entry);
  }

  /** Drops everything cached. */
  clear(): void {
    if (this.entries.length === 0) return;
    for (const entry of this.entries) this.budget.release(entry);
    this.entries = [];
  }

  /** The budget dropped `entry` (always this cache's oldest). */
  evicted(entry: TailEntry): void {
    const at = this.entries.indexOf(entry);
    // Entries leave in append order, so everything before it is gone already.
    if (at >= 0) this.entries.splice(0, at + 1);
  }

  /**
   * Whole batches from the one holding `offset`, as the segment read gives them, or null when
   * the cache cannot answer (the offset is not inside it): then the caller reads the file.
   */
  read(offset: number, maxBytes: number, maxOffset: number, minOneBatch: boolean): Buffer | null {
    const entries = this.entries;
    if (entries.length === 0 || offset < entries[0]!.baseOffset || offset >= this.end) return null;
    let index = this.entryHolding(offset);
    let position = firstBatchReaching(entries[index]!.bytes, offset);
    if (position < 0) return null;
    const slices: Buffer[] = [];
    let sliceOf: TailEntry | null = null;
    let total = 0;
    let first = true;
    for (let from = index; index < entries.length; index++, position = 0) {
      if (index > from && entries[index]!.startsSegment) break;
      const bytes = entries[index]!.bytes;
      const start = position;
      while (position < bytes.length) {
        const size = int32At(bytes, position + 8) + LOG_OVERHEAD;
        const base = readInt64Number(bytes, position + BASE_OFFSET_OFFSET);
        if (base >= maxOffset) break;
        if (total + size > maxBytes && !(first && minOneBatch)) break;
        total += size;
        position += size;
        first = false;
      }
      if (position > start) {
        slices.push(bytes.subarray(start, position));
        sliceOf = entries[index]!;
      }
      if (position < bytes.length) break;
    }
    if (slices.length === 0) return EMPTY;
    if (slices.length > 1) return Buffer.concat(slices, total);
    return this.lend(slices[0]!, sliceOf!);
  }

  /** A view of `entry`'s copy goes out: its buffer is not reused before the view comes back. */
  private lend(view: Buffer, entry: TailEntry): Buffer {
    entry.viewsOut++;
    this.budget.lender.lendView(view, () => {
      entry.viewsOut--;
      recycleIfUnused(entry);
    });
    return view;
  }

  /** The index of the entry holding `offset` (start <= offset < end). */
  private entryHolding(offset: number): number {
    let lo = 0;
    let hi = this.entries.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.entries[mid]!.baseOffset <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
}

/** The position of the first batch in `bytes` whose last offset is >= `offset` (-1: none). */
function firstBatchReaching(bytes: Buffer, offset: number): number {
  let position = 0;
  while (position + LAST_OFFSET_DELTA_OFFSET + 4 <= bytes.length) {
    const base = readInt64Number(bytes, position + BASE_OFFSET_OFFSET);
    if (base + int32At(bytes, position + LAST_OFFSET_DELTA_OFFSET) >= offset) return position;
    position += int32At(bytes, position + 8) + LOG_OVERHEAD;
  }
  return -1;
}
