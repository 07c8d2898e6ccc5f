/**
 * Producing to a topic that does not exist yet, with auto.create.topics.enable on (the default),
 * from every installed client: kcat (librdkafka 2.0.2), python3-confluent-kafka (the same
 * librdkafka), kafka-python and kafkajs. The Metadata that starts the creation is answered with
 * UNKNOWN_TOPIC_OR_PARTITION and no partitions, as KRaft Kafka does; each client retries and its
 * records land. Each client is skipped when it is not installed. `__cluster_metadata` (the metadata
 * log's name) is never auto-created, as on Kafka: kcat's delivery fails and the log stays metadata.
 */
import t from 'tap';
import { Kafka, logLevel } from 'kafkajs';
import { brokerFor } from '../../test/helpers/broker.js';
import { DEBIAN_PYTHON, hasCommand, hasPythonModule, run } from '../../test/helpers/external.js';
import type { RunningBroker } from '../../src/index.js';

const CONFLUENT_PRODUCE = `
import sys
from confluent_kafka import Producer
p = Producer({'bootstrap.servers': sys.argv[1]})
errors = []
for i in range(5):
    p.produce(sys.argv[2], key=b'k%d' % i, value=b'v%d' % i, on_delivery=lambda err, msg: errors.append(err) if err else None)
left = p.flush(60)
print('left=%d errors=%d' % (left, len(errors)))
sys.exit(1 if left or errors else 0)
`;

const KAFKA_PYTHON_PRODUCE = `
import sys
from kafka import KafkaProducer
p = KafkaProducer(bootstrap_servers=sys.argv[1])
futures = [p.send(sys.argv[2], key=b'k%d' % i, value=b'v%d' % i) for i in range(5)]
offsets = [f.get(timeout=60).offset for f in futures]
p.close()
print('offsets=%s' % offsets)
`;

/** The log end offset of partition 0 of a topic on this broker, or -1 when it does not exist. */
function recordCount(broker: RunningBroker, topic: string): number {
  const partition = broker.broker.replicas.get(topic, 0);
  return partition ? partition.log.logEndOffset : -1;
}

t.test('producers to a topic that does not exist yet: the topic is created and the records land', async (t) => {
  t.setTimeout(180_000);
  const running = await brokerFor(t);
  const { bootstrap } = running;

  await t.test('kcat -P', { skip: hasCommand('kcat') ? false : 'kcat is not installed' }, async (t) => {
    const produced = await run('kcat', ['-P', '-b', bootstrap, '-t', 'auto-kcat', '-K', ':'], {
      input: 'a:1\nb:2\nc:3\n',
      timeoutMs: 60_000,
    });
    t.equal(produced.code, 0, `kcat exits 0 ${produced.stderr}`);
    t.equal(recordCount(running, 'auto-kcat'), 3, 'three records in the created topic');
  });

  await t.test(
    'python3-confluent-kafka',
    { skip: hasPythonModule('confluent_kafka') ? false : 'python3-confluent-kafka is not installed' },
    async (t) => {
      const r = await run(DEBIAN_PYTHON, ['-c', CONFLUENT_PRODUCE, bootstrap, 'auto-confluent'], { timeoutMs: 90_000 });
      t.equal(r.code, 0, `every message delivered: ${r.stdout} ${r.stderr}`);
      t.equal(recordCount(running, 'auto-confluent'), 5);
    },
  );

  await t.test(
    'kafka-python',
    { skip: hasPythonModule('kafka') ? false : 'python3-kafka is not installed' },
    async (t) => {
      const r = await run(DEBIAN_PYTHON, ['-c', KAFKA_PYTHON_PRODUCE, bootstrap, 'auto-kafka-python'], {
        timeoutMs: 90_000,
      });
      t.equal(r.code, 0, `every send acknowledged: ${r.stdout} ${r.stderr}`);
      t.equal(recordCount(running, 'auto-kafka-python'), 5);
    },
  );

  await t.test('kafkajs producer.send (allowAutoTopicCreation)', async (t) => {
    const kafka = new Kafka({
      brokers: [bootstrap],
      logLevel: logLevel.NOTHING,
      retry: { retries: 8, initialRetryTime: 100 },
    });
    const producer = kafka.producer({ allowAutoTopicCreation: true });
    await producer.connect();
    t.teardown(() => producer.disconnect());
    const sent = await producer.send({ topic: 'auto-kafkajs', messages: [{ value: 'x' }, { value: 'y' }] });
    t.equal(sent[0]!.errorCode, 0, 'kafkajs retries UNKNOWN_TOPIC_OR_PARTITION in send and lands');
    t.equal(recordCount(running, 'auto-kafkajs'), 2);
  });
});

t.test(
  'kcat -P to __cluster_metadata: no topic is created, delivery fails, the metadata log stays metadata',
  { skip: hasCommand('kcat') ? false : 'kcat is not installed' },
  async (t) => {
    const running = await brokerFor(t);
    const { bootstrap, broker } = running;
    const produced = await run(
      'kcat',
      ['-P', '-b', bootstrap, '-t', '__cluster_metadata', '-K', ':', '-X', 'message.timeout.ms=3000'],
      { input: 'k:v\n', timeoutMs: 60_000 },
    );
    t.not(produced.code, 0, 'kcat exits non-zero');
    t.match(produced.stderr, /Delivery failed/, produced.stderr);
    t.notOk(broker.controller.image.topicsByName.has('__cluster_metadata'), 'no topic of that name');
    t.equal(recordCount(running, '__cluster_metadata'), -1, 'no partition of that name on the broker');
    const listed = await run('kcat', ['-L', '-b', bootstrap]);
    t.notMatch(listed.stdout, /__cluster_metadata/, 'kcat -L lists no __cluster_metadata');
    // The broker still works: an ordinary auto-created topic after the refusal.
    const after = await run('kcat', ['-P', '-b', bootstrap, '-t', 'after-refusal'], {
      input: 'x\n',
      timeoutMs: 60_000,
    });
    t.equal(after.code, 0, after.stderr);
    t.equal(recordCount(running, 'after-refusal'), 1);
  },
);
