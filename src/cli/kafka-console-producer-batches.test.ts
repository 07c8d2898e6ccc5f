/**
 * kafka-console-producer cuts its batches as the Java producer does, by batch.size bytes a partition
 * (--batch-size, --max-partition-memory-bytes, batch.size; 16384), so a file of 1 KiB lines piped in
 * is written whole: before, up to 1000 lines went in one batch, over the broker's 1 MB message.max.bytes,
 * and all 1000 were lost with MESSAGE_TOO_LARGE. A refused batch is logged a record at a time, as
 * ErrorLoggingCallback: each record's key and value sizes and the exception the Java producer gives it
 * (a record error's own message; RecordTooLargeException with Kafka's text, the broker sending no
 * message for it as Kafka's does). kafkajs reads back what was written.
 */
import t from 'tap';
import type { Admin } from 'kafkajs';
import { CLI_SKIP } from '../../test/helpers/cli.js';
import { gregorInProcess } from '../../test/helpers/cli-in-process.js';
import { brokerWithAdmin, kafkaTool } from '../../test/helpers/kafka-tools.js';

const ERROR_LINE = (topic: string, key: string, value: string): string =>
  `ERROR Error when sending message to topic ${topic} with key: ${key}, value: ${value} with error: (org.apache.kafka.clients.producer.internals.ErrorLoggingCallback)\n`;

async function endOffset(admin: Admin, topic: string): Promise<string> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return offsets.map((o) => o.high).join(',');
}

const producer = (b: string, topic: string, extra: string[] = []): string[] => [
  'kafka-console-producer',
  '--bootstrap-server',
  b,
  '--topic',
  topic,
  ...extra,
];

t.test('1500 lines of 1.1 KB piped in are all written (the binary)', { skip: CLI_SKIP }, async (t) => {
  const { b, admin } = await brokerWithAdmin(t);
  await admin.createTopics({ topics: [{ topic: 'bulk' }], waitForLeaders: true });
  const lines = Array.from({ length: 1500 }, (_, i) => `${String(i).padStart(5, '0')}${'x'.repeat(1100)}`);
  const r = await kafkaTool(
    'kafka-console-producer',
    ['--bootstrap-server', b, '--topic', 'bulk'],
    lines.join('\n') + '\n',
  );
  t.equal(r.stderr, '', 'no record failed');
  t.equal(r.code, 0);
  t.equal(await endOffset(admin, 'bulk'), '1500', 'every line is in the log');
});

t.test('batch.size is honoured: records that fit the topic one by one are written', async (t) => {
  const { b, admin } = await brokerWithAdmin(t);
  await admin.createTopics({
    topics: [{ topic: 'small', configEntries: [{ name: 'max.message.bytes', value: '200' }] }],
    waitForLeaders: true,
  });
  const four = ['1', '2', '3', '4'].map((c) => c.repeat(100)).join('\n') + '\n';
  for (const extra of [
    ['--batch-size', '100'],
    ['--max-partition-memory-bytes', '100'],
    ['--producer-property', 'batch.size=100'],
  ]) {
    const r = await gregorInProcess(producer(b, 'small', extra), { input: four });
    t.equal(r.stderr, '', `${extra.join(' ')}: no record failed`);
  }
  t.equal(await endOffset(admin, 'small'), '12', 'a batch a record: all of them fit');
  const r = await gregorInProcess(producer(b, 'small', ['--producer-property', 'batch.size=x']), { input: four });
  t.equal(r.code, 1);
  t.match(r.stderr, 'Invalid value x for configuration batch.size');
});

t.test('a refused batch is logged record by record, with the exception Java gives each', async (t) => {
  const { b, admin } = await brokerWithAdmin(t);
  await admin.createTopics({
    topics: [
      { topic: 'small', configEntries: [{ name: 'max.message.bytes', value: '200' }] },
      { topic: 'compacted', configEntries: [{ name: 'cleanup.policy', value: 'compact' }] },
    ],
    waitForLeaders: true,
  });
  const big = await gregorInProcess(producer(b, 'small'), { input: `${'a'.repeat(500)}\n` });
  t.equal(big.code, 0);
  t.equal(
    big.stderr,
    ERROR_LINE('small', 'null', '500 bytes') +
      'org.apache.kafka.common.errors.RecordTooLargeException: The request included a message larger than the max message size the server will accept.\n',
  );
  const keyless = await gregorInProcess(producer(b, 'compacted'), { input: 'a\nbb\nccc\n' });
  t.equal(keyless.code, 0);
  const invalid =
    'org.apache.kafka.common.errors.InvalidRecordException: Compacted topic cannot accept message without key in topic partition compacted-0.\n';
  t.equal(
    keyless.stderr,
    ERROR_LINE('compacted', 'null', '1 bytes') +
      invalid +
      ERROR_LINE('compacted', 'null', '2 bytes') +
      invalid +
      ERROR_LINE('compacted', 'null', '3 bytes') +
      invalid,
  );
  const sync = await gregorInProcess(producer(b, 'compacted', ['--sync']), { input: 'a\n' });
  t.equal(sync.code, 1);
  t.equal(sync.stderr, `java.util.concurrent.ExecutionException: ${invalid}`);
  t.equal(await endOffset(admin, 'compacted'), '0', 'nothing was written');
});
