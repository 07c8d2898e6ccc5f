/**
 * The group benchmarks, each against a broker in its own process on 127.0.0.1 with
 * startBroker's dev defaults (group.initial.rebalance.delay.ms=0, one
 * __consumer_offsets partition, on-disk logs in a temporary dir):
 *  1. a group of 10 raw members is Stable again after one leaves (TRIALS trials, for
 *     each heartbeat interval in HEARTBEATS);
 *  2. 1,000 groups committing offsets at 10 Hz each over 4 connections for ~10 s.
 * `npx tsx bench/groups/run.ts`; prints a Markdown section for docs/groups.md.
 * GROUPS, HZ, SECONDS, CONNECTIONS, TRIALS and HEARTBEATS (comma list, ms, or `none`) scale it.
 */
import { loadavg } from 'node:os';
import { COMMIT_TOPIC, commitLatency } from './commit-latency.js';
import { REBALANCE_TOPIC, rebalanceTrial } from './rebalance.js';
import { fmt, percentile, processCpuMs, spawnBroker } from './spawn-broker.js';

const env = (name: string, fallback: number): number => Number(process.env[name] ?? fallback);
const members = 10;
const trials = env('TRIALS', 7);
// HEARTBEATS=none skips the rebalance trials.
const heartbeats =
  process.env.HEARTBEATS === 'none' ? [] : (process.env.HEARTBEATS ?? '100,500').split(',').map(Number);
const load = {
  groups: env('GROUPS', 1000),
  hz: env('HZ', 10),
  partitions: 4,
  connections: env('CONNECTIONS', 4),
  durationMs: env('SECONDS', 10) * 1000,
  warmupMs: 1000,
};

const lines: string[] = [];
const note = (line: string) => {
  lines.push(`- ${line}`);
  console.error(line);
};

note(
  `machine: ${process.platform} ${process.arch}, Node ${process.version}, load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}; broker in a child process`,
);

const broker = await spawnBroker({ topics: { [REBALANCE_TOPIC]: members, [COMMIT_TOPIC]: load.partitions } });
try {
  for (const heartbeatMs of heartbeats) {
    const totals: number[] = [];
    const detects: number[] = [];
    const brokers: number[] = [];
    for (let trial = 0; trial < trials; trial++) {
      const r = await rebalanceTrial(broker.port, `rebalance-${heartbeatMs}-${trial}`, members, heartbeatMs);
      totals.push(r.totalMs);
      detects.push(r.detectMs);
      brokers.push(r.brokerMs);
    }
    const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
    const [t, d, b] = [sorted(totals), sorted(detects), sorted(brokers)];
    note(
      `${members} members, one leaves, heartbeat every ${heartbeatMs} ms: Stable again after median ${fmt(percentile(t, 50))} ms, max ${fmt(t[t.length - 1]!)} ms ` +
        `(${trials} trials; detection through heartbeats median ${fmt(percentile(d, 50))} ms, then join + sync median ${fmt(percentile(b, 50))} ms, max ${fmt(b[b.length - 1]!)} ms)`,
    );
  }

  let cpuBefore = NaN;
  const r = await commitLatency(broker.port, load, () => (cpuBefore = processCpuMs(broker.pid)));
  const cpuPerCommitUs =
    ((processCpuMs(broker.pid) - cpuBefore) * 1000) / (r.commits + (r.commits * load.warmupMs) / load.durationMs);
  note(
    `${load.groups} groups committing ${load.partitions} partitions each at ${load.hz} Hz over ${load.connections} connections for ${load.durationMs / 1000} s: ` +
      `${r.commits} commits (${fmt(r.ratePerSec, 0)}/s), latency p50 ${fmt(r.p50, 2)} ms, p99 ${fmt(r.p99, 2)} ms, p99.9 ${fmt(r.p999, 2)} ms, max ${fmt(r.max, 2)} ms; ` +
      `from the scheduled send time p99 ${fmt(r.intendedP99, 2)} ms, max ${fmt(r.intendedMax, 2)} ms (generator timers up to ${fmt(r.maxSendLagMs, 1)} ms late); ` +
      `p99 per second ${r.p99BySecond.map((x) => fmt(x, 0)).join('/')} ms; ` +
      `${r.errors} errors, at most ${r.maxInFlight} in flight; broker CPU ${fmt(cpuPerCommitUs, 0)} µs per commit, load generator CPU ${fmt(r.generatorCpuUs, 0)} µs per commit`,
  );
} finally {
  await broker.stop();
}
console.log(lines.join('\n'));
