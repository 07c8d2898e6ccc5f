/**
 * Catch-up read throughput: a consumer reading a log from its start with 1 MiB fetches
 * (whole batches, next offset taken from the last batch returned) against raw sequential
 * 1 MiB reads of the same segment files into fresh buffers. Both read from a warm page
 * cache (the data was just written); the best of the rounds counts.
 */
import { closeSync, openSync, readSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { PartitionLog } from '../../storage/log.js';
import { batch16k, clock, config, elapsedMs, fmt, fs, mibPerSec, scratchDir } from './common.js';

export interface ReadResult {
  bytes: number;
  logMiBs: number;
  rawMiBs: number;
}

const FETCH_BYTES = 1024 * 1024;

function lastOffsetIn(data: Buffer): number {
  let at = 0;
  let last = -1;
  while (at < data.length) {
    last = Number(data.readBigInt64BE(at)) + data.readInt32BE(at + 23);
    at += data.readInt32BE(at + 8) + 12;
  }
  return last;
}

function readLog(log: PartitionLog): number {
  const start = process.hrtime.bigint();
  let offset = log.startOffset;
  let bytes = 0;
  while (offset < log.endOffset) {
    const data = log.read(offset, FETCH_BYTES).records;
    bytes += data.length;
    offset = lastOffsetIn(data) + 1;
  }
  return mibPerSec(bytes, elapsedMs(start));
}

function readRaw(dir: string): number {
  const start = process.hrtime.bigint();
  let bytes = 0;
  for (const name of readdirSync(dir)
    .filter((n) => n.endsWith('.log'))
    .sort()) {
    const fd = openSync(join(dir, name), 'r');
    for (;;) {
      const chunk = Buffer.allocUnsafe(FETCH_BYTES);
      const n = readSync(fd, chunk, 0, FETCH_BYTES, bytes);
      if (n === 0) break;
      bytes += n;
    }
    closeSync(fd);
  }
  return mibPerSec(bytes, elapsedMs(start));
}

export function runRead(totalMiB: number, rounds = 3): ReadResult {
  const scratch = scratchDir('read');
  try {
    const dir = join(scratch.path, 'bench-0');
    const log = PartitionLog.open({
      fs,
      dir,
      topic: 'bench',
      partition: 0,
      config: config({ segmentBytes: 256 * 1024 * 1024 }),
      clock,
      dirState: { path: scratch.path, offline: false },
    });
    const batch = batch16k();
    const count = Math.floor((totalMiB * 1024 * 1024) / batch.length);
    for (let i = 0; i < count; i++) log.append(batch, { leaderEpoch: 0, crcVerified: true });
    log.flush();
    const result: ReadResult = { bytes: count * batch.length, logMiBs: 0, rawMiBs: 0 };
    for (let round = 0; round < rounds; round++) {
      result.rawMiBs = Math.max(result.rawMiBs, readRaw(dir));
      result.logMiBs = Math.max(result.logMiBs, readLog(log));
    }
    log.close();
    return result;
  } finally {
    scratch.remove();
  }
}

export function describeRead(r: ReadResult): string {
  return `catch-up read of ${fmt(r.bytes / 1024 / 1024)} MiB in 1 MiB fetches: raw ${fmt(r.rawMiBs)} MiB/s, log ${fmt(r.logMiBs)} MiB/s (${fmt((r.logMiBs / r.rawMiBs) * 100)}%)`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(describeRead(runRead(Number(process.env.READ_MIB ?? 512))));
}
