/**
 * Broker configs as python3-confluent-kafka's describe_configs sees them: a broker started with
 * broker.id only (the ZooKeeper-era name) describes node.id with that id, and one started with
 * node.id describes broker.id with it, both as static configs, as Kafka's populated synonyms do.
 * Skips when the module is not installed.
 */
import t from 'tap';
import { brokerFor } from '../../test/helpers/broker.js';
import { DEBIAN_PYTHON, hasPythonModule, run } from '../../test/helpers/external.js';

const DESCRIBE = `
import sys, json
from confluent_kafka.admin import AdminClient, ConfigResource
a = AdminClient({'bootstrap.servers': sys.argv[1]})
r = a.describe_configs([ConfigResource('broker', sys.argv[2])])
configs = list(r.values())[0].result(timeout=30)
print(json.dumps({n: [configs[n].value, configs[n].source] for n in ('broker.id', 'node.id')}))
`;

t.test(
  'describe_configs of a broker: node.id and broker.id carry the same id',
  { skip: hasPythonModule('confluent_kafka') ? false : 'python3-confluent-kafka is not installed' },
  async (t) => {
    for (const name of ['broker.id', 'node.id']) {
      const running = await brokerFor(t, { config: { [name]: 5 } });
      const r = await run(DEBIAN_PYTHON, ['-c', DESCRIBE, running.bootstrap, '5'], { timeoutMs: 60_000 });
      t.equal(r.code, 0, r.stderr);
      // 4: STATIC_BROKER_CONFIG.
      t.same(JSON.parse(r.stdout), { 'broker.id': ['5', 4], 'node.id': ['5', 4] }, `started with ${name}=5`);
      await running.stop();
    }
  },
);
