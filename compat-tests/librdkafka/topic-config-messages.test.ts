/**
 * Topic config values Kafka 3.9's LogConfig refuses, through python3-confluent-kafka (librdkafka
 * 2.0.2) CreateTopics: INVALID_CONFIG with Kafka's messages. message.format.version is checked by
 * MetadataVersionValidator (Gregor took any string); min.cleanable.dirty.ratio by Range.between(0, 1)
 * ("Value must be no more than 1"; Gregor had its own wording); remote.storage.enable=true gets the
 * message of a broker whose tiered storage is off (Gregor had its own wording).
 * Skips when the module is not installed.
 */
import t from 'tap';
import { brokerFor } from '../../test/helpers/broker.js';
import { DEBIAN_PYTHON, hasPythonModule, run } from '../../test/helpers/external.js';

const SCRIPT = `
import sys, json
from confluent_kafka.admin import AdminClient, NewTopic
a = AdminClient({'bootstrap.servers': sys.argv[1]})
out = {}
for name, value in json.loads(sys.argv[2]):
    f = list(a.create_topics([NewTopic('msg', 1, 1, config={name: value})], validate_only=True).values())[0]
    try:
        f.result(timeout=30); out[name + '=' + value] = 'OK'
    except Exception as e:
        out[name + '=' + value] = '%s: %s' % (e.args[0].name(), e.args[0].str())
print(json.dumps(out))
`;

const invalid = (name: string, value: string, why: string): string =>
  `INVALID_CONFIG: Invalid value ${value} for configuration ${name}: ${why}`;

const CASES: Array<[string, string, string]> = [
  ['message.format.version', '9.9', invalid('message.format.version', '9.9', 'Version 9.9 is not a valid version')],
  ['message.format.version', '4.0', invalid('message.format.version', '4.0', 'Version 4.0 is not a valid version')],
  ['message.format.version', '4.0-IV1', 'OK'],
  ['message.format.version', '3.9.1', 'OK'],
  ['message.format.version', '0.10.0.1', 'OK'],
  ['message.format.version', '2.8-IV1', 'OK'],
  ['min.cleanable.dirty.ratio', '1.5', invalid('min.cleanable.dirty.ratio', '1.5', 'Value must be no more than 1')],
  ['min.cleanable.dirty.ratio', '-0.1', invalid('min.cleanable.dirty.ratio', '-0.1', 'Value must be at least 0')],
  ['min.cleanable.dirty.ratio', '1', 'OK'],
  [
    'remote.storage.enable',
    'true',
    'INVALID_CONFIG: Tiered Storage functionality is disabled in the broker. Topic cannot be configured with remote log storage.',
  ],
];

t.test(
  "confluent-kafka CreateTopics: bad topic config values get Kafka 3.9's INVALID_CONFIG messages",
  { skip: hasPythonModule('confluent_kafka') ? false : 'python3-confluent-kafka is not installed' },
  async (t) => {
    const running = await brokerFor(t);
    const pairs = CASES.map(([name, value]) => [name, value]);
    const r = await run(DEBIAN_PYTHON, ['-c', SCRIPT, running.bootstrap, JSON.stringify(pairs)], { timeoutMs: 90_000 });
    t.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as Record<string, string>;
    for (const [name, value, expected] of CASES) t.equal(out[`${name}=${value}`], expected, `${name}=${value}`);
  },
);
