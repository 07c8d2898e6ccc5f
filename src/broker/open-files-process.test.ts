/**
 * File descriptors as a bounded resource, through the real CLI in a shell with
 * `ulimit -n 128` (soft and hard): one CreateTopics of 600 partitions (one descriptor
 * each would need almost five times the limit), writes to every partition, a clean restart and
 * a restart after SIGKILL (recovery) all work, with the descriptors the broker holds
 * staying under the limit. Driven by kafkajs. bench/storage/many-partitions.ts runs the
 * same with 20,000 partitions under 1,024.
 */
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { bundleNode, freePort } from '../../test/helpers/process-cluster.js';
import {
  CLI_ENTRY,
  descriptorsOf,
  startLimitedBroker,
  stopLimitedBroker,
  type LimitedBroker,
} from '../../test/helpers/limited-broker.js';

const PARTITIONS = 600;
const LIMIT = 128;

// Real processes on a possibly loaded 2-core machine: a file bound well above tap's 240 s (a node can take
// tens of seconds to start), so that a slow run finishes instead of being cut short.
t.setTimeout(600_000);

t.test(
  `${PARTITIONS} partitions under ulimit -n ${LIMIT}: create, write, restart clean and after SIGKILL`,
  { skip: process.platform !== 'linux' && 'needs ulimit and /proc', timeout: 500_000 },
  async (t) => {
    const bundle = await bundleNode(CLI_ENTRY);
    const dir = mkdtempSync(join(tmpdir(), 'gregor-open-files-'));
    let running: LimitedBroker | null = null;
    t.teardown(async () => {
      if (running) await stopLimitedBroker(running, 'SIGKILL');
      rmSync(dir, { recursive: true, force: true });
      rmSync(join(bundle, '..'), { recursive: true, force: true });
    });
    const dataDir = join(dir, 'data');
    const port = await freePort();
    const controllerPort = await freePort();
    running = await startLimitedBroker(bundle, dataDir, port, controllerPort, LIMIT);
    t.match(
      running.output(),
      /"softLimit":128,"hardLimit":128,"logFilesOpenAtMost":64/,
      'the broker read the limit and sized its file cache',
    );
    const kafka = new Kafka({ brokers: [`127.0.0.1:${port}`], logLevel: logLevel.NOTHING, requestTimeout: 60_000 });
    const admin = kafka.admin();
    await admin.connect();
    t.ok(
      await admin.createTopics({ topics: [{ topic: 'many', numPartitions: PARTITIONS }], timeout: 60_000 }),
      'one CreateTopics',
    );
    const producer = kafka.producer();
    await producer.connect();
    const messages = Array.from({ length: PARTITIONS }, (_, p) => ({ partition: p, value: `p${p}` }));
    await producer.send({ topic: 'many', acks: -1, messages });
    await producer.disconnect();
    const held = descriptorsOf(running.child.pid);
    t.ok(held > 0 && held < LIMIT, `descriptors held: ${held} (< ${LIMIT})`);
    const high = async (): Promise<number> =>
      (await admin.fetchTopicOffsets('many')).filter((o) => o.high === '1').length;
    t.equal(await high(), PARTITIONS, 'every partition holds its message');
    await admin.disconnect();

    await stopLimitedBroker(running, 'SIGTERM');
    running = await startLimitedBroker(bundle, dataDir, port, controllerPort, LIMIT);
    await admin.connect();
    t.equal(await high(), PARTITIONS, 'after a clean restart');
    await admin.disconnect();

    // Appends since the restart, then a crash: recovery scans every partition's tail under the limit.
    await producer.connect();
    await producer.send({ topic: 'many', acks: -1, messages });
    await producer.disconnect();
    await stopLimitedBroker(running, 'SIGKILL');
    running = await startLimitedBroker(bundle, dataDir, port, controllerPort, LIMIT);
    t.notMatch(running.output(), /EMFILE|too many open files/i, 'no descriptor exhaustion');
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets('many');
    t.equal(
      offsets.filter((o) => o.high === '2').length,
      PARTITIONS,
      'after SIGKILL every partition kept both messages',
    );
    // kafkajs reads a sample back.
    const consumer = kafka.consumer({ groupId: 'reader' });
    await consumer.connect();
    await consumer.subscribe({ topic: 'many', fromBeginning: true });
    const seen = new Set<string>();
    await new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: async ({ message }) => {
          seen.add(message.value?.toString() ?? '');
          if (seen.size === PARTITIONS) resolve();
        },
      });
    });
    t.equal(seen.size, PARTITIONS, 'a consumer reads every partition');
    await consumer.disconnect();
    await admin.disconnect();
    const heldAfter = descriptorsOf(running.child.pid);
    t.ok(heldAfter > 0 && heldAfter < LIMIT, `descriptors held after reading every partition: ${heldAfter}`);
  },
);
