/**
 * Boolean configs are read as Kafka's ConfigDef reads them: `true`/`false` in any case ("TRUE",
 * "False"), surrounding spaces ignored. Topic configs given so through python3-confluent-kafka's
 * CreateTopics are accepted (they were refused with INVALID_CONFIG); anything else still is. And a
 * broker-level synonym written so (`--override unclean.leader.election.enable=TRUE`, accepted at
 * start-up) is honoured: topics read it as true. It used to be compared with 'true' as written,
 * so the setting was accepted and ignored.
 */
import t from 'tap';
import { startBroker } from '../index.js';
import { BrokerConfig } from '../common/config.js';
import { effectiveTopicConfig, validateTopicConfig } from './topic-configs.js';
import { DEBIAN_PYTHON, hasPythonModule, run } from '../../test/helpers/external.js';

const SCRIPT = `
import sys, json
from confluent_kafka.admin import AdminClient, NewTopic
a = AdminClient({'bootstrap.servers': sys.argv[1]})
out = {}
for i, (k, v) in enumerate(json.loads(sys.argv[2])):
    f = a.create_topics([NewTopic('bool-%d' % i, 1, 1, config={k: v})], validate_only=True)['bool-%d' % i]
    try:
        f.result(); out['%s=%s' % (k, v)] = 'OK'
    except Exception as e:
        out['%s=%s' % (k, v)] = e.args[0].name()
print(json.dumps(out))
`;

const skip = hasPythonModule('confluent_kafka') ? false : 'python3-confluent-kafka is not installed';

t.test(
  'confluent-kafka CreateTopics: boolean topic configs in any case, as Kafka accepts them',
  { skip },
  async (t) => {
    t.setTimeout(60_000);
    const broker = await startBroker({ storage: 'memory' });
    t.teardown(() => broker.stop());
    const cases = [
      ['preallocate', 'TRUE'],
      ['unclean.leader.election.enable', 'True'],
      ['message.downconversion.enable', 'FALSE'],
      ['remote.storage.enable', 'False'],
      ['remote.storage.enable', 'TRUE'],
      ['preallocate', 'yes'],
    ];
    const result = await run(DEBIAN_PYTHON, ['-c', SCRIPT, broker.bootstrap, JSON.stringify(cases)], {
      timeoutMs: 50_000,
    });
    t.equal(result.code, 0, result.stderr.slice(-2000));
    t.same(JSON.parse(result.stdout), {
      'preallocate=TRUE': 'OK',
      'unclean.leader.election.enable=True': 'OK',
      'message.downconversion.enable=FALSE': 'OK',
      'remote.storage.enable=False': 'OK',
      'remote.storage.enable=TRUE': 'INVALID_CONFIG',
      'preallocate=yes': 'INVALID_CONFIG',
    });
  },
);

t.test('the value in force of a boolean topic config is true or false, however it was written', async (t) => {
  const broker = new BrokerConfig({
    'unclean.leader.election.enable': 'TRUE',
    'log.message.downconversion.enable': ' False',
  });
  t.equal(effectiveTopicConfig('unclean.leader.election.enable', new Map(), broker), 'true', 'broker synonym TRUE');
  t.equal(effectiveTopicConfig('message.downconversion.enable', new Map(), broker), 'false', 'broker synonym " False"');
  const own = new Map([['unclean.leader.election.enable', 'FALSE']]);
  t.equal(effectiveTopicConfig('unclean.leader.election.enable', own, broker), 'false', 'the topic’s own FALSE');
  t.equal(validateTopicConfig('preallocate', 'tRuE'), null);
  t.match(validateTopicConfig('preallocate', 'on'), /Expected value to be either true or false/);
});
