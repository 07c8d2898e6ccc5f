/**
 * Illegal topic names through python3-confluent-kafka's AdminClient: create_topics and
 * describe_configs answer INVALID_TOPIC_EXCEPTION with Kafka 3.9's Topic.validate messages
 * ("Topic name is invalid: ..." for '.', '..', a name over 249 characters and one with other
 * characters; the empty name is refused by the client itself); a name of 249 is created. Skips when the module is not installed.
 */
import t from 'tap';
import { brokerFor } from '../../test/helpers/broker.js';
import { DEBIAN_PYTHON, hasPythonModule, run } from '../../test/helpers/external.js';

const SCRIPT = `
import sys, json
from confluent_kafka.admin import AdminClient, NewTopic, ConfigResource
from confluent_kafka import KafkaException
a = AdminClient({'bootstrap.servers': sys.argv[1]})
out = []
for name in json.loads(sys.argv[2]):
    try:
        a.create_topics([NewTopic(name, 1, 1)])[name].result(timeout=30)
        created = 'ok'
    except KafkaException as e:
        created = [e.args[0].name(), e.args[0].str()]
    try:
        list(a.describe_configs([ConfigResource('topic', name)]).values())[0].result(timeout=30)
        described = 'ok'
    except KafkaException as e:
        described = [e.args[0].name(), e.args[0].str()]
    out.append([created, described])
print(json.dumps(out))
`;

t.test(
  "illegal topic names: Kafka 3.9's messages from create_topics and describe_configs",
  { skip: hasPythonModule('confluent_kafka') ? false : 'python3-confluent-kafka is not installed' },
  async (t) => {
    const running = await brokerFor(t);
    const long = 'a'.repeat(250);
    const names = ['bad topic!', '.', '..', long, 'a'.repeat(249)];
    const r = await run(DEBIAN_PYTHON, ['-c', SCRIPT, running.bootstrap, JSON.stringify(names)], { timeoutMs: 90_000 });
    t.equal(r.code, 0, r.stderr);
    const invalid = (reason: string): [string, string] => ['TOPIC_EXCEPTION', `Topic name is invalid: ${reason}`];
    const chars = "contains one or more characters other than ASCII alphanumerics, '.', '_' and '-'";
    t.same(JSON.parse(r.stdout), [
      [invalid(`'bad topic!' ${chars}`), invalid(`'bad topic!' ${chars}`)],
      [invalid("'.' is not allowed"), invalid("'.' is not allowed")],
      [invalid("'..' is not allowed"), invalid("'..' is not allowed")],
      [
        invalid(`the length of '${long}' is longer than the max allowed length 249`),
        invalid(`the length of '${long}' is longer than the max allowed length 249`),
      ],
      ['ok', 'ok'],
    ]);
  },
);
