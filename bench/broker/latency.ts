/**
 * End-to-end latency, produce to consume (issue 20): `npx tsx bench/broker/latency.ts` after `npm run build`.
 *
 * One python3-confluent-kafka producer (bench/broker/latency.py: 1 KiB messages stamped with their
 * send time, paced at BENCH_RATE msg/s, linger.ms=1, acks=1) and one consumer (partition 0 from
 * offset 0, fetch.wait.max.ms=100) run against, in rounds that rotate which goes first:
 *  - the echo sink (bench/broker/sink.ts --mode echo: keeps produced batches in memory and answers a
 *    waiting Fetch as soon as a Produce arrives: the baseline with no storage);
 *  - this tree's broker (`node bin/gregor.js start` from dist/, on disk, acks=1);
 *  - with BENCH_BASELINE=<dir>, an older built tree's broker.
 * Per server: p50/p99/p99.9 of (arrival - send) over each round's messages but the first 10%, the
 * median of the rounds with their spread, and broker p99 ÷ sink p99 per round. Env: BENCH_ROUNDS (5),
 * BENCH_RATE (msg/s, 50000), BENCH_SECONDS (10). All traffic stays on 127.0.0.1.
 *
 * BENCH_CLIENT=loadgen: the load is the project's own, which can drive the broker to its maximum (Python's
 * producer tops out near 180k msg/s, well under it). First each server's maximum produce rate is
 * measured with bench/broker/loadgen.ts (BENCH_MAX_RUNS (3) rounds of BENCH_MAX_MB (512) MB of 1023 B
 * records each, alternating, a topic per run deleted after it); the rate is BENCH_RATE_FRACTION (0.5) of
 * the broker's median maximum, unless BENCH_RATE is given (with BENCH_MAX_RUNS=0 too, the maximum is not
 * measured: BENCH_RATE is then half an earlier run's). Then each round runs bench/broker/latencygen.ts (a
 * paced producer of 1 ms batches and a Fetch v12 consumer in one process: latency from each batch's due
 * time to its arrival, see there) for BENCH_SECONDS (5), on a topic deleted after the round (the brokers get
 * log.segment.delete.delay.ms=0, so a round's gigabytes leave the disk and the page cache).
 * BENCH_BROKER_CONFIG=k=v,k=v adds broker settings. BENCH_BROKER_ENV=K=V,K=V and BENCH_BASELINE_ENV=K=V,K=V add to
 * the environment of this tree's broker and of the baseline's (BENCH_BASELINE=. runs this tree twice, e.g.
 * `BENCH_BASELINE=. BENCH_BASELINE_ENV=GREGOR_WRITE_BEHIND=auto`); BENCH_NODE_ARGS (space-separated) go to both
 * brokers' node (`--require <probe>`, `--cpu-prof`). BENCH_TIMELINE_DIR=<dir> keeps each round's latencygen
 * timeline there (<server>-<round>.txt and .fetches: per batch and per fetch, see latencygen.ts); with
 * BENCH_PROBE=1 each server also runs bench/broker/loop-probe.cjs (event-loop stalls, GCs, kernel waits of the
 * main thread, dirty pages) into <server>.probe there. `npx tsx bench/broker/latency-episodes.ts <dir>` then
 * lines each round's latency episodes up with them.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadgenLatency, loadgenProduce } from './loadgen-client.js';
import { brokerConfig, cpuSeconds, PYTHON, runLoad, startBroker, startSink, type Server } from './procs.js';

const LOADGEN = process.env.BENCH_CLIENT === 'loadgen';
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const SECONDS = Number(process.env.BENCH_SECONDS ?? (LOADGEN ? 5 : 10));
const MAX_RUNS = Number(process.env.BENCH_MAX_RUNS ?? 3);
const MAX_MB = Number(process.env.BENCH_MAX_MB ?? 512);
const RATE_FRACTION = Number(process.env.BENCH_RATE_FRACTION ?? 0.5);
const SIZE = 1024;
const SCRIPT = fileURLToPath(new URL('./latency.py', import.meta.url));
const TIMELINE_DIR = process.env.BENCH_TIMELINE_DIR;
const NODE_ARGS = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter((arg) => arg !== '');
const PROBE = process.env.BENCH_PROBE === '1';
if (PROBE && TIMELINE_DIR === undefined) throw new Error('BENCH_PROBE=1 needs BENCH_TIMELINE_DIR');
const probeArgs = PROBE ? ['--require', fileURLToPath(new URL('./loop-probe.cjs', import.meta.url))] : [];
/** Where a server's probe writes (bench/broker/loop-probe.cjs), when BENCH_PROBE=1. */
const probeEnv = (name: string): Record<string, string> =>
  PROBE ? { LOOP_PROBE_LOG: join(TIMELINE_DIR!, `${name}.probe`) } : {};

/** K=V,K=V from an environment variable, as an object. */
const pairs = (raw: string | undefined): Record<string, string> =>
  Object.fromEntries(
    (raw ?? '')
      .split(',')
      .filter((kv) => kv.includes('='))
      .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
  );

interface Latency {
  received: number;
  p50: number;
  p99: number;
  p999: number;
  max: number;
  /** The server's CPU-seconds per GB produced in the round, all threads and the main thread (loadgen only). */
  cpuPerGb?: number;
  mainCpuPerGb?: number;
}

/** utime + stime of a process's main thread, in seconds (Linux /proc). */
function mainThreadCpu(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/task/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

const log = (line: string): void => void process.stderr.write(`${line}\n`);
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const spread = (xs: number[], digits = 2): string =>
  `${median(xs).toFixed(digits)} (${Math.min(...xs).toFixed(digits)}-${Math.max(...xs).toFixed(digits)})`;

/** Runs latency.py with `args`; `onLine` sees each stdout line; resolves the last one parsed as JSON. */
function python<T>(args: string[], onLine: (line: string) => void = () => undefined): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, [SCRIPT, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      const text = d.toString();
      out += text;
      for (const line of text.split('\n')) if (line) onLine(line);
    });
    child.stderr.on('data', (d: Buffer) => void (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), (SECONDS + 90) * 1000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      const last = out.trim().split('\n').pop() ?? '';
      if (code === 0 && last.startsWith('{')) resolve(JSON.parse(last) as T);
      else reject(new Error(`latency.py ${args[0]} exited ${code}: ${err.slice(0, 1000)}`));
    });
  });
}

const isBroker = (server: Server): boolean => !server.name.includes('sink');

/**
 * Each server's maximum produce rate (msg/s) with the loadgen: the median of MAX_RUNS runs of MAX_MB MB,
 * servers alternating, each run on a topic of its own deleted after it.
 */
async function maxRates(servers: Server[], lines: string[]): Promise<Map<Server, number>> {
  const rates = new Map<Server, number[]>(servers.map((s) => [s, []]));
  const loads: number[] = [];
  for (let run = 0; run < MAX_RUNS; run++) {
    for (let i = 0; i < servers.length; i++) {
      const server = servers[(run + i) % servers.length]!;
      const topic = `max-rate-${run}`;
      await withTopic(server, topic, async () => {
        const r = await loadgenProduce(server.port, topic, { mb: MAX_MB, recordBytes: SIZE - 1, acks: '1' });
        rates.get(server)!.push(r.messages / r.seconds);
        loads.push(loadavg()[0]!);
        log(`max rate ${server.name}: ${(r.messages / r.seconds).toFixed(0)} msg/s (load ${loadavg()[0]!.toFixed(1)})`);
      });
    }
  }
  lines.push(
    `maximum produce rate, 1023 B records, ${MAX_RUNS} runs of ${MAX_MB} MB with the loadgen, ` +
      `load average ${Math.min(...loads).toFixed(1)}-${Math.max(...loads).toFixed(1)}:`,
  );
  for (const server of servers)
    lines.push(
      `- ${server.name}: ${spread(
        rates.get(server)!.map((r) => r / 1000),
        0,
      )}k msg/s`,
    );
  return new Map(servers.map((s) => [s, median(rates.get(s)!)]));
}

/**
 * Runs `body` with `topic` created on a broker, and deleted after it (the loadgen's runs), after a `sync`
 * (the loadgen's runs: the last run's writeback does not land in this one).
 */
async function withTopic<T>(server: Server, topic: string, body: () => Promise<T>): Promise<T> {
  const bootstrap = `127.0.0.1:${server.port}`;
  if (LOADGEN) execFileSync('sync');
  if (!isBroker(server)) return body();
  await runLoad(['create', bootstrap, topic, '1']);
  try {
    return await body();
  } finally {
    if (LOADGEN) await runLoad(['delete', bootstrap, topic]);
  }
}

async function loadgenRound(server: Server, topic: string, rate: number): Promise<Latency> {
  const timeline =
    TIMELINE_DIR === undefined ? undefined : join(TIMELINE_DIR, `${server.name.replace(/ /g, '-')}-${topic}.txt`);
  const pid = server.child.pid!;
  const [cpu0, main0] = [cpuSeconds(pid), mainThreadCpu(pid)];
  const r = await loadgenLatency(server.port, topic, { rate, seconds: SECONDS, recordBytes: SIZE - 1, timeline });
  const gb = (r.batches * r.batchRecords * SIZE) / 1e9;
  const cpuPerGb = (cpuSeconds(pid) - cpu0) / gb;
  const mainCpuPerGb = (mainThreadCpu(pid) - main0) / gb;
  log(
    `${server.name}: ${r.batches} batches of ${r.batchRecords} at ${r.rate.toFixed(0)} msg/s (worst send lag ` +
      `${r.maxSendLagMs.toFixed(1)} ms); p50 ${r.p50.toFixed(2)} p99 ${r.p99.toFixed(2)} p99.9 ${r.p999.toFixed(2)} ms; ` +
      `${cpuPerGb.toFixed(2)} CPU-s/GB, main thread ${mainCpuPerGb.toFixed(2)} (load ${loadavg()[0]!.toFixed(1)})`,
  );
  return { received: r.received, p50: r.p50, p99: r.p99, p999: r.p999, max: r.max, cpuPerGb, mainCpuPerGb };
}

function round(server: Server, topic: string, rate: number): Promise<Latency> {
  return withTopic(server, topic, () =>
    LOADGEN ? loadgenRound(server, topic, rate) : pythonRound(server, topic, rate),
  );
}

async function pythonRound(server: Server, topic: string, rate: number): Promise<Latency> {
  const bootstrap = `127.0.0.1:${server.port}`;
  const count = Math.floor(rate * SECONDS);
  let ready: () => void = () => undefined;
  const isReady = new Promise<void>((r) => (ready = r));
  const consumer = python<Latency>(['consume', bootstrap, topic, String(count), String(SECONDS + 60)], (line) => {
    if (line === 'ready') ready();
  });
  await Promise.race([isReady, consumer]);
  const sent = await python<{ sent: number; rate: number }>([
    'produce',
    bootstrap,
    topic,
    String(rate),
    String(SECONDS),
    String(SIZE),
  ]);
  const result = await consumer;
  log(
    `${server.name}: sent ${sent.sent} at ${sent.rate.toFixed(0)} msg/s, received ${result.received}; ` +
      `p50 ${result.p50.toFixed(2)} p99 ${result.p99.toFixed(2)} p99.9 ${result.p999.toFixed(2)} ms ` +
      `(load ${loadavg()[0]!.toFixed(1)})`,
  );
  return result;
}

async function main(): Promise<void> {
  const config = { ...(LOADGEN ? { 'log.segment.delete.delay.ms': '0' } : {}), ...brokerConfig() };
  if (TIMELINE_DIR !== undefined) mkdirSync(TIMELINE_DIR, { recursive: true });
  const servers: Server[] = [
    await startSink('echo', { nodeArgs: probeArgs, env: probeEnv('echo-sink') }),
    await startBroker(config, {
      nodeArgs: [...NODE_ARGS, ...probeArgs],
      env: { ...pairs(process.env.BENCH_BROKER_ENV), ...probeEnv('broker') },
    }),
  ];
  const baselineRoot = process.env.BENCH_BASELINE;
  if (baselineRoot) {
    const env = { ...pairs(process.env.BENCH_BASELINE_ENV), ...probeEnv('baseline') };
    const nodeArgs = [...NODE_ARGS, ...probeArgs];
    servers.push(await startBroker(config, { root: resolve(baselineRoot), name: 'baseline', nodeArgs, env }));
  }
  const lines = [
    `load average before: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  ];
  const results = new Map<Server, Latency[]>(servers.map((s) => [s, []]));
  const loads: number[] = [];
  let rate = Number(process.env.BENCH_RATE ?? 50_000);
  try {
    // BENCH_MAX_RUNS=0 with BENCH_RATE: the rate of an earlier run's maximum, without measuring it again.
    if (LOADGEN && (MAX_RUNS > 0 || process.env.BENCH_RATE === undefined)) {
      const max = await maxRates(servers, lines);
      if (process.env.BENCH_RATE === undefined) rate = Math.round(RATE_FRACTION * max.get(servers[1]!)!);
    }
    for (let r = 0; r < ROUNDS; r++) {
      for (let i = 0; i < servers.length; i++) {
        const server = servers[(r + i) % servers.length]!;
        results.get(server)!.push(await round(server, `latency-${r}`, rate));
        loads.push(loadavg()[0]!);
      }
    }
  } finally {
    for (const server of servers) await server.stop();
  }
  lines.push(
    `end-to-end latency, 1 KiB, 1 partition, acks=1, ${rate} msg/s for ${SECONDS} s, ${ROUNDS} rounds, ` +
      `${LOADGEN ? 'latencygen' : 'python3-confluent-kafka'}, ` +
      `load average ${Math.min(...loads).toFixed(1)}-${Math.max(...loads).toFixed(1)}`,
  );
  for (const server of servers) {
    const rs = results.get(server)!;
    lines.push(
      `- ${server.name}: p50 ${spread(rs.map((x) => x.p50))} ms, p99 ${spread(rs.map((x) => x.p99))} ms, ` +
        `p99.9 ${spread(rs.map((x) => x.p999))} ms` +
        (LOADGEN
          ? `; CPU-s/GB ${spread(rs.map((x) => x.cpuPerGb ?? NaN))}, main thread ${spread(rs.map((x) => x.mainCpuPerGb ?? NaN))}`
          : ''),
    );
  }
  const [sink, broker] = servers.map((s) => results.get(s)!) as [Latency[], Latency[]];
  lines.push(`- broker p99 ÷ sink p99 per round: ${spread(broker.map((b, i) => b.p99 / sink[i]!.p99))}`);
  const baseline = servers[2] ? results.get(servers[2]) : undefined;
  if (baseline) {
    lines.push(`- baseline p99 ÷ sink p99 per round: ${spread(baseline.map((b, i) => b.p99 / sink[i]!.p99))}`);
    lines.push(`- broker p99 ÷ baseline p99 per round: ${spread(broker.map((b, i) => b.p99 / baseline[i]!.p99))}`);
  }
  lines.push(
    `load average after: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  console.log(lines.join('\n'));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
