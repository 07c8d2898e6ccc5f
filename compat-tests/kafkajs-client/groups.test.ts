/**
 * kafkajs consumer groups against a real Gregor: three members on six partitions,
 * eachMessage and eachBatch, a member leaving and one crashing (its sockets go silent,
 * so only the session timeout can remove it), every message consumed once per group
 * with offsets committed after processing, and the admin views (fetchOffsets,
 * describeGroups, lag).
 */
import t from 'tap';
import { connect, type Socket } from 'node:net';
import {
  Kafka,
  logLevel,
  type Consumer,
  type EachBatchPayload,
  type EachMessagePayload,
  type ISocketFactory,
} from 'kafkajs';
import { brokerFor } from '../../test/helpers/broker.js';
import { createTopic } from '../../test/helpers/topics.js';
import { rawClient } from '../../test/helpers/raw-client.js';
import { DescribeGroupsApi } from '../../protocol/generated/messages/15-describe-groups.js';

/** Polls a condition every 20 ms until it holds or `ms` pass. */
async function waitFor(condition: () => boolean | Promise<boolean>, ms = 20_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * kafkajs sends heartbeats on the connection its fetches use, and answers come in
 * request order (as from Kafka), so a heartbeat's answer waits behind a long-polling
 * fetch: keep fetch waits well under the session and rebalance timeouts.
 */
const GROUP_TIMINGS = { sessionTimeout: 2500, heartbeatInterval: 250, rebalanceTimeout: 8000, maxWaitTimeInMs: 200 };

const BROKER_CONFIG = { 'group.min.session.timeout.ms': 1000, 'num.partitions': 6 };

function kafkaFor(bootstrap: string, clientId: string, socketFactory?: ISocketFactory): Kafka {
  const base = { clientId, brokers: [bootstrap], logLevel: logLevel.NOTHING };
  if (!socketFactory) return new Kafka({ ...base, retry: { retries: 8, initialRetryTime: 50 } });
  // The crashable client gives up fast once silenced and does not restart.
  return new Kafka({
    ...base,
    socketFactory,
    requestTimeout: 1500,
    connectionTimeout: 500,
    retry: { retries: 1, initialRetryTime: 50, restartOnFailure: async () => false },
  });
}

async function produceValues(kafka: Kafka, topic: string, values: string[]): Promise<void> {
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic, messages: values.map((v, i) => ({ key: `k${i}-${v}`, value: v })) });
  await producer.disconnect();
}

t.test('three kafkajs members share six partitions; each message once; leave and crash rebalance', async (t) => {
  const running = await brokerFor(t, { config: BROKER_CONFIG });
  createTopic(running, 'orders', { partitions: 6 });
  const kafka = kafkaFor(running.bootstrap, 'groups-test');
  const seen = new Map<string, number>();
  const byMember = new Map<string, number>();
  const record =
    (name: string) =>
    async ({ message }: EachMessagePayload) => {
      const v = message.value!.toString();
      seen.set(v, (seen.get(v) ?? 0) + 1);
      byMember.set(name, (byMember.get(name) ?? 0) + 1);
    };

  // The third member's sockets can be silenced to play a crash: its requests go nowhere.
  let silenced = false;
  const sockets: Socket[] = [];
  const crashable: ISocketFactory = ({ host, port, onConnect }) => {
    const socket = connect({ host, port }, onConnect);
    if (silenced) socket.destroy();
    const write = socket.write.bind(socket);
    socket.write = ((...args: Parameters<Socket['write']>) => (silenced ? true : write(...args))) as Socket['write'];
    sockets.push(socket);
    return socket;
  };

  const consumers: Consumer[] = [];
  const start = async (name: string, factory?: ISocketFactory) => {
    const c = (factory ? kafkaFor(running.bootstrap, name, factory) : kafka).consumer({
      groupId: 'g-orders',
      ...GROUP_TIMINGS,
    });
    await c.connect();
    await c.subscribe({ topic: 'orders', fromBeginning: true });
    await c.run({ autoCommitThreshold: 1, eachMessage: record(name) });
    consumers.push(c);
    return c;
  };
  const a = await start('a');
  const b = await start('b');
  const crashing = await start('c', crashable);

  const admin = kafka.admin();
  await admin.connect();
  t.teardown(async () => {
    await admin.disconnect();
    for (const c of consumers) if (c !== crashing) await c.disconnect().catch(() => undefined);
  });

  await waitFor(
    async () => {
      const d = await admin.describeGroups(['g-orders']);
      return d.groups[0]!.state === 'Stable' && d.groups[0]!.members.length === 3;
    },
    20_000,
    'three members stable',
  );

  const first = Array.from({ length: 60 }, (_, i) => `m${i}`);
  await produceValues(kafka, 'orders', first);
  await waitFor(() => first.every((v) => seen.has(v)), 20_000, 'first 60 consumed');
  t.equal(byMember.size, 3, 'all three members consumed');

  const described = await admin.describeGroups(['g-orders']);
  const group = described.groups[0]!;
  t.equal(group.protocolType, 'consumer');
  t.equal(group.members.length, 3);
  const assigned = group.members.flatMap((m) => {
    const assignment = m.memberAssignment;
    // ConsumerProtocolAssignment v0: int16 version, [topic, [partition]]
    const partitions: number[] = [];
    let at = 2;
    const topics = assignment.readInt32BE(at);
    at += 4;
    for (let i = 0; i < topics; i++) {
      const len = assignment.readInt16BE(at);
      at += 2 + len;
      const n = assignment.readInt32BE(at);
      at += 4;
      for (let j = 0; j < n; j++, at += 4) partitions.push(assignment.readInt32BE(at));
    }
    return partitions;
  });
  t.same(assigned.sort(), [0, 1, 2, 3, 4, 5], 'describeGroups shows all six partitions assigned');

  await waitFor(
    async () => {
      const offsets = await admin.fetchOffsets({ groupId: 'g-orders', topics: ['orders'] });
      return offsets[0]!.partitions.reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0) === 60;
    },
    10_000,
    'offsets committed',
  );
  const ends = await admin.fetchTopicOffsets('orders');
  const committed = await admin.fetchOffsets({ groupId: 'g-orders', topics: ['orders'] });
  const lag = ends.reduce(
    (sum, e) =>
      sum + Number(e.high) - Number(committed[0]!.partitions.find((p) => p.partition === e.partition)!.offset),
    0,
  );
  t.equal(lag, 0, 'no lag once everything is committed');

  // b leaves cleanly; c crashes (silence, no LeaveGroup): the session timeout removes it.
  await b.disconnect();
  consumers.splice(consumers.indexOf(b), 1);
  silenced = true;
  await waitFor(
    async () => {
      const d = await admin.describeGroups(['g-orders']);
      return d.groups[0]!.state === 'Stable' && d.groups[0]!.members.length === 1;
    },
    20_000,
    'only a left',
  );
  const second = Array.from({ length: 30 }, (_, i) => `n${i}`);
  await produceValues(kafka, 'orders', second);
  await waitFor(() => second.every((v) => seen.has(v)), 20_000, 'second 30 consumed by a');
  t.ok(
    [...seen.values()].every((n) => n === 1),
    'every message consumed exactly once',
  );
  t.equal(seen.size, 90);
  for (const s of sockets) s.destroy();
  await crashing.disconnect().catch(() => undefined);
  void a;
});

t.test('eachBatch consumers resume from committed offsets after the group is recreated', async (t) => {
  const running = await brokerFor(t, { config: BROKER_CONFIG });
  createTopic(running, 'events', { partitions: 6 });
  const kafka = kafkaFor(running.bootstrap, 'batch-test');
  await produceValues(
    kafka,
    'events',
    Array.from({ length: 40 }, (_, i) => `e${i}`),
  );
  const seen: string[] = [];
  const consume = async (): Promise<Consumer> => {
    const c = kafka.consumer({ groupId: 'g-events', ...GROUP_TIMINGS });
    await c.connect();
    await c.subscribe({ topic: 'events', fromBeginning: true });
    await c.run({
      eachBatch: async ({ batch, resolveOffset, commitOffsetsIfNecessary }: EachBatchPayload) => {
        for (const m of batch.messages) {
          seen.push(m.value!.toString());
          resolveOffset(m.offset);
        }
        await commitOffsetsIfNecessary();
      },
      eachBatchAutoResolve: false,
      autoCommitThreshold: 1,
    });
    return c;
  };
  const first = await consume();
  await waitFor(() => seen.length >= 40, 20_000, '40 consumed');
  await first.disconnect();
  await produceValues(
    kafka,
    'events',
    Array.from({ length: 10 }, (_, i) => `f${i}`),
  );
  const second = await consume();
  t.teardown(() => second.disconnect());
  await waitFor(() => seen.length >= 50, 20_000, '50 consumed');
  t.equal(new Set(seen).size, 50);
  t.equal(seen.length, 50, 'the second consumer started at the committed offsets');

  // DescribeGroups over raw frames at v5, the version kafkajs does not use.
  const raw = await rawClient(running.port);
  t.teardown(() => raw.close());
  const d = await raw.call(DescribeGroupsApi, 5, { groups: ['g-events', 'nope'], includeAuthorizedOperations: true });
  t.equal(d.groups[0]!.groupState, 'Stable');
  t.equal(d.groups[1]!.groupState, 'Dead');
  const v6 = await raw.call(DescribeGroupsApi, 6, { groups: ['g-events', 'nope'], includeAuthorizedOperations: true });
  t.equal(v6.groups[0]!.groupState, 'Stable', 'v6 describes a classic group as before');
  t.equal(v6.groups[0]!.errorMessage, null);
  t.equal(v6.groups[1]!.errorCode, 69, 'v6: GROUP_ID_NOT_FOUND for an unknown group');
});
