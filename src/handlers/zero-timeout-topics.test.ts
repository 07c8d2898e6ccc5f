/**
 * CreateTopics, DeleteTopics and CreatePartitions with timeout_ms 0, as Kafka 3.9's KRaft controller answers them: the
 * controller queues the work with a deadline of now + timeout_ms (ControllerRequestContext), and its
 * event queue times an event out before running it once the deadline has passed, so nothing is
 * created or deleted and every topic gets REQUEST_TIMED_OUT. kafkajs passes a timeout of 0 through
 * and sees the code; librdkafka with operation_timeout=0 hides REQUEST_TIMED_OUT as "in progress"
 * and reports success (a leftover of ZooKeeper-era brokers, which did start the work), so its topic
 * is not created (or not deleted), on Kafka as here. kafka-python turns a timeout_ms of 0 into its
 * request timeout, so it never sends 0. Gregor used to do the work and answer success.
 */
import t from 'tap';
import { Kafka, logLevel } from 'kafkajs';
import { brokerFor } from '../../test/helpers/broker.js';
import { DEBIAN_PYTHON, hasPythonModule, run } from '../../test/helpers/external.js';

const LIBRDKAFKA = `
import sys, json
from confluent_kafka.admin import AdminClient, NewTopic
c = AdminClient({'bootstrap.servers': sys.argv[1]})
out = {}
for name, call in [('create', lambda: c.create_topics([NewTopic('rdk-zero', 1, 1)], operation_timeout=0)['rdk-zero']),
                   ('delete', lambda: c.delete_topics(['kept'], operation_timeout=0)['kept'])]:
    try:
        call().result()
        out[name] = 'success'
    except Exception as e:
        out[name] = str(e)
print(json.dumps(out))
`;

const skip = hasPythonModule('confluent_kafka') ? false : 'confluent_kafka missing';

t.test('timeout_ms 0: nothing done, REQUEST_TIMED_OUT, as Kafka', { skip }, async (t) => {
  t.setTimeout(90_000);
  const { bootstrap } = await brokerFor(t);
  const kafka = new Kafka({ brokers: [bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 0 } });
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  const errorOf = (p: Promise<unknown>): Promise<string> =>
    p.then(
      () => 'ok',
      (e: { type?: string; errors?: Array<{ type?: string }>; originalError?: { type?: string } }) =>
        e.errors?.[0]?.type ?? e.type ?? e.originalError?.type ?? String(e),
    );
  await admin.createTopics({ topics: [{ topic: 'kept' }], waitForLeaders: true });
  t.equal(await errorOf(admin.createTopics({ topics: [{ topic: 'zero' }], timeout: 0 })), 'REQUEST_TIMED_OUT');
  t.equal(
    await errorOf(admin.createTopics({ topics: [{ topic: 'zero-v' }], timeout: 0, validateOnly: true })),
    'REQUEST_TIMED_OUT',
    'validateOnly too',
  );
  t.equal(await errorOf(admin.deleteTopics({ topics: ['kept'], timeout: 0 })), 'REQUEST_TIMED_OUT');
  t.equal(
    await errorOf(admin.createPartitions({ topicPartitions: [{ topic: 'kept', count: 2 }], timeout: 0 })),
    'REQUEST_TIMED_OUT',
    'CreatePartitions too',
  );

  const result = await run(DEBIAN_PYTHON, ['-c', LIBRDKAFKA, bootstrap], { timeoutMs: 60_000 });
  t.equal(result.code, 0, result.stderr.slice(-2000));
  t.same(JSON.parse(result.stdout), { create: 'success', delete: 'success' }, 'librdkafka hides the code');

  t.equal(await errorOf(admin.createTopics({ topics: [{ topic: 'five' }], timeout: 5000 })), 'ok');
  const topics = (await admin.listTopics()).filter((n) => !n.startsWith('__')).sort();
  t.same(topics, ['five', 'kept'], 'nothing was created or deleted with a timeout of 0');
  const [kept] = await admin.fetchTopicMetadata({ topics: ['kept'] }).then((m) => m.topics);
  t.equal(kept?.partitions.length, 1, 'no partition was added with a timeout of 0');
});
