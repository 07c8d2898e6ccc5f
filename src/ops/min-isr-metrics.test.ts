/**
 * ReplicaManager's min-ISR gauges on /metrics (Kafka's UnderMinIsrPartitionCount,
 * AtMinIsrPartitionCount and OfflineReplicaCount), on three nodes driven by kafkajs: node 1 leads a
 * partition of replication factor 3 with min.insync.replicas=3 and one with 2. With every replica in
 * sync the first is at its minimum; once node 3 stops (a controlled shutdown takes it out of both
 * ISRs) the first is under its minimum and the second at it. Gregor had UnderReplicatedPartitions only.
 */
import t from 'tap';
import { Kafka, logLevel } from 'kafkajs';
import { threeNodeCluster } from '../../test/helpers/in-process-cluster.js';
import { pollUntil } from '../../test/helpers/poll.js';
import { sampleValue, scrape } from '../../test/helpers/prometheus-text.js';

t.test('UnderMinIsrPartitionCount and AtMinIsrPartitionCount follow the ISR', async (t) => {
  const nodes = await threeNodeCluster(t, {
    'metrics.listener': 'http://127.0.0.1:0',
    'replica.fetch.wait.max.ms': 100,
  });
  const leader = nodes.find((n) => n.broker.nodeId === 1)!;
  const port = leader.broker.ops?.address?.port;
  if (port === undefined) throw new Error('no operations listener');
  const base = `http://127.0.0.1:${port}`;
  const gauges = async (): Promise<number[]> => {
    const s = await scrape(base);
    return [
      'kafka_server_replicamanager_underminisrpartitioncount',
      'kafka_server_replicamanager_atminisrpartitioncount',
      'kafka_server_replicamanager_underreplicatedpartitions',
      'kafka_server_replicamanager_offlinereplicacount',
    ].map((name) => sampleValue(s, name) ?? -1);
  };

  const kafka = new Kafka({ brokers: [leader.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 5 } });
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  const onNode1 = [{ partition: 0, replicas: [1, 2, 3] }];
  await admin.createTopics({
    topics: [
      { topic: 'min3', replicaAssignment: onNode1, configEntries: [{ name: 'min.insync.replicas', value: '3' }] },
      { topic: 'min2', replicaAssignment: onNode1, configEntries: [{ name: 'min.insync.replicas', value: '2' }] },
    ],
  });
  const all = await pollUntil('both partitions led by node 1 with three in sync', 20_000, async () => {
    const g = await gauges();
    return g[1] === 1 && g[2] === 0 ? g : null;
  });
  t.same(all, [0, 1, 0, 0], 'in sync: min3 at its minimum, nothing under it');

  const third = nodes.find((n) => n.broker.nodeId === 3)!;
  await third.stop();
  nodes.splice(nodes.indexOf(third), 1);
  const shrunk = await pollUntil('both ISRs without node 3', 20_000, async () => {
    const g = await gauges();
    return g[2] === 2 ? g : null;
  });
  t.same(shrunk, [1, 1, 2, 0], 'node 3 gone: min3 under its minimum, min2 at it');
});
