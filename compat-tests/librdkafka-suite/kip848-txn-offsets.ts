/**
 * TxnOffsetCommit for a KIP-848 consumer group, driven by librdkafka (python3-confluent-kafka):
 * a consumer with `group.protocol=consumer` hands its group metadata (member id and member epoch)
 * to a transactional producer's send_offsets_to_transaction, which is accepted and committed
 * (librdkafka's 0103 in consumer mode; before, Gregor checked only classic groups and answered
 * ILLEGAL_GENERATION).
 * Needs librdkafka 2.4 or later (`group.protocol`); Debian 12's python3-confluent-kafka loads
 * librdkafka 2.0.2, so the test skips unless LIBRDKAFKA_LIB_DIR names a directory holding a newer
 * librdkafka.so.1 (a built librdkafka tree's `src/`), which the client then loads.
 * Leaves out a stale epoch (ILLEGAL_GENERATION), which a real client cannot be made to send on purpose.
 * Not in `npm test` (Debian 12's librdkafka 2.0.2 has no `group.protocol`; txn-offsets-kip848.test.ts
 * covers the same over raw frames there): run it with
 * `LIBRDKAFKA_LIB_DIR=<librdkafka tree>/src npx tap compat-tests/librdkafka-suite/kip848-txn-offsets.ts`.
 */
import { spawnSync } from 'node:child_process';
import t from 'tap';
import { Kafka, logLevel } from 'kafkajs';
import { brokerFor } from '../../test/helpers/broker.js';
import { DEBIAN_PYTHON, hasPythonModule, run } from '../../test/helpers/external.js';

const SCRIPT = `
import sys, json, time
from confluent_kafka import Producer, Consumer, TopicPartition, KafkaException
bootstrap, topic, group = sys.argv[1:4]
out = {}
p = Producer({'bootstrap.servers': bootstrap})
for i in range(5):
    p.produce(topic, b'in-%d' % i)
p.flush(15)
c = Consumer({'bootstrap.servers': bootstrap, 'group.id': group, 'group.protocol': 'consumer',
              'auto.offset.reset': 'earliest', 'enable.auto.commit': False})
c.subscribe([topic])
seen = 0
deadline = time.time() + 30
while time.time() < deadline and seen < 5:
    m = c.poll(0.5)
    if m is not None and not m.error():
        seen += 1
out['consumed'] = seen
tp = TopicPartition(topic, 0)
positions = c.position([tp])
tx = Producer({'bootstrap.servers': bootstrap, 'transactional.id': group + '-tx'})
tx.init_transactions(30)
tx.begin_transaction()
try:
    tx.send_offsets_to_transaction(positions, c.consumer_group_metadata(), 30)
    tx.commit_transaction(30)
    out['send_offsets'] = 'ok'
except KafkaException as e:
    out['send_offsets'] = e.args[0].name()
    tx.abort_transaction(30)
committed = c.committed([tp], 15)
out['committed'] = committed[0].offset
c.close()
print(json.dumps(out))
`;

const LIB_DIR = process.env['LIBRDKAFKA_LIB_DIR'];
const ENV = LIB_DIR === undefined ? {} : { LD_LIBRARY_PATH: LIB_DIR };

/** Why the test cannot run here, or false: the client must know `group.protocol` (librdkafka 2.4). */
function skipReason(): string | false {
  if (!hasPythonModule('confluent_kafka')) return 'python3-confluent-kafka is not installed';
  const probe = spawnSync(
    DEBIAN_PYTHON,
    ['-c', "import confluent_kafka as c; c.Consumer({'group.id': 'g', 'group.protocol': 'consumer'})"],
    { env: { ...process.env, ...ENV }, timeout: 20_000 },
  );
  return probe.status === 0 ? false : 'librdkafka without group.protocol=consumer (set LIBRDKAFKA_LIB_DIR)';
}

t.test(
  'python3-confluent-kafka: a KIP-848 consumer group member commits offsets in a transaction',
  { skip: skipReason() },
  async (t) => {
    const running = await brokerFor(t);
    const port = running.broker.bound.find((b) => b.name === 'PLAINTEXT')!.port;
    const admin = new Kafka({ brokers: [`127.0.0.1:${port}`], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    t.teardown(() => admin.disconnect());
    await admin.createTopics({ topics: [{ topic: 'txn-848-in', numPartitions: 1 }] });
    const result = await run(DEBIAN_PYTHON, ['-c', SCRIPT, `127.0.0.1:${port}`, 'txn-848-in', 'txn-848-group'], {
      timeoutMs: 120_000,
      env: ENV,
    });
    t.equal(result.code, 0, result.stderr);
    const out = JSON.parse(result.stdout.trim().split('\n').pop() ?? '{}') as Record<string, unknown>;
    t.same(out, { consumed: 5, send_offsets: 'ok', committed: 5 });
  },
);
