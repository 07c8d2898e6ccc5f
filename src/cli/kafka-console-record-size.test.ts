/**
 * A line larger than max.request.size given to kafka-console-producer: as the Java producer, the record
 * fails at once, client side (RecordTooLargeException, "The message is N bytes when serialized which is
 * larger than 1048576, which is the value of the max.request.size configuration.", N the batch size
 * upper bound), logged by ErrorLoggingCallback; the tool reads on and exits 0. Before, the record went to
 * the broker and failed there with Gregor's own MessageTooLargeException text. bin/kafka as a process;
 * kafkajs reads back the line that fitted.
 */
import t from 'tap';
import { CLI_SKIP } from '../../test/helpers/cli.js';
import { brokerWithAdmin, kafkaTool } from '../../test/helpers/kafka-tools.js';

t.test('a record over max.request.size fails in the producer, the next one is sent', { skip: CLI_SKIP }, async (t) => {
  const { b, kafka, admin } = await brokerWithAdmin(t);
  await admin.createTopics({ topics: [{ topic: 'sizes' }], waitForLeaders: true });
  const big = 'x'.repeat(1_100_000);
  const r = await kafkaTool('kafka-console-producer', ['--bootstrap-server', b, '--topic', 'sizes'], `${big}\nsmall\n`);
  t.equal(r.code, 0, 'the tool reads on and exits 0');
  // 61 (batch header) + 21 (record overhead) + 1 (null key) + 4 (varint of the length) + 1100000 + 1 (no headers).
  t.equal(
    r.stderr,
    'ERROR Error when sending message to topic sizes with key: null, value: 1100000 bytes with error: (org.apache.kafka.clients.producer.internals.ErrorLoggingCallback)\n' +
      'org.apache.kafka.common.errors.RecordTooLargeException: The message is 1100088 bytes when serialized which is larger than 1048576, which is the value of the max.request.size configuration.\n',
  );
  const consumer = kafka.consumer({ groupId: 'sizes-check' });
  await consumer.connect();
  t.teardown(() => consumer.disconnect());
  await consumer.subscribe({ topic: 'sizes', fromBeginning: true });
  const value = await new Promise<string>((resolve) => {
    void consumer.run({ eachMessage: async ({ message }) => resolve(message.value?.toString() ?? '') });
  });
  t.equal(value, 'small', 'only the line that fitted was written');
});
