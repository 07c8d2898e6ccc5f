/**
 * One seeded simulation run: a cluster under faults (drops, duplicates, reordering delays,
 * partitions, crashes with loss of unsynced state, restarts) for a number of steps with invariants
 * checked after each, then a calm phase that must elect a leader and bring every node to the same
 * committed state. A failure names its seed so `SEED=<n>` replays it.
 * Leaves out: performance measurement (bench/raft/commit-throughput.ts).
 */
import { SimCluster, type ClusterOptions } from './cluster.js';
import type { NetworkFaults } from './network.js';

export const STORMY_NETWORK: NetworkFaults = {
  dropRate: 0.05,
  duplicateRate: 0.03,
  minDelayMs: 1,
  maxDelayMs: 40,
  longDelayRate: 0.02,
  longDelayMs: 600,
};

export interface SimulationResult {
  readonly seed: number;
  readonly steps: number;
  readonly simulatedMs: number;
  readonly committed: number;
  readonly leaders: number;
  readonly crashes: number;
  readonly refusals: number;
}

export class SimulationFailure extends Error {
  constructor(
    readonly seed: number,
    readonly step: number,
    cause: unknown,
  ) {
    super(
      `seed ${seed} failed at step ${step}: ${cause instanceof Error ? cause.message : String(cause)} (replay with SEED=${seed})`,
      {
        cause,
      },
    );
    this.name = 'SimulationFailure';
  }
}

export function clusterOptions(seed: number, voters: number): ClusterOptions {
  return {
    seed,
    voters,
    faults: STORMY_NETWORK,
    faultIntervalMs: 1500,
    proposeIntervalMs: 40,
    snapshotIntervalMs: 2500,
    // One seed in four runs without pre-vote, so both election paths face the faults.
    raft: { preVote: seed % 4 !== 0 },
    // Two seeds in three tell peers about crashes as TCP would (refused/closed connections), which
    // starts pre-vote elections early.
    refuseConnections: seed % 3 !== 0,
  };
}

export function runSimulation(seed: number, voters: number, steps: number): SimulationResult {
  const cluster = new SimCluster(clusterOptions(seed, voters));
  try {
    for (let i = 0; i < steps; i++) if (!cluster.step()) break;
    cluster.calm();
    const oneLeader = (): boolean => {
      const leaders = cluster.leaders();
      return leaders.length === 1 && (leaders[0]?.node?.highWatermark() ?? 0) > 0;
    };
    if (!cluster.runUntil(oneLeader, 60_000)) throw new Error('no leader within 60 s once faults stopped');
    const leader = cluster.leaders()[0]?.node;
    if (!leader) throw new Error('leader vanished');
    const target = leader.propose([Buffer.from('final')]).lastOffset + 1;
    const allApplied = (): boolean => cluster.replicas.every((r) => (r.node?.appliedOffset() ?? 0) >= target);
    if (!cluster.runUntil(allApplied, 60_000)) {
      const where = cluster.replicas
        .map((r) => `${r.id}:${r.node?.currentState().kind}@${r.node?.appliedOffset()}`)
        .join(' ');
      throw new Error(`not every node applied offset ${target} within 60 s of calm (${where})`);
    }
    cluster.checker.fullCheck(cluster.replicas);
    return {
      seed,
      steps: cluster.steps,
      simulatedMs: cluster.clock.now(),
      committed: cluster.checker.committed.length,
      leaders: cluster.checker.leaderCount(),
      crashes: cluster.crashes,
      refusals: cluster.refusals,
    };
  } catch (error) {
    throw new SimulationFailure(seed, cluster.steps, error);
  }
}
