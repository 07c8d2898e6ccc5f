/**
 * Real processes: three combined broker+controller nodes on 127.0.0.1 elect a leader over TCP; a
 * topic is created; the leader is killed with SIGKILL; the survivors elect a new leader (at once, by
 * pre-vote, when their connections to it close; Kafka's default timeouts); a second
 * topic is created; the killed node restarts from its files and catches up; both topics are then
 * visible on all three nodes.
 */
import t from 'tap';
import { ProcessCluster, type ClusterNode } from '../../test/helpers/process-cluster.js';

async function topicEverywhere(cluster: ProcessCluster, nodes: ClusterNode[], topic: string): Promise<boolean> {
  const answers = await Promise.all(nodes.map((n) => cluster.metadata(n, [topic])));
  return answers.every((a) => a?.topics[0]?.errorCode === 0 && (a.topics[0]?.partitions.length ?? 0) > 0);
}

async function createTopic(cluster: ClusterNode, c: ProcessCluster, topic: string): Promise<void> {
  await c.waitFor(`topic ${topic} created on node ${cluster.id}`, 8000, async () => {
    const r = await c.metadata(cluster, [topic], true);
    return r?.topics[0]?.errorCode === 0;
  });
}

const FETCH_TIMEOUT_MS = 15_000;

// Real processes on a possibly loaded 2-core machine: a file bound well above tap's 240 s (a node can take
// tens of seconds to start), so that a slow run finishes instead of being cut short.
t.setTimeout(600_000);

t.test('three processes elect, fail over after kill -9, and keep every committed topic', async (t) => {
  // Kafka's default election timeout (1000 ms) and a long fetch timeout: a new leader agreed well
  // before it proves the survivors did not wait for it (a loaded machine still has slack).
  const cluster = new ProcessCluster({ 'controller.quorum.fetch.timeout.ms': String(FETCH_TIMEOUT_MS) });
  t.teardown(() => cluster.stop());
  await cluster.start(3);
  const all = cluster.nodes;

  const first = await cluster.waitFor('a leader', 60000, () => cluster.agreedLeader(all));
  t.ok(first.leaderId >= 1 && first.leaderId <= 3, `node ${first.leaderId} leads epoch ${first.leaderEpoch}`);
  const leader = all.find((n) => n.id === first.leaderId)!;

  await createTopic(leader, cluster, 'before-kill');
  await cluster.waitFor('before-kill on all nodes', 5000, () => topicEverywhere(cluster, all, 'before-kill'));
  t.pass('topic created before the kill is on all three nodes');

  const killedAt = Date.now();
  cluster.kill(leader);
  const survivors = all.filter((n) => n !== leader);
  const second = await cluster.waitFor('a new leader', 2 * FETCH_TIMEOUT_MS, () =>
    cluster.agreedLeader(survivors, leader.id),
  );
  t.ok(second.leaderEpoch > first.leaderEpoch, `node ${second.leaderId} leads epoch ${second.leaderEpoch}`);
  const electedMs = Date.now() - killedAt;
  // The survivors saw their connections to the leader close and ran a pre-vote election at once
  // (Vote v2); waiting out the fetch timeout would take longer than this.
  t.ok(electedMs < FETCH_TIMEOUT_MS, `new leader agreed ${electedMs} ms after the kill, before any fetch timeout`);
  const newLeader = all.find((n) => n.id === second.leaderId)!;
  await createTopic(newLeader, cluster, 'after-kill');
  t.comment(`failover + first commit took ${Date.now() - killedAt} ms`);
  await cluster.waitFor('after-kill on survivors', 30_000, () => topicEverywhere(cluster, survivors, 'after-kill'));

  cluster.spawn(leader);
  await cluster.waitFor(
    'both topics on all three nodes',
    // The restarted process may take tens of seconds to start on a loaded machine.
    120_000,
    async () =>
      (await topicEverywhere(cluster, all, 'before-kill')) && (await topicEverywhere(cluster, all, 'after-kill')),
  );
  t.pass('both topics are on all three nodes after the old leader restarts');
  const final = await cluster.waitFor('agreement after restart', 30_000, () => cluster.agreedLeader(all));
  t.equal(final.leaderId, second.leaderId, 'the restarted node follows the new leader');
});
