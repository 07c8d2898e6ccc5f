/**
 * Lines up the latency episodes of a latency.ts run with what the servers did meanwhile:
 *
 *   BENCH_CLIENT=loadgen BENCH_TIMELINE_DIR=/tmp/t BENCH_PROBE=1 npx tsx bench/broker/latency.ts
 *   npx tsx bench/broker/latency-episodes.ts /tmp/t [threshold ms, 20]
 *
 * For each round's timeline (<server>-<topic>.txt, latencygen.ts --timeline) it prints the episodes, runs of
 * batches (gaps under 20 ms) whose latency was over the threshold, each with its start (s into the round),
 * length and peak, and, from the server's probe (<server>.probe, bench/broker/loop-probe.cjs), within the
 * episode and the peak before it: the event loop's utilization and the main thread's shares of time on a CPU
 * and waiting for one (the probe's 10 ms `busy` lines: a loop saturated without stalling shows there),
 * event-loop stalls (count, longest, and how much of them the main thread spent running and waiting for a
 * CPU, the rest asleep), GCs (total ms), the main thread's
 * kernel waits by wait channel, and the most dirty page cache seen (MiB, with the background threshold).
 * Then the fetch round trips with data (<timeline>.fetches): p50 / p99, and how many fetches there were.
 * Leaves out: the first 10% of each round's batches (latencygen leaves them out of its percentiles too).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const [dir, thresholdArg] = process.argv.slice(2);
if (!dir) throw new Error('usage: latency-episodes.ts <BENCH_TIMELINE_DIR> [threshold ms]');
const THRESHOLD_MS = Number(thresholdArg ?? 20);
/** Batches this close together (s) belong to one episode. */
const GAP_S = 0.02;

interface Probe {
  /** End, length, ms on a CPU, ms waiting for one. */
  stalls: Array<[number, number, number, number]>;
  gcs: Array<[number, number]>;
  waits: Array<[number, string]>;
  vm: Array<[number, number, number]>;
  /** End, length ms, event-loop utilization, CPU ms, run-queue ms (the probe's `busy` lines, every ~10 ms). */
  busy: Array<[number, number, number, number, number]>;
}

const lines = (path: string): string[] =>
  existsSync(path)
    ? readFileSync(path, 'utf8')
        .split('\n')
        .filter((line) => line !== '')
    : [];

function readProbe(path: string): Probe {
  const probe: Probe = { stalls: [], gcs: [], waits: [], vm: [], busy: [] };
  for (const line of lines(path)) {
    const [kind, at, ...rest] = line.split(' ');
    const time = Number(at);
    if (kind === 'stall') probe.stalls.push([time, Number(rest[0]), Number(rest[1] ?? NaN), Number(rest[2] ?? NaN)]);
    else if (kind === 'gc') probe.gcs.push([time, Number(rest[0])]);
    else if (kind === 'wait') probe.waits.push([time, `${rest[0]} ${rest[1]}`]);
    else if (kind === 'vm') probe.vm.push([time, Number(rest[0]), Number(rest[2])]);
    else if (kind === 'busy')
      probe.busy.push([time, Number(rest[0]), Number(rest[1]), Number(rest[2]), Number(rest[3])]);
  }
  return probe;
}

const pick = (sorted: number[], q: number): number =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! : NaN;

/** What the probe saw in [from, to] (seconds since the epoch). */
function during(probe: Probe, from: number, to: number): string {
  const inside = <T extends [number, ...unknown[]]>(xs: T[]): T[] => xs.filter(([t]) => t >= from && t <= to);
  // A stall is logged when it ends: one ending up to its own length after `to` still overlaps.
  const stalls = probe.stalls.filter(([end, ms]) => end >= from && end - ms / 1000 <= to);
  const gcMs = inside(probe.gcs).reduce((sum, [, ms]) => sum + ms, 0);
  const waits = new Map<string, number>();
  for (const [, what] of inside(probe.waits)) waits.set(what, (waits.get(what) ?? 0) + 1);
  const vm = inside(probe.vm);
  const dirty = vm.length ? Math.max(...vm.map(([, d]) => d)) : NaN;
  const background = vm.length ? vm[0]![2] : NaN;
  const longest = stalls.length ? Math.max(...stalls.map(([, ms]) => ms)) : 0;
  const stalledMs = stalls.reduce((sum, [, ms]) => sum + ms, 0);
  const runningMs = stalls.reduce((sum, [, , cpu]) => sum + cpu, 0);
  const queuedMs = stalls.reduce((sum, [, , , queued]) => sum + queued, 0);
  const waitText = [...waits].map(([what, n]) => `${what} x${n}`).join(', ') || 'none';
  const busy = inside(probe.busy);
  const busyMs = busy.reduce((sum, [, ms]) => sum + ms, 0);
  const share = (pickMs: (b: [number, number, number, number, number]) => number): string =>
    busyMs > 0 ? `${Math.round((100 * busy.reduce((sum, b) => sum + pickMs(b), 0)) / busyMs)}%` : '?';
  return (
    `loop busy ${share(([, ms, elu]) => ms * elu)}, main thread on a CPU ${share(([, , , cpu]) => cpu)}, ` +
    `waiting for one ${share(([, , , , queued]) => queued)}; stalls ${stalls.length} (longest ${longest.toFixed(0)} ms; of their ${stalledMs.toFixed(0)} ms ${runningMs.toFixed(0)} ` +
    `running, ${queuedMs.toFixed(0)} waiting for a CPU), GC ${gcMs.toFixed(0)} ms, ` +
    `kernel waits: ${waitText}, dirty ≤ ${dirty} MiB (background threshold ${background})`
  );
}

function fetchSummary(path: string, from: number): string {
  const rows = lines(path).map((line) => line.split(' ').map(Number) as [number, number, number]);
  const withData = rows
    .filter(([sent, , bytes]) => sent >= from && bytes > 0)
    .map(([, rtt]) => rtt)
    .sort((a, b) => a - b);
  return (
    `fetches ${rows.length}, with data ${withData.length}: round trip p50 ${pick(withData, 0.5).toFixed(2)} ` +
    `p99 ${pick(withData, 0.99).toFixed(2)} ms`
  );
}

function report(file: string): void {
  const server = file.slice(0, file.indexOf('-latency-'));
  const probe = readProbe(join(dir!, `${server}.probe`));
  const batches = lines(join(dir!, file)).map((line) => line.split(' ').map(Number) as [number, number]);
  const measured = batches.slice(Math.floor(batches.length / 10));
  if (measured.length === 0) return;
  const t0 = batches[0]![0];
  const episodes: Array<{ start: number; end: number; peak: number }> = [];
  for (const [due, ms] of measured) {
    if (!(ms >= THRESHOLD_MS)) continue;
    const last = episodes[episodes.length - 1];
    if (last && due - last.end < GAP_S) {
      last.end = due;
      last.peak = Math.max(last.peak, ms);
    } else episodes.push({ start: due, end: due, peak: ms });
  }
  const sorted = measured.map(([, ms]) => ms).sort((a, b) => a - b);
  console.log(
    `${file}: p50 ${pick(sorted, 0.5).toFixed(2)} p99 ${pick(sorted, 0.99).toFixed(2)} ms; ` +
      `${episodes.length} episodes over ${THRESHOLD_MS} ms; ${fetchSummary(join(dir!, `${file}.fetches`), measured[0]![0])}`,
  );
  // The topic is deleted once the last batch arrived: what the server does then is not the round's.
  const lastArrival = Math.max(...batches.map(([due, ms]) => (ms >= 0 ? due + ms / 1000 : 0)));
  for (const { start, end, peak } of episodes) {
    const from = start - peak / 1000;
    const to = Math.min(end + peak / 1000, lastArrival);
    console.log(
      `  ${(start - t0).toFixed(3)} s, ${((end - start) * 1000).toFixed(0)} ms long, peak ${peak.toFixed(1)} ms: ` +
        during(probe, from, to),
    );
  }
  console.log(`  whole round: ${during(probe, batches[0]![0], lastArrival)}`);
}

for (const file of readdirSync(dir)
  .filter((name) => /-latency-\d+\.txt$/.test(name))
  .sort())
  report(file);
