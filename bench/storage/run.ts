/**
 * Runs every storage benchmark once and prints a Markdown section for docs/benchmarks.md.
 * `npx tsx bench/storage/run.ts` (RECOVER_MIB, READ_MIB and PARTITIONS scale it down; ROUNDS sets the
 * append rounds).
 */
import { loadavg } from 'node:os';
import { describeAppend, runAppend } from './append.js';
import { runAppendCpu } from './append-cpu.js';
import { fmt } from './common.js';
import { runCleanOpen, runUncleanOpen } from './open.js';
import { describeRead, runRead } from './read.js';

const partitions = Number(process.env.PARTITIONS ?? 10_000);
const recoverMiB = Number(process.env.RECOVER_MIB ?? 1024);
const readMiB = Number(process.env.READ_MIB ?? 512);
const lines: string[] = [];
const note = (line: string) => {
  lines.push(`- ${line}`);
  console.error(line);
};
note(
  `machine: ${process.platform} ${process.arch}, Node ${process.version}, load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
note(describeAppend(runAppend(false, 16_384, Number(process.env.ROUNDS ?? 5))));
const cpu = runAppendCpu();
note(
  `append CPU without the write (a file system that drops the bytes), median: ${cpu.verified.toFixed(2)} us per 16 KiB batch, ${cpu.rechecked.toFixed(2)} us rechecking CRC-32C`,
);
note(describeAppend(runAppend(true, 1_000, Number(process.env.ROUNDS ?? 5))));
note(describeRead(runRead(readMiB, 5)));
const clean = runCleanOpen(partitions);
note(`open ${partitions} partitions after clean shutdown: ${fmt(clean.wallMs)} ms wall, ${fmt(clean.cpuMs)} ms CPU`);
const unclean = runUncleanOpen(recoverMiB);
note(
  `open a ${recoverMiB} MiB log after unclean shutdown (every batch CRC-checked, indexes rebuilt): ${fmt(unclean.wallMs)} ms wall, ${fmt(unclean.cpuMs)} ms CPU`,
);
console.log(lines.join('\n'));
