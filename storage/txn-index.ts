/**
 * The `.txnindex` file of a segment: aborted transactions, 34-byte entries of
 * version int16 (0), producerId int64, firstOffset int64, lastOffset int64,
 * lastStableOffset int64. Appended when an abort marker is written (by the transaction
 * code, later); read by fetches at READ_COMMITTED. Written through on append.
 */
import { readInt64Number, writeInt64Number } from './batch-scan.js';
import type { FileSystem } from './fs.js';

export const TXN_ENTRY_SIZE = 34;

export interface AbortedTxn {
  producerId: bigint;
  firstOffset: number;
  lastOffset: number;
  lastStableOffset: number;
}

export class TxnIndex {
  private entries: AbortedTxn[] = [];

  constructor(
    private readonly fs: FileSystem,
    readonly path: string,
  ) {
    const data = fs.readFile(path);
    if (!data) return;
    {
      const whole = data.length - (data.length % TXN_ENTRY_SIZE);
      for (let at = 0; at < whole; at += TXN_ENTRY_SIZE) {
        if (data.readInt16BE(at) !== 0) break;
        this.entries.push({
          producerId: data.readBigInt64BE(at + 2),
          firstOffset: readInt64Number(data, at + 10),
          lastOffset: readInt64Number(data, at + 18),
          lastStableOffset: readInt64Number(data, at + 26),
        });
      }
    }
  }

  all(): readonly AbortedTxn[] {
    return this.entries;
  }

  append(entry: AbortedTxn, sync: boolean): void {
    const data = Buffer.alloc(TXN_ENTRY_SIZE);
    data.writeInt16BE(0, 0);
    data.writeBigInt64BE(entry.producerId, 2);
    writeInt64Number(data, 10, entry.firstOffset);
    writeInt64Number(data, 18, entry.lastOffset);
    writeInt64Number(data, 26, entry.lastStableOffset);
    const handle = this.fs.open(this.path, true);
    try {
      handle.write(data, this.entries.length * TXN_ENTRY_SIZE);
      if (sync) handle.sync();
    } finally {
      handle.close();
    }
    this.entries.push(entry);
  }

  /** Aborted transactions overlapping [fetchOffset, upperBoundOffset). */
  overlapping(fetchOffset: number, upperBoundOffset: number): AbortedTxn[] {
    return this.entries.filter((e) => e.lastOffset >= fetchOffset && e.firstOffset < upperBoundOffset);
  }

  /** Drops entries whose last offset is >= offset. */
  truncateTo(offset: number): void {
    const kept = this.entries.filter((e) => e.lastOffset < offset);
    if (kept.length === this.entries.length) return;
    this.entries = kept;
    const handle = this.fs.open(this.path, true);
    try {
      handle.truncate(kept.length * TXN_ENTRY_SIZE);
      handle.sync();
    } finally {
      handle.close();
    }
  }
}
