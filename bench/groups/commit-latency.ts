/**
 * Offset-commit latency under load: G groups each commit offsets for P partitions at
 * R Hz over C shared connections (raw OffsetCommit v8 frames, generation -1: "simple"
 * groups, as admin tools and assign()-mode consumers commit), for a bounded duration
 * after priming (each group commits 3 times, closed loop) and a warm-up second. Commits are spread evenly over 10 ms ticks, scheduled from
 * the start time (no drift), sent whatever is still in flight (open loop); a tick's
 * requests on one connection go out in one socket write. Latency is
 * from the request's write to its answer; the "intended" figures count from the tick's
 * scheduled time instead, so a late timer in this process (its own CPU or the
 * machine's load) is charged too (no coordinated omission either way). The
 * generator's own CPU per commit and its worst timer lag are reported.
 * Each group's frame is encoded once and resent with a fresh correlation id, so the
 * load generator's CPU stays small next to the broker's. Reports percentiles, the
 * achieved rate and any error codes.
 */
import { OffsetCommitApi } from '../../protocol/generated/messages/08-offset-commit.js';
import { PipelinedClient } from './pipelined-client.js';
import { percentile } from './spawn-broker.js';

export const COMMIT_TOPIC = 'commit-bench';

export interface CommitLoad {
  groups: number;
  hz: number;
  partitions: number;
  connections: number;
  durationMs: number;
  warmupMs: number;
}

export interface CommitResult {
  commits: number;
  ratePerSec: number;
  p50: number;
  p99: number;
  p999: number;
  max: number;
  /** Percentiles counted from each tick's scheduled time rather than the write. */
  intendedP99: number;
  intendedMax: number;
  /** The worst lateness of a tick's sends behind its schedule, ms. */
  maxSendLagMs: number;
  /** This process's CPU (user + system) per commit, µs. */
  generatorCpuUs: number;
  /** p99 of the commits sent in each second of the measured run, ms (shows whether outliers cluster). */
  p99BySecond: number[];
  errors: number;
  /** How many answers carried each error code (-1: no answer, the request failed). */
  errorCodes: Record<number, number>;
  maxInFlight: number;
}

const TICK_MS = 10;
const PRIME_ROUNDS = 3;

/** `started` is called after priming, when the timed schedule (warm-up second included) begins. */
export async function commitLatency(
  port: number,
  load: CommitLoad,
  started: () => void = () => undefined,
): Promise<CommitResult> {
  const clients = await Promise.all(Array.from({ length: load.connections }, () => PipelinedClient.connect(port)));
  const latencies: number[] = [];
  const intended: number[] = [];
  let start = 0;
  const bySecond: number[][] = [];
  let maxSendLagMs = 0;
  let errors = 0;
  const errorCodes: Record<number, number> = {};
  let maxInFlight = 0;
  const ticksPerPeriod = Math.round(1000 / load.hz / TICK_MS);
  const outstanding = new Set<Promise<void>>();
  // Each group's request is encoded once (the client's CPU should go to the wire, not to codecs): it commits the same offsets each time.
  const frames = Array.from({ length: load.groups }, (_, group) =>
    PipelinedClient.encode(OffsetCommitApi, 8, {
      groupId: `bench-group-${group}`,
      generationIdOrMemberEpoch: -1,
      memberId: '',
      groupInstanceId: null,
      retentionTimeMs: -1n,
      topics: [
        {
          name: COMMIT_TOPIC,
          topicId: 'AAAAAAAAAAAAAAAAAAAAAA',
          partitions: Array.from({ length: load.partitions }, (_, partitionIndex) => ({
            partitionIndex,
            committedOffset: BigInt(group * 100 + partitionIndex),
            committedLeaderEpoch: -1,
            commitTimestamp: -1n,
            committedMetadata: '',
          })),
        },
      ],
    }),
  );

  const commit = (group: number, measure: boolean, scheduled: number): void => {
    const client = clients[group % clients.length]!;
    const sent = performance.now();
    if (measure) maxSendLagMs = Math.max(maxSendLagMs, sent - scheduled);
    const p = client
      .callEncoded(OffsetCommitApi, 8, frames[group]!)
      .then((r) => {
        if (measure) {
          const now = performance.now();
          latencies.push(now - sent);
          intended.push(now - scheduled);
          (bySecond[Math.floor((scheduled - start - load.warmupMs) / 1000)] ??= []).push(now - sent);
        }
        const failed = r.topics.flatMap((t) => t.partitions).find((x) => x.errorCode !== 0);
        if (failed) {
          errors++;
          errorCodes[failed.errorCode] = (errorCodes[failed.errorCode] ?? 0) + 1;
        }
      })
      .catch(() => {
        errors++;
        errorCodes[-1] = (errorCodes[-1] ?? 0) + 1;
      })
      .finally(() => outstanding.delete(p));
    outstanding.add(p);
    maxInFlight = Math.max(
      maxInFlight,
      clients.reduce((s, c) => s + c.inFlight, 0),
    );
  };

  // Priming, closed loop: every group commits a few times, 100 at a time, so `__consumer_offsets` and the
  // groups exist and the broker's code is compiled before the open-loop schedule starts (a cold broker
  // flooded at full rate builds a backlog that the whole run then spends draining).
  for (let round = 0; round < PRIME_ROUNDS; round++) {
    for (let g = 0; g < load.groups; g += 100) {
      await Promise.all(
        Array.from({ length: Math.min(100, load.groups - g) }, (_, i) =>
          clients[(g + i) % clients.length]!.callEncoded(OffsetCommitApi, 8, frames[g + i]!),
        ),
      );
    }
  }
  started();
  const cpuBefore = process.cpuUsage();
  start = performance.now();
  const end = start + load.warmupMs + load.durationMs;
  let tick = 0;
  try {
    for (;;) {
      const at = start + tick * TICK_MS;
      if (at >= end) break;
      const wait = at - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const measure = at >= start + load.warmupMs;
      const slot = tick % ticksPerPeriod;
      for (const c of clients) c.cork();
      for (let g = slot; g < load.groups; g += ticksPerPeriod) commit(g, measure, at);
      for (const c of clients) c.uncork();
      tick++;
    }
    await Promise.all(outstanding);
  } finally {
    for (const c of clients) c.close();
  }
  const cpu = process.cpuUsage(cpuBefore);
  const sent = latencies.length * (1 + load.warmupMs / load.durationMs);
  latencies.sort((a, b) => a - b);
  intended.sort((a, b) => a - b);
  return {
    commits: latencies.length,
    ratePerSec: latencies.length / (load.durationMs / 1000),
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    p999: percentile(latencies, 99.9),
    p99BySecond: Array.from(bySecond, (xs) =>
      percentile(
        (xs ?? []).sort((a, b) => a - b),
        99,
      ),
    ),
    max: latencies[latencies.length - 1] ?? NaN,
    intendedP99: percentile(intended, 99),
    intendedMax: intended[intended.length - 1] ?? NaN,
    maxSendLagMs,
    generatorCpuUs: (cpu.user + cpu.system) / sent,
    errors,
    errorCodes,
    maxInFlight,
  };
}
