/**
 * A restarted broker serves clients only once it has caught up with the metadata log and the active
 * controller has unfenced it (Kafka's BrokerServer waits for the lifecycle manager's initial catch-up
 * and the unfencing before it enables request processing). Three real processes: one node (not the
 * active controller) is killed, topics are created while it is down, it is restarted, and its very first
 * Metadata answer must already name every topic with the leaders the other nodes report. Before the
 * fix the node answered from its stale local log for a moment (topics missing).
 */
import t from 'tap';
import { Kafka, logLevel } from 'kafkajs';
import { FAST_QUORUM_SETTINGS, ProcessCluster, type ClusterNode } from '../../test/helpers/process-cluster.js';
import type { MetadataResponse } from '../../protocol/generated/messages/03-metadata.js';

const TOPICS = Array.from({ length: 40 }, (_, i) => `late-topic-${i}`);

function leaders(metadata: MetadataResponse): Map<string, string> {
  const out = new Map<string, string>();
  for (const topic of metadata.topics) {
    for (const p of topic.partitions) out.set(`${topic.name}-${p.partitionIndex}`, String(p.leaderId));
  }
  return out;
}

t.test('a restarted node answers Metadata only after it has caught up', async (t) => {
  t.setTimeout(240000);
  const cluster = new ProcessCluster({ ...FAST_QUORUM_SETTINGS, 'num.partitions': '2' });
  t.teardown(() => cluster.stop());
  const view = await cluster.startRegistered(3);
  const restarted = cluster.nodes.find((n) => n.id !== view.leaderId) as ClusterNode;
  const others = cluster.nodes.filter((n) => n !== restarted);
  t.comment(`active controller ${view.leaderId}; restarting node ${restarted.id}`);

  cluster.kill(restarted);
  const kafka = new Kafka({
    clientId: 'catch-up-test',
    brokers: others.map((n) => `127.0.0.1:${n.port}`),
    logLevel: logLevel.NOTHING,
    retry: { retries: 20, initialRetryTime: 100 },
  });
  const admin = kafka.admin();
  t.teardown(() => admin.disconnect());
  await admin.connect();
  // Wait until the killed node is fenced, so the new topics are placed on the two live nodes.
  await cluster.waitFor('the killed node fenced', 30000, async () => {
    const m = await cluster.metadata(others[0]!, []);
    return m !== null && m.brokers.length === 2;
  });
  t.ok(
    await admin.createTopics({
      topics: TOPICS.map((topic) => ({ topic, numPartitions: 2, replicationFactor: 2 })),
      waitForLeaders: true,
    }),
    `${TOPICS.length} topics created while node ${restarted.id} is down`,
  );
  const expected = await cluster.waitFor('the survivors agree on the new topics', 30000, async () => {
    const m = await cluster.metadata(others[0]!, TOPICS);
    return m !== null && m.topics.every((tp) => tp.errorCode === 0) ? m : null;
  });

  cluster.spawn(restarted);
  // The first answer the restarted node gives at all (connections refused or closed until then).
  const first = await cluster.waitFor(
    'the restarted node to answer Metadata',
    120000,
    () => cluster.metadata(restarted, null),
    5,
  );
  const names = new Set(first.topics.filter((tp) => tp.errorCode === 0).map((tp) => tp.name));
  const missing = TOPICS.filter((name) => !names.has(name));
  t.same(missing, [], 'its first Metadata answer names every topic created while it was down');
  const expectedLeaders = leaders(expected);
  const firstLeaders = leaders({
    ...first,
    topics: first.topics.filter((tp) => tp.name !== null && TOPICS.includes(tp.name)),
  });
  t.same(Object.fromEntries(firstLeaders), Object.fromEntries(expectedLeaders), 'with the leaders the others report');
  t.ok(
    first.brokers.some((b) => b.nodeId === restarted.id),
    'and lists itself among the brokers (registered and unfenced)',
  );
});
