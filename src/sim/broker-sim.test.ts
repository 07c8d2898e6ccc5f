/**
 * The three-node broker simulation: real broker cores on one seeded clock form a quorum, create a
 * replicated topic, take acks=-1 writes, lose their active controller (a partition leader too) and
 * carry on, with the invariants checked after every step; the same seed replays the same scenario; and
 * the checker does fail on a broken variant (acks=1 answers counted as acks=-1 acknowledgements).
 */
import t, { type Test } from 'tap';
import { BrokerSimFailure, LOSSY_SIM_NET, runBrokerSimulation, type BrokerSimResult } from './broker-sim.js';
import { BrokerInvariantViolation } from './broker-invariants.js';

const SEEDS = Number(process.env.BROKER_SIM_SEEDS ?? 4);
/** Wall-time budget for the seeds of one test (at least two seeds run whatever the budget). */
const BUDGET_MS = Number(process.env.BROKER_SIM_BUDGET_MS ?? 10_000);

async function runSeeds(
  t: Test,
  label: string,
  run: (seed: number) => Promise<BrokerSimResult>,
): Promise<BrokerSimResult[]> {
  const started = Date.now();
  const results: BrokerSimResult[] = [];
  for (let seed = 1; seed <= SEEDS; seed++) {
    if (seed > 2 && Date.now() - started > BUDGET_MS) break;
    try {
      results.push(await run(seed));
    } catch (error) {
      t.fail(`${label}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return results;
}

function summary(results: readonly BrokerSimResult[]): string {
  const sum = (f: (r: BrokerSimResult) => number): number => results.reduce((a, r) => a + f(r), 0);
  const failover = results.map((r) => r.failoverMs);
  return (
    `${results.length} seeds: ${sum((r) => r.steps)} steps, ${sum((r) => r.acked)} acks=-1 records ` +
    `(${sum((r) => r.ackedAfterFailover)} after the failover), controller failover ${Math.min(...failover)}-${Math.max(...failover)} ms simulated`
  );
}

t.test('three broker cores survive the loss of their active controller and partition leader', async (t) => {
  const results = await runSeeds(t, 'calm network', (seed) => runBrokerSimulation({ seed }));
  t.ok(results.length >= 2, summary(results));
  for (const r of results) {
    t.ok(r.killedLed >= 1, `seed ${r.seed}: the killed controller ${r.killed} led ${r.killedLed} partition(s)`);
    t.not(r.newController, r.killed, `seed ${r.seed}: node ${r.newController} took over`);
    t.ok(r.ackedAfterFailover >= 3, `seed ${r.seed}: producing resumed in every partition`);
  }
});

t.test('the same under delays, retransmissions and connection resets', async (t) => {
  const results = await runSeeds(t, 'lossy network', (seed) =>
    runBrokerSimulation({ seed: 100 + seed, faults: LOSSY_SIM_NET }),
  );
  t.ok(results.length >= 2, summary(results));
});

t.test('a seed replays the same scenario', async (t) => {
  const first = await runBrokerSimulation({ seed: 7 });
  const second = await runBrokerSimulation({ seed: 7 });
  // Exact replay is not there yet: the step counts of one seed differ slightly between runs (about 1 %,
  // cause not found; see docs/simulation.md). Who is killed and who takes over are the same.
  const outline = (r: BrokerSimResult): object => ({ killed: r.killed, killedLed: r.killedLed, next: r.newController });
  t.same(outline(second), outline(first));
  t.ok(Math.abs(second.steps - first.steps) <= first.steps * 0.05, `${first.steps} and ${second.steps} steps`);
});

t.test('the checker catches acknowledged records lost with a broken acks=-1', async (t) => {
  let caught = 0;
  let runs = 0;
  for (let seed = 1; seed <= 3; seed++) {
    runs++;
    try {
      await runBrokerSimulation({ seed, brokenAcks: true });
    } catch (error) {
      if (error instanceof BrokerSimFailure && error.cause instanceof BrokerInvariantViolation) {
        caught++;
        t.match(error.message, /acknowledged record v\d+ at offset \d+ is not in the log of leader/);
      } else throw error;
    }
  }
  t.ok(caught > 0, `lost acknowledged records found in ${caught} of ${runs} seeds`);
});
