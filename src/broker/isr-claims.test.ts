/**
 * Three nodes, a topic with three replicas: until followers fetch, every node reports the leader
 * alone in the ISR (Metadata, DescribeTopicPartitions through kafkajs), and kafkajs producing with
 * acks=-1 gets NOT_ENOUGH_REPLICAS when min.insync.replicas (topic or broker) is above 1, before
 * anything is appended; acks=1, and acks=-1 with min.insync.replicas=1, are served.
 */
import t from 'tap';
import { Kafka, logLevel } from 'kafkajs';
import { eventually, threeNodeCluster } from '../../test/helpers/in-process-cluster.js';

t.test('the ISR is the leader alone and acks=-1 respects min.insync.replicas', async (t) => {
  const nodes = await threeNodeCluster(t, { 'min.insync.replicas': 2 });
  const kafka = new Kafka({ clientId: 'isr-claims', brokers: nodes.map((n) => n.bootstrap), logLevel: logLevel.NOTHING, retry: { retries: 0 } });
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  await admin.createTopics({
    topics: [
      { topic: 'strict', numPartitions: 3, replicationFactor: 3 },
      { topic: 'lenient', numPartitions: 1, replicationFactor: 3, configEntries: [{ name: 'min.insync.replicas', value: '1' }] },
      { topic: 'topic-strict', numPartitions: 1, replicationFactor: 1, configEntries: [{ name: 'min.insync.replicas', value: '2' }] },
    ],
  });
  await eventually('the topics on every node', 10000, () => nodes.every((n) => n.broker.controller.image.topicsByName.has('topic-strict')));

  const metadata = await admin.fetchTopicMetadata({ topics: ['strict'] });
  for (const p of metadata.topics[0]!.partitions) {
    t.equal(p.replicas.length, 3, `partition ${p.partitionId}: three replicas`);
    t.same(p.isr, [p.leader], `partition ${p.partitionId}: Metadata reports the leader alone in sync`);
  }
  for (const node of nodes) {
    const partitions = [...node.broker.controller.image.topicsByName.get('strict')!.partitions.values()];
    t.ok(partitions.every((p) => p.isr.length === 1 && p.isr[0] === p.leader), `node ${node.broker.nodeId} image agrees`);
  }

  const producer = kafka.producer({ allowAutoTopicCreation: false, retry: { retries: 0 } });
  await producer.connect();
  t.teardown(() => producer.disconnect());
  const refusal = await producer.send({ topic: 'strict', acks: -1, messages: [{ partition: 0, value: 'never' }] }).then(
    () => null,
    (error: unknown) => error,
  );
  t.match(refusal, { cause: { type: 'NOT_ENOUGH_REPLICAS' } }, 'broker min.insync.replicas=2 with ISR 1: NOT_ENOUGH_REPLICAS');
  const topicRefusal = await producer.send({ topic: 'topic-strict', acks: -1, messages: [{ value: 'never' }] }).then(
    () => null,
    (error: unknown) => error,
  );
  t.match(topicRefusal, { cause: { type: 'NOT_ENOUGH_REPLICAS' } }, 'topic min.insync.replicas=2 with ISR 1: NOT_ENOUGH_REPLICAS');

  const [one] = await producer.send({ topic: 'strict', acks: 1, messages: [{ partition: 0, value: 'acks-1' }] });
  t.equal(one?.baseOffset, '0', 'acks=1 is served, and the refused write was not appended');
  const [all] = await producer.send({ topic: 'lenient', acks: -1, messages: [{ value: 'acks-all' }] });
  t.equal(all?.errorCode, 0, 'acks=-1 with min.insync.replicas=1 is served');
});
