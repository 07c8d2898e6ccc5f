/**
 * Issue #14, on whole broker cores under the seeded clock: the active controller commits a record,
 * then crashes before its followers learn that it committed (the fetch answer carrying the new high
 * watermark is lost with it). A follower wins the next epoch holding the record but not having
 * applied it. Checked after every step: a node acting as the active controller
 * (`quorum.node.isLeader()`, which the metadata controller and every controller handler ask) has that
 * committed record in its image. Before the fix the Raft role alone made a node the active controller
 * and this failed within the first steps of the new epoch; Kafka's controller claims leadership only
 * once it has read up to its epoch's start offset.
 */
import t from 'tap';
import { SimBrokerCluster, type SimBrokerNode } from './broker-cluster.js';
import { CALM_SIM_NET } from './sim-transport.js';

const SEEDS = [1, 2, 3];

async function activeOf(cluster: SimBrokerCluster): Promise<SimBrokerNode> {
  const ok = await cluster.runUntil(
    () => cluster.live().some((n) => n.broker.quorum.node.isLeader() && n.broker.controller.image.brokers.size === 3),
    20_000,
  );
  const active = cluster.live().find((n) => n.broker.quorum.node.isLeader());
  if (!ok || !active) throw new Error('no active controller with three registered brokers');
  return active;
}

for (const seed of SEEDS) {
  t.test(`seed ${seed}: a new active controller acts only with every committed record applied`, async (t) => {
    const cluster = new SimBrokerCluster({ seed, nodes: 3, faults: CALM_SIM_NET });
    t.teardown(() => cluster.close());
    await cluster.start();
    const old = await activeOf(cluster);
    const committed = old.broker.controller.submit([
      { type: 'TopicRecord', data: { name: `catch-up-${seed}`, topicId: 'AAAAAAAAAAAAAAAAAAAAAQ' } },
    ]);
    const offset = old.broker.quorum.node.lastProposedOffset();
    committed.catch(() => undefined);
    // Crash the old controller in the step its high watermark passes the record.
    await cluster.runUntil(() => old.broker.quorum.node.raft.highWatermark() > offset, 5_000);
    t.ok(old.broker.quorum.node.raft.highWatermark() > offset, 'the old controller committed the record');
    cluster.crash(old.id);

    const violations: string[] = [];
    let unappliedLeader = false;
    cluster.afterStep(() => {
      for (const n of cluster.live()) {
        const lacks = n.broker.controller.image.lastAppliedOffset < offset;
        if (n.broker.quorum.node.raft.isLeader() && lacks) unappliedLeader = true;
        if (n.broker.quorum.node.isLeader() && lacks)
          violations.push(`node ${n.id} active at ${cluster.now()} ms without offset ${offset}`);
      }
    });
    const next = await activeOf(cluster);
    t.not(next.id, old.id);
    t.ok(next.broker.controller.image.topicsByName.has(`catch-up-${seed}`), 'the new controller has the record');
    t.same(violations, [], 'no node acted as the active controller without the committed record');
    t.ok(unappliedLeader, 'the scenario did make a Raft leader that had not applied the record');
  });
}
