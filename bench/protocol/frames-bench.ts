/**
 * bench/protocol: decode and encode throughput of Produce and Fetch frames, and
 * produced-batch validation, in MB/s, next to raw CRC-32C throughput measured in the
 * same run (the ceiling for validation). Bounded loops, no I/O.
 * Run: npx tsx bench/protocol/frames-bench.ts
 */
import { crc32c } from '@node-rs/crc32';
import { Reader, Writer } from '../../protocol/primitives/index.js';
import { ProduceApi, type ProduceRequest } from '../../protocol/generated/messages/00-produce.js';
import {
  FetchApi,
  defaultFetchResponse,
  defaultFetchResponsePartitionData,
} from '../../protocol/generated/messages/01-fetch.js';
import { buildRecordBatch, validateRecordBatches } from '../../protocol/records/index.js';

interface Result {
  label: string;
  mbps: number;
}

function measure(label: string, bytesPerOp: number, fn: () => unknown, minMs = 400): Result {
  for (let i = 0; i < 50; i++) fn();
  let ops = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0;
  while (elapsed < minMs) {
    for (let i = 0; i < 50; i++) fn();
    ops += 50;
    elapsed = Number(process.hrtime.bigint() - start) / 1e6;
  }
  return { label, mbps: (bytesPerOp * ops) / (elapsed / 1000) / 1e6 };
}

const batch = buildRecordBatch({
  records: Array.from({ length: 16 }, (_, i) => ({
    key: Buffer.from(`k${i}`),
    value: Buffer.alloc(1000, i),
    timestamp: 1_700_000_000_000n + BigInt(i),
    headers: [],
  })),
});

function produceRequest(partitions: number): ProduceRequest {
  return {
    transactionalId: null,
    acks: 1,
    timeoutMs: 30000,
    topicData: [
      {
        name: 'bench',
        topicId: 'AAAAAAAAAAAAAAAAAAAAAA',
        partitionData: Array.from({ length: partitions }, (_, index) => ({ index, records: batch })),
      },
    ],
  };
}

const results: Result[] = [];
const crcInput = Buffer.alloc(batch.length * 16, 7);
results.push(measure('raw CRC-32C (baseline)', crcInput.length, () => crc32c(crcInput)));
results.push(
  measure('validate produced batch (size, magic, CRC, count)', batch.length, () => validateRecordBatches(batch)),
);

for (const version of [3, 9, 11]) {
  const req = produceRequest(16);
  const w = new Writer();
  ProduceApi.encodeRequest(w, version, req);
  const frame = w.toBuffer();
  results.push(
    measure(`Produce v${version} request decode (16 x 16 KiB)`, frame.length, () =>
      ProduceApi.decodeRequest(new Reader(frame), version),
    ),
  );
  results.push(
    measure(`Produce v${version} request encode (16 x 16 KiB)`, frame.length, () => {
      const out = new Writer();
      ProduceApi.encodeRequest(out, version, req);
      return out.chunksView();
    }),
  );
}

for (const version of [4, 12, 16]) {
  const res = {
    ...defaultFetchResponse(),
    responses: [
      {
        topic: version >= 13 ? '' : 'bench',
        topicId: version >= 13 ? 'AAAAAAAAAAAAAAAAAAAAAQ' : 'AAAAAAAAAAAAAAAAAAAAAA',
        partitions: Array.from({ length: 16 }, (_, partitionIndex) => ({
          ...defaultFetchResponsePartitionData(),
          partitionIndex,
          highWatermark: 1000n,
          lastStableOffset: 1000n,
          logStartOffset: 0n,
          abortedTransactions: version >= 4 ? [] : null,
          records: batch,
        })),
      },
    ],
  };
  const w = new Writer();
  FetchApi.encodeResponse(w, version, res);
  const frame = w.toBuffer();
  results.push(
    measure(`Fetch v${version} response encode (16 x 16 KiB)`, frame.length, () => {
      const out = new Writer();
      FetchApi.encodeResponse(out, version, res);
      return out.chunksView();
    }),
  );
  results.push(
    measure(`Fetch v${version} response decode (16 x 16 KiB)`, frame.length, () =>
      FetchApi.decodeResponse(new Reader(frame), version),
    ),
  );
}

const crc = results[0]!.mbps;
console.log('| figure | MB/s | ratio to raw CRC-32C |');
console.log('| --- | ---: | ---: |');
for (const r of results) console.log(`| ${r.label} | ${r.mbps.toFixed(0)} | ${(r.mbps / crc).toFixed(2)} |`);
