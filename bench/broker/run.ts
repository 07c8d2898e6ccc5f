/**
 * The broker benchmark (issue 4): `npx tsx bench/broker/run.ts` after `npm run build`.
 *
 * librdkafka (Debian's python3-confluent-kafka, bench/broker/load.py) loads the real
 * broker (`node bin/gregor.js start` from dist/) and a sink (bench/broker/sink.ts: answers
 * Produce and stores nothing; serves Fetch from a prebuilt data set) in the same run,
 * rounds alternating which goes first; each figure is the median broker rate over the
 * median sink rate. Also: spawn to first ApiVersions answer of the real CLI, idle RSS,
 * and the broker's CPU-seconds per GB (from /proc). Prints a Markdown section.
 *
 * Scale with BENCH_ROUNDS (5), BENCH_1K_MESSAGES (100000), BENCH_100B_MESSAGES (250000),
 * BENCH_FETCH_MESSAGES (150000). All traffic stays on 127.0.0.1.
 */
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ROOT, cpuSeconds, nodeStart, rssMiB, runLoad, startBroker, startSink, type Server } from './procs.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const N_1K = Number(process.env.BENCH_1K_MESSAGES ?? 100_000);
const N_100B = Number(process.env.BENCH_100B_MESSAGES ?? 250_000);
const N_FETCH = Number(process.env.BENCH_FETCH_MESSAGES ?? 150_000);
const STARTS = 3;
const GB = 1e9;

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const f0 = (n: number): string => Math.round(n).toLocaleString('en-US');
const f2 = (n: number): string => n.toFixed(2);
const log = (line: string): void => void process.stderr.write(`${line}\n`);

interface Measured {
  sinkRate: number;
  brokerRate: number;
  /** broker/sink of each round, lowest and highest. */
  roundRatios: [number, number];
  /** CPU-seconds and payload bytes over all rounds, per server. */
  brokerCpu: number;
  brokerBytes: number;
  sinkCpu: number;
  sinkBytes: number;
}

/** Alternates sink and broker for ROUNDS rounds; rate = messages/s or bytes/s. */
async function compare(
  label: string,
  broker: Server,
  sink: Server,
  args: (server: Server) => string[],
  rate: (r: { seconds: number; messages: number; bytes: number }) => number,
): Promise<Measured> {
  const sinkRates: number[] = [];
  const brokerRates: number[] = [];
  const totals = { broker: { cpu: 0, bytes: 0 }, sink: { cpu: 0, bytes: 0 } };
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? [sink, broker] : [broker, sink];
    for (const server of order) {
      const cpuBefore = cpuSeconds(server.child.pid!);
      const result = await runLoad(args(server));
      const total = server === broker ? totals.broker : totals.sink;
      total.cpu += cpuSeconds(server.child.pid!) - cpuBefore;
      total.bytes += result.bytes;
      (server === broker ? brokerRates : sinkRates).push(rate(result));
      log(`${label} round ${round + 1} ${server.name}: ${f2(result.seconds)} s, ${f0(rate(result))}/s`);
    }
  }
  const ratios = brokerRates.map((b, i) => b / sinkRates[i]!);
  return {
    sinkRate: median(sinkRates),
    brokerRate: median(brokerRates),
    roundRatios: [Math.min(...ratios), Math.max(...ratios)],
    brokerCpu: totals.broker.cpu,
    brokerBytes: totals.broker.bytes,
    sinkCpu: totals.sink.cpu,
    sinkBytes: totals.sink.bytes,
  };
}

interface Startup {
  wallMs: number;
  cpuMs: number;
  nodeWallMs: number;
  nodeCpuMs: number;
  rss: number;
  anon: number;
}

async function measureStartup(): Promise<Startup> {
  const runs: Startup[] = [];
  for (let i = 0; i < STARTS; i++) {
    const node = await nodeStart();
    const broker = await startBroker();
    await sleep(1_000);
    const { rss, anon } = rssMiB(broker.child.pid!);
    runs.push({
      wallMs: broker.readyAt - broker.spawnedAt,
      cpuMs: broker.readyCpu * 1000,
      nodeWallMs: node.wallMs,
      nodeCpuMs: node.cpuMs,
      rss,
      anon,
    });
    await broker.stop();
  }
  const pick = (k: keyof Startup): number => median(runs.map((r) => r[k]));
  return {
    wallMs: pick('wallMs'),
    cpuMs: pick('cpuMs'),
    nodeWallMs: pick('nodeWallMs'),
    nodeCpuMs: pick('nodeCpuMs'),
    rss: pick('rss'),
    anon: pick('anon'),
  };
}

async function main(): Promise<void> {
  if (!existsSync(join(ROOT, 'dist/src/cli/main.js'))) throw new Error('dist/ is missing: run `npm run build` first');
  const began = performance.now();
  const loadBefore = loadavg();
  log(`load average ${loadBefore.map(f2).join(' ')}`);
  const startup = await measureStartup();
  log(`start-up ${f0(startup.wallMs)} ms wall, ${f0(startup.cpuMs)} ms CPU; idle RSS ${f0(startup.rss)} MiB`);

  const broker = await startBroker();
  const sink = await startSink('produce');
  const fetchSink = await startSink('fetch', { messages: N_FETCH, size: 1024, batchRecords: 960 });
  const servers = [broker, sink, fetchSink];
  try {
    const boot = (s: Server): string => `127.0.0.1:${s.port}`;
    for (const [topic, partitions] of [
      ['bench-1k-p1', 1],
      ['bench-1k-p16', 16],
      ['bench-100b-p1', 1],
      ['bench-fetch-p1', 1],
    ] as const) {
      await runLoad(['create', boot(broker), topic, String(partitions)]);
    }
    const bytesPerSec = (r: { seconds: number; bytes: number }): number => r.bytes / r.seconds;
    const msgsPerSec = (r: { seconds: number; messages: number }): number => r.messages / r.seconds;
    const p1 = await compare(
      '1 KiB x1',
      broker,
      sink,
      (s) => ['produce', boot(s), 'bench-1k-p1', String(N_1K), '1024', '1'],
      bytesPerSec,
    );
    const p16 = await compare(
      '1 KiB x16',
      broker,
      sink,
      (s) => ['produce', boot(s), 'bench-1k-p16', String(N_1K), '1024', '16'],
      bytesPerSec,
    );
    const small = await compare(
      '100 B x1',
      broker,
      sink,
      (s) => ['produce', boot(s), 'bench-100b-p1', String(N_100B), '100', '1'],
      msgsPerSec,
    );

    await runLoad(['produce', boot(broker), 'bench-fetch-p1', String(N_FETCH), '1024', '1']);
    const fetchArgs = (s: Server): string[] => [
      'consume',
      boot(s),
      s === broker ? 'bench-fetch-p1' : 'bench-fetch',
      String(N_FETCH),
      '1',
    ];
    const fetchCmp = await compare('fetch 1 KiB', broker, fetchSink, fetchArgs, bytesPerSec);
    const busy = rssMiB(broker.child.pid!);
    await sleep(1_000);
    const after = rssMiB(broker.child.pid!);

    const loadAfter = loadavg();
    const mb = (n: number): string => `${f0(n / 1e6)} MB/s`;
    const row = (figure: string, m: Measured, unit: (n: number) => string, goal: number): string => {
      const ratio = m.brokerRate / m.sinkRate;
      const [low, high] = m.roundRatios;
      return `| ${figure} | ${unit(m.sinkRate)} | ${unit(m.brokerRate)} | ${f2(ratio)} | ${f2(low)}-${f2(high)} | >= ${goal} | ${ratio >= goal ? 'yes' : 'no'} |`;
    };
    const cpuRow = (figure: string, m: Measured): string => {
      const broker = m.brokerCpu / (m.brokerBytes / GB);
      const sink = m.sinkCpu / (m.sinkBytes / GB);
      return `| ${figure} | ${f2(sink)} | ${f2(broker)} | ${f2(broker / sink)} |`;
    };
    const yes = (ok: boolean): string => (ok ? 'yes' : 'no');
    const lines = [
      `One run of \`npx tsx bench/broker/run.ts\`, ${new Date().toISOString().slice(0, 10)}: Node ${process.version}, ` +
        `load average ${loadBefore.map(f2).join(' ')} before and ${loadAfter.map(f2).join(' ')} after, ` +
        `${ROUNDS} rounds per figure, sink and broker alternating which goes first (ratio: median broker rate over median sink rate), ${f0((performance.now() - began) / 1000)} s in all.`,
      '',
      '| figure | sink | broker | ratio | per-round ratios | goal | met |',
      '| --- | ---: | ---: | ---: | ---: | --- | --- |',
      row(`produce 1 KiB, 1 partition, acks=1 (${f0(N_1K)} messages)`, p1, mb, 0.5),
      row(`produce 1 KiB, 16 partitions, acks=1 (${f0(N_1K)} messages)`, p16, mb, 0.5),
      row(`produce 100 B, 1 partition, acks=1 (${f0(N_100B)} messages)`, small, (n) => `${f0(n)} msg/s`, 0.4),
      row(`catch-up fetch, 1 KiB, 1 partition (${f0(N_FETCH)} messages)`, fetchCmp, mb, 0.6),
      '',
      '| CPU-seconds per GB of payload | sink | broker | ratio |',
      '| --- | ---: | ---: | ---: |',
      cpuRow('produce 1 KiB, 1 partition', p1),
      cpuRow('produce 1 KiB, 16 partitions', p16),
      cpuRow('produce 100 B, 1 partition', small),
      cpuRow('catch-up fetch 1 KiB', fetchCmp),
      '',
      '| figure | broker | reference | goal | met |',
      '| --- | ---: | ---: | --- | --- |',
      `| start-up: spawn of \`node bin/gregor.js start\` to first ApiVersions answer, wall | ${f0(startup.wallMs)} ms | node alone (an empty script) spawn to exit ${f0(startup.nodeWallMs)} ms | <= 150 ms | ${yes(startup.wallMs <= 150)} |`,
      `| start-up, CPU time used by then | ${f0(startup.cpuMs)} ms | node alone (an empty script) ${f0(startup.nodeCpuMs)} ms | | |`,
      `| idle RSS, 1 s after start (anonymous part) | ${f0(startup.rss)} MiB (${f0(startup.anon)}) | | <= 60 MiB | ${yes(startup.rss <= 60)} |`,
      `| RSS right after the load / 1 s later (anonymous) | ${f0(busy.rss)} (${f0(busy.anon)}) / ${f0(after.rss)} (${f0(after.anon)}) MiB | | | |`,
    ];
    console.log(lines.join('\n'));
  } finally {
    for (const server of servers) await server.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
