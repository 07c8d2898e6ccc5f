/**
 * Kafka 3.9's one check across a topic's configs (LogConfig.validateValues): min.compaction.lag.ms
 * may not exceed max.compaction.lag.ms, taking the broker's value for the one the topic does not set.
 * Through python3-confluent-kafka (librdkafka 2.0.2): CreateTopics and AlterConfigs that would make
 * it so get INVALID_CONFIG "conflict topic config setting min.compaction.lag.ms (5000) >
 * max.compaction.lag.ms (1000)" and change nothing; Gregor took them. Skips when the module is not installed.
 */
import t from 'tap';
import { brokerFor } from '../../test/helpers/broker.js';
import { DEBIAN_PYTHON, hasPythonModule, run } from '../../test/helpers/external.js';

const SCRIPT = `
import sys, json
from confluent_kafka.admin import AdminClient, NewTopic, ConfigResource
a = AdminClient({'bootstrap.servers': sys.argv[1]})
def outcome(futures):
    try:
        list(futures.values())[0].result(timeout=30); return 'OK'
    except Exception as e:
        return '%s: %s' % (e.args[0].name(), e.args[0].str())
def lag(topic):
    c = list(a.describe_configs([ConfigResource('topic', topic)]).values())[0].result(timeout=30)
    return [c['min.compaction.lag.ms'].value, c['max.compaction.lag.ms'].value]
out = {}
both = {'min.compaction.lag.ms': '5000', 'max.compaction.lag.ms': '1000'}
out['create both'] = outcome(a.create_topics([NewTopic('lag-a', 1, 1, config=both)]))
out['create max under broker min'] = outcome(a.create_topics([NewTopic('lag-b', 1, 1, config={'max.compaction.lag.ms': '1000'})]))
out['create fine'] = outcome(a.create_topics([NewTopic('lag-c', 1, 1, config={'min.compaction.lag.ms': '1000', 'max.compaction.lag.ms': '1000'})]))
out['alter'] = outcome(a.alter_configs([ConfigResource('topic', 'lag-c', set_config={'min.compaction.lag.ms': '1001', 'max.compaction.lag.ms': '1000'})]))
out['after alter'] = lag('lag-c')
out['topics'] = sorted(t for t in a.list_topics(timeout=10).topics if t.startswith('lag-'))
print(json.dumps(out))
`;

t.test(
  'confluent-kafka: min.compaction.lag.ms above max.compaction.lag.ms is refused, as Kafka 3.9 refuses it',
  { skip: hasPythonModule('confluent_kafka') ? false : 'python3-confluent-kafka is not installed' },
  async (t) => {
    // The broker's min.compaction.lag.ms default is raised so that a topic's max alone can conflict.
    const running = await brokerFor(t, { config: { 'log.cleaner.min.compaction.lag.ms': 2000 } });
    const r = await run(DEBIAN_PYTHON, ['-c', SCRIPT, running.bootstrap], { timeoutMs: 90_000 });
    t.equal(r.code, 0, r.stderr);
    const conflict = (min: number, max: number): string =>
      `INVALID_CONFIG: conflict topic config setting min.compaction.lag.ms (${min}) > max.compaction.lag.ms (${max})`;
    t.same(JSON.parse(r.stdout), {
      'create both': conflict(5000, 1000),
      'create max under broker min': conflict(2000, 1000),
      'create fine': 'OK',
      alter: conflict(1001, 1000),
      'after alter': ['1000', '1000'],
      topics: ['lag-c'],
    });
  },
);
