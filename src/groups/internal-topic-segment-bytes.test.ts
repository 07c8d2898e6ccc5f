/**
 * offsets.topic.segment.bytes and transaction.state.log.segment.bytes become the segment.bytes of
 * __consumer_offsets and __transaction_state when the broker creates them (Kafka's defaults: 100 MiB),
 * as a real client sees with DescribeConfigs (kafkajs): an offset commit creates the one, a
 * transactional producer the other.
 */
import t from 'tap';
import kafkajs from 'kafkajs';
import { brokerFor } from '../../test/helpers/broker.js';
import { startBroker } from '../index.js';

const { ConfigResourceTypes, Kafka, logLevel } = kafkajs;

async function segmentBytes(kafka: InstanceType<typeof Kafka>, topic: string): Promise<string | undefined> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const described = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['segment.bytes'] }],
    });
    return described.resources[0]?.configEntries.find((e) => e.configName === 'segment.bytes')?.configValue;
  } finally {
    await admin.disconnect();
  }
}

async function createInternalTopics(kafka: InstanceType<typeof Kafka>): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'seg', numPartitions: 1 }] });
  await admin.setOffsets({ groupId: 'seg-group', topic: 'seg', partitions: [{ partition: 0, offset: '0' }] });
  await admin.disconnect();
  const producer = kafka.producer({ transactionalId: 'seg-txn', maxInFlightRequests: 1, idempotent: true });
  await producer.connect();
  const txn = await producer.transaction();
  await txn.send({ topic: 'seg', messages: [{ value: 'v' }] });
  await txn.commit();
  await producer.disconnect();
}

t.test('the configured segment sizes', async (t) => {
  const { port } = await brokerFor(t, {
    config: {
      'offsets.topic.num.partitions': 1,
      'transaction.state.log.num.partitions': 1,
      'offsets.topic.segment.bytes': 1048576,
      'transaction.state.log.segment.bytes': 2097152,
    },
  });
  const kafka = new Kafka({ brokers: [`127.0.0.1:${port}`], logLevel: logLevel.NOTHING });
  await createInternalTopics(kafka);
  t.equal(await segmentBytes(kafka, '__consumer_offsets'), '1048576');
  t.equal(await segmentBytes(kafka, '__transaction_state'), '2097152');
});

t.test("Kafka's defaults: 100 MiB", async (t) => {
  const { port } = await brokerFor(t, {
    config: { 'offsets.topic.num.partitions': 1, 'transaction.state.log.num.partitions': 1 },
  });
  const kafka = new Kafka({ brokers: [`127.0.0.1:${port}`], logLevel: logLevel.NOTHING });
  await createInternalTopics(kafka);
  t.equal(await segmentBytes(kafka, '__consumer_offsets'), '104857600');
  t.equal(await segmentBytes(kafka, '__transaction_state'), '104857600');
});

t.test('a bad value stops start-up', async (t) => {
  await t.rejects(startBroker({ config: { 'offsets.topic.segment.bytes': 0 } }), {
    message: 'invalid value for offsets.topic.segment.bytes: "0" (expected an integer ≥ 1)',
  });
});
