/**
 * Seeded simulation runs of 3- and 5-voter quorums under drops, duplicates, reordering, partitions
 * and crashes, with invariants checked after every step (see invariants.ts).
 * RAFT_SIM_SEEDS (default 300) and RAFT_SIM_STEPS (default 3000) scale it; SEED=<n> replays one run.
 */
import t from 'tap';
import { SimCluster } from './cluster.js';
import { InvariantViolation } from './invariants.js';
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
    t.comment(`crashes ${crashes}, committed entries ${committed}, leader epochs ${elections}`);
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

t.test('a run is reproducible from its seed', async (t) => {
  const a = runSimulation(42, 5, 1500);
  const b = runSimulation(42, 5, 1500);
  t.same(a, b);
});
