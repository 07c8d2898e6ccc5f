/**
 * Catch-up fetch with a load faster than the broker (issue 20): `npx tsx bench/broker/fetch-kcat.ts`
 * after `npm run build`.
 *
 * A partition of 1 KiB messages is written once into each broker, then, in rounds that rotate which
 * server goes first, the load reads it all back from:
 *  - the fetch sink (bench/broker/sink.ts --mode fetch: the same count of ~1 MB batches of 1023 B
 *    records, served as views of one prebuilt buffer: the load's own ceiling);
 *  - this tree's broker (`node bin/gregor.cjs start` from dist/, on disk; the data is in the page cache);
 *  - with BENCH_BASELINE=<dir>, an older built tree's broker, so a change is measured new vs old.
 * The load is `kcat -C` (librdkafka 2.0.2, the simple consumer: one partition from an offset, `-e` to stop
 * at its end, output to /dev/null; the partition written with kcat -P, ~1 MB batches), or with
 * BENCH_CLIENT=loadgen the project's own: the partition is written by bench/broker/loadgen.ts (1 MB batches
 * of 1023 B records, the sink serving the same batches) and read by bench/broker/fetchgen.ts (Fetch v12, one
 * request in flight, librdkafka's byte limits unless BENCH_FETCH_MAX_BYTES / BENCH_FETCH_PARTITION_MAX_BYTES
 * say otherwise, BENCH_FETCH_VERSION, BENCH_FETCH_CONNECTIONS: see loadgen-client.ts), whose own CPU per
 * GB is printed too. A `sync` follows the writes, so their writeback is not inside the rounds.
 * Prints MB/s per server (medians, per-round ratio spread), CPU-seconds per GB of each server (with the
 * kernel's share) and the load average; a figure whose sink rate is under twice the broker's is marked
 * client-bound. Env: BENCH_ROUNDS (5), BENCH_MB (256), BENCH_WARMUP (unmeasured reads per server first:
 * 1 with the loadgen, else 0), BENCH_KCAT_PROCS (1: kcat processes reading a 1/N slice each at once),
 * PROFILE=<dir> (this tree's broker under --cpu-prof, written at its clean stop), PERF=<file> (`perf record
 * -e cpu-clock -g` of this tree's broker, run with --perf-basic-prof-only-functions, through the measured
 * rounds; `perf report -i <file> --no-children`). All traffic stays on 127.0.0.1.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { kcatProduce, makeLineFile, MB } from './kcat.js';
import { loadgenFetch, loadgenProduce } from './loadgen-client.js';
import { recordsPerBatch } from './loadgen-wire.js';
import { cpuSplit, runLoad, startBroker, startPerf, startSink, type Server } from './procs.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const RUN_MB = Number(process.env.BENCH_MB ?? 256);
const PROCS = Number(process.env.BENCH_KCAT_PROCS ?? 1);
const LOADGEN = process.env.BENCH_CLIENT === 'loadgen';
const WARMUP = Number(process.env.BENCH_WARMUP ?? (LOADGEN ? 1 : 0));
const LINE = 1024;
/** Records per sink batch: about what kcat's 1 MB producer batches hold in the broker's log. */
const KCAT_BATCH_RECORDS = 970;
/** The loadgen's batches: as many 1023 B records as fit in BENCH_LOADGEN_BATCH_BYTES (see loadgen-client.ts). */
const LOADGEN_BATCH_RECORDS = recordsPerBatch(Number(process.env.BENCH_LOADGEN_BATCH_BYTES ?? 1_000_000), LINE - 1);
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

/** The data set: kcat's line file, or the loadgen's whole batches of RUN_MB MB. */
interface DataSet {
  messages: number;
  payloadBytes: number;
  batchRecords: number;
  /** Writes it into a broker's topic. */
  write(port: number): Promise<void>;
}

async function dataSet(dir: string): Promise<DataSet> {
  if (!LOADGEN) {
    const file = await makeLineFile(dir, RUN_MB, LINE);
    const write = async (port: number): Promise<void> => void (await kcatProduce(port, TOPIC, file.path, '1'));
    return { ...file, batchRecords: KCAT_BATCH_RECORDS, write };
  }
  const batches = Math.ceil((RUN_MB * MB) / (LOADGEN_BATCH_RECORDS * (LINE - 1)));
  const messages = batches * LOADGEN_BATCH_RECORDS;
  return {
    messages,
    payloadBytes: messages * (LINE - 1),
    batchRecords: LOADGEN_BATCH_RECORDS,
    write: async (port) => {
      const written = await loadgenProduce(port, TOPIC, { mb: RUN_MB, recordBytes: LINE - 1, acks: '1' });
      if (written.messages !== messages) throw new Error(`loadgen wrote ${written.messages} records, not ${messages}`);
    },
  };
}

interface Runs {
  seconds: number[];
  cpu: number[];
  system: number[];
  /** The load's own CPU-seconds per run (the loadgen's; not measured for kcat). */
  clientCpu: number[];
}

/** One read of the whole partition: seconds, and the load's CPU-seconds (0 for kcat). */
async function readAll(server: Server, data: DataSet): Promise<{ seconds: number; clientCpu: number }> {
  if (LOADGEN) {
    const r = await loadgenFetch(server.port, TOPIC);
    if (r.records < data.messages) throw new Error(`fetchgen read ${r.records} of ${data.messages} records`);
    return { seconds: r.seconds, clientCpu: r.cpuUser + r.cpuSystem };
  }
  const slice = Math.ceil(data.messages / PROCS);
  const start = performance.now();
  await Promise.all(
    Array.from({ length: PROCS }, (_, p) =>
      kcatConsume(server.port, p * slice, Math.min(slice, data.messages - p * slice)),
    ),
  );
  return { seconds: (performance.now() - start) / 1000, clientCpu: 0 };
}

function report(servers: Server[], runs: Map<Server, Runs>, data: DataSet, loads: number[]): string[] {
  const gb = data.payloadBytes / GB;
  const perGb = (xs: number[]): number[] => xs.map((x) => x / gb);
  const mbps = (s: Server): number => data.payloadBytes / MB / median(runs.get(s)!.seconds);
  const perRound = (a: Server, b: Server): number[] => runs.get(a)!.seconds.map((x, i) => x / runs.get(b)!.seconds[i]!);
  const [sink, broker, baseline] = servers as [Server, Server, Server | undefined];
  const load = LOADGEN
    ? `fetchgen (max bytes ${process.env.BENCH_FETCH_MAX_BYTES ?? 52428800}, partition max bytes ` +
      `${process.env.BENCH_FETCH_PARTITION_MAX_BYTES ?? 1048576}, ${process.env.BENCH_FETCH_CONNECTIONS ?? 1} connection(s))`
    : `${PROCS} kcat process(es)`;
  const lines = [
    `catch-up fetch 1 KiB, 1 partition: ${data.messages.toLocaleString('en-US')} messages, ${ROUNDS} rounds after ` +
      `${WARMUP} unmeasured, ${load}, load average ${Math.min(...loads).toFixed(1)}-${Math.max(...loads).toFixed(1)}`,
  ];
  for (const server of servers) {
    const r = runs.get(server)!;
    const client = LOADGEN ? `; the load's own ${spread(perGb(r.clientCpu))} CPU-s/GB` : '';
    lines.push(
      `- ${server.name}: ${mbps(server).toFixed(0)} MB/s, ${spread(perGb(r.cpu))} CPU-s/GB, ` +
        `of which kernel ${spread(perGb(r.system))}${client}`,
    );
  }
  const clientBound = mbps(sink) < 2 * mbps(broker) ? '; CLIENT-BOUND (sink under 2x the broker)' : '';
  const cpuRatio = median(runs.get(broker)!.cpu) / median(runs.get(sink)!.cpu);
  lines.push(
    `- broker ÷ sink: ${(mbps(broker) / mbps(sink)).toFixed(2)}; per round ${spread(perRound(sink, broker))}; ` +
      `CPU per GB ${cpuRatio.toFixed(2)}x the sink's${clientBound}`,
  );
  if (baseline) {
    const cpuNewOld = median(runs.get(broker)!.cpu) / median(runs.get(baseline)!.cpu);
    lines.push(
      `- broker new ÷ old per round ${spread(perRound(baseline, broker))}; CPU per GB new ÷ old ${cpuNewOld.toFixed(2)}`,
    );
  }
  return lines;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(process.env.BENCH_DIR ?? tmpdir(), 'gregor-fetch-bench-'));
  const data = await dataSet(dir);
  const servers: Server[] = [
    await startSink('fetch', { messages: data.messages, size: LINE - 1, batchRecords: data.batchRecords }),
  ];
  const profile = process.env.PROFILE;
  const perfFile = process.env.PERF;
  const nodeArgs = [
    ...(profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : []),
    ...(perfFile ? ['--perf-basic-prof-only-functions'] : []),
  ];
  servers.push(await startBroker({}, { nodeArgs }));
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
      await data.write(server.port);
    }
    execFileSync('sync');
    for (let w = 0; w < WARMUP; w++) for (const server of servers) await readAll(server, data);
    const runs = new Map<Server, Runs>(servers.map((s) => [s, { seconds: [], cpu: [], system: [], clientCpu: [] }]));
    const loads: number[] = [];
    const perf = perfFile ? await startPerf([servers[1]!.child.pid!], perfFile) : null;
    for (let round = 0; round < ROUNDS; round++) {
      for (let i = 0; i < servers.length; i++) {
        const server = servers[(round + i) % servers.length]!;
        const before = cpuSplit(server.child.pid!);
        const run = await readAll(server, data);
        const after = cpuSplit(server.child.pid!);
        const r = runs.get(server)!;
        r.seconds.push(run.seconds);
        r.cpu.push(after.user + after.system - before.user - before.system);
        r.system.push(after.system - before.system);
        r.clientCpu.push(run.clientCpu);
        loads.push(load1());
        log(
          `round ${round + 1} ${server.name}: ${(data.payloadBytes / MB / run.seconds).toFixed(0)} MB/s ` +
            `(load ${load1().toFixed(1)})`,
        );
      }
    }
    await perf?.stop();
    lines.push(...report(servers, runs, data, loads));
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
