/**
 * Produce throughput of an in-memory broker (storage 'memory', log.dirs=memory:) against
 * the on-disk one (a fresh temp dir, no fsync per batch: Kafka's defaults), in one run.
 *
 *   npx tsx bench/broker/in-memory.ts [rounds=5] [requests=300]
 *
 * Each round starts one broker of each kind in this process (alternating which goes first),
 * creates a 1-partition topic and sends `requests` Produce v9 requests (acks=1), each with one
 * uncompressed batch of 256 records of 1 KiB, 4 in flight, through the project's raw test
 * client. Prints the median MB/s of each kind, the ratio memory/disk with the per-round
 * ratios, and the load average before and after.
 */
import { loadavg } from 'node:os';
import { startBroker } from '../../src/index.js';
import { rawClient } from '../../test/helpers/raw-client.js';
import { createTopic } from '../../test/helpers/topics.js';
import { buildBatch } from '../../storage/test-support.js';
import { ProduceApi } from '../../protocol/generated/messages/00-produce.js';

const rounds = Number(process.argv[2] ?? 5);
const requests = Number(process.argv[3] ?? 300);
const RECORDS = 256;
const batch = buildBatch(Array.from({ length: RECORDS }, (_, i) => ({ key: `k${i}`, value: Buffer.alloc(1024, i) })));
const IN_FLIGHT = 4;

async function measure(storage: 'disk' | 'memory'): Promise<number> {
  const running = await startBroker(
    storage === 'memory' ? { storage, config: { 'memory.max.bytes': 4 * 1024 * 1024 * 1024 } } : { storage },
  );
  try {
    createTopic(running, 'bench');
    const client = await rawClient(running.port);
    const send = async (): Promise<void> => {
      const r = await client.call(ProduceApi, 9, {
        transactionalId: null,
        acks: 1,
        timeoutMs: 30_000,
        topicData: [
          { name: 'bench', topicId: 'AAAAAAAAAAAAAAAAAAAAAA', partitionData: [{ index: 0, records: batch }] },
        ],
      });
      const code = r.responses[0]!.partitionResponses[0]!.errorCode;
      if (code !== 0) throw new Error(`produce failed with error ${code}`);
    };
    await send(); // warm-up, and the partition is ready
    const started = process.hrtime.bigint();
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < requests) {
        next++;
        await send();
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    client.close();
    return (requests * batch.length) / seconds / 1e6;
  } finally {
    await running.stop();
  }
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};

const loadBefore = loadavg();
const disk: number[] = [];
const memory: number[] = [];
for (let round = 0; round < rounds; round++) {
  if (round % 2 === 0) {
    disk.push(await measure('disk'));
    memory.push(await measure('memory'));
  } else {
    memory.push(await measure('memory'));
    disk.push(await measure('disk'));
  }
}
const loadAfter = loadavg();
const ratios = memory.map((m, i) => m / disk[i]!);
console.log(
  `produce 256 x 1 KiB per request, acks=1, ${requests} requests x ${rounds} rounds, ${(batch.length / 1024).toFixed(0)} KiB per batch`,
);
console.log(`disk:   median ${median(disk).toFixed(1)} MB/s (${disk.map((v) => v.toFixed(1)).join(', ')})`);
console.log(`memory: median ${median(memory).toFixed(1)} MB/s (${memory.map((v) => v.toFixed(1)).join(', ')})`);
console.log(
  `ratio memory/disk of the medians: ${(median(memory) / median(disk)).toFixed(2)} (per round ${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)})`,
);
console.log(
  `load average before ${loadBefore.map((v) => v.toFixed(2)).join(' ')}, after ${loadAfter.map((v) => v.toFixed(2)).join(' ')}`,
);
