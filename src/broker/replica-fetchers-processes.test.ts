/**
 * Several follower fetch loops with fetch sessions, across three real processes: num.replica.fetchers=3,
 * six partitions with three replicas and min.insync.replicas=2, kafkajs writing acks=-1 to every
 * partition (each acknowledgement needs a follower's incremental fetch to move the high watermark).
 * A follower killed with SIGKILL restarts, catches up on all six partitions and the ISRs are three
 * again; num.replica.fetchers changed to 1 at run time (AlterConfigs on each broker)
 * keeps replication going. Every acknowledged record is read back once, in order per partition.
 */
import t from 'tap';
import { Kafka, logLevel } from 'kafkajs';
import { FAST_QUORUM_SETTINGS, ProcessCluster } from '../../test/helpers/process-cluster.js';

const TOPIC = 'spread';
const PARTITIONS = 6;

t.test('three fetch loops per leader with sessions replicate, recover a restarted follower, and resize', async (t) => {
  t.setTimeout(150_000);
  const cluster = new ProcessCluster({
    ...FAST_QUORUM_SETTINGS,
    'broker.session.timeout.ms': '2000',
    'replica.lag.time.max.ms': '3000',
    'replica.fetch.wait.max.ms': '100',
    'replica.fetch.backoff.ms': '100',
    'num.replica.fetchers': '3',
    'auto.leader.rebalance.enable': 'false',
  });
  t.teardown(() => cluster.stop());
  await cluster.startRegistered(3);
  const all = cluster.nodes;
  const kafka = new Kafka({
    clientId: 'replica-fetchers-processes',
    brokers: all.map((n) => `127.0.0.1:${n.port}`),
    logLevel: logLevel.NOTHING,
    retry: { retries: 30, initialRetryTime: 100, maxRetryTime: 1000 },
  });
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  await admin.createTopics({
    topics: [
      {
        topic: TOPIC,
        numPartitions: PARTITIONS,
        replicationFactor: 3,
        configEntries: [{ name: 'min.insync.replicas', value: '2' }],
      },
    ],
  });
  const fullIsr = (label: string, from = all[0]!) =>
    cluster.waitFor(label, 30_000, async () => {
      const topic = (await cluster.metadata(from, [TOPIC]))?.topics[0];
      return (
        topic &&
        topic.partitions.length === PARTITIONS &&
        topic.partitions.every((p) => p.isrNodes.length === 3) &&
        topic
      );
    });
  const initial = await fullIsr('six ISRs of three');

  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  t.teardown(() => producer.disconnect());
  const acked = new Map<number, string[]>();
  const write = async (round: string, count: number) => {
    for (let i = 0; i < count; i++) {
      const messages = Array.from({ length: PARTITIONS }, (_, p) => ({ partition: p, value: `${round}-${i}-${p}` }));
      await producer.send({ topic: TOPIC, acks: -1, messages });
      for (const m of messages) acked.set(m.partition, [...(acked.get(m.partition) ?? []), m.value]);
    }
  };
  await write('a', 30);
  t.pass('30 acks=-1 rounds over six partitions with three fetch loops per leader');

  // A node that follows some partitions (and leads others) is killed and restarted.
  const victim = all.find((n) => n.id !== initial.partitions[0]!.leaderId)!;
  cluster.kill(victim);
  await write('b', 20);
  cluster.spawn(victim);
  const healed = await fullIsr(
    'the restarted node back in every ISR',
    all.find((n) => n !== victim)!,
  );
  t.ok(healed, `node ${victim.id} caught up on ${PARTITIONS} partitions and rejoined every ISR`);

  // kafkajs refuses the cluster default (empty name): set it on each broker, through that broker.
  for (const node of all) {
    const own = new Kafka({
      clientId: 'resize',
      brokers: [`127.0.0.1:${node.port}`],
      logLevel: logLevel.NOTHING,
    }).admin();
    await own.connect();
    await own.alterConfigs({
      validateOnly: false,
      resources: [{ type: 4, name: String(node.id), configEntries: [{ name: 'num.replica.fetchers', value: '1' }] }],
    });
    const described = await own.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: 4, name: String(node.id), configNames: ['num.replica.fetchers'] }],
    });
    await own.disconnect();
    t.equal(described.resources[0]?.configEntries[0]?.configValue, '1', `node ${node.id}: num.replica.fetchers=1`);
  }
  await write('c', 20);
  await fullIsr(
    'every ISR still three after the resize',
    all.find((n) => n !== victim)!,
  );
  t.pass('acks=-1 writes carry on after num.replica.fetchers went to 1 at run time');

  const consumer = kafka.consumer({ groupId: 'replica-fetchers-check' });
  await consumer.connect();
  t.teardown(() => consumer.disconnect());
  await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
  const read = new Map<number, string[]>();
  let total = 0;
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      read.set(partition, [...(read.get(partition) ?? []), message.value?.toString() ?? '']);
      total++;
    },
  });
  const expected = [...acked.values()].reduce((n, v) => n + v.length, 0);
  await cluster.waitFor('every record read', 30_000, async () => total >= expected);
  await consumer.stop();
  for (let p = 0; p < PARTITIONS; p++)
    t.same(read.get(p), acked.get(p), `partition ${p}: every acked record once, in order`);
});
