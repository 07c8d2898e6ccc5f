/**
 * Kafka 3.9's topic configs for turning tiered storage off (KIP-950), `remote.log.copy.disable` and
 * `remote.log.delete.on.disable`, through python3-confluent-kafka (librdkafka 2.0.2): DescribeConfigs
 * lists them with their default (false, DEFAULT_CONFIG, no broker synonym, as Kafka's LogConfig
 * defines them), CreateTopics and AlterConfigs take either boolean (Kafka accepts both on a topic
 * without remote storage, where they have no effect) and refuse anything else with INVALID_CONFIG.
 * Gregor refused both names as unknown. Skips when the module is not installed.
 */
import t from 'tap';
import { brokerFor } from '../../test/helpers/broker.js';
import { DEBIAN_PYTHON, hasPythonModule, run } from '../../test/helpers/external.js';

const SCRIPT = `
import sys, json
from confluent_kafka.admin import AdminClient, NewTopic, ConfigResource
a = AdminClient({'bootstrap.servers': sys.argv[1]})
NAMES = ('remote.log.copy.disable', 'remote.log.delete.on.disable')
out = {}
def outcome(futures):
    try:
        list(futures.values())[0].result(timeout=30); return 'OK'
    except Exception as e:
        return '%s: %s' % (e.args[0].name(), e.args[0].str())
def described(topic):
    configs = list(a.describe_configs([ConfigResource('topic', topic)]).values())[0].result(timeout=30)
    return {n: [configs[n].value, configs[n].source, len(configs[n].synonyms)] for n in NAMES if n in configs}
out['create_plain'] = outcome(a.create_topics([NewTopic('tiered-plain', 1, 1)]))
out['plain'] = described('tiered-plain')
out['create_set'] = outcome(a.create_topics([NewTopic('tiered-set', 1, 1, config={n: 'true' for n in NAMES})]))
out['set'] = described('tiered-set') if out['create_set'] == 'OK' else None
out['alter'] = outcome(a.alter_configs([ConfigResource('topic', 'tiered-set', set_config={'remote.log.copy.disable': 'false'})]))
out['altered'] = described('tiered-set') if out['create_set'] == 'OK' else None
out['bad'] = outcome(a.create_topics([NewTopic('tiered-bad', 1, 1, config={'remote.log.delete.on.disable': 'maybe'})], validate_only=True))
print(json.dumps(out))
`;

t.test(
  'confluent-kafka: remote.log.copy.disable and remote.log.delete.on.disable are topic configs, as in Kafka 3.9',
  { skip: hasPythonModule('confluent_kafka') ? false : 'python3-confluent-kafka is not installed' },
  async (t) => {
    const running = await brokerFor(t);
    const r = await run(DEBIAN_PYTHON, ['-c', SCRIPT, running.bootstrap], { timeoutMs: 90_000 });
    t.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    // Sources: 1 TOPIC_CONFIG, 5 DEFAULT_CONFIG.
    t.equal(out.create_plain, 'OK');
    t.same(
      out.plain,
      { 'remote.log.copy.disable': ['false', 5, 0], 'remote.log.delete.on.disable': ['false', 5, 0] },
      'described with their defaults, no broker synonym',
    );
    t.equal(out.create_set, 'OK', 'CreateTopics takes them');
    t.same(
      out.set,
      { 'remote.log.copy.disable': ['true', 1, 1], 'remote.log.delete.on.disable': ['true', 1, 1] },
      'set on the topic',
    );
    t.equal(out.alter, 'OK', 'AlterConfigs takes them');
    t.same(
      out.altered,
      { 'remote.log.copy.disable': ['false', 1, 1], 'remote.log.delete.on.disable': ['false', 5, 0] },
      'AlterConfigs replaces the set (the other one returns to its default)',
    );
    t.equal(
      out.bad,
      'INVALID_CONFIG: Invalid value maybe for configuration remote.log.delete.on.disable: Expected value to be either true or false',
      'a value that is no boolean is refused as Kafka refuses it',
    );
  },
);
