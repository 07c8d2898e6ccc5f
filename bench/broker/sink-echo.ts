/**
 * The sink's "echo" mode (bench/broker/sink.ts --mode echo): produced batches are kept in memory, per
 * topic and partition, with their base offsets set, and served back to Fetch; a Fetch that finds
 * nothing new waits (up to its maxWaitMs) and is answered as soon as a Produce adds data. So the
 * end-to-end latency from produce to consume has a baseline with no storage, validation or
 * bookkeeping: what the network, the clients and one event loop cost.
 *
 * The batches are copied into one ring of memory allocated (and touched) once, as a broker's writes land
 * in a page cache it reuses: a fresh buffer per produced batch made this sink pay a first touch of every
 * page (on this VM the host's cost) and held it to ~100k msg/s of 1 KiB, far below the broker. A fetch
 * gets views of the ring (consecutive batches of one partition that lie side by side in one view). When
 * the ring wraps, the oldest batches, of whatever partition, are dropped; a consumer further behind than
 * the ring (512 MiB) would read overwritten bytes. Leaves out: everything a log does beyond that (no
 * CRC check, no retention but the ring).
 */
import { LAST_OFFSET_DELTA_OFFSET, patchBaseOffset } from '../../protocol/records/batch-header.js';

const RING_BYTES = 512 * 1024 * 1024;

interface Stored {
  base: number;
  last: number;
  /** Where the batch lies in the ring. */
  at: number;
  size: number;
}

interface PartitionLog {
  batches: Stored[];
  /** Index of the first batch still kept (dropped ones are shifted out in bulk). */
  first: number;
  end: number;
}

export class EchoLog {
  private readonly partitions = new Map<string, PartitionLog>();
  /** Filled at start, so its pages are touched once, before any run (Buffer.alloc's zeroed memory is untouched). */
  private ring: Buffer | null = null;
  private writeAt = 0;
  /** Every kept batch in ring order, with its partition: the oldest is dropped first when the ring wraps. */
  private readonly order: { log: PartitionLog; at: number; size: number }[] = [];
  private orderHead = 0;
  private waiters: (() => void)[] = [];

  /** `inUse`: the sink runs in echo mode, so the ring is allocated now (the sink's other modes never need it). */
  constructor(inUse: boolean) {
    if (inUse) this.ring = Buffer.allocUnsafeSlow(RING_BYTES).fill(0);
  }

  private of(key: string): PartitionLog {
    let p = this.partitions.get(key);
    if (!p) this.partitions.set(key, (p = { batches: [], first: 0, end: 0 }));
    return p;
  }

  /** Room for `size` bytes at the write position (wrapping to the start), the batches there dropped. */
  private reserve(size: number): number {
    if (size > RING_BYTES) throw new Error(`a batch of ${size} bytes is larger than the echo ring`);
    if (this.writeAt + size > RING_BYTES) this.writeAt = 0;
    const from = this.writeAt;
    const to = from + size;
    while (this.orderHead < this.order.length) {
      const oldest = this.order[this.orderHead]!;
      // Kept batches lie ahead of the write position, in ring order: stop at the first one not overlapped.
      if (oldest.at >= to || oldest.at + oldest.size <= from) break;
      oldest.log.first++;
      this.orderHead++;
    }
    if (this.orderHead > 4096 && this.orderHead * 2 > this.order.length) {
      this.order.splice(0, this.orderHead);
      this.orderHead = 0;
    }
    this.writeAt = to;
    return from;
  }

  /** Copies `records` (one or more v2 batches) into the ring, numbers them from the end; returns the base offset. */
  append(key: string, records: Buffer): number {
    const p = this.of(key);
    const base = p.end;
    if (this.ring === null) this.ring = Buffer.alloc(RING_BYTES);
    const ring = this.ring;
    for (let from = 0; from + 61 <= records.length;) {
      const size = records.readInt32BE(from + 8) + 12;
      const count = records.readInt32BE(from + LAST_OFFSET_DELTA_OFFSET) + 1;
      const at = this.reserve(size);
      records.copy(ring, at, from, from + size);
      patchBaseOffset(ring, at, BigInt(p.end));
      p.batches.push({ base: p.end, last: p.end + count - 1, at, size });
      this.order.push({ log: p, at, size });
      p.end += count;
      from += size;
    }
    if (p.first > 4096 && p.first * 2 > p.batches.length) {
      p.batches.splice(0, p.first);
      p.first = 0;
    }
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
    return base;
  }

  end(key: string): number {
    return this.of(key).end;
  }

  /**
   * Whole batches from the one holding `offset`, within `limit` bytes (at least one), as one view of the
   * ring: it stops at a batch that does not follow the last one in memory.
   */
  read(key: string, offset: number, limit: number): Buffer {
    const p = this.of(key);
    const batches = p.batches;
    let lo = p.first;
    let hi = batches.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (batches[mid]!.last < offset) lo = mid + 1;
      else hi = mid;
    }
    if (lo >= batches.length || this.ring === null) return Buffer.alloc(0);
    const start = batches[lo]!.at;
    let end = start + batches[lo]!.size;
    for (let i = lo + 1; i < batches.length; i++) {
      const b = batches[i]!;
      if (b.at !== end || end + b.size - start > limit) break;
      end += b.size;
    }
    return this.ring.subarray(start, end);
  }

  /** Calls `wake` once, at the next append. */
  onAppend(wake: () => void): void {
    this.waiters.push(wake);
  }
}
