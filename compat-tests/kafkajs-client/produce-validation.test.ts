/**
 * Record-level produce validation seen through kafkajs (issue #12 item 5): the issue's
 * corrupt batches (a record whose length lies; gzip, snappy, lz4 and zstd batches with
 * garbage payloads) are refused between kafkajs' own sends, and a kafkajs group
 * consumer reads every message without crashing. Its producer gets INVALID_RECORD
 * (KafkaJSProtocolError) for a keyless message on a compacted topic.
 */
import t from 'tap';
import kafkajs from 'kafkajs';
import { brokerFor } from '../../test/helpers/broker.js';
import { createTopic } from '../../test/helpers/topics.js';
import { rawClient } from '../../test/helpers/raw-client.js';
import { produce } from '../../test/helpers/data-path.js';
import { corruptBatches } from '../../test/helpers/corrupt-batches.js';

const { Kafka, logLevel } = kafkajs;

t.test('a kafkajs consumer reads every message around the refused corrupt batches and does not crash', async (t) => {
  const running = await brokerFor(t);
  createTopic(running, 'around-corrupt');
  const kafka = new Kafka({
    clientId: 'validation',
    brokers: [running.bootstrap],
    logLevel: logLevel.NOTHING,
    retry: { retries: 3, initialRetryTime: 50 },
  });
  const producer = kafka.producer();
  await producer.connect();
  const c = await rawClient(running.port);
  const expected: string[] = [];
  for (const [i, { name, batch, errorCode }] of corruptBatches().entries()) {
    await producer.send({ topic: 'around-corrupt', messages: [{ key: 'k', value: `m${i}` }] });
    expected.push(`m${i}`);
    t.equal((await produce(c, 9, 'around-corrupt', 0, batch)).errorCode, errorCode, `${name} refused`);
  }
  await producer.send({ topic: 'around-corrupt', messages: [{ key: 'k', value: 'last' }] });
  expected.push('last');
  await producer.disconnect();
  c.close();

  const consumer = kafka.consumer({
    groupId: 'validation-group',
    sessionTimeout: 6000,
    heartbeatInterval: 500,
    maxWaitTimeInMs: 200,
  });
  let crashed: unknown = null;
  consumer.on(consumer.events.CRASH, (event) => {
    crashed = event.payload.error;
  });
  const seen: string[] = [];
  let done!: () => void;
  const all = new Promise<void>((resolve) => (done = resolve));
  await consumer.connect();
  await consumer.subscribe({ topic: 'around-corrupt', fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      seen.push(message.value!.toString());
      if (seen.length === expected.length) done();
    },
  });
  const timer = setTimeout(done, 30_000);
  await all;
  clearTimeout(timer);
  await consumer.disconnect();
  t.equal(crashed, null, 'the consumer never crashed');
  t.same(seen, expected, 'every message, in order');
});

t.test('kafkajs: a keyless message to a compacted topic is refused with INVALID_RECORD', async (t) => {
  const running = await brokerFor(t);
  createTopic(running, 'compacted', { configs: { 'cleanup.policy': 'compact' } });
  const kafka = new Kafka({
    clientId: 'validation',
    brokers: [running.bootstrap],
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
  });
  const producer = kafka.producer();
  await producer.connect();
  const refusal = await producer.send({ topic: 'compacted', messages: [{ value: 'no key' }] }).then(
    () => null,
    (error: unknown) => error,
  );
  t.equal(
    refusal instanceof Error && 'type' in refusal ? refusal.type : refusal,
    'INVALID_RECORD',
    'KafkaJSProtocolError INVALID_RECORD',
  );
  await producer.send({ topic: 'compacted', messages: [{ key: 'k', value: 'keyed' }] });
  await producer.disconnect();
  t.equal(running.broker.replicas.get('compacted', 0)!.log.logEndOffset, 1, 'only the keyed message was stored');
});
