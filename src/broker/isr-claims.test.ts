/**
 * Three nodes: the ISR never names a replica that does not hold the data (every in-sync follower's
 * log reaches the leader's high watermark), and kafkajs producing with acks=-1 is served when
 * min.insync.replicas (topic or broker) is above the replication factor: Kafka 3.9 caps it at the
 * factor (Partition.effectiveMinIsr; NOT_ENOUGH_REPLICAS below it is in
 * src/broker/under-min-isr-processes.test.ts); acks=1 is served.
 */
import t from 'tap';
import { Kafka, logLevel } from 'kafkajs';
import { eventually, threeNodeCluster } from '../../test/helpers/in-process-cluster.js';

t.test('the ISR holds the data and acks=-1 respects min.insync.replicas', async (t) => {
  const nodes = await threeNodeCluster(t, { 'min.insync.replicas': 2, 'replica.fetch.wait.max.ms': 100 });
  const kafka = new Kafka({
    clientId: 'isr-claims',
    brokers: nodes.map((n) => n.bootstrap),
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
  });
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  await admin.createTopics({
    topics: [
      { topic: 'single', numPartitions: 1, replicationFactor: 1 },
      {
        topic: 'pair',
        numPartitions: 1,
        replicationFactor: 2,
        configEntries: [{ name: 'min.insync.replicas', value: '3' }],
      },
      {
        topic: 'rf3',
        numPartitions: 3,
        replicationFactor: 3,
        configEntries: [{ name: 'min.insync.replicas', value: '1' }],
      },
    ],
  });
  await eventually('the topics on every node', 10000, () =>
    nodes.every((n) => n.broker.controller.image.topicsByName.has('rf3')),
  );

  const created = await admin.fetchTopicMetadata({ topics: ['rf3'] });
  for (const p of created.topics[0]!.partitions)
    t.equal(p.replicas.length, 3, `partition ${p.partitionId}: three replicas`);

  const producer = kafka.producer({ allowAutoTopicCreation: false, retry: { retries: 0 } });
  await producer.connect();
  t.teardown(() => producer.disconnect());
  const [all] = await producer.send({ topic: 'single', acks: -1, messages: [{ value: 'acks-all' }] });
  t.equal(all?.errorCode, 0, 'broker min.insync.replicas=2, one replica: served (effective minimum 1)');
  await eventually('the pair in sync', 20000, () =>
    nodes.every((n) => n.broker.controller.image.topicsByName.get('pair')?.partitions.get(0)?.isr.length === 2),
  );
  const [pair] = await producer.send({ topic: 'pair', acks: -1, messages: [{ value: 'acks-all' }] });
  t.equal(pair?.errorCode, 0, 'topic min.insync.replicas=3, two replicas in sync: served (effective minimum 2)');
  const [one] = await producer.send({ topic: 'single', acks: 1, messages: [{ value: 'acks-1' }] });
  t.equal(one?.baseOffset, '1', 'acks=1 is served after it');

  for (let i = 0; i < 10; i++)
    await producer.send({ topic: 'rf3', acks: 1, messages: [{ partition: i % 3, value: `v${i}` }] });
  // Whatever the ISR says at any moment, each member holds the leader's high watermark.
  for (let check = 0; check < 20; check++) {
    const metadata = await admin.fetchTopicMetadata({ topics: ['rf3'] });
    for (const p of metadata.topics[0]!.partitions) {
      const leader = nodes.find((n) => n.broker.nodeId === p.leader)!.broker.replicas.get('rf3', p.partitionId)!;
      for (const member of p.isr) {
        const replica = nodes.find((n) => n.broker.nodeId === member)!.broker.replicas.get('rf3', p.partitionId)!;
        if (replica.log.logEndOffset < leader.highWatermark)
          t.fail(
            `partition ${p.partitionId}: ISR member ${member} ends at ${replica.log.logEndOffset}, below the high watermark ${leader.highWatermark}`,
          );
      }
    }
  }
  await eventually('every follower in sync', 20000, () =>
    nodes.every((n) =>
      [0, 1, 2].every((i) => n.broker.controller.image.topicsByName.get('rf3')!.partitions.get(i)!.isr.length === 3),
    ),
  );
  t.pass('followers that caught up joined the ISR');
});
