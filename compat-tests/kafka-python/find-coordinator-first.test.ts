/**
 * The first FindCoordinator of a fresh cluster, from kafka-python 2.0.2's own
 * test_describe_consumer_group_does_not_exist (compat-tests/kafka-python-suite). Kafka 3.9's
 * KafkaApis.getCoordinator answers COORDINATOR_NOT_AVAILABLE to the request that finds
 * `__consumer_offsets` (or `__transaction_state`) missing from the broker's metadata, and starts its
 * creation, even on a single combined node; Gregor answered a coordinator at once there.
 * kafka-python's admin client does not retry FindCoordinator: its first describe_consumer_groups on
 * a fresh cluster raises GroupCoordinatorNotAvailableError, as against Kafka; the next one works.
 * Skips when python3-kafka is not installed.
 */
import t from 'tap';
import { brokerFor } from '../../test/helpers/broker.js';
import { DEBIAN_PYTHON, hasPythonModule, run } from '../../test/helpers/external.js';

const SCRIPT = `
import sys, json
from kafka import KafkaAdminClient
a = KafkaAdminClient(bootstrap_servers=sys.argv[1])
out = []
for _ in range(2):
    try:
        out.append([g.state for g in a.describe_consumer_groups(['test'])])
    except Exception as e:
        out.append(type(e).__name__)
a.close()
print(json.dumps(out))
`;

t.test(
  'kafka-python describe_consumer_groups on a fresh broker: COORDINATOR_NOT_AVAILABLE first, as Kafka, then an answer',
  { skip: hasPythonModule('kafka') ? false : 'python3-kafka is not installed' },
  async (t) => {
    const running = await brokerFor(t);
    const r = await run(DEBIAN_PYTHON, ['-c', SCRIPT, running.bootstrap], { timeoutMs: 60_000 });
    t.equal(r.code, 0, r.stderr);
    t.same(JSON.parse(r.stdout), ['GroupCoordinatorNotAvailableError', ['Dead']]);
  },
);
