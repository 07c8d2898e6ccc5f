/**
 * A consumer's Fetch (v12+) that names its lastFetchedEpoch is checked for divergence as a follower's
 * is: Kafka's Partition.readRecords does not tell them apart. An epoch that ends here before the
 * fetch offset (after an unclean election's truncation, or an offset past the log end) gets
 * divergingEpoch {epoch, endOffset} and no records, with no error; an epoch newer than the leader's
 * cannot be placed and is OFFSET_OUT_OF_RANGE. Without a lastFetchedEpoch (librdkafka and the Java
 * consumer send -1) nothing changes. Driven by @platformatic/kafka, whose Consumer.fetch() sends the
 * caller's lastFetchedEpoch (and whose consumer stream sends the leader epoch, which must read on).
 * Gregor checked followers only: the consumer got records, or OFFSET_OUT_OF_RANGE past the end.
 */
import t from 'tap';
import '../../compat-tests/platformatic/node20-shim.js';
import { Consumer, stringDeserializers } from '@platformatic/kafka';
import { Kafka, logLevel } from 'kafkajs';
import { brokerFor } from '../../test/helpers/broker.js';

/** The Kafka error names inside a @platformatic/kafka error. */
function protocolErrorIds(e: unknown): string[] {
  const err = e as { apiId?: string; errors?: unknown[] };
  if (typeof err.apiId === 'string') return [err.apiId];
  return (err.errors ?? []).flatMap(protocolErrorIds);
}

t.test("a consumer's lastFetchedEpoch is checked for divergence, as Kafka", async (t) => {
  const { bootstrap } = await brokerFor(t);
  const kafka = new Kafka({ brokers: [bootstrap], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  await admin.createTopics({ topics: [{ topic: 'div', numPartitions: 1 }], waitForLeaders: true });
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic: 'div', messages: ['a', 'b', 'c', 'd', 'e'].map((value) => ({ value })) });
  await producer.disconnect();

  const newConsumer = (): Consumer<string, string, string, string> => {
    const c = new Consumer({
      clientId: 'diverging-epoch',
      bootstrapBrokers: [bootstrap],
      groupId: 'div-group',
      deserializers: stringDeserializers,
    });
    t.teardown(() => c.close(true));
    return c;
  };
  const consumer = newConsumer();
  const metadata = await consumer.metadata({ topics: ['div'] });
  const topic = metadata.topics.get('div')!;
  const leaderEpoch = topic.partitions[0]!.leaderEpoch;
  const fetchAt = async (fetchOffset: number, lastFetchedEpoch: number): Promise<unknown> => {
    let response: Awaited<ReturnType<Consumer<string, string, string, string>['fetch']>>;
    try {
      // A consumer each: one fetch session per question.
      response = await newConsumer().fetch({
        node: topic.partitions[0]!.leader,
        maxWaitTime: 10,
        topics: [
          {
            topicId: topic.id,
            partitions: [
              {
                partition: 0,
                currentLeaderEpoch: leaderEpoch,
                fetchOffset: BigInt(fetchOffset),
                lastFetchedEpoch,
                partitionMaxBytes: 1 << 20,
              },
            ],
          },
        ],
      });
    } catch (e) {
      return protocolErrorIds(e);
    }
    const p = response.responses[0]!.partitions[0]!;
    const diverging = p.divergingEpoch && p.divergingEpoch.epoch >= 0 ? p.divergingEpoch : undefined;
    return diverging
      ? { divergingEpoch: { epoch: diverging.epoch, endOffset: Number(diverging.endOffset) } }
      : { records: (p.records?.length ?? 0) > 0 };
  };
  t.same(await fetchAt(2, leaderEpoch), { records: true }, 'its own epoch, within the log: read');
  t.same(
    await fetchAt(100, leaderEpoch),
    { divergingEpoch: { epoch: leaderEpoch, endOffset: 5 } },
    'past the end of its epoch: told where the epoch ends',
  );
  t.same(await fetchAt(2, leaderEpoch + 3), ['OFFSET_OUT_OF_RANGE'], 'an epoch newer than the leader');
  t.same(await fetchAt(100, -1), ['OFFSET_OUT_OF_RANGE'], 'no epoch, past the end: as before');
  t.same(await fetchAt(0, -1), { records: true }, 'no epoch: read as before');

  const stream = await consumer.consume({ topics: ['div'], mode: 'earliest', autocommit: false, maxWaitTime: 100 });
  const values: string[] = [];
  for await (const message of stream) {
    values.push(message.value);
    if (values.length === 5) break;
  }
  await stream.close();
  t.same(values, ['a', 'b', 'c', 'd', 'e'], 'its consumer stream (lastFetchedEpoch = the leader epoch) reads on');
});
