/**
 * The replication benchmark (issue 14): `npx tsx bench/broker/replication.ts [rounds=3]`.
 *
 * Produce: kcat (librdkafka) sends a pre-made file of 1 KiB lines (`kcat -P -l`, large batches,
 * 5 in flight) to a topic with three partitions, in alternating rounds against
 *  - the sink (bench/broker/sink.ts, a null broker): the client's own ceiling, acks=all;
 *  - one Gregor process, replication factor 1, acks=1;
 *  - three Gregor processes (combined nodes), replication factor 3, min.insync.replicas=2, acks=all.
 * Each figure is a median over the rounds with its spread; the headline is RF 3 ÷ RF 1.
 *
 * Catch-up: on the three-node cluster, a follower of a one-partition topic is killed, BENCH_CATCHUP_MB
 * of records are written (acks=1), the follower restarts; its catch-up rate is the bytes of its
 * partition log over the time from its first replicated byte to holding as much as the leader.
 * Against it: kcat consuming the same partition from the leader from the beginning (`-C -e`).
 *
 * BENCH_BASELINE=<another source tree> (for example `git archive <commit>` unpacked, with a
 * node_modules link) adds a fourth run per round: three processes of that tree's broker, RF 3, acks=all,
 * so that a change is measured against its baseline in the same rounds.
 * Every figure prints with the load average. All traffic stays on 127.0.0.1.
 * BENCH_WARMUP_MB=<n> first produces n MB (not measured) to a warm-up topic on every configuration,
 * so that the rounds measure brokers whose memory pools are in use already, as on a broker that has
 * been running a while: the tail cache (8 MiB per broker; 64 MiB before session 10) touches fresh memory until it is full once
 * (storage/tail-cache.ts), and so do the request and response frame pools; 3 x 64 MiB (each node
 * leads one partition) fills every cache and pool of the three-node clusters.
 * Each figure also prints where the CPU went, per MB: the processes' user and system time, read and
 * write system calls, minor faults and context switches (/proc/pid/stat, io, status), and the whole
 * machine's busy time (/proc/stat: kcat, the kernel's threads and anything else running included), and
 * kcat's own user and system time (the bench's reaped children). BENCH_TOP=1 also prints, after each
 * run, the machine's processes (kernel threads included) that used the most CPU during it.
 * Env: BENCH_PRODUCE_MB (64), BENCH_CATCHUP_MB (64), BENCH_ONLY (produce | catchup), BENCH_LINE_BYTES
 * (1024: the produce file's line, one record each), BENCH_PARTITIONS (3, the produce topics' partitions). PROFILE=1
 * profiles every node (--cpu-prof): the single node into /tmp/gregor-prof/rf1, the three nodes into
 * /tmp/gregor-prof/rf3 (one file per process, named with its pid); summarise them with
 * `npx tsx bench/profile-top.ts /tmp/gregor-prof/rf3`.
 * BENCH_NODE_ARGS='--flag ...' passes node options to every broker (V8 flags, `--perf-basic-prof` for `perf`);
 * BENCH_BASELINE_NODE_ARGS to the baseline's brokers only (default: BENCH_NODE_ARGS), so that BENCH_BASELINE
 * set to this same tree measures a node option against none in the same rounds.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { ProcessCluster, type ClusterNode } from '../../test/helpers/process-cluster.js';
import { MB, kcat, kcatProduce, makeLineFile } from './kcat.js';
import { loadgenProduce } from './loadgen-client.js';
import { countsSince, requestCounts, withMetricsListeners } from './request-counts.js';
import {
  cpuSeconds,
  everyProcessCpu,
  machineCpu,
  outsideCpu,
  reapedChildrenCpu,
  startSink,
  sumCounters,
  topConsumers,
  type ProcessCounters,
} from './procs.js';

const ROUNDS = Number(process.argv[2] ?? 3);
const PRODUCE_MB = Number(process.env.BENCH_PRODUCE_MB ?? 64);
const CATCHUP_MB = Number(process.env.BENCH_CATCHUP_MB ?? 64);
const WARMUP_MB = Number(process.env.BENCH_WARMUP_MB ?? 0);
/** Partitions of each produce topic (BENCH_PARTITIONS, 3 by default: one led by each node). */
const PARTITIONS = Number(process.env.BENCH_PARTITIONS ?? 3);
/**
 * Bytes per line of the produce file, newline included (BENCH_LINE_BYTES, 1024): each line is one record, so
 * larger lines cut kcat's per-record CPU, which is half of the machine's CPU per replicated GB at 1 KiB.
 */
const LINE = Number(process.env.BENCH_LINE_BYTES ?? 1024);

const log = (line: string): void => void process.stderr.write(`${line}\n`);
const load = (): string => loadavg()[0]!.toFixed(1);
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

/** A file of `mb` MB of LINE-byte lines (LINE - 1 bytes and a newline). */
const makeFile = (dir: string, mb: number) => makeLineFile(dir, mb, LINE);

/**
 * BENCH_CLIENT=loadgen: the load is bench/broker/loadgen.ts (pre-built 1 MB batches, 5 in flight per leader, a
 * few tenths of a CPU-second per GB) instead of kcat (~5-6 CPU-s/GB, half the machine's CPU in RF 3 runs).
 */
const LOADGEN = process.env.BENCH_CLIENT === 'loadgen';

/** Produces the file with kcat, or PRODUCE_MB of the same records with the load generator; MB/s. Throws when a delivery failed. */
async function produce(port: number, topic: string, file: string, acks: string): Promise<number> {
  if (LOADGEN) {
    const r = await loadgenProduce(port, topic, {
      mb: PRODUCE_MB,
      recordBytes: LINE - 1,
      acks: acks === 'all' ? '-1' : acks,
    });
    return r.bytes / MB / r.seconds;
  }
  return statSync(file).size / MB / (await kcatProduce(port, topic, file, acks));
}

async function createTopic(brokers: string[], topic: string, partitions: number, rf: number): Promise<void> {
  const admin = new Kafka({ clientId: 'repl-bench', brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  await admin.createTopics({
    waitForLeaders: true,
    topics: [
      {
        topic,
        numPartitions: partitions,
        replicationFactor: rf,
        configEntries: rf > 1 ? [{ name: 'min.insync.replicas', value: '2' }] : [],
      },
    ],
  });
  await admin.disconnect();
}

async function fullIsr(cluster: ProcessCluster, from: ClusterNode, topic: string, timeoutMs = 60_000) {
  return cluster.waitFor(`ISR of three on ${topic}`, timeoutMs, async () => {
    const t = (await cluster.metadata(from, [topic]))?.topics[0];
    return t && t.partitions.length > 0 && t.partitions.every((p) => p.isrNodes.length === 3) && t;
  });
}

/** Bytes in a partition's .log segments on a node (0 when the folder is not there yet). */
function logBytes(node: ClusterNode, topic: string, partition: number): number {
  const dir = join(node.dir, `${topic}-${partition}`);
  if (!existsSync(dir)) return 0;
  let total = 0;
  for (const f of readdirSync(dir)) if (f.endsWith('.log')) total += statSync(join(dir, f)).size;
  return total;
}

/**
 * BENCH_DROP_TOPICS=1: each round's topic (and the warm-up's) is deleted on every configuration once
 * the round is over, with no file-deletion delay, so the data on disk stays at one round's and later
 * rounds' writes land in page-cache pages freed by earlier ones, as on a broker whose retention
 * deletes old segments; without it every byte of the run goes to memory the guest has not touched
 * lately (docs/benchmarks.md, "Replicated produce, session 10").
 */
const DROP_TOPICS = process.env.BENCH_DROP_TOPICS === '1';

/**
 * BENCH_TOP=1: after each run, the processes of the whole machine that used the most CPU during it
 * (kcat and kernel threads included), to see where the machine's busy time goes beyond the brokers'.
 */
const TOP = process.env.BENCH_TOP === '1';
/** The benchmark's own processes (every configuration's brokers, the sink, this one): not outsiders. */
const ourPids = new Set<number>([process.pid, process.ppid]);
/** BENCH_TOP: runs during which other processes used more than 0.2 CPU-s (`round:configuration CPU-s`). */
const disturbed: string[] = [];
/** Runs measured so far per configuration (the warm-up is not measured). */
const runsOf = new Map<string, number>();

/**
 * BENCH_REQUESTS=1: every broker gets a metrics listener (bench/broker/request-counts.ts), and each run
 * counts the Produce and Fetch requests its configuration's brokers served, per MB produced.
 */
const REQUESTS = process.env.BENCH_REQUESTS === '1';
/** Per configuration, per run: requests served per MB produced, by API. */
const requestsPerMB = new Map<string, Array<Map<string, number>>>();
/** The metrics ports of each configuration's nodes (BENCH_REQUESTS). */
const metricsPorts = new Map<string, Iterable<number>>();

const settings = {
  'replica.fetch.wait.max.ms': '500',
  'auto.leader.rebalance.enable': 'false',
  'log.segment.bytes': String(1 << 30),
  ...(DROP_TOPICS ? { 'log.segment.delete.delay.ms': '0' } : {}),
};

/** Deletes `topic` on each cluster (BENCH_DROP_TOPICS). */
async function dropTopic(topic: string, clusters: Array<ProcessCluster | null>): Promise<void> {
  for (const cluster of clusters) {
    if (!cluster) continue;
    const brokers = cluster.nodes.map((n) => `127.0.0.1:${n.port}`);
    const admin = new Kafka({ clientId: 'repl-bench', brokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic] });
    await admin.disconnect();
  }
}

/** SIGTERM to every node, one at a time (a node writes its --cpu-prof file on a clean exit), 30 s at most each. */
async function writeProfiles(clusters: ProcessCluster[]): Promise<void> {
  for (const cluster of clusters)
    for (const node of cluster.nodes)
      await Promise.race([cluster.terminate(node), new Promise((r) => setTimeout(r, 30_000))]);
}

/** BENCH_WARMUP_MB of records through every configuration, not measured (see the header). */
async function warmUp(dir: string, single: ProcessCluster, ...triples: Array<ProcessCluster | null>): Promise<void> {
  const file = (await makeFile(dir, WARMUP_MB)).path;
  await createTopic([`127.0.0.1:${single.nodes[0]!.port}`], 'warmup', PARTITIONS, 1);
  await produce(single.nodes[0]!.port, 'warmup', file, '1');
  for (const cluster of triples) {
    if (!cluster) continue;
    await createTopic(
      cluster.nodes.map((n) => `127.0.0.1:${n.port}`),
      'warmup',
      PARTITIONS,
      3,
    );
    await fullIsr(cluster, cluster.nodes[0]!, 'warmup');
    await produce(cluster.nodes[0]!.port, 'warmup', file, 'all');
  }
  if (DROP_TOPICS) await dropTopic('warmup', [single, ...triples]);
  log(`warm-up: ${WARMUP_MB} MB through every configuration (load ${load()})`);
}

/**
 * Runs one configuration's produce and measures what the brokers' own counters do not show: kcat's
 * CPU per GB (user, system), the whole machine's busy CPU-seconds, and (BENCH_TOP) who used the most.
 */
async function outsideTheBrokers(
  name: string,
  run: () => Promise<number>,
): Promise<{ rate: number; client: { user: number; system: number }; machine: ReturnType<typeof machineCpu> }> {
  const machineBefore = machineCpu();
  const clientBefore = reapedChildrenCpu();
  const everyBefore = TOP ? everyProcessCpu() : null;
  const ports = metricsPorts.get(name);
  const requestsBefore = ports ? await requestCounts(ports) : null;
  const rate = await run();
  if (ports && requestsBefore) {
    const served = countsSince(requestsBefore, await requestCounts(ports));
    for (const [api, n] of served) served.set(api, n / PRODUCE_MB);
    requestsPerMB.set(name, [...(requestsPerMB.get(name) ?? []), served]);
  }
  const clientAfter = reapedChildrenCpu();
  const machineAfter = machineCpu();
  if (everyBefore) {
    const everyAfter = everyProcessCpu();
    const top = topConsumers(everyBefore, everyAfter);
    const outside = outsideCpu(everyBefore, everyAfter, ourPids);
    runsOf.set(name, (runsOf.get(name) ?? 0) + 1);
    if (outside.others > 0.2) disturbed.push(`round ${runsOf.get(name)} ${name} ${outside.others.toFixed(2)}`);
    log(
      `  ${name}: CPU-s by process during the run: ${top.map(([who, s]) => `${who} ${s.toFixed(2)}`).join(', ')}; ` +
        `kernel threads ${outside.kernel.toFixed(2)}, other processes ${outside.others.toFixed(2)}`,
    );
  }
  const perGB = PRODUCE_MB / 1000;
  return {
    rate,
    client: {
      user: (clientAfter.user - clientBefore.user) / perGB,
      system: (clientAfter.system - clientBefore.system) / perGB,
    },
    machine: {
      busy: machineAfter.busy - machineBefore.busy,
      system: machineAfter.system - machineBefore.system,
      softirq: machineAfter.softirq - machineBefore.softirq,
      steal: machineAfter.steal - machineBefore.steal,
      iowait: machineAfter.iowait - machineBefore.iowait,
    },
  };
}

/** BENCH_REQUESTS: a metrics listener on every broker of each configuration, before they start. */
async function countRequests(single: ProcessCluster, triple: ProcessCluster, baseline: ProcessCluster | null) {
  metricsPorts.set('rf1', [...(await withMetricsListeners(single, 1)).values()]);
  metricsPorts.set('rf3', [...(await withMetricsListeners(triple, 3)).values()]);
  if (baseline) metricsPorts.set('base', [...(await withMetricsListeners(baseline, 3)).values()]);
}

async function produceRounds(dir: string): Promise<string[]> {
  const file = (await makeFile(dir, PRODUCE_MB)).path;
  const sink = await startSink('produce');
  const single = new ProcessCluster(settings);
  const triple = new ProcessCluster(settings);
  const baselineRoot = process.env.BENCH_BASELINE;
  const baseline = baselineRoot
    ? new ProcessCluster(settings, 'warn', join(baselineRoot, 'test/helpers/node-process.ts'))
    : null;
  const rates = {
    sink: [] as number[],
    rf1: [] as number[],
    rf3: [] as number[],
    base: [] as number[],
    ratio: [] as number[],
  };
  /** Broker CPU-seconds (all of a configuration's processes) per GB produced, per round. */
  const cpu: Record<'sink' | 'rf1' | 'rf3' | 'base', number[]> = { sink: [], rf1: [], rf3: [], base: [] };
  const pidsOf = (name: keyof typeof cpu): number[] =>
    name === 'sink'
      ? [sink.child.pid!]
      : (name === 'rf1' ? single : name === 'rf3' ? triple : baseline!).nodes.map((n) => n.process!.pid!);
  const cpuOf = (name: keyof typeof cpu): number => pidsOf(name).reduce((sum, pid) => sum + cpuSeconds(pid), 0);
  /** Where each configuration's CPU goes, per round: the change of its processes' counters. */
  const counters: Record<keyof typeof cpu, ProcessCounters[]> = { sink: [], rf1: [], rf3: [], base: [] };
  /** The whole machine's busy CPU-seconds (every process and the kernel's threads) per GB, per round. */
  const machine: Record<keyof typeof cpu, Array<ReturnType<typeof machineCpu>>> = {
    sink: [],
    rf1: [],
    rf3: [],
    base: [],
  };
  /** kcat's own user and system CPU-seconds per GB, per round (it is the load on the same two cores). */
  const client: Record<keyof typeof cpu, Array<{ user: number; system: number }>> = {
    sink: [],
    rf1: [],
    rf3: [],
    base: [],
  };
  const loads: string[] = [];
  try {
    if (REQUESTS) await countRequests(single, triple, baseline);
    process.env.NODE_ARGS_EXTRA = process.env.BENCH_NODE_ARGS ?? '';
    if (process.env.PROFILE) process.env.NODE_ARGS_PROFILE = '/tmp/gregor-prof/rf1';
    await single.startRegistered(1);
    if (process.env.PROFILE) process.env.NODE_ARGS_PROFILE = '/tmp/gregor-prof/rf3';
    await triple.startRegistered(3);
    if (process.env.PROFILE) process.env.NODE_ARGS_PROFILE = '/tmp/gregor-prof/base';
    process.env.NODE_ARGS_EXTRA = process.env.BENCH_BASELINE_NODE_ARGS ?? process.env.BENCH_NODE_ARGS ?? '';
    await baseline?.startRegistered(3);
    for (const cluster of [single, triple, baseline])
      for (const n of cluster?.nodes ?? []) ourPids.add(n.process!.pid!);
    ourPids.add(sink.child.pid!);
    const oneBroker = [`127.0.0.1:${single.nodes[0]!.port}`];
    const threeBrokers = triple.nodes.map((n) => `127.0.0.1:${n.port}`);
    if (WARMUP_MB > 0) await warmUp(dir, single, triple, baseline);
    for (let round = 0; round < ROUNDS; round++) {
      const topic = `round${round}-p${PARTITIONS}`;
      await createTopic(oneBroker, topic, PARTITIONS, 1);
      await createTopic(threeBrokers, topic, PARTITIONS, 3);
      await fullIsr(triple, triple.nodes[0]!, topic);
      const runs: Array<[keyof typeof rates, () => Promise<number>]> = [
        ['sink', () => produce(sink.port, topic, file, 'all')],
        ['rf1', () => produce(single.nodes[0]!.port, topic, file, '1')],
        ['rf3', () => produce(triple.nodes[0]!.port, topic, file, 'all')],
      ];
      if (baseline) {
        await createTopic(
          baseline.nodes.map((n) => `127.0.0.1:${n.port}`),
          topic,
          PARTITIONS,
          3,
        );
        await fullIsr(baseline, baseline.nodes[0]!, topic);
        runs.push(['base', () => produce(baseline.nodes[0]!.port, topic, file, 'all')]);
      }
      // Alternate the order: round r starts with run r mod 3.
      const got: Partial<Record<keyof typeof rates, number>> = {};
      for (let i = 0; i < runs.length; i++) {
        const [name, run] = runs[(round + i) % runs.length]!;
        const cpuBefore = cpuOf(name as keyof typeof cpu);
        const countersBefore = sumCounters(pidsOf(name as keyof typeof cpu));
        const outside = await outsideTheBrokers(name, run);
        got[name] = outside.rate;
        client[name as keyof typeof cpu].push(outside.client);
        machine[name as keyof typeof cpu].push(outside.machine);
        counters[name as keyof typeof cpu].push(minus(sumCounters(pidsOf(name as keyof typeof cpu)), countersBefore));
        rates[name].push(got[name]!);
        cpu[name as keyof typeof cpu].push((cpuOf(name as keyof typeof cpu) - cpuBefore) / (PRODUCE_MB / 1000));
      }
      rates.ratio.push(got.rf3! / got.rf1!);
      if (DROP_TOPICS) await dropTopic(topic, [single, triple, baseline]);
      loads.push(load());
      log(
        `round ${round + 1}: sink ${got.sink!.toFixed(0)} MB/s, RF1 acks=1 ${got.rf1!.toFixed(0)} MB/s, ` +
          `RF3 acks=all ${got.rf3!.toFixed(0)} MB/s, ratio ${(got.rf3! / got.rf1!).toFixed(2)}` +
          (got.base === undefined ? '' : `, baseline RF3 ${got.base.toFixed(0)} MB/s`) +
          ` (load ${load()})`,
      );
    }
  } finally {
    await sink.stop();
    if (process.env.PROFILE) await writeProfiles([single, triple, ...(baseline ? [baseline] : [])]);
    await single.stop();
    await triple.stop();
    await baseline?.stop();
  }
  const spread = (xs: number[], digits = 0) =>
    `${median(xs).toFixed(digits)} (${Math.min(...xs).toFixed(digits)}-${Math.max(...xs).toFixed(digits)})`;
  return [
    `Produce, ${PRODUCE_MB} MB of ${LINE - 1}-byte records, ${PARTITIONS} partitions, kcat -P -l, ${ROUNDS} alternating rounds` +
      `${WARMUP_MB > 0 ? ` after a ${WARMUP_MB} MB warm-up` : ''}${DROP_TOPICS ? ', each topic deleted after its round' : ''} (load ${loads.join(', ')}):`,
    `- sink (client ceiling): ${spread(rates.sink)} MB/s`,
    `- one process, RF 1, acks=1: ${spread(rates.rf1)} MB/s`,
    `- three processes, RF 3, min.insync.replicas=2, acks=all: ${spread(rates.rf3)} MB/s`,
    `- RF 3 ÷ RF 1 per round: median ${spread(rates.ratio, 2)}; sink ÷ RF 1: ${(median(rates.sink) / median(rates.rf1)).toFixed(1)}x`,
    `- CPU-seconds per GB produced (all the configuration's processes; median): sink ${median(cpu.sink).toFixed(1)}, ` +
      `RF 1 ${median(cpu.rf1).toFixed(1)}, RF 3 ${median(cpu.rf3).toFixed(1)}` +
      (baseline ? `, baseline RF 3 ${median(cpu.base).toFixed(1)}` : '') +
      ` (per round RF 3: ${cpu.rf3.map((c) => c.toFixed(1)).join(' / ')}` +
      (baseline ? `; baseline: ${cpu.base.map((c) => c.toFixed(1)).join(' / ')})` : ')'),
    '- per MB produced (medians over the rounds): user / system CPU-ms, read / write system calls, minor faults, context switches:',
    ...(['sink', 'rf1', 'rf3', ...(baseline ? ['base'] : [])] as Array<keyof typeof cpu>).map(
      (name) => `  - ${name}: ${perMegabyte(counters[name])}`,
    ),
    `- kcat's own CPU-s per GB produced, user / system (medians): ` +
      (['sink', 'rf1', 'rf3', ...(baseline ? ['base'] : [])] as Array<keyof typeof cpu>)
        .map(
          (name) =>
            `${name} ${median(client[name].map((c) => c.user)).toFixed(1)} / ${median(client[name].map((c) => c.system)).toFixed(1)}`,
        )
        .join(', '),
    ...(TOP ? [`- runs during which other processes used > 0.2 CPU-s: ${disturbed.join(', ') || 'none'}`] : []),
    ...[...requestsPerMB].map(
      ([name, runs]) =>
        `- requests served per MB produced (${name}, medians): ` +
        ['Produce', 'Fetch'].map((api) => `${api} ${median(runs.map((r) => r.get(api) ?? 0)).toFixed(2)}`).join(', '),
    ),
    '- the whole machine per GB produced (medians): busy CPU-s (of it system, softirq), steal, iowait; including kcat and kernel threads (writeback):',
    ...(['sink', 'rf1', 'rf3', ...(baseline ? ['base'] : [])] as Array<keyof typeof cpu>).map((name) => {
      const per = (key: keyof ReturnType<typeof machineCpu>): string =>
        median(machine[name].map((m) => m[key] / (PRODUCE_MB / 1000))).toFixed(1);
      return `  - ${name}: ${per('busy')} (${per('system')}, ${per('softirq')}), ${per('steal')}, ${per('iowait')}`;
    }),
    ...(baseline
      ? [
          `- baseline tree, RF 3, acks=all: ${spread(rates.base)} MB/s; this tree ÷ baseline per round: ` +
            `median ${spread(
              rates.rf3.map((r, i) => r / rates.base[i]!),
              2,
            )}`,
        ]
      : []),
  ];
}

function minus(a: ProcessCounters, b: ProcessCounters): ProcessCounters {
  const out = { ...a };
  for (const key of Object.keys(out) as Array<keyof ProcessCounters>) out[key] -= b[key];
  return out;
}

/** One configuration's counters per MB produced: medians over the rounds. */
function perMegabyte(rounds: ProcessCounters[]): string {
  const per = (key: keyof ProcessCounters, scale = 1): string =>
    median(rounds.map((c) => (c[key] * scale) / PRODUCE_MB)).toFixed(scale === 1 ? 0 : 1);
  return (
    `${per('user', 1000)} / ${per('system', 1000)} ms, ${per('reads')} / ${per('writes')} calls, ` +
    `${per('minorFaults')} faults, ${per('switches')} switches`
  );
}

async function catchUpRounds(dir: string): Promise<string[]> {
  const file = (await makeFile(dir, CATCHUP_MB)).path;
  const cluster = new ProcessCluster(settings);
  const follower: number[] = [];
  const consumer: number[] = [];
  const loads: string[] = [];
  try {
    await cluster.startRegistered(3);
    const brokers = cluster.nodes.map((n) => `127.0.0.1:${n.port}`);
    for (let round = 0; round < ROUNDS; round++) {
      const topic = `catchup${round}`;
      await createTopic(brokers, topic, 1, 3);
      const p = (await fullIsr(cluster, cluster.nodes[0]!, topic)).partitions[0]!;
      const leader = cluster.nodes.find((n) => n.id === p.leaderId)!;
      const victim = cluster.nodes.find((n) => n.id !== p.leaderId)!;
      cluster.kill(victim);
      await produce(leader.port, topic, file, '1');
      const target = logBytes(leader, topic, 0);
      const before = logBytes(victim, topic, 0);
      cluster.spawn(victim);
      let firstAt = 0;
      let doneAt = 0;
      const deadline = Date.now() + 300_000;
      while (Date.now() < deadline) {
        const now = logBytes(victim, topic, 0);
        if (firstAt === 0 && now > before) firstAt = performance.now();
        if (now >= target) {
          doneAt = performance.now();
          break;
        }
        await new Promise((r) => setTimeout(r, 2));
      }
      if (doneAt === 0) throw new Error('the follower did not catch up within 300 s');
      const followerRate = (target - before) / MB / ((doneAt - firstAt) / 1000);
      const read = await kcat([
        '-C',
        '-b',
        `127.0.0.1:${leader.port}`,
        '-t',
        topic,
        '-p',
        '0',
        '-o',
        'beginning',
        '-e',
        '-q',
        '-f',
        '%o\n',
      ]);
      const consumerRate = target / MB / read.seconds;
      follower.push(followerRate);
      consumer.push(consumerRate);
      loads.push(load());
      log(
        `catch-up round ${round + 1}: follower ${followerRate.toFixed(0)} MB/s, consumer ${consumerRate.toFixed(0)} MB/s, ` +
          `ratio ${(followerRate / consumerRate).toFixed(2)} (load ${load()})`,
      );
      await fullIsr(cluster, leader, topic);
    }
  } finally {
    await cluster.stop();
  }
  const ratios = follower.map((f, i) => f / consumer[i]!);
  return [
    `Catch-up, ${CATCHUP_MB} MB on one partition, ${ROUNDS} rounds (load ${loads.join(', ')}):`,
    `- restarted follower: median ${median(follower).toFixed(0)} MB/s (${follower.map((x) => x.toFixed(0)).join(' / ')})`,
    `- kcat -C from the leader: median ${median(consumer).toFixed(0)} MB/s (${consumer.map((x) => x.toFixed(0)).join(' / ')})`,
    `- follower ÷ consumer per round: median ${median(ratios).toFixed(2)} (${ratios.map((x) => x.toFixed(2)).join(' / ')})`,
  ];
}

const dir = mkdtempSync(join(process.env.BENCH_DIR ?? tmpdir(), 'gregor-repl-bench-'));
try {
  const which = process.env.BENCH_ONLY;
  const lines: string[] = [];
  if (which !== 'catchup') lines.push(...(await produceRounds(dir)));
  if (which !== 'produce') lines.push(...(await catchUpRounds(dir)));
  console.log(lines.join('\n'));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
