/**
 * A cleanup.policy that is not a list of compact and delete, through python3-confluent-kafka
 * (librdkafka 2.0.2): INVALID_CONFIG with Kafka 3.9's message, which names the offending entry, as
 * ConfigDef.ValidList checks each one ("Invalid value compacted for configuration cleanup.policy:
 * String must be one of: compact, delete"), for the topic config and for the broker's log.cleanup.policy
 * (INVALID_REQUEST there). Gregor named the whole value with a message of its own.
 * Skips when the module is not installed.
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
out = {}
for value in ('compacted', 'compact,Delete', 'delete, compact', ''):
    out['create ' + value] = outcome(a.create_topics([NewTopic('cp', 1, 1, config={'cleanup.policy': value})], validate_only=True))
out['create topic'] = outcome(a.create_topics([NewTopic('cp', 1, 1)]))
out['alter'] = outcome(a.alter_configs([ConfigResource('topic', 'cp', set_config={'cleanup.policy': 'delete,remove'})]))
out['alter broker'] = outcome(a.alter_configs([ConfigResource('broker', '7', set_config={'log.cleanup.policy': 'compact,foo'})]))
print(json.dumps(out))
`;

const refused = (entry: string): string =>
  `INVALID_CONFIG: Invalid value ${entry} for configuration cleanup.policy: String must be one of: compact, delete`;

t.test(
  "confluent-kafka: a bad cleanup.policy is refused with Kafka's message, naming the bad entry",
  { skip: hasPythonModule('confluent_kafka') ? false : 'python3-confluent-kafka is not installed' },
  async (t) => {
    const running = await brokerFor(t, { config: { 'node.id': 7 } });
    const r = await run(DEBIAN_PYTHON, ['-c', SCRIPT, running.bootstrap], { timeoutMs: 90_000 });
    t.equal(r.code, 0, r.stderr);
    t.same(JSON.parse(r.stdout), {
      'create compacted': refused('compacted'),
      'create compact,Delete': refused('Delete'),
      'create delete, compact': 'OK',
      'create ': 'OK',
      'create topic': 'OK',
      alter: refused('remove'),
      // A broker config's bad value is INVALID_REQUEST (Kafka's ConfigAdminManager), with the same wording.
      'alter broker':
        'INVALID_REQUEST: Invalid value foo for configuration log.cleanup.policy: String must be one of: compact, delete',
    });
  },
);
