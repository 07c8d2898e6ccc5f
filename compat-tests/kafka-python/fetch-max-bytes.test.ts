/**
 * kafka-python with a small fetch_max_bytes (Fetch maxBytes), from kafka-python 2.0.2's own
 * test_kafka_consumer_max_bytes_simple (compat-tests/kafka-python-suite). Kafka reads each
 * partition as a byte slice of its segment (LogSegment.read), so a partition with more data than
 * the limit uses the whole limit (its last batch cut, which clients drop) and the next partitions
 * get nothing in that answer. Gregor sent whole batches only and left the rest of the limit to the
 * next partition, which got the first bytes of its batch and no whole one: kafka-python raises
 * RecordTooLargeError for a partition whose data holds no complete batch.
 * Partition 0 holds a small batch then a large one, partition 1 a batch larger than what the small
 * one leaves of 300 bytes; the consumer reads both in that order.
 * Skips when python3-kafka is not installed.
 */
import t from 'tap';
import { brokerFor } from '../../test/helpers/broker.js';
import { createTopic } from '../../test/helpers/topics.js';
import { DEBIAN_PYTHON, hasPythonModule, run } from '../../test/helpers/external.js';

const SCRIPT = `
import sys, json
from kafka import KafkaProducer, KafkaConsumer, TopicPartition
b, topic = sys.argv[1], sys.argv[2]
p = KafkaProducer(bootstrap_servers=b, linger_ms=1000)
p.send(topic, value=b'a' * 20, partition=0); p.flush()
for i in range(30): p.send(topic, value=b'b%02d' % i + b'b' * 40, partition=0)
p.flush()
p.send(topic, value=b'c' * 250, partition=1); p.flush()
p.close()
tps = [TopicPartition(topic, 0), TopicPartition(topic, 1)]
c = KafkaConsumer(bootstrap_servers=b, fetch_max_bytes=300, enable_auto_commit=False, auto_offset_reset='earliest')
c.assign(tps)
got = {0: 0, 1: 0}
out = {}
try:
    for _ in range(100):
        for tp, msgs in c.poll(timeout_ms=100).items():
            got[tp.partition] += len(msgs)
        if got[0] == 31 and got[1] == 1: break
except Exception as e:
    out['error'] = type(e).__name__
out['got'] = got
c.close()
print(json.dumps(out))
`;

t.test(
  'kafka-python fetch_max_bytes=300 over two partitions: every record arrives, no RecordTooLargeError',
  { skip: hasPythonModule('kafka') ? false : 'python3-kafka is not installed' },
  async (t) => {
    const running = await brokerFor(t);
    createTopic(running, 'max-bytes', { partitions: 2 });
    const r = await run(DEBIAN_PYTHON, ['-c', SCRIPT, running.bootstrap, 'max-bytes'], { timeoutMs: 90_000 });
    t.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { error?: string; got: Record<string, number> };
    t.equal(out.error, undefined, 'no error from the consumer');
    t.same(out.got, { 0: 31, 1: 1 }, 'all 31 records of partition 0 and the one of partition 1');
  },
);
