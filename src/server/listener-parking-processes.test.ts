/**
 * librdkafka (python3-confluent-kafka) against a three-node cluster that has not formed its quorum
 * yet: node 1 listens but is not unfenced (nodes 2 and 3 are paused before an election can finish),
 * the producer connects to it and produces. Its connection is held, not reset, so librdkafka reports
 * no transport error and no "all brokers down" (as against a Kafka broker, whose accept backlog holds
 * connections until it enables request processing); once nodes 2 and 3 resume, node 1 is unfenced
 * and every record is delivered. Before, node 1 reset the connection and librdkafka's error callback
 * saw _TRANSPORT and _ALL_BROKERS_DOWN. Skips when python3-confluent-kafka is not installed.
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { ProcessCluster, type ClusterNode } from '../../test/helpers/process-cluster.js';
import { DEBIAN_PYTHON, hasPythonModule } from '../../test/helpers/external.js';

const PRODUCER = `
import sys, json, time
from confluent_kafka import Producer
errors = []
delivered = [0]
p = Producer({'bootstrap.servers': sys.argv[1], 'acks': 'all', 'message.timeout.ms': 60000,
              'error_cb': lambda e: errors.append(e.name())})
def report(err, msg):
    if err is None:
        delivered[0] += 1
    else:
        errors.append('delivery: ' + err.name())
for i in range(50):
    p.produce('held-topic', b'value-%d' % i, callback=report)
p.poll(0.5)
print('producing', flush=True)
p.flush(60)
print(json.dumps({'delivered': delivered[0], 'errors': errors}), flush=True)
`;

t.test(
  'librdkafka connecting before the cluster has a quorum is held, then served, with no error',
  { skip: hasPythonModule('confluent_kafka') ? false : 'python3-confluent-kafka is not installed' },
  async (t) => {
    t.setTimeout(180_000);
    // A long first election, so nodes 2 and 3 can be paused before any leader exists.
    const cluster = new ProcessCluster({
      'controller.quorum.election.timeout.ms': '2000',
      'broker.heartbeat.interval.ms': '200',
      'num.partitions': '1',
      'default.replication.factor': '1',
      'offsets.topic.replication.factor': '1',
    });
    t.teardown(() => cluster.stop());
    await cluster.start(3);
    const [first, ...paused] = cluster.nodes as [ClusterNode, ...ClusterNode[]];
    for (const node of paused) cluster.pause(node);
    t.teardown(() => {
      for (const node of paused) cluster.resume(node);
    });
    const view = await cluster.describeQuorum(first);
    if (view !== null && view.leaderId >= 0) {
      t.comment(`a leader (${view.leaderId}) was elected before the pause: the held window is not exercised`);
    } else t.pass('no quorum: node 1 listens but cannot be unfenced');

    const producer = spawn(DEBIAN_PYTHON, ['-c', PRODUCER, `127.0.0.1:${first.port}`], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    t.teardown(() => producer.kill('SIGKILL'));
    const lines = createInterface({ input: producer.stdout })[Symbol.asyncIterator]();
    t.equal((await lines.next()).value, 'producing', 'the producer has connected and is producing');
    // Let it wait on the held connection a while (a reset would be reported within milliseconds).
    await new Promise((r) => setTimeout(r, 1000));
    for (const node of paused) cluster.resume(node);

    const last = await lines.next();
    const out = JSON.parse(String(last.value)) as { delivered: number; errors: string[] };
    t.equal(out.delivered, 50, 'every record delivered once node 1 serves');
    t.same(out.errors, [], 'librdkafka reported no error (no _TRANSPORT, no _ALL_BROKERS_DOWN)');
  },
);
