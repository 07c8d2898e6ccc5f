/**
 * KIP-848 consumer groups driven by a real client: @platformatic/kafka 2.x with
 * `groupProtocol: 'consumer'` (ConsumerGroupHeartbeat, server-side `uniform` assignor,
 * OffsetCommit v9 with the member epoch). Three members on a six-partition topic get two
 * partitions each; every message is consumed once and committed; one member leaves
 * (heartbeat with epoch -1) and the two others take its partitions and consume what
 * follows, from the committed offsets. Messages are produced while the group is settled,
 * so no message may reach two members. Heartbeat interval 200 ms (group.consumer.* bounds
 * lowered).
 *
 * Finding: after an assignment change this client (2.12.1) sometimes hands the same record
 * (same partition and offset) twice to the same member — with the classic protocol too and
 * with the broker's fetch sessions off, never without a rebalance — so the test asserts that
 * no message reaches two members, and reports same-member redeliveries as a comment.
 */
import './node20-shim.js';
import t from 'tap';
import {
  Consumer,
  Producer,
  stringDeserializers,
  stringSerializers,
  type Message,
  type MessagesStream,
} from '@platformatic/kafka';
import { brokerFor } from '../../test/helpers/broker.js';
import { createTopic } from '../../test/helpers/topics.js';
import type { RunningBroker } from '../../src/index.js';

const BROKER_CONFIG = {
  'group.consumer.heartbeat.interval.ms': 200,
  'group.consumer.min.heartbeat.interval.ms': 100,
  'group.consumer.session.timeout.ms': 6000,
  'group.consumer.min.session.timeout.ms': 1000,
};

async function waitFor(condition: () => boolean, ms = 30_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

interface Member {
  name: string;
  consumer: Consumer<string, string, string, string>;
  stream: MessagesStream<string, string, string, string>;
  consumed: number;
}

function group(running: RunningBroker) {
  return running.broker.services.groups.coordinator.consumer.admin;
}

t.test('three @platformatic/kafka KIP-848 members share six partitions; one leaves; each message once', async (t) => {
  const running = await brokerFor(t, { config: BROKER_CONFIG });
  createTopic(running, 'orders', { partitions: 6 });
  if (process.env.KIP848_DEBUG) {
    const hb = running.broker.services.groups.coordinator.consumer.heartbeats;
    const orig = hb.heartbeat.bind(hb);
    hb.heartbeat = (req, now) => {
      const r = orig(req, now);
      console.error(
        'HB',
        req.clientId,
        req.memberEpoch,
        JSON.stringify(req.topicPartitions?.map((x) => x.partitions)),
        '->',
        r.errorCode,
        r.memberEpoch,
        JSON.stringify(r.assignment?.map((x) => x.partitions)),
      );
      return r;
    };
  }
  const seen = new Map<string, number>();
  /** message -> the members that received it */
  const receivedBy = new Map<string, Set<string>>();
  const members: Member[] = [];

  const start = async (name: string): Promise<Member> => {
    const consumer = new Consumer({
      clientId: name,
      groupId: 'kip848-orders',
      groupProtocol: 'consumer',
      bootstrapBrokers: [running.bootstrap],
      deserializers: stringDeserializers,
      maxWaitTime: 200,
    });
    const stream = await consumer.consume({
      topics: ['orders'],
      mode: 'committed',
      fallbackMode: 'earliest',
      autocommit: false,
    });
    const member: Member = { name, consumer, stream, consumed: 0 };
    stream.on('data', (message: Message<string, string, string, string>) => {
      seen.set(message.value, (seen.get(message.value) ?? 0) + 1);
      const by = receivedBy.get(message.value) ?? new Set<string>();
      receivedBy.set(message.value, by.add(name));
      if (process.env.KIP848_DEBUG) console.error(name, message.value, message.partition, message.offset);
      member.consumed++;
      void message.commit();
    });
    members.push(member);
    return member;
  };
  t.teardown(async () => {
    for (const m of members) await m.consumer.close(true).catch(() => undefined);
  });

  const settled = (n: number): boolean => {
    const d = group(running).describe('kip848-orders');
    return d.groupState === 'Stable' && d.members.length === n;
  };

  for (const name of ['a', 'b', 'c']) await start(name);
  await waitFor(() => settled(3), 30_000, 'three members stable');
  const d = group(running).describe('kip848-orders');
  t.same(
    d.members.map((m) => m.assignment.topicPartitions.reduce((s, tp) => s + tp.partitions.length, 0)),
    [2, 2, 2],
    'uniform: two partitions each',
  );
  t.equal(d.assignorName, 'uniform');
  // ConsumerGroupHeartbeat v1 (Kafka 4.0, KIP-1082): the client made its member ids (crypto.randomUUID)
  t.ok(
    d.members.every((m) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(m.memberId)),
    `client-generated member ids (v1): ${d.members.map((m) => m.memberId).join(', ')}`,
  );

  const producer = new Producer({
    clientId: 'producer',
    bootstrapBrokers: [running.bootstrap],
    serializers: stringSerializers,
  });
  t.teardown(() => producer.close());
  const produce = async (prefix: string, n: number): Promise<void> => {
    await producer.send({
      messages: Array.from({ length: n }, (_, i) => ({
        topic: 'orders',
        key: `k${i}`,
        value: `${prefix}-${i}`,
        partition: i % 6,
      })),
    });
  };

  await produce('first', 60);
  await waitFor(() => seen.size === 60, 30_000, 'first 60 messages');
  t.ok(
    members.every((m) => m.consumed > 0),
    'every member consumed some',
  );
  const offsets = running.broker.services.groups.coordinator.offsets;
  await waitFor(
    () =>
      (offsets.fetch('kip848-orders', null, false).topics[0]?.partitions ?? []).reduce(
        (s, p) => s + Number(p.committedOffset),
        0,
      ) === 60,
    10_000,
    'commits',
  );

  const leaver = members.find((m) => m.name === 'c')!;
  const leaverCount = leaver.consumed;
  await leaver.consumer.close(true);
  members.splice(members.indexOf(leaver), 1);
  await waitFor(() => settled(2), 30_000, 'two members stable after the leave');
  t.same(
    group(running)
      .describe('kip848-orders')
      .members.map((m) => m.assignment.topicPartitions.reduce((s, tp) => s + tp.partitions.length, 0)),
    [3, 3],
  );

  if (process.env.KIP848_DEBUG) console.error('PHASE2');
  await produce('second', 60);
  await waitFor(() => seen.size === 120, 30_000, 'second 60 messages');
  t.equal(leaver.consumed, leaverCount, 'the member that left consumed nothing more');
  t.ok(
    [...receivedBy.values()].every((by) => by.size === 1),
    'no message reached two members',
  );
  const redelivered = [...seen.values()].filter((n) => n > 1).length;
  t.comment(`same-member redeliveries by the client after the rebalance: ${redelivered} of 120`);
  await waitFor(
    () =>
      (offsets.fetch('kip848-orders', null, false).topics[0]?.partitions ?? []).reduce(
        (s, p) => s + Number(p.committedOffset),
        0,
      ) === 120,
    10_000,
    'commits after the leave',
  );
});
