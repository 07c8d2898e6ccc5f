/**
 * Committed offsets of a deleted topic are deleted with it, as Kafka's group coordinator does
 * (BrokerMetadataPublisher → GroupCoordinator.onPartitionsDeleted writes an offset tombstone
 * for every group's committed offset on the topic's partitions). Without that, a topic
 * recreated under the same name would be read from the old topic's offsets, silently skipping
 * its first records. kafkajs commits, the topic is deleted and recreated, and a consumer of the
 * same group reads every new record; the other topic's offsets stay.
 */
import t from 'tap';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { brokerFor } from '../../test/helpers/broker.js';

/** Polls a condition every 20 ms until it holds or `ms` pass. */
async function waitFor(condition: () => boolean | Promise<boolean>, what: string, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

t.test('a deleted topic takes its committed offsets with it; a recreated one is read from its start', async (t) => {
  t.setTimeout(60_000);
  const running = await brokerFor(t, { config: { 'group.initial.rebalance.delay.ms': 0 } });
  const kafka = new Kafka({
    clientId: 'offsets-deleted',
    brokers: [running.bootstrap],
    logLevel: logLevel.NOTHING,
    retry: { retries: 8, initialRetryTime: 50 },
  });
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  await admin.createTopics({ topics: [{ topic: 'doomed' }, { topic: 'kept' }], waitForLeaders: true });
  await admin.setOffsets({ groupId: 'g', topic: 'doomed', partitions: [{ partition: 0, offset: '7' }] });
  await admin.setOffsets({ groupId: 'g', topic: 'kept', partitions: [{ partition: 0, offset: '5' }] });
  // Every committed offset of the group (OffsetFetch for all topics: a deleted topic has no metadata).
  const offsetsOf = async (topic: string): Promise<string | undefined> =>
    (await admin.fetchOffsets({ groupId: 'g' })).find((o) => o.topic === topic)?.partitions[0]?.offset;
  t.equal(await offsetsOf('doomed'), '7', 'committed before the deletion');

  await admin.deleteTopics({ topics: ['doomed'] });
  await waitFor(async () => (await offsetsOf('doomed')) === undefined, 'the offset of the deleted topic to go', 5000);
  t.equal(await offsetsOf('doomed'), undefined, 'no committed offset left for the deleted topic');
  t.equal(await offsetsOf('kept'), '5', 'the other topic keeps its offset');

  await admin.createTopics({ topics: [{ topic: 'doomed' }], waitForLeaders: true });
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  t.teardown(() => producer.disconnect());
  const values = Array.from({ length: 10 }, (_, i) => `new-${i}`);
  await producer.send({ topic: 'doomed', messages: values.map((value) => ({ value })) });

  const consumer = kafka.consumer({ groupId: 'g', sessionTimeout: 6000, heartbeatInterval: 500, maxWaitTimeInMs: 200 });
  await consumer.connect();
  t.teardown(() => consumer.disconnect());
  await consumer.subscribe({ topics: ['doomed'], fromBeginning: true });
  const seen: string[] = [];
  await consumer.run({
    eachMessage: async ({ message }) => {
      seen.push(message.value?.toString() ?? '');
    },
  });
  await waitFor(() => seen.length >= values.length, 'the recreated topic to be read');
  t.same(seen, values, 'every record of the recreated topic, from offset 0 (not from the old offset 7)');
});
