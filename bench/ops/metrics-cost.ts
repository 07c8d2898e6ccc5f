/**
 * What the metrics cost (issue 18): `npm run build && npx tsx bench/ops/metrics-cost.ts`.
 *
 * Two real brokers from dist/, one with `metrics.listener` set and one without, and the sink
 * (bench/broker/sink.ts: answers Produce without storing, the client's ceiling), loaded in turn,
 * the order rotating each round; /metrics is scraped after every round on the broker that has it.
 * The load is kcat (librdkafka 2.0.2, `kcat -P -l` from a pre-made file of fixed-size lines, 1 MB
 * batches, 5 in flight: the fastest client here), or with BENCH_LOAD=python the single-threaded
 * python3-confluent-kafka loop of bench/broker/load.py (the session-6 figures).
 * Prints the sink's median rate first (if the brokers come close to it, the client is the limit and
 * the throughput ratio says little), the median produce rate of each broker, their ratio (on / off;
 * goal >= 0.97), the per-round ratios, and each broker's CPU-seconds per GB (utime+stime from /proc,
 * the figure the client's ceiling does not hide), with the load average.
 * Scale with BENCH_ROUNDS (6), BENCH_MB (256: MB per run of 1 KiB lines; 100 B lines send a quarter),
 * and for BENCH_LOAD=python BENCH_100B_MESSAGES (250000), BENCH_1K_MESSAGES (100000).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { kcatProduce, makeLineFile } from '../broker/kcat.js';
import { cpuSeconds, freePort, runLoad, startBroker, startSink, type Server } from '../broker/procs.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 6);
const RUN_MB = Number(process.env.BENCH_MB ?? 256);
const N_100B = Number(process.env.BENCH_100B_MESSAGES ?? 250_000);
const N_1K = Number(process.env.BENCH_1K_MESSAGES ?? 100_000);
const PYTHON_LOAD = process.env.BENCH_LOAD === 'python';
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const f2 = (n: number): string => n.toFixed(2);
const f0 = (n: number): string => Math.round(n).toLocaleString('en-US');
const log = (line: string): void => void process.stderr.write(`${line}\n`);
const boot = (s: Server): string => `127.0.0.1:${s.port}`;

interface Run {
  seconds: number;
  messages: number;
  bytes: number;
}
interface Figure {
  label: string;
  unit: 'msg/s' | 'MB/s';
  /** Creates what the figure needs on a broker (topics); nothing on the sink. */
  prepare(s: Server): Promise<void>;
  run(s: Server): Promise<Run>;
}

async function kcatFigures(dir: string): Promise<Figure[]> {
  const small = await makeLineFile(dir, RUN_MB / 4, 100);
  const large = await makeLineFile(dir, RUN_MB, 1024);
  const figure = (
    label: string,
    unit: Figure['unit'],
    file: typeof small,
    topic: string,
    partitions: number,
  ): Figure => ({
    label: `${label} (kcat, ${f0(file.messages)} messages)`,
    unit,
    prepare: async (s) => void (await runLoad(['create', boot(s), topic, String(partitions)])),
    run: async (s) => ({
      seconds: await kcatProduce(s.port, topic, file.path, '1'),
      messages: file.messages,
      bytes: file.payloadBytes,
    }),
  });
  return [
    figure('produce 100 B, 1 partition', 'msg/s', small, 'cost-100b', 1),
    figure('produce 1 KiB, 16 partitions', 'MB/s', large, 'cost-1k-p16', 16),
  ];
}

function pythonFigures(): Figure[] {
  const figure = (
    label: string,
    unit: Figure['unit'],
    topic: string,
    n: number,
    size: number,
    partitions: number,
  ): Figure => ({
    label: `${label} (python, ${f0(n)} messages)`,
    unit,
    prepare: async (s) => void (await runLoad(['create', boot(s), topic, String(partitions)])),
    run: (s) => runLoad(['produce', boot(s), topic, String(n), String(size), String(partitions)]),
  });
  return [
    figure('produce 100 B, 1 partition', 'msg/s', 'cost-100b', N_100B, 100, 1),
    figure('produce 1 KiB, 16 partitions', 'MB/s', 'cost-1k-p16', N_1K, 1024, 16),
  ];
}

const rateOf = (figure: Figure, r: Run): number =>
  figure.unit === 'msg/s' ? r.messages / r.seconds : r.bytes / r.seconds / 1e6;

const ROTATIONS = [
  ['sink', 'off', 'on'],
  ['on', 'sink', 'off'],
  ['off', 'on', 'sink'],
  ['sink', 'on', 'off'],
  ['off', 'sink', 'on'],
  ['on', 'off', 'sink'],
] as const;

async function measure(
  figure: Figure,
  servers: Record<'sink' | 'off' | 'on', Server>,
  metricsPort: number,
): Promise<string> {
  const rates = { on: [] as number[], off: [] as number[], sink: [] as number[] };
  const cpu = { on: 0, off: 0 };
  const bytes = { on: 0, off: 0 };
  for (let round = 0; round < ROUNDS; round++) {
    for (const which of ROTATIONS[round % ROTATIONS.length]!) {
      const s = servers[which];
      const before = cpuSeconds(s.child.pid!);
      const r = await figure.run(s);
      if (which === 'on') await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
      if (which !== 'sink') {
        cpu[which] += cpuSeconds(s.child.pid!) - before;
        bytes[which] += r.bytes;
      }
      rates[which].push(rateOf(figure, r));
      log(
        `${figure.label} round ${round + 1} ${which}: ${f0(rateOf(figure, r))} ${figure.unit} (load ${f2(loadavg()[0]!)})`,
      );
    }
  }
  const ratios = rates.on.map((x, i) => x / rates.off[i]!);
  const ratio = median(rates.on) / median(rates.off);
  const cpuOff = cpu.off / (bytes.off / 1e9);
  const cpuOn = cpu.on / (bytes.on / 1e9);
  const clientBound = median(rates.sink) < 2 * Math.max(median(rates.on), median(rates.off));
  return `| ${figure.label} | ${f0(median(rates.sink))} ${figure.unit}${clientBound ? ' (client-bound)' : ''} | ${f0(median(rates.off))} ${figure.unit} | ${f0(median(rates.on))} ${figure.unit} | ${f2(ratio)} | ${f2(Math.min(...ratios))}-${f2(Math.max(...ratios))} | ${f2(cpuOff)} / ${f2(cpuOn)} (${f2(cpuOn / cpuOff)}x) | ${ratio >= 0.97 ? 'yes' : 'no'} |`;
}

async function main(): Promise<void> {
  const loadBefore = loadavg();
  const dir = mkdtempSync(join(tmpdir(), 'gregor-metrics-cost-'));
  const metricsPort = await freePort();
  const servers = {
    off: await startBroker(),
    on: await startBroker({ 'metrics.listener': `http://127.0.0.1:${metricsPort}` }),
    sink: await startSink('produce'),
  };
  const rows: string[] = [];
  try {
    const figures = PYTHON_LOAD ? pythonFigures() : await kcatFigures(dir);
    for (const figure of figures) {
      await figure.prepare(servers.off);
      await figure.prepare(servers.on);
      rows.push(await measure(figure, servers, metricsPort));
    }
  } finally {
    await Promise.all(Object.values(servers).map((s) => s.stop()));
    rmSync(dir, { recursive: true, force: true });
  }
  const loadAfter = loadavg();
  console.log(
    [
      `One run of \`${PYTHON_LOAD ? 'BENCH_LOAD=python ' : ''}npx tsx bench/ops/metrics-cost.ts\`, ${new Date().toISOString().slice(0, 16)} UTC, Node ${process.version}, load average ${loadBefore.map(f2).join(' ')} before and ${loadAfter.map(f2).join(' ')} after, ${ROUNDS} rounds per figure (order rotating among sink, off, on).`,
      '',
      '| figure | sink (client ceiling) | metrics off | metrics on | ratio on/off (medians) | per-round ratios | broker CPU-s per GB off / on | >= 0.97 |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
      ...rows,
    ].join('\n'),
  );
}

await main();
