/**
 * A topic created, and partitions added, while one of three brokers is down, as an operator does it with
 * librdkafka's AdminClient (python3-confluent-kafka): Kafka 3.9's controller places replicas on every
 * registered broker that is not in controlled shutdown, fenced ones included once the unfenced are used
 * up (StripedReplicaPlacer over BrokerHeartbeatManager.usableBrokers). So replication factor 3 on a
 * three-node cluster with a node down is created: three replicas, the dead one out of the ISR and never
 * the leader, acks=all served by the two others with min.insync.replicas=2, and the node back in the
 * ISR once it returns. Gregor refused it (INVALID_REPLICATION_FACTOR, "only 2 broker(s) are registered",
 * though three were). A factor above the registered brokers is still refused with Kafka's message.
 */
import t from 'tap';
import { FAST_QUORUM_SETTINGS, ProcessCluster } from '../../test/helpers/process-cluster.js';
import { DEBIAN_PYTHON, hasPythonModule, run } from '../../test/helpers/external.js';

t.setTimeout(240_000);

const ADMIN_SCRIPT = `
import json, sys
from confluent_kafka.admin import AdminClient, NewTopic, NewPartitions
from confluent_kafka import Producer
bootstrap = sys.argv[1]
admin = AdminClient({'bootstrap.servers': bootstrap})
out = {}
def outcome(futures):
    for name, f in futures.items():
        try:
            f.result()
            return 'OK'
        except Exception as e:
            return str(e.args[0].name()) + ': ' + e.args[0].str()
out['create'] = outcome(admin.create_topics([NewTopic('during', 3, 3, config={'min.insync.replicas': '2'})], operation_timeout=15))
out['rf4'] = outcome(admin.create_topics([NewTopic('four', 1, 4)], operation_timeout=15))
out['partitions'] = outcome(admin.create_partitions([NewPartitions('before', 4)], operation_timeout=15))
delivered = []
p = Producer({'bootstrap.servers': bootstrap, 'acks': 'all', 'message.timeout.ms': 20000})
for i in range(6):
    p.produce('during', value=b'v%d' % i, partition=i % 3, on_delivery=lambda err, msg: delivered.append(err.name() if err else 'OK'))
p.flush(30)
out['delivered'] = delivered
print(json.dumps(out))
`;

interface AdminOutcome {
  create: string;
  rf4: string;
  partitions: string;
  delivered: string[];
}

const SKIP = hasPythonModule('confluent_kafka') ? false : 'python3-confluent-kafka is not installed';

t.test(
  'replication factor 3 with one of three brokers down: created on all three, as Kafka',
  { skip: SKIP },
  async (t) => {
    const cluster = new ProcessCluster({ ...FAST_QUORUM_SETTINGS, 'broker.session.timeout.ms': '4000' });
    t.teardown(() => cluster.stop());
    const quorum = await cluster.startRegistered(3);
    const bootstrap = cluster.nodes.map((n) => `127.0.0.1:${n.port}`).join(',');
    const made = await run(
      DEBIAN_PYTHON,
      [
        '-c',
        `from confluent_kafka.admin import AdminClient, NewTopic
a = AdminClient({'bootstrap.servers': '${bootstrap}'})
[f.result() for f in a.create_topics([NewTopic('before', 2, 3)], operation_timeout=15).values()]`,
      ],
      { timeoutMs: 60_000 },
    );
    t.equal(made.code, 0, `topic "before" created with all three up ${made.stderr}`);

    // Not the active controller: the kill closes its heartbeat connection and it is fenced at once.
    const victim = cluster.nodes.find((n) => n.id !== quorum.leaderId)!;
    const live = cluster.nodes.filter((n) => n !== victim);
    cluster.kill(victim);
    await cluster.waitFor('the killed broker fenced', 30_000, async () => {
      const brokers = (await cluster.metadata(live[0]!, []))?.brokers;
      return brokers !== undefined && brokers.length === 2;
    });

    const liveBootstrap = live.map((n) => `127.0.0.1:${n.port}`).join(',');
    const result = await run(DEBIAN_PYTHON, ['-c', ADMIN_SCRIPT, liveBootstrap], { timeoutMs: 90_000 });
    t.equal(result.code, 0, `the admin script ran ${result.stderr.slice(-2000)}`);
    const out = JSON.parse(result.stdout.trim().split('\n').pop() ?? '{}') as AdminOutcome;
    t.equal(out.create, 'OK', 'CreateTopics with replication factor 3 succeeds with a broker down');
    t.equal(out.partitions, 'OK', 'CreatePartitions on a factor-3 topic succeeds with a broker down');
    t.equal(
      out.rf4,
      'INVALID_REPLICATION_FACTOR: Unable to replicate the partition 4 time(s): The target replication factor of 4 cannot be reached because only 3 broker(s) are registered.',
      'a factor above the registered brokers is refused with Kafka’s message (the fenced one counted)',
    );
    t.same(out.delivered, ['OK', 'OK', 'OK', 'OK', 'OK', 'OK'], 'acks=all served by the two live replicas');

    const metadata = await cluster.metadata(live[0]!, ['during', 'before']);
    for (const topic of metadata?.topics ?? []) {
      for (const p of topic.partitions) {
        const where = `${topic.name}-${p.partitionIndex}`;
        t.same([...p.replicaNodes].sort(), [1, 2, 3], `${where}: three replicas, the dead broker among them`);
        t.notOk(p.isrNodes.includes(victim.id), `${where}: the dead broker is not in the ISR`);
        t.not(p.leaderId, victim.id, `${where}: nor the leader`);
        t.same(p.offlineReplicas, [victim.id], `${where}: listed offline`);
      }
    }
    t.equal(metadata?.topics.find((x) => x.name === 'before')?.partitions.length, 4, 'before has four partitions');

    cluster.spawn(victim);
    await cluster.waitFor('the restarted broker back in every ISR', 120_000, async () => {
      const m = await cluster.metadata(live[0]!, ['during', 'before']);
      return m?.topics.every((x) => x.partitions.length > 0 && x.partitions.every((p) => p.isrNodes.length === 3));
    });
    t.pass('the returned broker caught up and joined every ISR');
  },
);
