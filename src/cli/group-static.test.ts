/**
 * `gregor group describe` on a group with a static member (python3-confluent-kafka with
 * group.instance.id): the GROUP-INSTANCE-ID column appears, as kafka-consumer-groups.sh adds it
 * when a member has one; the member id starts with the instance id, as Kafka makes it. The
 * Python consumer runs the built binary while it holds its assignment.
 */
import t from 'tap';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startBroker } from '../index.js';
import { DEBIAN_PYTHON, hasPythonModule, run } from '../../test/helpers/external.js';

const bin = fileURLToPath(new URL('../../bin/gregor.js', import.meta.url));
const built = existsSync(fileURLToPath(new URL('../../dist/bundle/cli.cjs', import.meta.url)));

const SCRIPT = `
import sys, time, subprocess
from confluent_kafka import Consumer
from confluent_kafka.admin import AdminClient, NewTopic
bootstrap, node, gregor = sys.argv[1], sys.argv[2], sys.argv[3]
admin = AdminClient({'bootstrap.servers': bootstrap})
admin.create_topics([NewTopic('static-t', 2, 1)])['static-t'].result()
c = Consumer({'bootstrap.servers': bootstrap, 'group.id': 'static-g', 'group.instance.id': 'pod-1',
              'session.timeout.ms': 10000})
c.subscribe(['static-t'])
deadline = time.time() + 30
while time.time() < deadline and not c.assignment():
    c.poll(0.2)
out = subprocess.run([node, gregor, 'group', 'describe', 'static-g', '-b', bootstrap], capture_output=True, text=True)
c.close()
print(out.stdout)
sys.exit(out.returncode)
`;

const skip = !hasPythonModule('confluent_kafka')
  ? 'python3-confluent-kafka is not installed'
  : built
    ? false
    : 'dist/ is not built (npm install builds it)';

t.test('group describe shows a static member’s group.instance.id', { skip }, async (t) => {
  t.setTimeout(90_000);
  const broker = await startBroker({ storage: 'memory' });
  t.teardown(() => broker.stop());
  const result = await run(DEBIAN_PYTHON, ['-c', SCRIPT, broker.bootstrap, process.execPath, bin], {
    timeoutMs: 75_000,
  });
  t.equal(result.code, 0, result.stderr);
  t.match(result.stdout, /MEMBER-ID\s+GROUP-INSTANCE-ID\s+CLIENT-ID\s+HOST\s+ASSIGNMENT/);
  t.match(result.stdout, /\npod-1-\S+\s+pod-1\s+rdkafka\s+\S+\s+static-t-0,static-t-1/);
});
