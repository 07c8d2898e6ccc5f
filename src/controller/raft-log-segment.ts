/**
 * The metadata log's segment file, below FileRaftLog: file names (`<startOffset 20 digits>.log`,
 * `<endOffset 20 digits>-<epoch 10 digits>.checkpoint`), durable whole-file writes, the layout of
 * entries as record batches (one batch per run of equal epoch and kind), and reading entries back
 * from a range of written batches (FileRaftLog keeps no payloads in memory once they are written).
 * Leaves out: several segments; compression.
 */
import { closeSync, fsyncSync, openSync, readSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { decodeEntries, encodeEntries } from './raft-entries-codec.js';
import { fsyncDir } from './file-quorum-state-store.js';
import { RaftInvariantError } from './raft/errors.js';
import type { RaftEntry, SnapshotId } from './raft/types.js';

export const SEGMENT = /^(\d{20})\.log$/;
export const CHECKPOINT = /^(\d{20})-(\d{10})\.checkpoint$/;
/** Upper bound of records in one batch on disk (a fetch of 8 MiB of tiny records stays several batches). */
const MAX_BATCH_ENTRIES = 4096;

export function segmentName(startOffset: number): string {
  return `${String(startOffset).padStart(20, '0')}.log`;
}

export function checkpointName(id: SnapshotId): string {
  return `${String(id.endOffset).padStart(20, '0')}-${String(id.epoch).padStart(10, '0')}.checkpoint`;
}

/** Temporary file, fsync, rename, directory fsync (the fsyncs left out when `fsync` is false). */
export function writeDurably(dir: string, name: string, data: Buffer, fsync: boolean): void {
  const tmp = join(dir, `${name}.tmp`);
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, data, 0, data.length, 0);
    if (fsync) fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, join(dir, name));
  if (fsync) fsyncDir(dir);
}

/**
 * Encodes entries as record batches laid out from file position `position`: one batch per run of
 * equal epoch and kind, at most MAX_BATCH_ENTRIES records each. Returns the bytes, the batch start of
 * each entry and the end position.
 */
export function layoutBatches(
  entries: readonly RaftEntry[],
  position: number,
): { data: Buffer; starts: number[]; end: number } {
  const chunks: Buffer[] = [];
  const starts: number[] = [];
  let from = 0;
  while (from < entries.length) {
    const first = entries[from] as RaftEntry;
    let to = from + 1;
    while (to < entries.length && to - from < MAX_BATCH_ENTRIES) {
      const next = entries[to] as RaftEntry;
      if (next.epoch !== first.epoch || next.control !== first.control) break;
      to++;
    }
    const batch = encodeEntries(entries.slice(from, to));
    for (let i = from; i < to; i++) starts.push(position);
    chunks.push(batch);
    position += batch.length;
    from = to;
  }
  return { data: chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks), starts, end: position };
}

/**
 * Reads the whole batches between file positions `from` and `to` and returns their entries with
 * offsets in [firstOffset, endOffset). The bytes were written and checked by this process (or on open),
 * so a short read or an entry missing from them is an invariant failure, not a torn tail.
 */
export function readWrittenEntries(
  fd: number,
  from: number,
  to: number,
  firstOffset: number,
  endOffset: number,
): RaftEntry[] {
  const bytes = Buffer.allocUnsafe(to - from);
  let got = 0;
  while (got < bytes.length) {
    const n = readSync(fd, bytes, got, bytes.length - got, from + got);
    if (n === 0) break;
    got += n;
  }
  if (got !== bytes.length)
    throw new RaftInvariantError(`metadata log read ${got} of ${bytes.length} bytes at ${from}`);
  const out = decodeEntries(bytes).filter((e) => e.offset >= firstOffset && e.offset < endOffset);
  if (out.length !== endOffset - firstOffset || (out[0] && out[0].offset !== firstOffset)) {
    throw new RaftInvariantError(`metadata log batches at ${from}-${to} lack offsets ${firstOffset}-${endOffset}`);
  }
  return out;
}
