/**
 * Fetch v0-v3 of zstd batches on a topic left at compression.type=producer: Kafka down-converts lazily,
 * batch by batch, and only refuses (UNSUPPORTED_COMPRESSION_TYPE, -1 offsets, no records) when the first
 * batch it would convert is zstd; batches before a zstd one are delivered, so an old consumer reads up to
 * it and then gets the error on its next fetch. kafka-python 2.0.2 with api_version (0, 10, 0) or (0, 11)
 * (Fetch v2/v3) does not know code 76 and logs it, so it reads what precedes the zstd batch and nothing
 * after; a modern consumer reads everything. Gregor used to refuse the whole partition whenever a zstd
 * batch was anywhere in the fetched range, so the old consumer read nothing at all.
 */
import t from 'tap';
import { startBroker } from '../index.js';
import { DEBIAN_PYTHON, hasPythonModule, run } from '../../test/helpers/external.js';

const SCRIPT = `
import sys, json
from confluent_kafka import Producer
from confluent_kafka.admin import AdminClient, NewTopic
from kafka import KafkaConsumer, TopicPartition
b = sys.argv[1]
a = AdminClient({'bootstrap.servers': b})
for f in a.create_topics([NewTopic('mixed', 1, 1), NewTopic('zstd-first', 1, 1)]).values(): f.result()
producers = {c: Producer({'bootstrap.servers': b, 'compression.type': c, 'linger.ms': 0}) for c in ['gzip', 'zstd']}
# Compressible values: librdkafka sends a batch uncompressed when compression would not shrink it.
for topic, batches in [('mixed', [('gzip', 'a'), ('gzip', 'b'), ('zstd', 'c'), ('gzip', 'd')]),
                       ('zstd-first', [('zstd', 'a'), ('gzip', 'b')])]:
    for codec, value in batches:
        p = producers[codec]
        p.produce(topic, (value * 2000).encode())
        assert p.flush(20) == 0
out = {}
for topic in ['mixed', 'zstd-first']:
    for name, version in [('0.10.0', (0, 10, 0)), ('0.11', (0, 11)), ('default', None)]:
        kw = {} if version is None else {'api_version': version}
        c = KafkaConsumer(bootstrap_servers=b, consumer_timeout_ms=3000, **kw)
        tp = TopicPartition(topic, 0)
        c.assign([tp]); c.seek(tp, 0)
        out['%s %s' % (topic, name)] = [m.value[:1].decode() for m in c]
        c.close()
print(json.dumps(out))
`;

// kafka-python decodes zstd batches with the zstandard module (Debian's python3-zstandard).
const skip =
  hasPythonModule('kafka') && hasPythonModule('confluent_kafka') && hasPythonModule('zstandard')
    ? false
    : 'python3-kafka, confluent_kafka or python3-zstandard missing';

t.test('Fetch v0-v3 reads the batches before a zstd one, then refuses', { skip }, async (t) => {
  t.setTimeout(90_000);
  const broker = await startBroker({ storage: 'memory' });
  t.teardown(() => broker.stop());
  const result = await run(DEBIAN_PYTHON, ['-c', SCRIPT, broker.bootstrap], { timeoutMs: 80_000 });
  t.equal(result.code, 0, result.stderr.slice(-2000));
  t.same(JSON.parse(result.stdout), {
    'mixed 0.10.0': ['a', 'b'],
    'mixed 0.11': ['a', 'b'],
    'mixed default': ['a', 'b', 'c', 'd'],
    'zstd-first 0.10.0': [],
    'zstd-first 0.11': [],
    'zstd-first default': ['a', 'b'],
  });
});
