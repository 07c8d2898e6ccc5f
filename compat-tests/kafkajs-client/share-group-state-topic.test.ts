/**
 * `__share_group_state` is one of Kafka 3.9's internal topics (Topic.INTERNAL_TOPICS) although
 * neither Kafka 3.9 with share groups off nor Gregor creates it: a topic a user creates under that
 * name is flagged internal in Metadata, and clients' appends to it are refused with
 * INVALID_TOPIC_EXCEPTION (ReplicaManager's "Cannot append to internal topic").
 */
import t from 'tap';
import { Kafka, logLevel } from 'kafkajs';
import { brokerFor } from '../../test/helpers/broker.js';
import { rawClient } from '../../test/helpers/raw-client.js';
import { ZERO_UUID } from '../../protocol/primitives/index.js';
import { defaultMetadataRequest, MetadataApi } from '../../protocol/generated/messages/03-metadata.js';

t.test('__share_group_state: internal in Metadata, closed to producers', async (t) => {
  const running = await brokerFor(t);
  const kafka = new Kafka({ brokers: [running.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 1 } });
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  t.ok(await admin.createTopics({ topics: [{ topic: '__share_group_state', numPartitions: 1 }] }));

  const raw = await rawClient(running.port);
  t.teardown(() => raw.close());
  const metadata = await raw.call(MetadataApi, 12, {
    ...defaultMetadataRequest(),
    topics: [{ topicId: ZERO_UUID, name: '__share_group_state' }],
  });
  t.same(
    metadata.topics.map((topic) => [topic.name, topic.errorCode, topic.isInternal]),
    [['__share_group_state', 0, true]],
    'Metadata flags it internal',
  );

  const producer = kafka.producer({ retry: { retries: 0 } });
  await producer.connect();
  t.teardown(() => producer.disconnect());
  const error = await producer.send({ topic: '__share_group_state', messages: [{ value: 'x' }] }).then(
    () => undefined,
    (err: unknown) => err as { type?: string; cause?: { type?: string } },
  );
  t.equal(error?.type ?? error?.cause?.type, 'INVALID_TOPIC_EXCEPTION', 'the append is refused');
  t.same(
    (await admin.fetchTopicOffsets('__share_group_state')).map((p) => p.high),
    ['0'],
    'nothing was written',
  );
});
