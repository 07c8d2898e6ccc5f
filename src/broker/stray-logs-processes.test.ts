/**
 * Stray logs (Kafka 3.7+, LogManager's isStrayKraftReplica) with real processes in split mode (one
 * controller, three brokers). A broker is killed; while it is down one of its partitions is reassigned
 * to the other two brokers and a topic with a replica on it is deleted; its metadata log folder is
 * lost (a replaced metadata.log.dir disk) and the controller snapshots and trims its log, so the
 * broker restarts from a snapshot that never names those partitions: nothing tells it to delete them.
 * Once it has caught up it moves both folders aside as `<topic>-0.<id>-stray` (kept on disk, as Kafka
 * keeps them) and serves neither; the reassigned partition keeps every record on its new replicas.
 * (When the broker still has its own metadata log, replaying it and then the controller's snapshot
 * already deletes both folders, as topic deletion and reassignment do; this is the case left.)
 */
import t from 'tap';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { FAST_QUORUM_SETTINGS, ProcessCluster, type ClusterNode } from '../../test/helpers/process-cluster.js';
import { hostsPartitionFolder, readAll } from '../../test/helpers/partition-reads.js';

function strayFolders(node: ClusterNode): string[] {
  try {
    return readdirSync(node.dir).filter((name) => name.endsWith('-stray'));
  } catch {
    return [];
  }
}

t.test('a restarted node moves aside the logs the metadata no longer places on it', async (t) => {
  t.setTimeout(240000);
  const cluster = new ProcessCluster({
    ...FAST_QUORUM_SETTINGS,
    'broker.session.timeout.ms': '2000',
    'replica.fetch.wait.max.ms': '100',
    // Snapshots often, so the restarted node gets a snapshot, not the records that moved its partitions.
    'metadata.log.max.record.bytes.between.snapshots': '2000',
    'metadata.log.max.snapshot.interval.ms': '500',
  });
  t.teardown(() => cluster.stop());
  await cluster.startSplitRegistered(1, 3);
  const [victim, a, b] = cluster.brokers as [ClusterNode, ClusterNode, ClusterNode];
  const kafka = new Kafka({
    clientId: 'stray-logs',
    brokers: [a, b].map((n) => `127.0.0.1:${n.port}`),
    logLevel: logLevel.NOTHING,
    retry: { retries: 30, initialRetryTime: 100, maxRetryTime: 1000 },
  });
  const admin = kafka.admin();
  t.teardown(() => admin.disconnect());
  await admin.connect();
  await admin.createTopics({
    topics: [
      { topic: 'moving', replicaAssignment: [{ partition: 0, replicas: [victim.id, a.id] }] },
      { topic: 'doomed', replicaAssignment: [{ partition: 0, replicas: [victim.id, b.id] }] },
    ],
    waitForLeaders: true,
  });
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const values = Array.from({ length: 50 }, (_, i) => `v${i}`);
  await producer.send({ topic: 'moving', acks: -1, messages: values.map((value) => ({ value })) });
  await producer.send({ topic: 'doomed', acks: -1, messages: [{ value: 'gone' }] });
  await producer.disconnect();
  await cluster.waitFor(
    'both folders on the victim',
    30000,
    async () => hostsPartitionFolder(victim, 'moving') && hostsPartitionFolder(victim, 'doomed'),
  );

  cluster.kill(victim);
  await cluster.waitFor('the victim fenced', 30000, async () => {
    const m = await cluster.metadata(a, []);
    return m !== null && m.brokers.length === 2;
  });
  await admin.alterPartitionReassignments({
    topics: [{ topic: 'moving', partitionAssignment: [{ partition: 0, replicas: [a.id, b.id] }] }],
  });
  await cluster.waitFor('the reassignment done', 60000, async () => {
    const m = await cluster.metadata(a, ['moving']);
    const p = m?.topics[0]?.partitions[0];
    return p !== undefined && p.replicaNodes.join(',') === `${a.id},${b.id}` && p.isrNodes.length === 2;
  });
  await admin.deleteTopics({ topics: ['doomed'] });
  // More metadata after the moves, so a snapshot past them is written and the log prefix trimmed.
  await admin.createTopics({
    topics: Array.from({ length: 20 }, (_, i) => ({ topic: `filler-${i}`, numPartitions: 1, replicationFactor: 2 })),
  });

  // The broker's metadata log folder is lost while it is down.
  rmSync(join(victim.dir, '__cluster_metadata-0'), { recursive: true, force: true });
  cluster.spawn(victim);
  await cluster.waitFor('the victim registered again', 120000, async () => {
    const m = await cluster.metadata(victim, []);
    return m !== null && m.brokers.length === 3;
  });
  const strays = await cluster
    .waitFor('two stray folders', 30000, async () => {
      const found = strayFolders(victim);
      return found.length >= 2 ? found : null;
    })
    .catch(() => strayFolders(victim));
  t.comment(`the victim's log dir: ${readdirSync(victim.dir).join(' ')}`);
  t.ok(
    strays.some((name) => name.startsWith('moving-0.')),
    `the reassigned partition's folder is moved aside (${strays.join(', ')})`,
  );
  t.ok(
    strays.some((name) => name.startsWith('doomed-0.')),
    "the deleted topic's folder too",
  );
  t.notOk(hostsPartitionFolder(victim, 'moving'), 'no moving-0 folder is left in place');
  t.notOk(hostsPartitionFolder(victim, 'doomed'), 'nor doomed-0');
  const leaderId = (await cluster.metadata(a, ['moving']))?.topics[0]?.partitions[0]?.leaderId;
  const leader = cluster.nodes.find((n) => n.id === leaderId) as ClusterNode;
  t.same(
    await readAll(cluster, leader, 'moving'),
    values,
    'the reassigned partition keeps every record on its new replicas',
  );
});
