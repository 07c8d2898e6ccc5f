/**
 * CPU per record of the produce path's record walk (protocol/records/record-walk.ts, its fast path
 * record-walk-fast.ts) on the batch bench/broker/loadgen.ts sends: one ~1 MB uncompressed batch of
 * `--record-bytes` values (99 by default, the 100 B workload), no keys, no headers, timestamps one ms
 * apart. Prints ns per record of walkRecords (fast path) and walkRecordsFully (the full walk), the
 * median of BENCH_ROUNDS rounds of BENCH_WALKS walks each, CPU time of this process, with the load average.
 *   npx tsx bench/protocol/record-walk-bench.ts [recordBytes=99]
 * Bounded: BENCH_ROUNDS (7) x BENCH_WALKS (300) walks.
 */
import { loadavg } from 'node:os';
import { RECORD_BATCH_OVERHEAD, TimestampType } from '../../protocol/records/batch-header.js';
import { walkRecords, walkRecordsFully, type RecordRules } from '../../protocol/records/record-walk.js';
import { prebuiltBatch, recordsPerBatch } from '../broker/loadgen-wire.js';

const recordBytes = Number(process.argv[2] ?? 99);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const WALKS = Number(process.env.BENCH_WALKS ?? 300);
const count = recordsPerBatch(1_000_000, recordBytes);
const batch = prebuiltBatch(count, recordBytes);
const payload = batch.subarray(RECORD_BATCH_OVERHEAD);
const summary = {
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
  partitionName: 'bench-0',
};

function nsPerRecord(walk: () => unknown): number {
  const times: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const before = process.cpuUsage();
    for (let i = 0; i < WALKS; i++) walk();
    const used = process.cpuUsage(before);
    times.push(((used.user + used.system) * 1000) / (WALKS * count));
  }
  times.sort((a, b) => a - b);
  return times[times.length >> 1]!;
}

const fast = nsPerRecord(() => walkRecords(payload, count, summary, rules));
const full = nsPerRecord(() => walkRecordsFully(payload, count, summary, rules));
console.log(
  `${count} records of ${recordBytes} B in a ${batch.length} B batch: walkRecords ${fast.toFixed(1)} ns/record, ` +
    `walkRecordsFully ${full.toFixed(1)} ns/record (load ${loadavg()[0]!.toFixed(1)})`,
);
