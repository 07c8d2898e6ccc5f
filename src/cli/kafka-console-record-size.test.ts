/**
 * A line larger than max.request.size given to kafka-console-producer: as the Java producer, the record
 * fails at once, client side (RecordTooLargeException, "The message is N bytes when serialized which is
 * larger than 1048576, which is the value of the max.request.size configuration.", N the batch size
 * upper bound), logged by ErrorLoggingCallback; the tool reads on and exits 0. Before, the record went to
 * the broker and failed there with Gregor's own MessageTooLargeException text. bin/kafka as a process;
 * kafkajs reads back the line that fitted. With --sync the same exception ends the tool (exit 1, as
 * ConsoleProducer's send().get()); a record above buffer.memory (--max-memory-bytes or the
 * producer property) fails with the Java producer's other RecordTooLargeException message. Before,
 * --sync sent the record to the broker and buffer.memory was not looked at.
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

t.test('--sync and buffer.memory: the same checks, as the Java producer makes them', { skip: CLI_SKIP }, async (t) => {
  const { b, kafka, admin } = await brokerWithAdmin(t);
  await admin.createTopics({ topics: [{ topic: 'sync-sizes' }], waitForLeaders: true });
  const tool = (args: string[], input: string) =>
    kafkaTool('kafka-console-producer', ['--bootstrap-server', b, '--topic', 'sync-sizes', ...args], input);
  const big = 'x'.repeat(1_100_000);
  const sync = await tool(['--sync'], `${big}\nnever\n`);
  t.equal(sync.code, 1, 'the failure ends the tool');
  t.equal(
    sync.stderr,
    'java.util.concurrent.ExecutionException: org.apache.kafka.common.errors.RecordTooLargeException: The message is 1100088 bytes when serialized which is larger than 1048576, which is the value of the max.request.size configuration.\n',
  );
  // 61 + 21 + 1 (null key) + 2 (varint of 2000) + 2000 + 1 (no headers).
  const overBuffer =
    'The message is 2086 bytes when serialized which is larger than the total memory buffer you have configured with the buffer.memory configuration.';
  const line = 'y'.repeat(2000);
  const flag = await tool(['--max-memory-bytes', '2000'], `${line}\nfits\n`);
  t.equal(flag.code, 0, flag.stderr);
  t.equal(
    flag.stderr,
    'ERROR Error when sending message to topic sync-sizes with key: null, value: 2000 bytes with error: (org.apache.kafka.clients.producer.internals.ErrorLoggingCallback)\n' +
      `org.apache.kafka.common.errors.RecordTooLargeException: ${overBuffer}\n`,
  );
  const property = await tool(['--sync', '--producer-property', 'buffer.memory=2000'], `${line}\n`);
  t.equal(property.code, 1);
  t.equal(
    property.stderr,
    `java.util.concurrent.ExecutionException: org.apache.kafka.common.errors.RecordTooLargeException: ${overBuffer}\n`,
  );
  const consumer = kafka.consumer({ groupId: 'sync-sizes-check' });
  await consumer.connect();
  t.teardown(() => consumer.disconnect());
  await consumer.subscribe({ topic: 'sync-sizes', fromBeginning: true });
  const value = await new Promise<string>((resolve) => {
    void consumer.run({ eachMessage: async ({ message }) => resolve(message.value?.toString() ?? '') });
  });
  t.equal(value, 'fits', 'nothing else was written');
});
