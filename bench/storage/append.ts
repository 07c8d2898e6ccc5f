/**
 * Append throughput of 16 KiB batches through PartitionLog against raw sequential
 * positional writes of the same bytes to one file, with the same fsync policy: none, and
 * an fsync after every batch (flush.messages=1 against fdatasync per write). The log is
 * measured as the produce path uses it (CRC already checked by the caller) and with the
 * log rechecking every CRC-32C. The order rotates each round; the best round counts.
 */
import { closeSync, fdatasyncSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { PartitionLog } from '../../storage/log.js';
import { batch16k, clock, config, elapsedMs, fmt, fs, mibPerSec, scratchDir } from './common.js';

export interface AppendResult {
  fsync: boolean;
  batches: number;
  rawMiBs: number;
  logMiBs: number;
  logWithCrcMiBs: number;
}

function raw(dir: string, batch: Buffer, count: number, fsync: boolean): number {
  const fd = openSync(join(dir, 'raw.bin'), 'w+');
  const start = process.hrtime.bigint();
  let position = 0;
  for (let i = 0; i < count; i++) {
    writeSync(fd, batch, 0, batch.length, position);
    position += batch.length;
    if (fsync) fdatasyncSync(fd);
  }
  const ms = elapsedMs(start);
  closeSync(fd);
  return mibPerSec(position, ms);
}

function viaLog(dir: string, batch: Buffer, count: number, fsync: boolean, crcVerified: boolean): number {
  const logDir = join(dir, 'bench-0');
  fs.removeDir(logDir);
  const log = PartitionLog.open({
    fs,
    dir: logDir,
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
  if (log.endOffset !== count * records) throw new Error('lost appends');
  if (fsync && log.recoveryPoint !== log.endOffset) throw new Error('flush policy did not flush');
  log.close();
  return mibPerSec(count * batch.length, ms);
}

export function runAppend(fsync: boolean, count: number, rounds = 3): AppendResult {
  const batch = batch16k();
  const scratch = scratchDir('append');
  const result: AppendResult = { fsync, batches: count, rawMiBs: 0, logMiBs: 0, logWithCrcMiBs: 0 };
  try {
    raw(scratch.path, batch, Math.min(500, count), fsync);
    const runs: (() => void)[] = [
      () => (result.rawMiBs = Math.max(result.rawMiBs, raw(scratch.path, batch, count, fsync))),
      () => (result.logMiBs = Math.max(result.logMiBs, viaLog(scratch.path, batch, count, fsync, true))),
      () => (result.logWithCrcMiBs = Math.max(result.logWithCrcMiBs, viaLog(scratch.path, batch, count, fsync, false))),
    ];
    // Rotate the order each round so no path always runs behind the others' writeback.
    for (let round = 0; round < rounds; round++) {
      for (let i = 0; i < runs.length; i++) runs[(round + i) % runs.length]!();
    }
    return result;
  } finally {
    scratch.remove();
  }
}

export function describeAppend(r: AppendResult): string {
  return (
    `append 16 KiB batches, fsync=${r.fsync ? 'every batch' : 'never'}, ${r.batches} batches: ` +
    `raw ${fmt(r.rawMiBs)} MiB/s, log ${fmt(r.logMiBs)} MiB/s (${fmt((r.logMiBs / r.rawMiBs) * 100)}%), ` +
    `log rechecking CRC ${fmt(r.logWithCrcMiBs)} MiB/s (${fmt((r.logWithCrcMiBs / r.rawMiBs) * 100)}%)`
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(describeAppend(runAppend(false, 16_384)));
  console.log(describeAppend(runAppend(true, 1_000)));
}
