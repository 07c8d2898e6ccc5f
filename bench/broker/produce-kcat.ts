/**
 * Produce throughput with a load faster than the broker (issue 20): `npx tsx bench/broker/produce-kcat.ts`
 * after `npm run build`.
 *
 * kcat (librdkafka 2.0.2) sends a pre-made file of fixed-size lines (`kcat -P -l`, 1 MB batches, 5 in
 * flight, acks=1, no compression) to, in rounds that rotate which goes first:
 *  - the sink (bench/broker/sink.ts: answers Produce, stores nothing): the load's own ceiling;
 *  - this tree's broker (`node bin/gregor.js start` from dist/, fresh data dir, on disk);
 *  - with BENCH_BASELINE=<dir>, an older built tree's broker (a copy of that commit's bin/, dist/ and
 *    package.json with a node_modules link), so a change is measured new vs old in the same rounds.
 * Per workload it prints MB/s and msg/s (medians of the rounds, with the per-round ratios' spread),
 * the CPU-seconds per GB of payload of each server (utime+stime from /proc, with the kernel's stime share),
 * and the load average of every run.
 * A figure whose sink rate is under twice the broker's is marked client-bound.
 *
 * Before the measured rounds each server takes BENCH_WARMUP (1) unmeasured runs of the same file: the broker's
 * request path is JavaScript that V8 optimises only after enough calls, and a run sends only ~500 requests, so
 * without it the first rounds measure baseline-compiled code a long-running broker no longer runs.
 * Env: BENCH_ROUNDS (5), BENCH_KCAT_PROCS (1: kcat processes sending at once, the run's bytes split
 * between them), BENCH_ONLY (comma list of 1k-p1, 1k-p16, 100b-p1; all by default),
 * BENCH_MB (128: MB per run of 1 KiB lines; 100 B lines send a quarter of it),
 * BENCH_BASELINE_SINK (the path of another sink script, e.g. an older sink.ts copied into bench/broker/,
 * run in the same rounds), BENCH_BROKER_CONFIG (k=v,k=v overrides for both brokers), BENCH_NODE_ARGS (space-separated
 * node options for both brokers: `--perf-basic-prof` for `perf record -p`), BENCH_BROKER_ENV and BENCH_BASELINE_ENV
 * (K=V,K=V added to the environment of this tree's broker and of the baseline's: BENCH_BASELINE=. runs this tree
 * twice, e.g. with BENCH_BASELINE_ENV=GREGOR_WRITE_BEHIND=auto), PROFILE=<dir> (this tree's broker runs
 * under --cpu-prof into <dir>, written at its clean stop; `npx tsx bench/profile-top.ts <dir>`).
 * BENCH_CLIENT=loadgen: the load is bench/broker/loadgen.ts (pre-built 1 MB batches, 5 in flight, one
 * process at a few tenths of a CPU-second per GB) instead of kcat, whose own CPU (~4-5 CPU-s/GB) made every
 * kcat figure client-bound on two cores; each run's bytes and seconds are then the load generator's own
 * (first write to last answer). BENCH_SYNC (1 with loadgen, else 0): `sync` before each run, so the page
 * cache's writeback of one run's data does not land in the next.
 * BENCH_DROP_TOPICS=1: every run writes to a topic of its own, created before and deleted after it (the brokers
 * get log.segment.delete.delay.ms=0), so each run's segment writes land on page-cache pages the last run freed,
 * as on a broker whose retention deletes old segments, rather than on memory this VM touches for the first time
 * (a first touch is paid to the host: `copy_folio_from_iter_atomic` took half the broker's samples in perf).
 * All traffic stays on 127.0.0.1.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { Kafka, logLevel } from 'kafkajs';
import { kcatProduce, makeLineFile, MB } from './kcat.js';
import { loadgenProduce } from './loadgen-client.js';
import { brokerConfig, cpuSplit, runLoad, startBroker, startSink, type Server } from './procs.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
/** Unmeasured runs per server before the rounds (V8 tiers the request path up during them). */
const WARMUP = Number(process.env.BENCH_WARMUP ?? 1);
/** kcat processes sending at once, each a 1/N share of the run's bytes (one kcat can be the limit). */
const PROCS = Number(process.env.BENCH_KCAT_PROCS ?? 1);
const RUN_MB = Number(process.env.BENCH_MB ?? 128);
const WORKLOADS = [
  { name: '1k-p1', label: 'produce 1 KiB, 1 partition, acks=1', line: 1024, partitions: 1, mb: RUN_MB },
  { name: '1k-p16', label: 'produce 1 KiB, 16 partitions, acks=1', line: 1024, partitions: 16, mb: RUN_MB },
  { name: '100b-p1', label: 'produce 100 B, 1 partition, acks=1', line: 100, partitions: 1, mb: RUN_MB / 4 },
];
const only = process.env.BENCH_ONLY?.split(',');
const LOADGEN = process.env.BENCH_CLIENT === 'loadgen';
const DROP_TOPICS = process.env.BENCH_DROP_TOPICS === '1';
const SYNC = (process.env.BENCH_SYNC ?? (LOADGEN ? '1' : '0')) === '1';
const GB = 1e9;

const log = (line: string): void => void process.stderr.write(`${line}\n`);
const load1 = (): number => loadavg()[0]!;
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const spread = (xs: number[], digits = 2): string =>
  `${median(xs).toFixed(digits)} (${Math.min(...xs).toFixed(digits)}-${Math.max(...xs).toFixed(digits)})`;

interface Runs {
  seconds: number[];
  /** Record-value bytes and records each run sent (the load generator rounds up to whole batches). */
  bytes: number[];
  messages: number[];
  cpu: number[];
  /** The kernel's share (stime) of each round's CPU. */
  system: number[];
  /** The CPU of the produce alone: without the topic's creation and deletion (BENCH_DROP_TOPICS=1). */
  produceCpu: number[];
}

/** `K=V,K=V` as an environment (BENCH_BROKER_ENV, BENCH_BASELINE_ENV). */
const envPairs = (raw: string | undefined): Record<string, string> =>
  Object.fromEntries(
    (raw ?? '')
      .split(',')
      .filter((kv) => kv.includes('='))
      .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
  );

async function startServers(): Promise<Server[]> {
  const servers: Server[] = [await startSink('produce')];
  const profile = process.env.PROFILE;
  const config = { ...(DROP_TOPICS ? { 'log.segment.delete.delay.ms': '0' } : {}), ...brokerConfig() };
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter((arg) => arg !== '');
  const profileArgs = profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : [];
  const env = envPairs(process.env.BENCH_BROKER_ENV);
  servers.push(await startBroker(config, { nodeArgs: [...nodeArgs, ...profileArgs], env }));
  const baseline = process.env.BENCH_BASELINE;
  if (baseline) {
    const baselineEnv = envPairs(process.env.BENCH_BASELINE_ENV);
    servers.push(await startBroker(config, { root: baseline, name: 'baseline', nodeArgs, env: baselineEnv }));
  }
  const sinkBaseline = process.env.BENCH_BASELINE_SINK;
  if (sinkBaseline) servers.push(await startSink('produce', { script: sinkBaseline, name: 'baseline sink' }));
  return servers;
}

async function deleteTopic(port: number, topic: string): Promise<void> {
  const admin = new Kafka({ clientId: 'bench', brokers: [`127.0.0.1:${port}`], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  await admin.deleteTopics({ topics: [topic] });
  await admin.disconnect();
}

async function runWorkload(workload: (typeof WORKLOADS)[number], servers: Server[], dir: string): Promise<string[]> {
  const share = LOADGEN ? undefined : await makeLineFile(dir, workload.mb / PROCS, workload.line);
  const sharedTopic = `bench-${workload.name}-p${workload.partitions}`;
  const isBroker = (server: Server): boolean => !server.name.includes('sink');
  const create = (server: Server, topic: string): Promise<unknown> =>
    runLoad(['create', `127.0.0.1:${server.port}`, topic, String(workload.partitions)]);
  if (!DROP_TOPICS) for (const server of servers.filter(isBroker)) await create(server, sharedTopic);
  let runNumber = 0;
  /** One run against `server`: kcat's file (PROCS processes at once) or the load generator. */
  const produce = async (
    server: Server,
  ): Promise<{ seconds: number; bytes: number; messages: number; cpu: number }> => {
    const topic = DROP_TOPICS ? `bench-${workload.name}-r${runNumber++}-p${workload.partitions}` : sharedTopic;
    if (DROP_TOPICS && isBroker(server)) await create(server, topic);
    try {
      if (SYNC) execFileSync('sync');
      const before = cpuSplit(server.child.pid!);
      const run = await produceTo(server, topic);
      const after = cpuSplit(server.child.pid!);
      return { ...run, cpu: after.user + after.system - before.user - before.system };
    } finally {
      if (DROP_TOPICS && isBroker(server)) await deleteTopic(server.port, topic);
    }
  };
  const produceTo = async (
    server: Server,
    topic: string,
  ): Promise<{ seconds: number; bytes: number; messages: number }> => {
    if (!share) {
      // A kcat line holds `line - 1` bytes of value (its newline is not sent): the loadgen sends the same records.
      const r = await loadgenProduce(server.port, topic, {
        mb: workload.mb,
        recordBytes: workload.line - 1,
        acks: '1',
      });
      return { seconds: r.seconds, bytes: r.bytes, messages: r.messages };
    }
    const start = performance.now();
    await Promise.all(Array.from({ length: PROCS }, () => kcatProduce(server.port, topic, share.path, '1')));
    const seconds = (performance.now() - start) / 1000;
    return { seconds, bytes: share.payloadBytes * PROCS, messages: share.messages * PROCS };
  };
  const runs = new Map<Server, Runs>(
    servers.map((s) => [s, { seconds: [], bytes: [], messages: [], cpu: [], system: [], produceCpu: [] }]),
  );
  const loads: number[] = [];
  for (let w = 0; w < WARMUP; w++) {
    for (const server of servers) await produce(server);
  }
  for (let round = 0; round < ROUNDS; round++) {
    for (let i = 0; i < servers.length; i++) {
      const server = servers[(round + i) % servers.length]!;
      const cpuBefore = cpuSplit(server.child.pid!);
      const run = await produce(server);
      const r = runs.get(server)!;
      r.seconds.push(run.seconds);
      r.bytes.push(run.bytes);
      r.messages.push(run.messages);
      r.produceCpu.push(run.cpu);
      const cpuAfter = cpuSplit(server.child.pid!);
      r.system.push(cpuAfter.system - cpuBefore.system);
      r.cpu.push(cpuAfter.user + cpuAfter.system - cpuBefore.user - cpuBefore.system);
      loads.push(load1());
      log(
        `${workload.name} round ${round + 1} ${server.name}: ${(run.bytes / MB / run.seconds).toFixed(0)} MB/s, ` +
          `${(run.messages / run.seconds).toFixed(0)} msg/s (load ${load1().toFixed(1)})`,
      );
    }
  }
  const named = (name: string): Runs | undefined => {
    const server = servers.find((s) => s.name === name);
    return server ? runs.get(server) : undefined;
  };
  const [sink, broker, baseline, sinkBaseline] = [
    named('produce sink')!,
    named('broker')!,
    named('baseline'),
    named('baseline sink'),
  ];
  // Every run of a workload sends the same bytes and records (one file, or the loadgen's whole batches).
  const file = { payloadBytes: sink.bytes[0]!, messages: sink.messages[0]! };
  const mbps = (r: Runs): number => file.payloadBytes / MB / median(r.seconds);
  const msgs = (r: Runs): number => file.messages / median(r.seconds);
  /** CPU-seconds per GB of payload: the median of the rounds, with their spread. */
  const cpuPerGb = (r: Runs): number => median(r.cpu) / (file.payloadBytes / GB);
  const cpuSpread = (r: Runs): string =>
    `${spread(r.cpu.map((c) => c / (file.payloadBytes / GB)))}, of which kernel ${spread(
      r.system.map((c) => c / (file.payloadBytes / GB)),
    )}`;
  /** The CPU-seconds per GB of the produce alone, without the topic's creation and deletion around it. */
  const produceSpread = (r: Runs): string => spread(r.produceCpu.map((c) => c / (file.payloadBytes / GB)));
  /** Per round, the rate of `b` over the rate of `a`. */
  const ratios = (a: Runs, b: Runs): number[] => a.seconds.map((s, i) => s / b.seconds[i]!);
  const clientBound = mbps(sink) < 2 * mbps(broker);
  const lines = [
    `${workload.label}: ${file.messages.toLocaleString('en-US')} messages of ${workload.line - 1} B per run, ` +
      `${ROUNDS} rounds after ${WARMUP} unmeasured, ${LOADGEN ? 'the load generator' : `${PROCS} kcat process(es)`}, load average ${Math.min(...loads).toFixed(1)}-${Math.max(...loads).toFixed(1)}`,
    `- sink (the load's ceiling): ${mbps(sink).toFixed(0)} MB/s, ${msgs(sink).toFixed(0)} msg/s, ${cpuSpread(sink)} CPU-s/GB`,
    `- broker: ${mbps(broker).toFixed(0)} MB/s, ${msgs(broker).toFixed(0)} msg/s, ${cpuSpread(broker)} CPU-s/GB` +
      (DROP_TOPICS ? `; the produce alone (without the topic's creation and deletion) ${produceSpread(broker)}` : ''),
    `- broker ÷ sink: ${(mbps(broker) / mbps(sink)).toFixed(2)} (medians); per round ${spread(ratios(sink, broker))}; ` +
      `CPU per GB ${(cpuPerGb(broker) / cpuPerGb(sink)).toFixed(2)}x the sink's` +
      (clientBound ? '; CLIENT-BOUND (sink under 2x the broker)' : ''),
  ];
  if (baseline) {
    lines.push(
      `- baseline: ${mbps(baseline).toFixed(0)} MB/s, ${cpuSpread(baseline)} CPU-s/GB` +
        (DROP_TOPICS ? ` (the produce alone ${produceSpread(baseline)})` : '') +
        '; ' +
        `new ÷ old per round ${spread(ratios(baseline, broker))}; ` +
        `CPU per GB new ÷ old ${(cpuPerGb(broker) / cpuPerGb(baseline)).toFixed(2)} (medians), per round ${spread(
          broker.cpu.map((c, i) => c / baseline.cpu[i]!),
        )}`,
    );
  }
  if (sinkBaseline) {
    lines.push(
      `- baseline sink: ${mbps(sinkBaseline).toFixed(0)} MB/s, ${cpuSpread(sinkBaseline)} CPU-s/GB; ` +
        `sink new ÷ old per round ${spread(ratios(sinkBaseline, sink))}`,
    );
  }
  return lines;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(process.env.BENCH_DIR ?? tmpdir(), 'gregor-kcat-bench-'));
  const servers = await startServers();
  const lines: string[] = [
    `load average before: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  ];
  try {
    for (const workload of WORKLOADS) {
      if (only && !only.includes(workload.name)) continue;
      lines.push(...(await runWorkload(workload, servers, dir)));
    }
  } finally {
    for (const server of servers) await server.stop();
    rmSync(dir, { recursive: true, force: true });
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
