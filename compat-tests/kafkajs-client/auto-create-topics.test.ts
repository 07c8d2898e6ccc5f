/**
 * Issue #16 item 1, what a kafkajs user sees with topic auto-creation (README, "Compatibility
 * notes"). Gregor answers a Metadata that starts an auto-creation as KRaft Kafka does: the topic
 * with UNKNOWN_TOPIC_OR_PARTITION and no partitions, the topic itself on a later Metadata
 * (ZooKeeper-mode Kafka answered LEADER_NOT_AVAILABLE, which kafkajs's BrokerPool retries at once).
 * - `producer.send` to a missing topic succeeds: kafkajs retries the retriable error.
 * - `consumer.subscribe` to a missing topic rejects with "This server does not host this
 *   topic-partition" (kafkajs does not retry there), and the topic is created meanwhile: the same
 *   subscribe again succeeds. The fix for users: create topics first, or retry subscribe.
 */
import t from 'tap';
import kafkajs from 'kafkajs';
import { brokerFor } from '../../test/helpers/broker.js';

const { Kafka, logLevel } = kafkajs;

t.test('kafkajs and auto-creation: send retries, subscribe to a missing topic fails once', async (t) => {
  const running = await brokerFor(t, { config: { 'auto.create.topics.enable': true } });
  const kafka = new Kafka({
    brokers: [running.bootstrap],
    logLevel: logLevel.NOTHING,
    clientId: 'auto-create',
    retry: { retries: 8, initialRetryTime: 50 },
  });

  const producer = kafka.producer({ allowAutoTopicCreation: true });
  await producer.connect();
  t.teardown(() => producer.disconnect());
  const [sent] = await producer.send({ topic: 'created-by-send', messages: [{ value: 'v' }] });
  t.equal(sent?.errorCode, 0, 'producer.send to a missing topic succeeds (kafkajs retries)');

  const consumer = kafka.consumer({ groupId: 'auto-create-group' });
  await consumer.connect();
  t.teardown(() => consumer.disconnect());
  const first = await consumer.subscribe({ topic: 'created-by-subscribe' }).then(
    () => null,
    (error: unknown) => error as { type?: string; message?: string },
  );
  t.equal(first?.type, 'UNKNOWN_TOPIC_OR_PARTITION', 'the first subscribe rejects (KRaft Kafka answers the same)');
  t.match(first?.message ?? '', /does not host this topic-partition/);
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  const deadline = Date.now() + 10_000;
  while (!(await admin.listTopics()).includes('created-by-subscribe') && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 50));
  await t.resolves(consumer.subscribe({ topic: 'created-by-subscribe' }), 'the same subscribe again succeeds');
});
