/**
 * Seeded simulation runs of 3- and 5-voter quorums under drops, duplicates, reordering, partitions
 * and crashes, with invariants checked after every step (see invariants.ts).
 * RAFT_SIM_SEEDS (default 300) and RAFT_SIM_STEPS (default 3000) scale it; SEED=<n> replays one run.
 */
import t from 'tap';
import { SimCluster } from './cluster.js';
import { InvariantViolation } from './invariants.js';
import { CALM_NETWORK } from './network.js';
import { clusterOptions, runSimulation, type SimulationResult } from './simulation.js';

const seedEnv = process.env['SEED'];
const seeds = Number(process.env['RAFT_SIM_SEEDS'] ?? 300);
const steps = Number(process.env['RAFT_SIM_STEPS'] ?? 3000);
const votersFor = (seed: number): number => (seed % 2 === 1 ? 3 : 5);

if (seedEnv !== undefined) {
  t.test(`replay seed ${seedEnv}`, async (t) => {
    const seed = Number(seedEnv);
    const result = runSimulation(seed, votersFor(seed), steps);
    t.comment(JSON.stringify(result));
    t.ok(result.committed > 0);
  });
} else {
  t.test(`${seeds} seeded runs of ${steps} steps keep every invariant`, async (t) => {
    const results: SimulationResult[] = [];
    const failures: string[] = [];
    for (let seed = 1; seed <= seeds; seed++) {
      try {
        results.push(runSimulation(seed, votersFor(seed), steps));
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        failures.push(message);
        t.comment(`FAILED: ${message}`);
      }
    }
    t.same(failures, [], 'no seed failed (replay one with SEED=<n>)');
    const crashes = results.reduce((n, r) => n + r.crashes, 0);
    const committed = results.reduce((n, r) => n + r.committed, 0);
    const elections = results.reduce((n, r) => n + r.leaders, 0);
    const refusals = results.reduce((n, r) => n + r.refusals, 0);
    t.comment(
      `crashes ${crashes}, refused connections ${refusals}, committed entries ${committed}, leader epochs ${elections}`,
    );
    t.ok(refusals > seeds, 'the runs refused connections to crashed nodes');
    t.ok(crashes > seeds, 'the runs did crash nodes');
    t.ok(elections > seeds * 2, 'the runs went through many elections');
    t.ok(committed > seeds * 100, 'the runs committed entries');
  });
}

t.test('the checker is not vacuous: a changed committed entry is caught', async (t) => {
  const cluster = new SimCluster({ ...clusterOptions(7, 3), faultIntervalMs: 0 });
  cluster.runUntil(() => cluster.checker.committed.length > 20, 30_000);
  const victim = cluster.replicas.find((r) => !r.node?.isLeader() && r.log.startOffset() < 5);
  if (!victim) throw new Error('no follower with a long enough log');
  const entries = victim.log.allEntries().slice(5 - victim.log.startOffset());
  victim.log.truncateTo(5);
  victim.log.append([
    { ...(entries[0] as (typeof entries)[0]), payload: Buffer.from('tampered') },
    ...entries.slice(1),
  ]);
  victim.log.flush();
  t.throws(() => cluster.checker.fullCheck(cluster.replicas), InvariantViolation);
});

t.test('the checker catches two leaders in one epoch', async (t) => {
  const cluster = new SimCluster({ ...clusterOptions(8, 3), faultIntervalMs: 0 });
  const leader = { kind: 'leader' as const, epoch: 9, leaderId: 1, votedId: 1 };
  cluster.checker.onTransition(1, { kind: 'candidate', epoch: 9, leaderId: -1, votedId: 1 }, leader);
  t.throws(
    () =>
      cluster.checker.onTransition(
        2,
        { kind: 'candidate', epoch: 9, leaderId: -1, votedId: 2 },
        { ...leader, leaderId: 2, votedId: 2 },
      ),
    InvariantViolation,
  );
});

t.test('a crashed leader whose connections are refused is replaced well before the fetch timeout', async (t) => {
  const failover = (seed: number, refuseConnections: boolean): number => {
    const cluster = new SimCluster({
      ...clusterOptions(seed, 3),
      faults: CALM_NETWORK,
      faultIntervalMs: 0,
      raft: { preVote: true },
      refuseConnections,
    });
    const leaderCommitted = (): boolean => (cluster.leaders()[0]?.node?.highWatermark() ?? 0) > 0;
    if (!cluster.runUntil(leaderCommitted, 10_000)) throw new Error(`seed ${seed}: no first leader`);
    cluster.runUntil(() => false, 500);
    const old = cluster.leaders()[0]!;
    const epoch = old.node!.epoch();
    const crashedAt = cluster.clock.now();
    cluster.crash(old.id);
    const replaced = (): boolean =>
      cluster.leaders().some((r) => r.node!.epoch() > epoch && r.node!.highWatermark() > r.log.startOffset());
    if (!cluster.runUntil(replaced, 20_000)) throw new Error(`seed ${seed}: no new leader`);
    const newLeader = cluster.leaders()[0]!.node!;
    const start = newLeader.highWatermark();
    cluster.runUntil(() => newLeader.highWatermark() > start || newLeader.logEndOffset() === start, 1000);
    return cluster.clock.now() - crashedAt;
  };
  const fast: number[] = [];
  const slow: number[] = [];
  for (let seed = 1; seed <= 20; seed++) {
    fast.push(failover(seed, true));
    slow.push(failover(seed, false));
  }
  t.comment(`failover ms with refused connections: max ${Math.max(...fast)}; without: min ${Math.min(...slow)}`);
  t.ok(Math.max(...fast) < 1000, 'with refusals every failover is under a second (pre-vote starts at once)');
  t.ok(Math.min(...slow) >= 1500, 'without them a follower waits out its fetch timeout (2000 ms after its last fetch)');
});

t.test('a run is reproducible from its seed', async (t) => {
  const a = runSimulation(42, 5, 1500);
  const b = runSimulation(42, 5, 1500);
  t.same(a, b);
});
