/**
 * Append throughput of 16 KiB batches through PartitionLog against raw sequential
 * positional writes of the same bytes to one file, with the same fsync policy: none, and
 * an fsync after every batch (flush.messages=1 against fdatasync per write).
 *
 * Fairness: both sides make one synchronous `pwrite` per 16 KiB batch (the log is called
 * once per batch, as a producer sending one batch per request makes it), into a fresh
 * file in the same directory, and end the same way (close, then delete the file without
 * fsync, so no write-back of one run spills into the next and the page cache starts each
 * run in the same state). Every path is warmed up first; then the runs interleave (the
 * order rotates each round) and the figure is the median of the per-round ratios, with
 * their spread, so machine noise hits both sides alike. The log is measured as the
 * produce path uses it (CRC already checked by the caller) and rechecking every CRC-32C.
 * Leaves out: cold page cache (dropping caches needs root).
 */
import { closeSync, fdatasyncSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { PartitionLog } from '../../storage/log.js';
import { batch16k, clock, config, elapsedMs, fmt, fs, mibPerSec, scratchDir } from './common.js';

export interface Spread {
  median: number;
  min: number;
  max: number;
}

export interface AppendResult {
  fsync: boolean;
  batches: number;
  rounds: number;
  rawMiBs: Spread;
  logMiBs: Spread;
  logWithCrcMiBs: Spread;
  /** Per-round log / raw ratios in percent. */
  ratio: Spread;
  ratioWithCrc: Spread;
}

let runNumber = 0;

function raw(dir: string, batch: Buffer, count: number, fsync: boolean): number {
  const path = join(dir, `raw-${runNumber++}.bin`);
  const fd = openSync(path, 'w+');
  const start = process.hrtime.bigint();
  let position = 0;
  for (let i = 0; i < count; i++) {
    writeSync(fd, batch, 0, batch.length, position);
    position += batch.length;
    if (fsync) fdatasyncSync(fd);
  }
  const ms = elapsedMs(start);
  closeSync(fd);
  unlinkSync(path);
  return mibPerSec(position, ms);
}

function viaLog(dir: string, batch: Buffer, count: number, fsync: boolean, crcVerified: boolean): number {
  const log = PartitionLog.open({
    fs,
    dir: join(dir, `bench-${runNumber++}`),
    topic: 'bench',
    partition: 0,
    config: config({ flushMessages: fsync ? 1 : Number.MAX_SAFE_INTEGER }),
    clock,
    dirState: { path: dir, offline: false },
  });
  const records = batch.readInt32BE(57);
  const start = process.hrtime.bigint();
  for (let i = 0; i < count; i++) log.append(batch, { leaderEpoch: 0, crcVerified });
  const ms = elapsedMs(start);
  if (log.endOffset !== count * records || log.size !== count * batch.length) throw new Error('lost appends');
  if (fsync && log.recoveryPoint !== log.endOffset) throw new Error('flush policy did not flush');
  log.delete();
  return mibPerSec(count * batch.length, ms);
}

function spread(values: number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0]!, max: sorted[sorted.length - 1]! };
}

export function runAppend(fsync: boolean, count: number, rounds = 7): AppendResult {
  const batch = batch16k();
  const scratch = scratchDir('append');
  try {
    const warmup = Math.min(2_000, count);
    raw(scratch.path, batch, warmup, fsync);
    viaLog(scratch.path, batch, warmup, fsync, true);
    viaLog(scratch.path, batch, warmup, fsync, false);
    const rawRuns: number[] = [];
    const logRuns: number[] = [];
    const crcRuns: number[] = [];
    const runs: (() => void)[] = [
      () => rawRuns.push(raw(scratch.path, batch, count, fsync)),
      () => logRuns.push(viaLog(scratch.path, batch, count, fsync, true)),
      () => crcRuns.push(viaLog(scratch.path, batch, count, fsync, false)),
    ];
    // Rotate the order each round so no path always runs right after another.
    for (let round = 0; round < rounds; round++) {
      for (let i = 0; i < runs.length; i++) runs[(round + i) % runs.length]!();
    }
    return {
      fsync,
      batches: count,
      rounds,
      rawMiBs: spread(rawRuns),
      logMiBs: spread(logRuns),
      logWithCrcMiBs: spread(crcRuns),
      ratio: spread(logRuns.map((log, i) => (log / rawRuns[i]!) * 100)),
      ratioWithCrc: spread(crcRuns.map((log, i) => (log / rawRuns[i]!) * 100)),
    };
  } finally {
    scratch.remove();
  }
}

function range(s: Spread, unit = ''): string {
  return `${fmt(s.median)}${unit} (${fmt(s.min)}-${fmt(s.max)})`;
}

export function describeAppend(r: AppendResult): string {
  const mib = (r.batches * 16) / 1024;
  return (
    `append 16 KiB batches, fsync=${r.fsync ? 'every batch' : 'never'}, ${r.batches} batches (${fmt(mib)} MiB) per run, ` +
    `${r.rounds} interleaved rounds, median (min-max): raw ${range(r.rawMiBs)} MiB/s, log ${range(r.logMiBs)} MiB/s, ` +
    `log/raw ${range(r.ratio, '%')}; log rechecking CRC ${range(r.logWithCrcMiBs)} MiB/s, log/raw ${range(r.ratioWithCrc, '%')}`
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rounds = Number(process.env.ROUNDS ?? 7);
  console.log(describeAppend(runAppend(false, Number(process.env.BATCHES ?? 16_384), rounds)));
  if (process.env.FSYNC !== '0') console.log(describeAppend(runAppend(true, Number(process.env.FSYNC_BATCHES ?? 500), rounds)));
}
