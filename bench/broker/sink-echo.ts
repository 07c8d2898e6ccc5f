/**
 * The sink's "echo" mode (bench/broker/sink.ts --mode echo): produced batches are kept in memory, per
 * topic and partition, with their base offsets set, and served back to Fetch; a Fetch that finds
 * nothing new waits (up to its maxWaitMs) and is answered as soon as a Produce adds data. So the
 * end-to-end latency from produce to consume has a baseline with no storage, validation or
 * bookkeeping: what the network, the clients and one event loop cost. Leaves out: everything a log
 * does beyond that (no CRC check, no retention but a cap on the bytes kept: other partitions' batches
 * go first, then the oldest of the partition appended to).
 */
import { LAST_OFFSET_DELTA_OFFSET, patchBaseOffset } from '../../protocol/records/batch-header.js';

const KEEP_BYTES = 512 * 1024 * 1024;

interface Stored {
  base: number;
  last: number;
  bytes: Buffer;
}

export class EchoLog {
  private readonly partitions = new Map<string, { batches: Stored[]; end: number }>();
  private keptBytes = 0;
  private waiters: (() => void)[] = [];

  private of(key: string): { batches: Stored[]; end: number } {
    let p = this.partitions.get(key);
    if (!p) this.partitions.set(key, (p = { batches: [], end: 0 }));
    return p;
  }

  /** Copies `records` (one or more v2 batches), numbers them from the end; returns the base offset. */
  append(key: string, records: Buffer): number {
    const p = this.of(key);
    const base = p.end;
    const bytes = Buffer.from(records);
    for (let at = 0; at + 61 <= bytes.length;) {
      const size = bytes.readInt32BE(at + 8) + 12;
      const count = bytes.readInt32BE(at + LAST_OFFSET_DELTA_OFFSET) + 1;
      patchBaseOffset(bytes, at, BigInt(p.end));
      p.batches.push({ base: p.end, last: p.end + count - 1, bytes: bytes.subarray(at, at + size) });
      p.end += count;
      this.keptBytes += size;
      at += size;
    }
    // Over the cap, other partitions go first (a benchmark's earlier rounds), then this one's oldest batches.
    for (const [other, q] of this.partitions) {
      if (this.keptBytes <= KEEP_BYTES) break;
      if (other === key) continue;
      for (const batch of q.batches) this.keptBytes -= batch.bytes.length;
      q.batches = [];
    }
    while (this.keptBytes > KEEP_BYTES && p.batches.length > 1) this.keptBytes -= p.batches.shift()!.bytes.length;
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
    return base;
  }

  end(key: string): number {
    return this.of(key).end;
  }

  /** Whole batches from the one holding `offset`, within `limit` bytes (at least one). */
  read(key: string, offset: number, limit: number): Buffer {
    const batches = this.of(key).batches;
    let lo = 0;
    let hi = batches.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (batches[mid]!.last < offset) lo = mid + 1;
      else hi = mid;
    }
    const out: Buffer[] = [];
    let size = 0;
    for (let i = lo; i < batches.length; i++) {
      const b = batches[i]!.bytes;
      if (out.length > 0 && size + b.length > limit) break;
      out.push(b);
      size += b.length;
    }
    return out.length === 1 ? out[0]! : Buffer.concat(out, size);
  }

  /** Calls `wake` once, at the next append. */
  onAppend(wake: () => void): void {
    this.waiters.push(wake);
  }
}
