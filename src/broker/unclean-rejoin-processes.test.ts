/**
 * A follower whose log is longer than its new leader's (after an unclean election) truncates and
 * rejoins the ISR, as on Kafka: the leader checks a follower's last fetched epoch before holding its
 * fetch offset to the log end (Partition.readRecords), so the follower gets a diverging epoch, not
 * OFFSET_OUT_OF_RANGE (Gregor answered OFFSET_OUT_OF_RANGE for ever and the replica never came back).
 * Split mode from Kafka-style server.properties: three controllers, brokers 4 and 5; a partition on
 * 4,5; broker 5 killed, ten more records on 4 alone, broker 4 killed, 5 restarted, then
 * `kafka-leader-election --election-type UNCLEAN` makes 5 lead (the ten records only 4 had are lost,
 * as Kafka loses them), and 4 restarted must follow: back in the ISR with 5's log. kafkajs produces and
 * reads back.
 */
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel, type Admin, type Producer } from 'kafkajs';
import { CLI_SKIP } from '../../test/helpers/cli.js';
import { kafkaTool } from '../../test/helpers/kafka-tools.js';
import { freePort } from '../../test/helpers/ports.js';
import {
  formatStorage,
  kraftProperties,
  startWithProperties,
  writeProperties,
  type KraftProcess,
} from '../../test/helpers/kraft-properties.js';

const CLUSTER_ID = 'q2Vb3tY8TS6cJm1dXx0wZg';
const FAST = {
  'controller.quorum.election.timeout.ms': '500',
  'controller.quorum.fetch.timeout.ms': '1000',
  'broker.heartbeat.interval.ms': '200',
  'broker.session.timeout.ms': '3000',
  'replica.lag.time.max.ms': '3000',
  'auto.leader.rebalance.enable': 'false',
};

async function until<T>(what: string, timeoutMs: number, check: () => Promise<T | null>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => null);
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const state = async (admin: Admin): Promise<{ leader: number; isr: string }> => {
  const p = (await admin.fetchTopicMetadata({ topics: ['rejoin'] })).topics[0]!.partitions[0]!;
  return { leader: p.leader, isr: [...p.isr].sort().join(',') };
};

const send = (producer: Producer, from: number, count: number): Promise<unknown> =>
  producer.send({
    topic: 'rejoin',
    acks: -1,
    messages: Array.from({ length: count }, (_, i) => ({ value: `r${from + i}` })),
  });

t.test('after an unclean election the longer replica truncates and rejoins the ISR', { skip: CLI_SKIP }, async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'gregor-unclean-rejoin-'));
  const running: KraftProcess[] = [];
  t.teardown(async () => {
    await Promise.all(running.map((p) => p.stop('SIGKILL')));
    rmSync(root, { recursive: true, force: true });
  });
  const controllerPorts = [await freePort(), await freePort(), await freePort()];
  const brokerPorts = [await freePort(), await freePort()];
  const voters = controllerPorts.map((p, i) => `${i + 1}@127.0.0.1:${p}`).join(',');
  const files = [
    ...controllerPorts.map(
      (controllerPort, i) =>
      writeProperties(root, `controller-${i + 1}.properties`, kraftProperties({
        nodeId: i + 1, roles: 'controller', controllerPort, voters, logDir: join(root, `c${i + 1}`), extra: FAST,
      })), // prettier-ignore
    ),
    ...brokerPorts.map(
      (brokerPort, i) =>
      writeProperties(root, `broker-${i + 4}.properties`, kraftProperties({
        nodeId: i + 4, roles: 'broker', brokerPort, voters, logDir: join(root, `b${i + 4}`), extra: FAST,
      })), // prettier-ignore
    ),
  ];
  for (const file of files) await formatStorage(file, CLUSTER_ID);
  const nodes = files.map((file) => startWithProperties(file));
  running.push(...nodes);
  for (const broker of nodes.slice(3))
    await broker.waitForOutput(/caught up with the metadata log and unfenced/, 120_000);
  const [file4, file5] = [files[3]!, files[4]!];

  const kafka = new Kafka({
    brokers: brokerPorts.map((p) => `127.0.0.1:${p}`),
    logLevel: logLevel.NOTHING,
    retry: { retries: 10 },
  });
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  await admin.createTopics({
    topics: [{ topic: 'rejoin', replicaAssignment: [{ partition: 0, replicas: [4, 5] }] }],
    waitForLeaders: true,
  });
  const producer = kafka.producer();
  await producer.connect();
  await send(producer, 0, 10);

  await nodes[4]!.stop('SIGKILL');
  await until('5 out of the ISR', 30_000, async () => ((await state(admin)).isr === '4' ? true : null));
  await send(producer, 10, 10);
  await producer.disconnect();
  await nodes[3]!.stop('SIGKILL');
  const five = startWithProperties(file5);
  running.push(five);
  await five.waitForOutput(/caught up with the metadata log and unfenced/, 60_000);
  await until('no leader', 30_000, async () => ((await state(admin)).leader === -1 ? true : null));

  const elected = await kafkaTool('kafka-leader-election', [
    '--bootstrap-server', `127.0.0.1:${brokerPorts[1]}`, '--election-type', 'UNCLEAN', '--topic', 'rejoin', '--partition', '0',
  ]); // prettier-ignore
  t.equal(elected.stdout, 'Successfully completed leader election (UNCLEAN) for partitions rejoin-0\n', elected.stderr);
  t.same(await state(admin), { leader: 5, isr: '5' });

  const four = startWithProperties(file4);
  running.push(four);
  await four.waitForOutput(/caught up with the metadata log and unfenced/, 60_000);
  const back = await until('4 back in the ISR', 30_000, async () => {
    const s = await state(admin);
    return s.isr === '4,5' ? s : null;
  }).catch((err: Error) => err);
  t.same(back, { leader: 5, isr: '4,5' }, 'the longer replica truncated to the leader and rejoined the ISR');

  const after = kafka.producer();
  await after.connect();
  await send(after, 100, 5);
  await after.disconnect();
  const consumer = kafka.consumer({ groupId: 'unclean-rejoin-check' });
  await consumer.connect();
  t.teardown(() => consumer.disconnect());
  const seen: string[] = [];
  await consumer.subscribe({ topic: 'rejoin', fromBeginning: true });
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: async ({ message }) => {
          seen.push(message.value?.toString() ?? '');
          if (seen.length >= 15) resolve();
        },
      });
    }),
    new Promise((r) => (timer = setTimeout(r, 60_000))),
  ]);
  clearTimeout(timer);
  const expected = [
    ...Array.from({ length: 10 }, (_, i) => `r${i}`),
    ...Array.from({ length: 5 }, (_, i) => `r${100 + i}`),
  ];
  t.same(seen, expected, "the new leader's ten records, then the five produced after the election");
});
