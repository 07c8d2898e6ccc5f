/**
 * Start-up times: opening 10,000 partitions after a clean shutdown (each with a few
 * batches, indexes and a leader-epoch checkpoint; nothing scanned), and opening one large
 * log after an unclean shutdown (no marker, no recovery point: every batch is read and
 * its CRC-32C checked, indexes rebuilt). The page cache is warm in both cases (the data
 * was just written; dropping caches needs root).
 */
import { execSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LogManager } from '../../storage/log-manager.js';
import { batch16k, batchSized, clock, config, elapsedMs, fmt, fs, scratchDir } from './common.js';

export interface Timing {
  wallMs: number;
  /** User + system CPU time of this process during the open: less sensitive to a busy machine. */
  cpuMs: number;
}

function timed(work: () => void): Timing {
  const start = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  work();
  const used = process.cpuUsage(cpu);
  return { wallMs: elapsedMs(start), cpuMs: (used.user + used.system) / 1000 };
}

export function runCleanOpen(partitions: number): Timing {
  const scratch = scratchDir('open');
  try {
    const manager = LogManager.open({ fs, logDirs: [scratch.path], clock, defaultConfig: config() });
    const batch = batchSized(1024);
    for (let p = 0; p < partitions; p++) {
      const log = manager.getOrCreate(`topic${p % 100}`, Math.floor(p / 100));
      for (let i = 0; i < 5; i++) log.append(batch, { leaderEpoch: -1, crcVerified: true });
      // Written directly (no fsync) to keep setup quick; the open path reads it as usual.
      writeFileSync(join(log.dir, 'leader-epoch-checkpoint'), '0\n1\n0 0\n');
    }
    manager.close();
    // The setup wrote checkpoints without fsync; settle them as a finished shutdown would have.
    execSync('sync');
    let reopened: LogManager | undefined;
    let total = 0;
    const timing = timed(() => {
      reopened = LogManager.open({ fs, logDirs: [scratch.path], clock, defaultConfig: config() });
      for (const log of reopened.logs()) total += log.endOffset;
    });
    if (!reopened || reopened.openStats.logs !== partitions || total !== partitions * 5)
      throw new Error('partitions missing after reopen');
    reopened.close();
    return timing;
  } finally {
    scratch.remove();
  }
}

export function runUncleanOpen(totalMiB: number): Timing {
  const scratch = scratchDir('recover');
  try {
    const manager = LogManager.open({ fs, logDirs: [scratch.path], clock, defaultConfig: config() });
    const log = manager.getOrCreate('big', 0);
    const batch = batch16k();
    const count = Math.floor((totalMiB * 1024 * 1024) / batch.length);
    for (let i = 0; i < count; i++) log.append(batch, { leaderEpoch: 0, crcVerified: true });
    // No close, no checkpoint, no marker: as after kill -9.
    let reopened: LogManager | undefined;
    const timing = timed(() => {
      reopened = LogManager.open({ fs, logDirs: [scratch.path], clock, defaultConfig: config() });
    });
    if (!reopened || reopened.openStats.uncleanDirs !== 1 || reopened.get('big', 0)!.endOffset !== count * 16)
      throw new Error('recovery lost data');
    return timing;
  } finally {
    scratch.remove();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const partitions = Number(process.env.PARTITIONS ?? 10_000);
  const clean = runCleanOpen(partitions);
  console.log(
    `open ${partitions} partitions after clean shutdown: ${fmt(clean.wallMs)} ms wall, ${fmt(clean.cpuMs)} ms CPU`,
  );
  const mib = Number(process.env.RECOVER_MIB ?? 1024);
  const unclean = runUncleanOpen(mib);
  console.log(
    `open a ${mib} MiB log after unclean shutdown: ${fmt(unclean.wallMs)} ms wall, ${fmt(unclean.cpuMs)} ms CPU`,
  );
}
