/**
 * What a broker must spend per GB of produce beyond the sink (issue 20, session 22), each part measured
 * alone in this process, CPU time (user + system) per GB:
 * - the page-cache write: `fs.writeSync` of 1 MiB buffers at increasing positions into a new file, as
 *   a segment append does, each round's file written right after the last one was deleted (so the
 *   pages are ones the guest just freed, as with produce-kcat.ts's BENCH_DROP_TOPICS=1);
 * - the same write into a file whose blocks were allocated first (python3's os.posix_fallocate: Node
 *   has no fallocate), to show what ext4's delayed allocation adds per page;
 * - CRC-32C of 1 MiB buffers through protocol/records/crc32c.ts, once the fast binding is loaded;
 * - the record walk of the load generator's 1 MB batch (bench/broker/loadgen-wire.ts) of 99 B and
 *   1023 B records: walkRecords, fast path included.
 * The sink's own CPU per GB comes from produce-kcat.ts in the same window; the broker's floor is the
 * sink's plus these. Rounds alternate the two writes; medians with min-max, with the load average.
 *   npx tsx bench/broker/produce-floor.ts [MiB per write run=512]
 * Env: BENCH_ROUNDS (5), BENCH_DIR (where the files go; the OS temp dir by default). Bounded loops.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { RECORD_BATCH_OVERHEAD, TimestampType } from '../../protocol/records/batch-header.js';
import { crc32c, FAST_AFTER_BYTES, nativeCrc32cBinding } from '../../protocol/records/crc32c.js';
import { walkRecords, type RecordRules } from '../../protocol/records/record-walk.js';
import { prebuiltBatch, recordsPerBatch } from './loadgen-wire.js';
import { PYTHON } from './procs.js';

const MIB = 1024 * 1024;
const GB = 1e9;
const RUN_MIB = Number(process.argv[2] ?? 512);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

const cpuSeconds = (since: NodeJS.CpuUsage): number => {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1e6;
};
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const spread = (xs: number[]): string =>
  `${median(xs).toFixed(3)} (${Math.min(...xs).toFixed(3)}-${Math.max(...xs).toFixed(3)})`;

/** CPU-s/GB of writing RUN_MIB in 1 MiB writeSync calls into a new file. */
function pageCacheWrite(path: string, buffer: Buffer): number {
  const fd = openSync(path, 'w');
  const start = process.cpuUsage();
  for (let i = 0; i < RUN_MIB; i++) writeSync(fd, buffer, 0, MIB, i * MIB);
  const cpu = cpuSeconds(start);
  closeSync(fd);
  return cpu / ((RUN_MIB * MIB) / GB);
}

/** The same in python3, into a file posix_fallocate'd first (its CPU from getrusage, the fallocate apart). */
function preallocatedWrite(path: string): number {
  const script = [
    'import os, resource, sys',
    'path, n = sys.argv[1], int(sys.argv[2]); m = 1 << 20; buf = b"x" * m',
    'fd = os.open(path, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o644); os.posix_fallocate(fd, 0, n * m)',
    'def cpu():',
    '    r = resource.getrusage(resource.RUSAGE_SELF); return r.ru_utime + r.ru_stime',
    't = cpu()',
    'for i in range(n): os.pwrite(fd, buf, i * m)',
    'print((cpu() - t) / (n * m / 1e9)); os.close(fd)',
  ].join('\n');
  return Number(execFileSync(PYTHON, ['-c', script, path, String(RUN_MIB)], { encoding: 'utf8' }).trim());
}

/** CPU-s/GB of CRC-32C over 1 MiB buffers (after enough bytes for the fast binding to load). */
function crcCost(buffer: Buffer): number {
  for (let done = 0; done <= FAST_AFTER_BYTES + MIB; done += MIB) crc32c(buffer);
  const start = process.cpuUsage();
  for (let i = 0; i < 1024; i++) crc32c(buffer);
  return cpuSeconds(start) / ((1024 * MIB) / GB);
}

/** ns per record and CPU-s/GB of record values of walkRecords over the loadgen's batch of `recordBytes`. */
function walkCost(recordBytes: number): { nsPerRecord: number; perGb: number } {
  const count = recordsPerBatch(1_000_000, recordBytes);
  const payload = prebuiltBatch(count, recordBytes).subarray(RECORD_BATCH_OVERHEAD);
  const batch = {
    baseOffset: 0n,
    baseTimestamp: 1_700_000_000_000n,
    maxTimestamp: 1_700_000_000_000n + BigInt(count - 1),
    timestampType: TimestampType.CREATE_TIME,
  };
  const rules: RecordRules = {
    requireKey: false,
    createTime: true,
    minTimestamp: 0,
    maxTimestamp: Number.MAX_SAFE_INTEGER,
    partitionName: 'floor-0',
  };
  const walks = 300;
  for (let i = 0; i < 50; i++) walkRecords(payload, count, batch, rules);
  const start = process.cpuUsage();
  for (let i = 0; i < walks; i++) walkRecords(payload, count, batch, rules);
  const seconds = cpuSeconds(start);
  return { nsPerRecord: (seconds * 1e9) / (walks * count), perGb: seconds / ((walks * count * recordBytes) / GB) };
}

function main(): void {
  const dir = mkdtempSync(join(process.env.BENCH_DIR ?? tmpdir(), 'gregor-floor-'));
  const buffer = Buffer.alloc(MIB, 0x61);
  const writes: number[] = [];
  const preallocated: number[] = [];
  const loads: number[] = [];
  try {
    // One unmeasured file first, so every measured one reuses pages the last one freed.
    pageCacheWrite(join(dir, 'warm'), buffer);
    rmSync(join(dir, 'warm'));
    for (let round = 0; round < ROUNDS; round++) {
      const a = join(dir, `w${round}`);
      writes.push(pageCacheWrite(a, buffer));
      rmSync(a);
      const b = join(dir, `p${round}`);
      preallocated.push(preallocatedWrite(b));
      rmSync(b);
      loads.push(loadavg()[0]!);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const crc = crcCost(buffer);
  const small = walkCost(99);
  const large = walkCost(1023);
  console.log(
    [
      `load average ${Math.min(...loads).toFixed(1)}-${Math.max(...loads).toFixed(1)}, ${ROUNDS} rounds of ${RUN_MIB} MiB, CPU-s/GB:`,
      `- page-cache write, 1 MiB writeSync calls into a new file: ${spread(writes)}`,
      `- the same into a file allocated first (posix_fallocate, python3): ${spread(preallocated)}`,
      `- CRC-32C of 1 MiB buffers (${nativeCrc32cBinding() ?? 'js'}): ${crc.toFixed(3)}`,
      `- record walk, 99 B records: ${small.nsPerRecord.toFixed(1)} ns a record, ${small.perGb.toFixed(3)}`,
      `- record walk, 1023 B records: ${large.nsPerRecord.toFixed(1)} ns a record, ${large.perGb.toFixed(3)}`,
    ].join('\n'),
  );
}

main();
