/**
 * Cross-client: messages produced by one client and consumed by another arrive with
 * identical keys, values, headers and timestamps. kafkajs → kcat, kafkajs →
 * confluent-kafka, kcat → kafkajs (consumer group), kafka-python → kcat.
 * Each pair skips when its external client is not installed.
 */
import t from 'tap';
import { Kafka, logLevel } from 'kafkajs';
import { brokerFor } from '../../test/helpers/broker.js';
import { DEBIAN_PYTHON, hasCommand, hasPythonModule, run } from '../../test/helpers/external.js';

const kcat = hasCommand('kcat');
const confluent = hasPythonModule('confluent_kafka');
const kafkaPython = hasPythonModule('kafka');

const expected = Array.from({ length: 10 }, (_, i) => ({
  key: `k${i}`,
  value: `v${i}`,
  header: `h${i}`,
  timestamp: 1_700_000_000_000 + i,
}));

async function produceWithKafkajs(bootstrap: string, topic: string): Promise<void> {
  const producer = new Kafka({ brokers: [bootstrap], logLevel: logLevel.NOTHING }).producer();
  await producer.connect();
  await producer.send({
    topic,
    messages: expected.map((m) => ({
      key: m.key,
      value: m.value,
      headers: { x: m.header },
      timestamp: String(m.timestamp),
      partition: 0,
    })),
  });
  await producer.disconnect();
}

t.test('kafkajs → kcat', { skip: kcat ? false : 'kcat is not installed' }, async (t) => {
  const { bootstrap } = await brokerFor(t);
  await produceWithKafkajs(bootstrap, 'js-to-kcat');
  const out = await run('kcat', [
    '-C',
    '-b',
    bootstrap,
    '-t',
    'js-to-kcat',
    '-p',
    '0',
    '-o',
    'beginning',
    '-e',
    '-f',
    '%k|%s|%h|%T\\n',
  ]);
  t.equal(out.code, 0, out.stderr);
  t.same(
    out.stdout.trim().split('\n'),
    expected.map((m) => `${m.key}|${m.value}|x=${m.header}|${m.timestamp}`),
  );
});

t.test(
  'kafkajs → confluent-kafka',
  { skip: confluent ? false : 'python3-confluent-kafka is not installed' },
  async (t) => {
    const { bootstrap } = await brokerFor(t);
    await produceWithKafkajs(bootstrap, 'js-to-ck');
    const script = [
      'import json,sys',
      'from confluent_kafka import Consumer, TopicPartition',
      `c=Consumer({"bootstrap.servers":"${bootstrap}","group.id":"x","enable.auto.commit":False})`,
      'c.assign([TopicPartition("js-to-ck",0,0)])',
      'for _ in range(10):',
      '    m=c.poll(10)',
      '    if m is None or m.error(): sys.exit(str(m and m.error()))',
      '    print(json.dumps([m.key().decode(),m.value().decode(),m.headers()[0][1].decode(),m.timestamp()[1]]))',
      'c.close()',
    ].join('\n');
    const out = await run(DEBIAN_PYTHON, ['-c', script], { timeoutMs: 60_000 });
    t.equal(out.code, 0, out.stderr);
    t.same(
      out.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as unknown),
      expected.map((m) => [m.key, m.value, m.header, m.timestamp]),
    );
  },
);

t.test('kcat → kafkajs consumer group', { skip: kcat ? false : 'kcat is not installed' }, async (t) => {
  const { bootstrap } = await brokerFor(t);
  const input = expected.map((m) => `${m.key}:${m.value}`).join('\n') + '\n';
  const produced = await run(
    'kcat',
    ['-P', '-b', bootstrap, '-t', 'kcat-to-js', '-p', '0', '-K', ':', '-H', 'x=same'],
    { input },
  );
  t.equal(produced.code, 0, produced.stderr);
  const consumer = new Kafka({ brokers: [bootstrap], logLevel: logLevel.NOTHING }).consumer({ groupId: 'cross' });
  await consumer.connect();
  await consumer.subscribe({ topic: 'kcat-to-js', fromBeginning: true });
  const got: string[] = [];
  await new Promise<void>((resolve, reject) => {
    consumer
      .run({
        eachMessage: async ({ message }) => {
          got.push(`${message.key?.toString()}:${message.value?.toString()}:${message.headers?.x?.toString()}`);
          if (got.length === expected.length) resolve();
        },
      })
      .catch(reject);
  });
  await consumer.disconnect();
  t.same(
    got,
    expected.map((m) => `${m.key}:${m.value}:same`),
  );
});

t.test(
  'kafka-python → kcat',
  { skip: kafkaPython && kcat ? false : 'python3-kafka or kcat is not installed' },
  async (t) => {
    const { bootstrap } = await brokerFor(t);
    const script = [
      'from kafka import KafkaProducer',
      `p=KafkaProducer(bootstrap_servers="${bootstrap}")`,
      ...expected.map(
        (m) =>
          `p.send("py-to-kcat", key=b"${m.key}", value=b"${m.value}", headers=[("x", b"${m.header}")], partition=0, timestamp_ms=${m.timestamp})`,
      ),
      'p.flush(15)',
      'p.close()',
    ].join('\n');
    const produced = await run(DEBIAN_PYTHON, ['-c', script], { timeoutMs: 60_000 });
    t.equal(produced.code, 0, produced.stderr);
    const out = await run('kcat', [
      '-C',
      '-b',
      bootstrap,
      '-t',
      'py-to-kcat',
      '-p',
      '0',
      '-o',
      'beginning',
      '-e',
      '-f',
      '%k|%s|%h|%T\\n',
    ]);
    t.same(
      out.stdout.trim().split('\n'),
      expected.map((m) => `${m.key}|${m.value}|x=${m.header}|${m.timestamp}`),
    );
  },
);
