/**
 * message.downconversion.enable=false (topic) or log.message.downconversion.enable=false (broker): a
 * consumer's Fetch v0-v3, which would need the records down-converted to magic 0 or 1, gets
 * UNSUPPORTED_VERSION for the partition, as Kafka answers it; Fetch v4+ reads as before, and topics that
 * allow it are down-converted. With kafka-python, whose api_version picks the Fetch version ((0, 10, 0)
 * and (0, 11) send v2/v3, the default negotiates v4+). The setting used to be accepted and ignored.
 */
import t from 'tap';
import { startBroker } from '../index.js';
import { DEBIAN_PYTHON, hasPythonModule, run } from '../../test/helpers/external.js';

const SCRIPT = `
import sys, json
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import KafkaAdminClient, NewTopic
b = sys.argv[1]
a = KafkaAdminClient(bootstrap_servers=b)
a.create_topics([NewTopic('no-down', 1, 1, topic_configs={'message.downconversion.enable': 'false'}),
                 NewTopic('down-ok', 1, 1)])
p = KafkaProducer(bootstrap_servers=b)
for topic in ['no-down', 'down-ok']:
    p.send(topic, b'v1').get(timeout=20)
p.close()
out = {}
for topic in ['no-down', 'down-ok']:
    for name, version in [('0.10.0', (0, 10, 0)), ('0.11', (0, 11)), ('default', None)]:
        kw = {} if version is None else {'api_version': version}
        c = KafkaConsumer(bootstrap_servers=b, consumer_timeout_ms=4000, **kw)
        tp = TopicPartition(topic, 0)
        c.assign([tp]); c.seek(tp, 0)
        try:
            out['%s %s' % (topic, name)] = [m.value.decode() for m in c]
        except Exception as e:
            out['%s %s' % (topic, name)] = type(e).__name__
        c.close()
print(json.dumps(out))
`;

const skip = hasPythonModule('kafka') ? false : 'python3-kafka is not installed';

t.test('Fetch v0-v3 of a topic that forbids down-conversion: UNSUPPORTED_VERSION', { skip }, async (t) => {
  t.setTimeout(90_000);
  const broker = await startBroker({ storage: 'memory' });
  t.teardown(() => broker.stop());
  const result = await run(DEBIAN_PYTHON, ['-c', SCRIPT, broker.bootstrap], { timeoutMs: 80_000 });
  t.equal(result.code, 0, result.stderr.slice(-2000));
  t.same(JSON.parse(result.stdout), {
    'no-down 0.10.0': 'UnsupportedVersionError',
    'no-down 0.11': 'UnsupportedVersionError',
    'no-down default': ['v1'],
    'down-ok 0.10.0': ['v1'],
    'down-ok 0.11': ['v1'],
    'down-ok default': ['v1'],
  });
});
