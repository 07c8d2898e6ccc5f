/**
 * What the metrics cost (issue 18): `npm run build && npx tsx bench/ops/metrics-cost.ts`.
 *
 * Two real brokers from dist/, one with `metrics.listener` set and one without, and the sink
 * (bench/broker/sink.ts: answers Produce without storing, the client's ceiling), loaded in turn by
 * librdkafka (bench/broker/load.py, Debian's python3-confluent-kafka), the order rotating each
 * round; /metrics is scraped after every round on the broker that has it. Prints the sink's
 * median rate first (if the brokers come close to it, the client is the limit and the ratio says
 * little), then the median produce rate of each broker, their ratio (on / off; goal >= 0.97), the
 * per-round ratios, each broker's CPU-seconds per GB, and the load average.
 * Scale with BENCH_ROUNDS (6), BENCH_100B_MESSAGES (250000), BENCH_1K_MESSAGES (100000).
 */
import { loadavg } from 'node:os';
import { cpuSeconds, freePort, runLoad, startBroker, startSink, type Server } from '../broker/procs.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 6);
const N_100B = Number(process.env.BENCH_100B_MESSAGES ?? 250_000);
const N_1K = Number(process.env.BENCH_1K_MESSAGES ?? 100_000);
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const f2 = (n: number): string => n.toFixed(2);
const f0 = (n: number): string => Math.round(n).toLocaleString('en-US');
const log = (line: string): void => void process.stderr.write(`${line}\n`);

async function main(): Promise<void> {
  const loadBefore = loadavg();
  const metricsPort = await freePort();
  const off = await startBroker();
  const on = await startBroker({ 'metrics.listener': `http://127.0.0.1:${metricsPort}` });
  const sink = await startSink('produce');
  const boot = (s: Server): string => `127.0.0.1:${s.port}`;
  const rows: string[] = [];
  try {
    for (const s of [off, on]) {
      await runLoad(['create', boot(s), 'cost-100b', '1']);
      await runLoad(['create', boot(s), 'cost-1k-p16', '16']);
    }
    const figures = [
      {
        label: `produce 100 B, 1 partition (${f0(N_100B)} messages)`,
        args: (s: Server) => ['produce', boot(s), 'cost-100b', String(N_100B), '100', '1'],
        unit: 'msg/s',
        rate: (r: { seconds: number; messages: number; bytes: number }) => r.messages / r.seconds,
      },
      {
        label: `produce 1 KiB, 16 partitions (${f0(N_1K)} messages)`,
        args: (s: Server) => ['produce', boot(s), 'cost-1k-p16', String(N_1K), '1024', '16'],
        unit: 'MB/s',
        rate: (r: { seconds: number; messages: number; bytes: number }) => r.bytes / r.seconds / 1e6,
      },
    ];
    for (const figure of figures) {
      const rates = { on: [] as number[], off: [] as number[], sink: [] as number[] };
      const cpu = { on: 0, off: 0 };
      const bytes = { on: 0, off: 0 };
      for (let round = 0; round < ROUNDS; round++) {
        const rotations = [
          [sink, off, on],
          [on, sink, off],
          [off, on, sink],
          [sink, on, off],
          [off, sink, on],
          [on, off, sink],
        ];
        for (const s of rotations[round % rotations.length]!) {
          if (s === sink) {
            const r = await runLoad(figure.args(s));
            rates.sink.push(figure.rate(r));
            log(`${figure.label} round ${round + 1} sink: ${f0(figure.rate(r))} ${figure.unit}`);
            continue;
          }
          const which = s === on ? 'on' : 'off';
          const before = cpuSeconds(s.child.pid!);
          const r = await runLoad(figure.args(s));
          if (s === on) await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
          cpu[which] += cpuSeconds(s.child.pid!) - before;
          bytes[which] += r.bytes;
          rates[which].push(figure.rate(r));
          log(`${figure.label} round ${round + 1} metrics ${which}: ${f0(figure.rate(r))} ${figure.unit}`);
        }
      }
      const ratios = rates.on.map((x, i) => x / rates.off[i]!);
      const ratio = median(rates.on) / median(rates.off);
      rows.push(
        `| ${figure.label} | ${f0(median(rates.sink))} ${figure.unit} | ${f0(median(rates.off))} ${figure.unit} | ${f0(median(rates.on))} ${figure.unit} | ${f2(ratio)} | ${f2(Math.min(...ratios))}-${f2(Math.max(...ratios))} | ${f2(cpu.off / (bytes.off / 1e9))} / ${f2(cpu.on / (bytes.on / 1e9))} | ${ratio >= 0.97 ? 'yes' : 'no'} |`,
      );
    }
  } finally {
    await off.stop();
    await on.stop();
    await sink.stop();
  }
  const loadAfter = loadavg();
  console.log(
    [
      `One run of \`npx tsx bench/ops/metrics-cost.ts\`, ${new Date().toISOString().slice(0, 16)} UTC, Node ${process.version}, load average ${loadBefore.map(f2).join(' ')} before and ${loadAfter.map(f2).join(' ')} after, ${ROUNDS} rounds per figure (order rotating among sink, off, on).`,
      '',
      '| figure | sink (client ceiling) | metrics off | metrics on | ratio on/off (medians) | per-round ratios | broker CPU-s per GB off / on | >= 0.97 |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
      ...rows,
    ].join('\n'),
  );
}

await main();
