/**
 * Append throughput of 16 KiB batches through PartitionLog against raw sequential
 * positional writes of the same bytes, with the same fsync policy: none, and an fsync
 * after every batch (flush.messages=1 against `fdatasync` after each `pwrite`).
 *
 * Fairness on a shared machine: every side makes one synchronous `pwrite` per 16 KiB
 * batch (the log is called once per batch, as for a producer sending one batch per
 * request) into its own fresh file in the same directory. The sides run interleaved in
 * small blocks (256 batches = 4 MiB without fsync, one batch with fsync), the order
 * rotating from block to block, and each side's time is the sum of its blocks: noise
 * that lasts longer than a block (other processes, disk write-back, a slow fsync
 * period) hits every side alike. A round writes `count` batches per side; the figure
 * is the median of the per-round ratios with their spread. Each round ends the same
 * way on every side (close, then delete without fsync, so no write-back spills into the
 * next round). A short round warms every path up first. Also reported: the ratio of
 * bytes per CPU second of this process. The log is measured as the produce path uses it
 * (CRC-32C already checked by the caller) and rechecking every CRC-32C.
 * Leaves out: a cold page cache (dropping caches needs root).
 */
import { closeSync, fdatasyncSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { PartitionLog } from '../../storage/log.js';
import { batch16k, clock, config, fmt, fs, mibPerSec, scratchDir } from './common.js';

export interface Spread {
  median: number;
  min: number;
  max: number;
}

export interface AppendResult {
  fsync: boolean;
  batches: number;
  block: number;
  rounds: number;
  rawMiBs: Spread;
  logMiBs: Spread;
  logWithCrcMiBs: Spread;
  /** Per-round log / raw throughput ratios in percent. */
  ratio: Spread;
  ratioWithCrc: Spread;
  /** Per-round ratios of bytes per CPU second of this process (log / raw), in percent. */
  cpuRatio: Spread;
  cpuRatioWithCrc: Spread;
  /** CPU microseconds of this process per batch: raw, log, log rechecking CRC (medians). */
  cpuMicrosPerBatch: [number, number, number];
}

interface Side {
  /** Writes `n` more batches. */
  write(n: number): void;
  /** Checks what was written, closes and deletes the file(s), untimed. */
  finish(batches: number): void;
}

let fileNumber = 0;

function rawSide(dir: string, batch: Buffer, fsync: boolean): Side {
  const path = join(dir, `raw-${fileNumber++}.bin`);
  const fd = openSync(path, 'w+');
  let position = 0;
  return {
    write(n) {
      for (let i = 0; i < n; i++) {
        writeSync(fd, batch, 0, batch.length, position);
        position += batch.length;
        if (fsync) fdatasyncSync(fd);
      }
    },
    finish(batches) {
      if (position !== batches * batch.length) throw new Error('raw side lost writes');
      closeSync(fd);
      unlinkSync(path);
    },
  };
}

function logSide(dir: string, batch: Buffer, fsync: boolean, crcVerified: boolean): Side {
  const log = PartitionLog.open({
    fs,
    dir: join(dir, `bench-${fileNumber++}`),
    topic: 'bench',
    partition: 0,
    config: config({ flushMessages: fsync ? 1 : Number.MAX_SAFE_INTEGER }),
    clock,
    dirState: { path: dir, offline: false },
  });
  const options = { leaderEpoch: 0, crcVerified };
  return {
    write(n) {
      for (let i = 0; i < n; i++) log.append(batch, options);
    },
    finish(batches) {
      if (log.endOffset !== batches * batch.readInt32BE(57) || log.size !== batches * batch.length)
        throw new Error('lost appends');
      if (fsync && log.recoveryPoint !== log.endOffset) throw new Error('flush policy did not flush');
      log.delete();
    },
  };
}

/** One round: every side writes `count` batches, interleaved in blocks; returns each side's wall and CPU ms. */
function round(sides: Side[], count: number, block: number): { wallMs: number[]; cpuMs: number[] } {
  const wallMs = sides.map(() => 0);
  const cpuMs = sides.map(() => 0);
  for (let done = 0, k = 0; done < count; done += block, k++) {
    const n = Math.min(block, count - done);
    for (let j = 0; j < sides.length; j++) {
      const s = (k + j) % sides.length;
      const cpu = process.cpuUsage();
      const start = process.hrtime.bigint();
      sides[s]!.write(n);
      wallMs[s]! += Number(process.hrtime.bigint() - start) / 1e6;
      const used = process.cpuUsage(cpu);
      cpuMs[s]! += (used.user + used.system) / 1000;
    }
  }
  for (const side of sides) side.finish(count);
  return { wallMs, cpuMs };
}

function spread(values: number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0]!, max: sorted[sorted.length - 1]! };
}

export function runAppend(fsync: boolean, count: number, rounds = 5, block = fsync ? 1 : 256): AppendResult {
  const batch = batch16k();
  const scratch = scratchDir('append');
  const sidesFor = () => [
    rawSide(scratch.path, batch, fsync),
    logSide(scratch.path, batch, fsync, true),
    logSide(scratch.path, batch, fsync, false),
  ];
  try {
    round(sidesFor(), Math.min(count, 2_000), block);
    const mib = (count * batch.length) / (1024 * 1024);
    const wall: number[][] = [[], [], []];
    const cpu: number[][] = [[], [], []];
    for (let r = 0; r < rounds; r++) {
      const result = round(sidesFor(), count, block);
      for (let s = 0; s < 3; s++) {
        wall[s]!.push(mibPerSec(count * batch.length, result.wallMs[s]!));
        cpu[s]!.push(mib / (result.cpuMs[s]! / 1000));
      }
    }
    const ratios = (of: number[][], s: number) => of[s]!.map((v, i) => (v / of[0]![i]!) * 100);
    return {
      fsync,
      batches: count,
      block,
      rounds,
      rawMiBs: spread(wall[0]!),
      logMiBs: spread(wall[1]!),
      logWithCrcMiBs: spread(wall[2]!),
      ratio: spread(ratios(wall, 1)),
      ratioWithCrc: spread(ratios(wall, 2)),
      cpuRatio: spread(ratios(cpu, 1)),
      cpuRatioWithCrc: spread(ratios(cpu, 2)),
      cpuMicrosPerBatch: [0, 1, 2].map((s) => (batch.length / (1024 * 1024) / spread(cpu[s]!).median) * 1e6) as [
        number,
        number,
        number,
      ],
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
    `append 16 KiB batches, fsync=${r.fsync ? 'every batch' : 'never'}, ${r.batches} batches (${fmt(mib)} MiB) per side per round, ` +
    `interleaved in blocks of ${r.block}, ${r.rounds} rounds, median (min-max): raw ${range(r.rawMiBs)} MiB/s, log ${range(r.logMiBs)} MiB/s, ` +
    `log/raw ${range(r.ratio, '%')} (per CPU second ${range(r.cpuRatio, '%')}); ` +
    `log rechecking CRC ${range(r.logWithCrcMiBs)} MiB/s, log/raw ${range(r.ratioWithCrc, '%')} (per CPU second ${range(r.cpuRatioWithCrc, '%')}); ` +
    `CPU per batch: raw ${r.cpuMicrosPerBatch[0].toFixed(1)} us, log ${r.cpuMicrosPerBatch[1].toFixed(1)} us, log rechecking CRC ${r.cpuMicrosPerBatch[2].toFixed(1)} us`
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rounds = Number(process.env.ROUNDS ?? 5);
  if (process.env.NOSYNC !== '0')
    console.log(describeAppend(runAppend(false, Number(process.env.BATCHES ?? 16_384), rounds)));
  if (process.env.FSYNC !== '0')
    console.log(describeAppend(runAppend(true, Number(process.env.FSYNC_BATCHES ?? 1_000), rounds)));
}
