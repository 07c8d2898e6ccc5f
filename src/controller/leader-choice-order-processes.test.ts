/**
 * Which replica leads after the leader dies, as Kafka 3.9's PartitionChangeBuilder.electAnyLeader
 * chooses: the first replica in replica order that is in the ISR and live, whatever the ISR's own
 * order. Three combined nodes from Kafka-style server.properties; a partition placed on 1,3,2 (kafkajs
 * createTopics with a replica assignment); node 3 is killed and restarted, so it rejoins at the end of
 * the ISR (1,2,3); then node 1, the leader, is killed: Kafka elects 3 (before 2 in the replicas), where
 * Gregor took the ISR's order and elected 2. The records acknowledged with acks=all are all read back.
 */
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { CLI_SKIP } from '../../test/helpers/cli.js';
import { freePort } from '../../test/helpers/ports.js';
import {
  formatStorage,
  kraftProperties,
  startWithProperties,
  writeProperties,
  type KraftProcess,
} from '../../test/helpers/kraft-properties.js';

const CLUSTER_ID = 'gvxU1-kOh8nsg4fadJA1xA';
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

const partitionState = async (admin: Admin): Promise<{ leader: number; isr: number[]; replicas: number[] }> => {
  const p = (await admin.fetchTopicMetadata({ topics: ['ordered'] })).topics[0]!.partitions[0]!;
  return { leader: p.leader, isr: p.isr, replicas: p.replicas };
};

t.test('a dead leader is replaced by the first in-sync replica in replica order', { skip: CLI_SKIP }, async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'gregor-leader-order-'));
  const running: KraftProcess[] = [];
  t.teardown(async () => {
    await Promise.all(running.map((p) => p.stop('SIGKILL')));
    rmSync(root, { recursive: true, force: true });
  });
  const brokerPorts = [await freePort(), await freePort(), await freePort()];
  const controllerPorts = [await freePort(), await freePort(), await freePort()];
  const voters = controllerPorts.map((p, i) => `${i + 1}@127.0.0.1:${p}`).join(',');
  const files = brokerPorts.map(
    (brokerPort, i) =>
    writeProperties(root, `server-${i + 1}.properties`, kraftProperties({
      nodeId: i + 1, roles: 'broker,controller', brokerPort, controllerPort: controllerPorts[i], voters,
      logDir: join(root, `node-${i + 1}`), extra: FAST,
    })), // prettier-ignore
  );
  for (const file of files) await formatStorage(file, CLUSTER_ID);
  const nodes = files.map((file) => startWithProperties(file));
  running.push(...nodes);
  for (const node of nodes) await node.waitForOutput(/caught up with the metadata log and unfenced/, 120_000);

  const kafka = new Kafka({ brokers: brokerPorts.map((p) => `127.0.0.1:${p}`), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  await admin.createTopics({
    topics: [{ topic: 'ordered', replicaAssignment: [{ partition: 0, replicas: [1, 3, 2] }] }],
    waitForLeaders: true,
  });
  const producer = kafka.producer();
  await producer.connect();
  t.teardown(() => producer.disconnect());
  const sent: string[] = [];
  const send = async (count: number): Promise<void> => {
    const values = Array.from({ length: count }, (_, i) => `r${sent.length + i}`);
    await producer.send({ topic: 'ordered', acks: -1, messages: values.map((value) => ({ value })) });
    sent.push(...values);
  };
  await send(10);
  t.same(await partitionState(admin), { leader: 1, isr: [1, 3, 2], replicas: [1, 3, 2] });

  await nodes[2]!.stop('SIGKILL');
  await until('3 out of the ISR', 30_000, async () =>
    (await partitionState(admin)).isr.join() === '1,2' ? true : null,
  );
  await send(10);
  const restarted = startWithProperties(files[2]!);
  running.push(restarted);
  await until('3 back at the end of the ISR', 60_000, async () =>
    (await partitionState(admin)).isr.join() === '1,2,3' ? true : null,
  );

  await nodes[0]!.stop('SIGKILL');
  const after = await until('a new leader', 60_000, async () => {
    const state = await partitionState(admin);
    return state.leader !== 1 && state.leader >= 0 ? state : null;
  });
  t.equal(after.leader, 3, 'replica 3 leads: first of the replicas 1,3,2 that is in the ISR and live');
  await send(10);

  const consumer = kafka.consumer({ groupId: 'leader-order-check' });
  await consumer.connect();
  t.teardown(() => consumer.disconnect());
  const seen: string[] = [];
  await consumer.subscribe({ topic: 'ordered', fromBeginning: true });
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: async ({ message }) => {
          seen.push(message.value?.toString() ?? '');
          if (seen.length >= sent.length) resolve();
        },
      });
    }),
    new Promise((r) => (timer = setTimeout(r, 60_000))),
  ]);
  clearTimeout(timer);
  t.same(seen, sent, 'every acknowledged record, in order');
});
