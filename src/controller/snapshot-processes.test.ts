/**
 * Snapshots across real processes: three combined nodes with a low
 * metadata.log.max.record.bytes.between.snapshots; topics are created (through a follower, which
 * forwards); every node writes its own snapshot and drops the log prefix under it; a follower is
 * killed, its data directory wiped, and restarted: it is behind the leader's log start, so it must
 * catch up through FetchSnapshot, and ends with every topic.
 */
import t from 'tap';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { FAST_QUORUM_SETTINGS, ProcessCluster, type ClusterNode } from '../../test/helpers/process-cluster.js';

const TOPICS = Array.from({ length: 30 }, (_, i) => `snapshot-topic-${i}`);

function metadataFiles(node: ClusterNode): string[] {
  const dir = join(node.dir, '__cluster_metadata-0');
  return existsSync(dir) ? readdirSync(dir) : [];
}

function logStart(node: ClusterNode): number {
  const segment = metadataFiles(node).find((f) => /^\d{20}\.log$/.test(f));
  return segment ? Number(segment.slice(0, 20)) : -1;
}

async function allTopicsOn(cluster: ProcessCluster, node: ClusterNode): Promise<boolean> {
  const md = await cluster.metadata(node, TOPICS);
  return (
    md !== null &&
    md.topics.length === TOPICS.length &&
    md.topics.every((x) => x.errorCode === 0 && x.partitions.length === 1)
  );
}

// Real processes on a possibly loaded 2-core machine: a file bound well above tap's 240 s (a node can take
// tens of seconds to start), so that a slow run finishes instead of being cut short.
t.setTimeout(600_000);

t.test('a wiped follower catches up from the leader snapshot', async (t) => {
  const cluster = new ProcessCluster({
    ...FAST_QUORUM_SETTINGS,
    'metadata.log.max.record.bytes.between.snapshots': '1500',
  });
  t.teardown(() => cluster.stop());
  await cluster.start(3);
  const all = cluster.nodes;
  const view = await cluster.waitFor('a leader', 20000, () => cluster.agreedLeader(all));
  const leader = all.find((n) => n.id === view.leaderId)!;
  const follower = all.find((n) => n.id !== view.leaderId)!;
  await cluster.waitFor(
    'three registered brokers',
    10000,
    async () => (await cluster.metadata(follower, []))?.brokers.length === 3,
  );

  const admin = new Kafka({
    clientId: 'snapshot-test',
    brokers: [`127.0.0.1:${follower.port}`],
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  t.equal(
    await admin.createTopics({ topics: TOPICS.map((topic) => ({ topic, numPartitions: 1 })) }),
    true,
    'topics created',
  );
  for (const node of all)
    await cluster.waitFor(`all topics on node ${node.id}`, 8000, () => allTopicsOn(cluster, node));
  await admin.disconnect();

  const leaderStart = await cluster.waitFor(
    'the leader drops a log prefix',
    5000,
    async () => logStart(leader) > 0 && logStart(leader),
  );
  t.ok(
    metadataFiles(leader).some((f) => f.endsWith('.checkpoint')),
    `the leader wrote a snapshot; its log starts at ${leaderStart}`,
  );
  t.ok(
    all.every((n) => metadataFiles(n).some((f) => f.endsWith('.checkpoint'))),
    'every node snapshots on its own',
  );

  cluster.kill(follower);
  rmSync(follower.dir, { recursive: true, force: true });
  cluster.spawn(follower);
  await cluster.waitFor('the wiped follower has every topic', 15000, () => allTopicsOn(cluster, follower));
  const installed = metadataFiles(follower).filter((f) => f.endsWith('.checkpoint'));
  t.ok(installed.length > 0, `the wiped follower holds a snapshot (${installed.join(', ')})`);
  t.ok(logStart(follower) > 0, 'its log starts past offset 0: it never replayed the prefix the leader dropped');
  const agreed = await cluster.waitFor('agreement', 5000, () => cluster.agreedLeader(all));
  t.equal(agreed.leaderId, leader.id, 'the leader kept leading');
});
