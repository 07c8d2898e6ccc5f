/**
 * What record-level produce validation costs (issue #12 item 5). Per codec, for one
 * batch of 100 records (100-byte values, a key and a header each):
 * - frame only: size, magic, CRC-32C, batch rules (the whole produce check before);
 * - frame + record walk: the above plus walking every record (decompressing first);
 * - raw append: MemoryPartitionLog.append alone (copy, offsets, epoch), no checks;
 * - appendToLeader: the broker's produce path for one partition (checks + append).
 * Bounded loops, no I/O. Run: npx tsx bench/protocol/produce-validation-bench.ts
 */
import { loadavg } from 'node:os';
import { PerformanceObserver, constants as perfConstants, type PerformanceEntry } from 'node:perf_hooks';
import {
  CODEC_NAMES,
  buildRecordBatch,
  decodeRecordBatch,
  validateRecordBatches,
  type CompressionCodecId,
  type RecordInput,
} from '../../protocol/records/index.js';
import { walkBatchRecords, type RecordRules } from '../../protocol/records/record-walk.js';
import { MemoryPartitionLog } from '../../src/broker/memory-log.js';
import { Partition } from '../../src/broker/replica-manager.js';
import { appendToLeader } from '../../src/broker/produce.js';
import { BrokerConfig } from '../../src/common/config.js';
import type { TopicImage } from '../../src/metadata/image.js';

function time(iterations: number, fn: () => unknown): number {
  for (let i = 0; i < Math.min(200, iterations); i++) fn();
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) fn();
  return Number(process.hrtime.bigint() - start) / iterations / 1000;
}

const records: RecordInput[] = Array.from({ length: 100 }, (_, i) => ({
  key: Buffer.from(`key-${i}`),
  value: Buffer.alloc(100, i % 7),
  timestamp: BigInt(Date.now()) + BigInt(i),
  headers: [{ key: 'trace', value: Buffer.from('abc') }],
}));
const rules: RecordRules = {
  requireKey: false,
  createTime: true,
  minTimestamp: -9e18,
  maxTimestamp: 9e18,
  partitionName: 'bench-0',
};
const walkOptions = { maxDecompressedBytes: 64 * 1024 * 1024 };
const topic: TopicImage = {
  name: 'bench',
  topicId: 'AAAAAAAAAAAAAAAAAAAAAA',
  partitions: new Map(),
  configs: new Map(),
};
const brokerConfig = new BrokerConfig();
const state = { partition: 0, leader: 1, leaderEpoch: 0, partitionEpoch: 0, replicas: [1], isr: [1] };

/** A fresh in-memory log every 500 appends keeps memory flat. */
function appender(): () => MemoryPartitionLog {
  let log = new MemoryPartitionLog();
  let n = 0;
  return () => {
    if (++n % 500 === 0) log = new MemoryPartitionLog();
    return log;
  };
}

console.log(
  `load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}, node ${process.version}`,
);
console.log('codec   batch B  frame µs  +walk µs  walk/frame  raw append µs  appendToLeader µs  leader/raw');
for (const codec of [0, 1, 2, 3, 4] as CompressionCodecId[]) {
  const batch = buildRecordBatch({ records, compression: codec });
  const iterations = codec === 0 ? 20_000 : 4_000;
  const frame = time(iterations, () => validateRecordBatches(batch));
  const walked = time(iterations, () => {
    for (const summary of validateRecordBatches(batch)) walkBatchRecords(batch, summary, rules, walkOptions);
  });
  const rawLog = appender();
  const raw = time(iterations, () => rawLog().append(batch, { leaderEpoch: 0 }));
  const leaderLog = appender();
  const leader = time(iterations, () => {
    const partition = new Partition('bench', topic.topicId, 0, state, leaderLog());
    return appendToLeader(partition, topic, brokerConfig, {
      records: batch,
      apiVersion: 9,
      acks: 1,
      transactionalId: null,
      now: Date.now(),
    });
  });
  console.log(
    `${CODEC_NAMES[codec].padEnd(7)} ${String(batch.length).padStart(7)} ${frame.toFixed(2).padStart(9)} ${walked.toFixed(2).padStart(9)} ${(walked / frame).toFixed(2).padStart(11)} ${raw.toFixed(2).padStart(14)} ${leader.toFixed(2).padStart(18)} ${(leader / raw).toFixed(2).padStart(11)}`,
  );
}

/** Minor (scavenge) collections during `iterations` calls: a proxy for bytes allocated. */
async function scavenges(iterations: number, fn: () => unknown): Promise<number> {
  let count = 0;
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const detail = (entry as PerformanceEntry & { detail?: { kind?: number } }).detail;
      if (detail?.kind === perfConstants.NODE_PERFORMANCE_GC_MINOR) count++;
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  for (let i = 0; i < iterations; i++) fn();
  await new Promise((resolve) => setTimeout(resolve, 50));
  observer.disconnect();
  return count;
}

const plain = buildRecordBatch({ records, compression: 0 });
const [summary] = validateRecordBatches(plain);
const walkGcs = await scavenges(50_000, () => walkBatchRecords(plain, summary!, rules, walkOptions));
const decodeGcs = await scavenges(50_000, () => decodeRecordBatch(plain));
console.log(
  `minor GCs over 50,000 uncompressed batches (5M records): record walk ${walkGcs}, full decode ${decodeGcs}`,
);
