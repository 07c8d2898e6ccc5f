/**
 * Topic config ranges Kafka's LogConfig checks and Gregor used to accept: the compression levels
 * (gzip 1-9 or -1, lz4 1-17, zstd -131072..22) and the tiered-storage local retention (at least -2);
 * and Kafka's wording of ValidString and Range.atLeast refusals (compression.type, segment.bytes).
 * Through python3-confluent-kafka's AdminClient (CreateTopics with validate_only, and AlterConfigs):
 * INVALID_CONFIG naming the value and the setting; values in range still pass.
 */
import t from 'tap';
import { startBroker } from '../index.js';
import { DEBIAN_PYTHON, hasPythonModule, run } from '../../test/helpers/external.js';

const SCRIPT = `
import sys, json
from confluent_kafka.admin import AdminClient, NewTopic, ConfigResource
a = AdminClient({'bootstrap.servers': sys.argv[1]})
out = {}
cases = json.loads(sys.argv[2])
for i, (k, v) in enumerate(cases):
    f = a.create_topics([NewTopic('range-%d' % i, 1, 1, config={k: v})], validate_only=True)['range-%d' % i]
    try:
        f.result(); out['%s=%s' % (k, v)] = 'OK'
    except Exception as e:
        out['%s=%s' % (k, v)] = '%s %s' % (e.args[0].name(), e.args[0].str())
a.create_topics([NewTopic('range-alter', 1, 1)])['range-alter'].result()
f = a.alter_configs([ConfigResource('topic', 'range-alter', set_config={'compression.zstd.level': '23'})])
for r in f.values():
    try:
        r.result(); out['alter'] = 'OK'
    except Exception as e:
        out['alter'] = '%s %s' % (e.args[0].name(), e.args[0].str())
print(json.dumps(out))
`;

const skip = hasPythonModule('confluent_kafka') ? false : 'python3-confluent-kafka is not installed';

t.test('compression levels and local retention are range-checked as Kafka does', { skip }, async (t) => {
  t.setTimeout(60_000);
  const broker = await startBroker({ storage: 'memory' });
  t.teardown(() => broker.stop());
  const cases = [
    ['compression.gzip.level', '10'],
    ['compression.gzip.level', '0'],
    ['compression.gzip.level', '-1'],
    ['compression.gzip.level', '9'],
    ['compression.lz4.level', '18'],
    ['compression.lz4.level', '0'],
    ['compression.lz4.level', '17'],
    ['compression.zstd.level', '23'],
    ['compression.zstd.level', '-131073'],
    ['compression.zstd.level', '-5'],
    ['local.retention.ms', '-3'],
    ['local.retention.ms', '-2'],
    ['local.retention.bytes', '-3'],
    ['local.retention.bytes', '1000'],
    ['compression.type', 'brotli'],
    ['message.timestamp.type', 'Now'],
    ['segment.bytes', '10'],
  ];
  const result = await run(DEBIAN_PYTHON, ['-c', SCRIPT, broker.bootstrap, JSON.stringify(cases)], {
    timeoutMs: 45_000,
  });
  t.equal(result.code, 0, result.stderr);
  const out = JSON.parse(result.stdout) as Record<string, string>;
  const refused = (k: string, v: string, why: string) =>
    `INVALID_CONFIG Invalid value ${v} for configuration ${k}: ${why}`;
  t.same(out, {
    'compression.gzip.level=10': refused(
      'compression.gzip.level',
      '10',
      'Value must be between 1 and 9 or equal to -1',
    ),
    'compression.gzip.level=0': refused('compression.gzip.level', '0', 'Value must be between 1 and 9 or equal to -1'),
    'compression.gzip.level=-1': 'OK',
    'compression.gzip.level=9': 'OK',
    'compression.lz4.level=18': refused('compression.lz4.level', '18', 'Value must be no more than 17'),
    'compression.lz4.level=0': refused('compression.lz4.level', '0', 'Value must be at least 1'),
    'compression.lz4.level=17': 'OK',
    'compression.zstd.level=23': refused('compression.zstd.level', '23', 'Value must be no more than 22'),
    'compression.zstd.level=-131073': refused('compression.zstd.level', '-131073', 'Value must be at least -131072'),
    'compression.zstd.level=-5': 'OK',
    'local.retention.ms=-3': refused('local.retention.ms', '-3', 'Value must be at least -2'),
    'local.retention.ms=-2': 'OK',
    'local.retention.bytes=-3': refused('local.retention.bytes', '-3', 'Value must be at least -2'),
    'local.retention.bytes=1000': 'OK',
    'compression.type=brotli': refused(
      'compression.type',
      'brotli',
      'String must be one of: uncompressed, zstd, lz4, snappy, gzip, producer',
    ),
    'message.timestamp.type=Now': refused(
      'message.timestamp.type',
      'Now',
      'String must be one of: CreateTime, LogAppendTime',
    ),
    'segment.bytes=10': refused('segment.bytes', '10', 'Value must be at least 14'),
    alter: refused('compression.zstd.level', '23', 'Value must be no more than 22'),
  });
});
