/**
 * Catch-up fetch with a load faster than the broker (issue 20): `npx tsx bench/broker/fetch-kcat.ts`
 * after `npm run build`.
 *
 * A partition of 1 KiB messages is written once into each broker with kcat (-P, ~1 MB batches), then,
 * in rounds that rotate which server goes first, `kcat -C` (librdkafka 2.0.2, the simple consumer:
 * one partition from an offset, `-e` to stop at its end) reads it all back from:
 *  - the fetch sink (bench/broker/sink.ts --mode fetch: the same count of ~1 MB batches of 1023 B
 *    records, served as views of one prebuilt buffer: the load's own ceiling);
 *  - this tree's broker (`node bin/gregor.js start` from dist/, on disk; the data is in the page cache);
 *  - with BENCH_BASELINE=<dir>, an older built tree's broker, so a change is measured new vs old.
 * kcat's output goes to /dev/null. With BENCH_KCAT_PROCS=N, N kcat processes read a 1/N slice each at
 * once. Prints MB/s per server (medians, per-round ratio spread), CPU-seconds per GB of each server and
 * the load average. Env: BENCH_ROUNDS (5), BENCH_MB (256), BENCH_KCAT_PROCS (1), PROFILE=<dir> (this
 * tree's broker under --cpu-prof, written at its clean stop). All traffic stays on 127.0.0.1.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { kcatProduce, makeLineFile, MB } from './kcat.js';
import { cpuSeconds, runLoad, startBroker, startSink, type Server } from './procs.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const RUN_MB = Number(process.env.BENCH_MB ?? 256);
const PROCS = Number(process.env.BENCH_KCAT_PROCS ?? 1);
const LINE = 1024;
/** Records per sink batch: about what kcat's 1 MB producer batches hold in the broker's log. */
const SINK_BATCH_RECORDS = 970;
const TOPIC = 'bench-fetch-p1';
const GB = 1e9;

const log = (line: string): void => void process.stderr.write(`${line}\n`);
const load1 = (): number => loadavg()[0]!;
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const spread = (xs: number[]): string =>
  `${median(xs).toFixed(2)} (${Math.min(...xs).toFixed(2)}-${Math.max(...xs).toFixed(2)})`;

/** `kcat -C` of `count` messages from `offset` of partition 0, output discarded; seconds taken. */
function kcatConsume(port: number, offset: number, count: number, timeoutMs = 300_000): Promise<number> {
  const start = performance.now();
  const args = ['-C', '-b', `127.0.0.1:${port}`, '-t', TOPIC, '-p', '0', '-o', String(offset)];
  args.push('-c', String(count), '-e', '-q', '-X', 'fetch.wait.max.ms=100');
  return new Promise((resolve, reject) => {
    const child = spawn('kcat', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => void (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve((performance.now() - start) / 1000);
      else reject(new Error(`kcat ${args.join(' ')} exited ${code}: ${stderr.slice(0, 500)}`));
    });
  });
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(process.env.BENCH_DIR ?? tmpdir(), 'gregor-fetch-bench-'));
  const file = await makeLineFile(dir, RUN_MB, LINE);
  const servers: Server[] = [
    await startSink('fetch', { messages: file.messages, size: LINE - 1, batchRecords: SINK_BATCH_RECORDS }),
  ];
  const profile = process.env.PROFILE;
  servers.push(await startBroker({}, profile ? { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profile}`] } : {}));
  const baselineRoot = process.env.BENCH_BASELINE;
  if (baselineRoot) servers.push(await startBroker({}, { root: baselineRoot, name: 'baseline' }));
  const lines = [
    `load average before: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  ];
  try {
    for (const server of servers.slice(1)) {
      await runLoad(['create', `127.0.0.1:${server.port}`, TOPIC, '1']);
      await kcatProduce(server.port, TOPIC, file.path, '1');
    }
    const seconds = new Map<Server, number[]>(servers.map((s) => [s, []]));
    const cpu = new Map<Server, number[]>(servers.map((s) => [s, []]));
    const loads: number[] = [];
    const slice = Math.ceil(file.messages / PROCS);
    for (let round = 0; round < ROUNDS; round++) {
      for (let i = 0; i < servers.length; i++) {
        const server = servers[(round + i) % servers.length]!;
        const cpuBefore = cpuSeconds(server.child.pid!);
        const start = performance.now();
        await Promise.all(
          Array.from({ length: PROCS }, (_, p) =>
            kcatConsume(server.port, p * slice, Math.min(slice, file.messages - p * slice)),
          ),
        );
        const s = (performance.now() - start) / 1000;
        seconds.get(server)!.push(s);
        cpu.get(server)!.push(cpuSeconds(server.child.pid!) - cpuBefore);
        loads.push(load1());
        log(
          `round ${round + 1} ${server.name}: ${(file.payloadBytes / MB / s).toFixed(0)} MB/s (load ${load1().toFixed(1)})`,
        );
      }
    }
    const gb = file.payloadBytes / GB;
    const mbps = (s: Server): number => file.payloadBytes / MB / median(seconds.get(s)!);
    const perRound = (a: Server, b: Server): number[] => seconds.get(a)!.map((x, i) => x / seconds.get(b)![i]!);
    const [sink, broker, baseline] = servers as [Server, Server, Server | undefined];
    lines.push(
      `catch-up fetch 1 KiB, 1 partition: ${file.messages.toLocaleString('en-US')} messages, ${ROUNDS} rounds, ` +
        `${PROCS} kcat process(es), load average ${Math.min(...loads).toFixed(1)}-${Math.max(...loads).toFixed(1)}`,
    );
    for (const server of servers) {
      lines.push(
        `- ${server.name}: ${mbps(server).toFixed(0)} MB/s, ${spread(cpu.get(server)!.map((c) => c / gb))} CPU-s/GB`,
      );
    }
    const clientBound = mbps(sink) < 2 * mbps(broker) ? '; CLIENT-BOUND (sink under 2x the broker)' : '';
    lines.push(
      `- broker ÷ sink: ${(mbps(broker) / mbps(sink)).toFixed(2)}; per round ${spread(perRound(sink, broker))}${clientBound}`,
    );
    if (baseline) lines.push(`- broker new ÷ old per round ${spread(perRound(baseline, broker))}`);
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
