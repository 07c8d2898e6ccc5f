/**
 * Micro-benchmark of the records layer: the produce hot path (validate a v2 batch:
 * size, magic, CRC-32C, counts) against a full decode and a build, for an
 * uncompressed and an lz4 batch of 100 records of 100 bytes. Bounded loops, no I/O.
 * Run: npx tsx bench/protocol/records-bench.ts
 */
import {
  buildRecordBatch,
  decodeRecordBatch,
  validateRecordBatches,
  type RecordInput,
} from '../../protocol/records/index.js';

function time(label: string, iterations: number, bytesPerOp: number, fn: () => unknown): void {
  for (let i = 0; i < Math.min(200, iterations); i++) fn();
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) fn();
  const ns = Number(process.hrtime.bigint() - start);
  const perOp = ns / iterations;
  const mbps = (bytesPerOp * iterations) / (ns / 1e9) / 1e6;
  console.log(`${label.padEnd(34)} ${(perOp / 1000).toFixed(2).padStart(9)} µs/op ${mbps.toFixed(0).padStart(7)} MB/s`);
}

const records: RecordInput[] = Array.from({ length: 100 }, (_, i) => ({
  key: Buffer.from(`key-${i}`),
  value: Buffer.alloc(100, i),
  timestamp: 1_700_000_000_000n + BigInt(i),
  headers: [{ key: 'trace', value: Buffer.from('abc') }],
}));

for (const compression of [0, 3]) {
  const batch = buildRecordBatch({ records, compression, producerId: 1n, producerEpoch: 0, baseSequence: 0 });
  const name = compression === 0 ? 'none' : 'lz4';
  time(`validate (${name}, ${batch.length} B)`, 20_000, batch.length, () => validateRecordBatches(batch));
  time(`decode (${name})`, 2_000, batch.length, () => decodeRecordBatch(batch));
  time(`build (${name})`, 2_000, batch.length, () => buildRecordBatch({ records, compression }));
}
