/**
 * A topic with compression.type=zstd is refused to consumers' Fetch below v10 (the first version
 * that allows zstd): Kafka's KafkaApis answers the partition UNSUPPORTED_COMPRESSION_TYPE with -1
 * offsets and no records, whatever the data, before any down-conversion. Fetch v10+ reads it; a
 * topic left at compression.type=producer is read by every version (zstd batches in it are only
 * refused where they must be down-converted). sarama 1.22 (Fetch v4) meets this on Kafka 3.9.
 */
import t from 'tap';
import { Kafka, logLevel } from 'kafkajs';
import { brokerFor } from '../../test/helpers/broker.js';
import { rawClient } from '../../test/helpers/raw-client.js';
import {
  CreateTopicsApi,
  defaultCreateTopicsRequestCreatableTopic,
} from '../../protocol/generated/messages/19-create-topics.js';
import {
  FetchApi,
  defaultFetchRequest,
  defaultFetchRequestFetchPartition,
} from '../../protocol/generated/messages/01-fetch.js';

t.test('Fetch below v10 of a compression.type=zstd topic is UNSUPPORTED_COMPRESSION_TYPE', async (t) => {
  const { port, bootstrap } = await brokerFor(t);
  const c = await rawClient(port);
  t.teardown(() => c.close());
  const created = await c.call(CreateTopicsApi, 4, {
    topics: [
      {
        ...defaultCreateTopicsRequestCreatableTopic(),
        name: 'zstd-topic',
        numPartitions: 1,
        replicationFactor: 1,
        configs: [{ name: 'compression.type', value: 'zstd' }],
      },
      { ...defaultCreateTopicsRequestCreatableTopic(), name: 'plain-topic', numPartitions: 1, replicationFactor: 1 },
    ],
    timeoutMs: 5000,
    validateOnly: false,
  });
  t.same(
    created.topics.map((x) => x.errorCode),
    [0, 0],
  );
  const producer = new Kafka({ brokers: [bootstrap], logLevel: logLevel.NOTHING }).producer();
  await producer.connect();
  t.teardown(() => producer.disconnect());
  for (const topic of ['zstd-topic', 'plain-topic']) await producer.send({ topic, messages: [{ value: 'v' }] });

  const fetch = async (version: number, topic: string) => {
    const res = await c.call(FetchApi, version, {
      ...defaultFetchRequest(),
      topics: [
        {
          topic,
          topicId: '',
          partitions: [{ ...defaultFetchRequestFetchPartition(), partitionMaxBytes: 1 << 20 }],
        },
      ],
    });
    const p = res.responses[0]!.partitions[0]!;
    return { errorCode: p.errorCode, highWatermark: p.highWatermark, bytes: p.records?.length ?? 0 };
  };
  for (const version of [0, 3, 4, 9]) {
    t.same(await fetch(version, 'zstd-topic'), { errorCode: 76, highWatermark: -1n, bytes: 0 }, `v${version}: refused`);
    const plain = await fetch(version, 'plain-topic');
    t.equal(plain.errorCode, 0, `v${version}: a compression.type=producer topic is read`);
    t.ok(plain.bytes > 0, `v${version}: with its records`);
  }
  for (const version of [10, 12]) {
    const r = await fetch(version, 'zstd-topic');
    t.equal(r.errorCode, 0, `v${version}: the zstd topic is read`);
    t.equal(r.highWatermark, 1n);
    t.ok(r.bytes > 0, `v${version}: with its records`);
  }
});
