/**
 * kafkajs admin.deleteTopicRecords against the topics Kafka will not delete records of: a
 * compact-only topic answers POLICY_VIOLATION and an internal topic INVALID_TOPIC_EXCEPTION, with
 * their records left in place; a topic with cleanup.policy=compact,delete is trimmed as usual.
 */
import t from 'tap';
import { Kafka, logLevel } from 'kafkajs';
import { brokerFor } from '../../test/helpers/broker.js';

interface DeleteRecordsFailure {
  partitions?: Array<{ error?: { type?: string } }>;
  /** The retrier's KafkaJSNonRetriableError keeps the KafkaJSDeleteTopicRecordsError here. */
  cause?: DeleteRecordsFailure;
}

t.test('deleteTopicRecords: refused by cleanup policy and on internal topics, as Kafka', async (t) => {
  const running = await brokerFor(t);
  const kafka = new Kafka({ brokers: [running.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 2 } });
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  await admin.createTopics({
    topics: [
      { topic: 'compact-only', configEntries: [{ name: 'cleanup.policy', value: 'compact' }] },
      { topic: 'compact-delete', configEntries: [{ name: 'cleanup.policy', value: 'compact,delete' }] },
    ],
  });
  const producer = kafka.producer();
  await producer.connect();
  for (const topic of ['compact-only', 'compact-delete'])
    await producer.send({ topic, messages: [0, 1, 2].map((i) => ({ key: `k${i}`, value: `v${i}` })) });
  // A group commit creates __consumer_offsets.
  await admin.setOffsets({ groupId: 'g', topic: 'compact-delete', partitions: [{ partition: 0, offset: '0' }] });
  await producer.disconnect();

  const refusal = async (topic: string): Promise<string | undefined> => {
    // kafkajs finds the leader in its metadata cache only: fetchTopicOffsets puts the topic there.
    await admin.fetchTopicOffsets(topic);
    try {
      await admin.deleteTopicRecords({ topic, partitions: [{ partition: 0, offset: '2' }] });
      return 'deleted';
    } catch (err) {
      const failure = err as DeleteRecordsFailure;
      return (failure.partitions ?? failure.cause?.partitions)?.[0]?.error?.type;
    }
  };
  t.equal(await refusal('compact-only'), 'POLICY_VIOLATION');
  t.same(
    (await admin.fetchTopicOffsets('compact-only')).map((p) => [p.low, p.high]),
    [['0', '3']],
    'nothing deleted',
  );
  t.equal(await refusal('__consumer_offsets'), 'INVALID_TOPIC_EXCEPTION');
  t.equal(await refusal('compact-delete'), 'deleted');
  t.same(
    (await admin.fetchTopicOffsets('compact-delete')).map((p) => [p.low, p.high]),
    [['2', '3']],
  );
});
