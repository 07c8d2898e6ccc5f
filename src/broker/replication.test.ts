/**
 * Replication end to end on three in-process nodes (real sockets): followers fetch and join the
 * ISR, kafkajs acks=-1 writes with min.insync.replicas=2 are on every in-sync replica before they
 * are acknowledged, and after the leader stops, the controller fences it and elects a new leader
 * from the ISR (leader epoch up) from which every acknowledged record is read back once, in order;
 * the idempotent producer carries on against the new leader without OUT_OF_ORDER_SEQUENCE.
 */
import t from 'tap';
import { Kafka, logLevel } from 'kafkajs';
import { eventually, threeNodeCluster } from '../../test/helpers/in-process-cluster.js';
import { decodeRecordBatches } from '../../protocol/records/index.js';
import type { RunningBroker } from '../index.js';

function valuesIn(node: RunningBroker, topic: string, partition: number): string[] {
  const p = node.broker.replicas.get(topic, partition);
  if (!p) return [];
  const data = p.log.read(p.log.logStartOffset, 64 * 1024 * 1024);
  return decodeRecordBatches(data).flatMap((b) => b.records.map((r) => r.value?.toString() ?? ''));
}

t.test('followers catch up, acks=-1 waits for them, the ISR leader takes over', async (t) => {
  const nodes = await threeNodeCluster(t, {
    'replica.lag.time.max.ms': 4000,
    'replica.fetch.wait.max.ms': 100,
    'replica.fetch.backoff.ms': 100,
  });
  const kafka = new Kafka({
    clientId: 'replication',
    brokers: nodes.map((n) => n.bootstrap),
    logLevel: logLevel.NOTHING,
    retry: { retries: 10, initialRetryTime: 100 },
  });
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  await admin.createTopics({
    topics: [
      {
        topic: 'replicated',
        numPartitions: 1,
        replicationFactor: 3,
        configEntries: [{ name: 'min.insync.replicas', value: '2' }],
      },
    ],
  });
  const stateOn = (node: RunningBroker) =>
    node.broker.controller.image.topicsByName.get('replicated')?.partitions.get(0);
  await eventually('the followers in the ISR on every node', 20000, () =>
    nodes.every((n) => stateOn(n)?.isr.length === 3),
  );
  const before = { ...stateOn(nodes[0]!)! }; // a copy: the image changes its states in place
  t.pass(`ISR ${before.isr.join(',')} with leader ${before.leader}`);

  const producer = kafka.producer({ allowAutoTopicCreation: false, idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const acked: string[] = [];
  for (let i = 0; i < 20; i++) {
    const messages = Array.from({ length: 5 }, (_, j) => ({ value: `m-${i * 5 + j}` }));
    await producer.send({ topic: 'replicated', acks: -1, messages });
    acked.push(...messages.map((m) => m.value));
    // Acknowledged with acks=-1: at least min.insync.replicas logs hold it.
    const holding = nodes.filter((n) => valuesIn(n, 'replicated', 0).length >= acked.length).length;
    if (holding < 2) t.fail(`batch ${i} acknowledged while only ${holding} replica(s) hold it`);
  }
  await eventually('every replica holds all 100 records', 10000, () =>
    nodes.every((n) => valuesIn(n, 'replicated', 0).length === 100),
  );
  for (const n of nodes)
    t.same(valuesIn(n, 'replicated', 0), acked, `node ${n.broker.nodeId}: the same records, in order`);
  const leaderNode = nodes.find((n) => n.broker.nodeId === before.leader)!;
  const hw = leaderNode.broker.replicas.get('replicated', 0)!.highWatermark;
  t.equal(hw, 100, 'the leader high watermark covers every acknowledged record');
  await eventually('followers learn the high watermark', 5000, () =>
    nodes.every((n) => n.broker.replicas.get('replicated', 0)!.highWatermark === 100),
  );
  t.teardown(() => producer.disconnect());

  // The read-back below uses a consumer group: __consumer_offsets is created now, while all three brokers
  // are live (offsets.topic.replication.factor 3, as Kafka: with two it would not be created).
  await admin.describeGroups(['replication-check']);
  await leaderNode.stop();
  const survivors = nodes.filter((n) => n !== leaderNode);
  nodes.splice(nodes.indexOf(leaderNode), 1); // stopped once: the cluster teardown stops the others
  const view = () =>
    survivors
      .map(
        (n) =>
          `node ${n.broker.nodeId}: controller ${n.broker.controller.activeControllerId(n.broker.nodeId)}, partition ${JSON.stringify(stateOn(n))}, fenced ${JSON.stringify([...n.broker.controller.image.brokers.values()].map((b) => [b.brokerId, b.fenced]))}`,
      )
      .join('; ');
  const after = await eventually('a new leader from the ISR', 45000, () => {
    const s = stateOn(survivors[0]!);
    return (
      s && s.leader !== before.leader && s.leader >= 0 && survivors.every((n) => stateOn(n)?.leader === s.leader) && s
    );
  }).catch((error: unknown) => {
    throw new Error(`${String(error)}: ${view()}`);
  });
  t.ok(after.leaderEpoch > before.leaderEpoch, `leader epoch ${before.leaderEpoch} -> ${after.leaderEpoch}`);
  t.notOk(after.isr.includes(before.leader), 'the stopped broker left the ISR');

  const [next] = await producer.send({
    topic: 'replicated',
    acks: -1,
    messages: [{ value: 'idempotent-after-failover' }],
  });
  t.equal(
    next?.baseOffset,
    '100',
    'the idempotent producer carries on with the new leader (producer state rebuilt from the replicated log)',
  );
  acked.push('idempotent-after-failover');

  const survivorKafka = new Kafka({
    clientId: 'replication-read',
    brokers: survivors.map((n) => n.bootstrap),
    logLevel: logLevel.NOTHING,
  });
  const consumer = survivorKafka.consumer({ groupId: 'replication-check' });
  await consumer.connect();
  t.teardown(() => consumer.disconnect());
  await consumer.subscribe({ topic: 'replicated', fromBeginning: true });
  const read: string[] = [];
  await consumer.run({ eachMessage: async ({ message }) => void read.push(message.value?.toString() ?? '') });
  await eventually('every acknowledged record read from the survivors', 30000, () => read.length >= acked.length);
  t.same(read, acked, 'every acknowledged record, once, in order');

  const p2 = survivorKafka.producer({ allowAutoTopicCreation: false });
  await p2.connect();
  t.teardown(() => p2.disconnect());
  const [r] = await p2.send({ topic: 'replicated', acks: -1, messages: [{ value: 'after-failover' }] });
  t.equal(r?.baseOffset, '101', 'the new leader takes acks=-1 writes with the remaining ISR of two');
});
