/**
 * Many partitions under the usual descriptor limit: starts the real broker (the CLI, bundled
 * from the sources) in a shell that set `ulimit -n 1024` (soft and hard, so Node cannot raise
 * it), creates one topic with N partitions in one CreateTopics (kafkajs), produces to a spread
 * of partitions, stops it with SIGTERM, starts it again, checks each written partition's log
 * end (one ListOffsets over the wire), then SIGKILLs it, starts it once more (recovery after
 * an unclean shutdown) and checks again.
 *
 *   npx tsx bench/storage/many-partitions.ts [partitions=20000] [ulimit=1024]
 *
 * Prints the times and the descriptors the broker held (from /proc/<pid>/fd) at each step.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { bundleNode, freePort } from '../../test/helpers/process-cluster.js';
import { PeerClient } from '../../src/controller/peer-client.js';
import { SystemClock } from '../../src/common/clock.js';
import {
  ListOffsetsApi,
  defaultListOffsetsRequest,
  defaultListOffsetsRequestListOffsetsPartition,
} from '../../protocol/generated/messages/02-list-offsets.js';
import {
  CLI_ENTRY,
  descriptorsOf,
  startLimitedBroker,
  stopLimitedBroker,
  type LimitedBroker,
} from '../../test/helpers/limited-broker.js';

const descriptors = descriptorsOf;
const start = async (
  bundle: string,
  dataDir: string,
  port: number,
  controllerPort: number,
): Promise<{ running: LimitedBroker; ms: number }> => {
  const running = await startLimitedBroker(bundle, dataDir, port, controllerPort, limit);
  return { running, ms: running.startMs };
};
const stop = stopLimitedBroker;

const partitions = Number(process.argv[2] ?? 20_000);
const limit = Number(process.argv[3] ?? 1024);

async function main(): Promise<void> {
  const bundle = await bundleNode(CLI_ENTRY);
  const dir = mkdtempSync(join(tmpdir(), 'gregor-many-partitions-'));
  const dataDir = join(dir, 'data');
  const port = await freePort();
  const controllerPort = await freePort();
  const kafka = new Kafka({
    brokers: [`127.0.0.1:${port}`],
    logLevel: logLevel.NOTHING,
    requestTimeout: 600_000,
    connectionTimeout: 10_000,
  });
  const results: string[] = [];
  const note = (line: string): void => {
    results.push(line);
    console.log(line);
  };
  try {
    let { running, ms } = await start(bundle, dataDir, port, controllerPort);
    note(`first start (empty dir): ${ms} ms, ${descriptors(running.child.pid)} descriptors`);
    const admin = kafka.admin();
    await admin.connect();
    let t0 = Date.now();
    const created = await admin.createTopics({
      topics: [{ topic: 'many', numPartitions: partitions }],
      timeout: 600_000,
    });
    note(
      `CreateTopics with ${partitions} partitions: ${Date.now() - t0} ms (created: ${created}), ${descriptors(running.child.pid)} descriptors`,
    );
    const producer = kafka.producer();
    await producer.connect();
    const step = Math.max(1, Math.floor(partitions / 2000));
    const targets: number[] = [];
    for (let p = 0; p < partitions; p += step) targets.push(p);
    t0 = Date.now();
    for (let i = 0; i < targets.length; i += 500) {
      await producer.send({
        topic: 'many',
        acks: -1,
        messages: targets.slice(i, i + 500).map((p) => ({ partition: p, value: `value of ${p}` })),
      });
    }
    note(
      `produced one message to each of ${targets.length} partitions: ${Date.now() - t0} ms, ${descriptors(running.child.pid)} descriptors`,
    );
    await producer.disconnect();
    await admin.disconnect();

    note(`SIGTERM: ${await stop(running, 'SIGTERM')} ms`);
    ({ running, ms } = await start(bundle, dataDir, port, controllerPort));
    note(`restart after a clean shutdown: ${ms} ms, ${descriptors(running.child.pid)} descriptors`);
    t0 = Date.now();
    const offsets = await readBack(port, targets);
    note(
      `read back ${offsets} of ${targets.length} messages: ${Date.now() - t0} ms, ${descriptors(running.child.pid)} descriptors`,
    );

    note(`SIGKILL: ${await stop(running, 'SIGKILL')} ms`);
    ({ running, ms } = await start(bundle, dataDir, port, controllerPort));
    note(`restart after SIGKILL (recovery): ${ms} ms, ${descriptors(running.child.pid)} descriptors`);
    t0 = Date.now();
    const again = await readBack(port, targets);
    note(
      `read back ${again} of ${targets.length} messages: ${Date.now() - t0} ms, ${descriptors(running.child.pid)} descriptors`,
    );
    await stop(running, 'SIGTERM');
    if (offsets !== targets.length || again !== targets.length) process.exitCode = 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(join(bundle, '..'), { recursive: true, force: true });
  }
}

/** ListOffsets (latest) of each target partition over the wire (kafkajs' fetchTopicOffsets asks for every partition, which took it minutes at 100,000); returns how many hold their message. */
async function readBack(port: number, targets: number[]): Promise<number> {
  const client = new PeerClient(new Map([[1, { host: '127.0.0.1', port }]]), {
    clock: new SystemClock(),
    requestTimeoutMs: 600_000,
    clientId: 'many-partitions',
  });
  try {
    const response = await client.request(1, ListOffsetsApi, 7, {
      ...defaultListOffsetsRequest(),
      replicaId: -1,
      topics: [
        {
          name: 'many',
          partitions: targets.map((p) => ({
            ...defaultListOffsetsRequestListOffsetsPartition(),
            partitionIndex: p,
            timestamp: -1n,
          })),
        },
      ],
    });
    return response.topics[0]!.partitions.filter((p) => p.errorCode === 0 && p.offset === 1n).length;
  } finally {
    client.close();
  }
}

await main();
