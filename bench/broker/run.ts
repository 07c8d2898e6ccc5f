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
 * Scale with BENCH_ROUNDS (3), BENCH_1K_MESSAGES (150000), BENCH_100B_MESSAGES (300000),
 * BENCH_FETCH_MESSAGES (200000). All traffic stays on 127.0.0.1.
 */
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ROOT, cpuSeconds, nodeStartMs, rssMiB, runLoad, startBroker, startSink, type Server } from './procs.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const N_1K = Number(process.env.BENCH_1K_MESSAGES ?? 150_000);
const N_100B = Number(process.env.BENCH_100B_MESSAGES ?? 300_000);
const N_FETCH = Number(process.env.BENCH_FETCH_MESSAGES ?? 200_000);
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
  brokerCpu: number;
  brokerBytes: number;
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
  let brokerCpu = 0;
  let brokerBytes = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? [sink, broker] : [broker, sink];
    for (const server of order) {
      const cpuBefore = server === broker ? cpuSeconds(broker.child.pid!) : 0;
      const result = await runLoad(args(server));
      if (server === broker) {
        brokerCpu += cpuSeconds(broker.child.pid!) - cpuBefore;
        brokerBytes += result.bytes;
        brokerRates.push(rate(result));
      } else sinkRates.push(rate(result));
      log(`${label} round ${round + 1} ${server.name}: ${f2(result.seconds)} s, ${f0(rate(result))}/s`);
    }
  }
  return { sinkRate: median(sinkRates), brokerRate: median(brokerRates), brokerCpu, brokerBytes };
}

async function measureStartup(): Promise<{ brokerMs: number; nodeMs: number; idleRss: number }> {
  const starts: number[] = [];
  const nodes: number[] = [];
  const rss: number[] = [];
  for (let i = 0; i < STARTS; i++) {
    nodes.push(await nodeStartMs());
    const broker = await startBroker();
    starts.push(broker.readyAt - broker.spawnedAt);
    await sleep(1_000);
    rss.push(rssMiB(broker.child.pid!));
    await broker.stop();
  }
  return { brokerMs: median(starts), nodeMs: median(nodes), idleRss: median(rss) };
}

async function main(): Promise<void> {
  if (!existsSync(join(ROOT, 'dist/src/cli/main.js'))) throw new Error('dist/ is missing: run `npm run build` first');
  const began = performance.now();
  const loadBefore = loadavg();
  log(`load average ${loadBefore.map(f2).join(' ')}`);
  const startup = await measureStartup();
  log(`start-up ${f0(startup.brokerMs)} ms (node -e 0: ${f0(startup.nodeMs)} ms), idle RSS ${f0(startup.idleRss)} MiB`);

  const broker = await startBroker();
  const sink = await startSink('produce');
  const fetchSink = await startSink('fetch', { messages: N_FETCH, size: 1024, batchRecords: 500 });
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
    const rssAfter = rssMiB(broker.child.pid!);
    await sleep(1_000);
    const rssIdleAfter = rssMiB(broker.child.pid!);

    const loadAfter = loadavg();
    const mb = (n: number): string => `${f0(n / 1e6)} MB/s`;
    const row = (figure: string, m: Measured, unit: (n: number) => string, goal: number): string => {
      const ratio = m.brokerRate / m.sinkRate;
      return `| ${figure} | ${unit(m.sinkRate)} | ${unit(m.brokerRate)} | ${f2(ratio)} | >= ${goal} | ${ratio >= goal ? 'yes' : 'no'} |`;
    };
    const cpu = (m: Measured): string => f2(m.brokerCpu / (m.brokerBytes / GB));
    const lines = [
      `One run of \`npx tsx bench/broker/run.ts\`, ${new Date().toISOString().slice(0, 10)}: Node ${process.version}, ` +
        `load average ${loadBefore.map(f2).join(' ')} before and ${loadAfter.map(f2).join(' ')} after, ` +
        `${ROUNDS} rounds per figure (medians), ${f0((performance.now() - began) / 1000)} s in all.`,
      '',
      '| figure | sink | broker | ratio | goal | met |',
      '| --- | ---: | ---: | ---: | --- | --- |',
      row(`produce 1 KiB, 1 partition, acks=1 (${f0(N_1K)} messages)`, p1, mb, 0.5),
      row(`produce 1 KiB, 16 partitions, acks=1 (${f0(N_1K)} messages)`, p16, mb, 0.5),
      row(`produce 100 B, 1 partition, acks=1 (${f0(N_100B)} messages)`, small, (n) => `${f0(n)} msg/s`, 0.4),
      row(`catch-up fetch, 1 KiB, 1 partition (${f0(N_FETCH)} messages)`, fetchCmp, mb, 0.6),
      '',
      '| figure | broker | reference | goal | met |',
      '| --- | ---: | ---: | --- | --- |',
      `| start-up: spawn of \`node bin/gregor.js start\` to first ApiVersions answer | ${f0(startup.brokerMs)} ms | \`node -e 0\` ${f0(startup.nodeMs)} ms | <= 150 ms | ${startup.brokerMs <= 150 ? 'yes' : 'no'} |`,
      `| idle RSS, 1 s after start | ${f0(startup.idleRss)} MiB | | <= 60 MiB | ${startup.idleRss <= 60 ? 'yes' : 'no'} |`,
      `| RSS right after the load / 1 s later | ${f0(rssAfter)} / ${f0(rssIdleAfter)} MiB | | | |`,
      '',
      '| broker CPU-seconds per GB of payload | CPU s/GB |',
      '| --- | ---: |',
      `| produce 1 KiB, 1 partition | ${cpu(p1)} |`,
      `| produce 1 KiB, 16 partitions | ${cpu(p16)} |`,
      `| produce 100 B, 1 partition | ${cpu(small)} |`,
      `| catch-up fetch 1 KiB | ${cpu(fetchCmp)} |`,
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
