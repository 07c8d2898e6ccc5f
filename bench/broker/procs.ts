/**
 * Child processes of the broker benchmark: a free port on 127.0.0.1, the real broker
 * (`node bin/gregor.cjs start` from dist/, temp data dir) and the sink (bench/broker/sink.ts
 * under tsx), CPU time and RSS read from /proc, the Python load script, and an
 * ApiVersions probe that tells when a server answers. Every wait is bounded.
 * Leaves out: anything but Linux (/proc is required).
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort as rangedFreePort } from '../../test/helpers/ports.js';
import { encodeFrame, writeRequestHeader } from '../../protocol/frame.js';
import { ApiVersionsApi, defaultApiVersionsRequest } from '../../protocol/generated/messages/18-api-versions.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const PYTHON = '/usr/bin/python3';
const LOAD_SCRIPT = fileURLToPath(new URL('./load.py', import.meta.url));
const SINK_SCRIPT = fileURLToPath(new URL('./sink.ts', import.meta.url));
const CLK_TCK = 100;

/**
 * The environment of the node processes the benchmarks start: this one's without NODE_EXTRA_CA_CERTS
 * (BENCH_KEEP_EXTRA_CA=1 keeps it). The project machines set it to their CA bundle for the npm
 * registry's proxy, and node parses that whole file at every start, before any script runs: 90 ms
 * and 2 MiB of RSS on `node -e 0` here (40 -> 130 ms; docs/benchmarks.md, "Start-up, session 13"),
 * which no user's broker pays unless their machine sets it too.
 */
export function benchEnv(): NodeJS.ProcessEnv {
  if (process.env.BENCH_KEEP_EXTRA_CA === '1') return process.env;
  const { NODE_EXTRA_CA_CERTS: _dropped, ...rest } = process.env;
  return rest;
}

/** A free port on 127.0.0.1: from GREGOR_TEST_PORTS=low-high when set (a session's own range), else the kernel's. */
export function freePort(): Promise<number> {
  if (process.env.GREGOR_TEST_PORTS) return rangedFreePort();
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0 }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

const apiVersionsFrame = Buffer.concat(
  encodeFrame((w) => {
    writeRequestHeader(w, { requestApiKey: 18, requestApiVersion: 0, correlationId: 1, clientId: 'bench' });
    ApiVersionsApi.encodeRequest(w, 0, defaultApiVersionsRequest());
  }),
);

/** One ApiVersions v0 round trip; resolves false when the connection is refused or fails. */
function probeOnce(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let got = Buffer.alloc(0);
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(5_000, () => done(false));
    socket.once('error', () => done(false));
    // A proxy in front of a port not yet listening (docker-proxy) accepts, then closes.
    socket.once('close', () => done(false));
    socket.once('connect', () => socket.write(apiVersionsFrame));
    socket.on('data', (data: Buffer) => {
      got = Buffer.concat([got, data]);
      if (got.length >= 4 && got.length >= 4 + got.readInt32BE(0)) done(got.readInt32BE(4) === 1);
    });
  });
}

/** Polls until ApiVersions is answered; resolves the time it was, or throws after `timeoutMs`. */
export async function waitForApiVersions(port: number, timeoutMs = 20_000): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (await probeOnce(port)) return performance.now();
    await new Promise((r) => setTimeout(r, 2));
  }
  throw new Error(`no ApiVersions answer on port ${port} within ${timeoutMs} ms`);
}

export interface Server {
  name: string;
  port: number;
  child: ChildProcess;
  /** performance.now() when spawned and when ApiVersions was first answered. */
  spawnedAt: number;
  readyAt: number;
  /** CPU-seconds the process had used when ApiVersions was first answered. */
  readyCpu: number;
  stop(): Promise<void>;
}

async function startServer(
  name: string,
  command: string,
  args: string[],
  port: number,
  cleanup: () => void,
  env: Record<string, string> = {},
): Promise<Server> {
  const spawnedAt = performance.now();
  const child = spawn(command, args, {
    cwd: ROOT,
    env: { ...benchEnv(), ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    if (stderr.length < 10_000) stderr += d.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
    cleanup();
  };
  try {
    const readyAt = await Promise.race([
      waitForApiVersions(port),
      exited.then(() => {
        throw new Error(`${name} exited before answering: ${stderr}`);
      }),
    ]);
    return { name, port, child, spawnedAt, readyAt, readyCpu: cpuSeconds(child.pid!), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * The real broker from dist/, on a free port with a fresh data dir. `root` runs another built tree's
 * broker (a copy of an older commit's bin/, dist/ and package.json, for new-vs-old runs); `nodeArgs`
 * go to node (`--cpu-prof`, ...); `env` is added to its environment (GREGOR_WRITE_BEHIND=auto, ...).
 */
export async function startBroker(
  extra: Record<string, string> = {},
  options: { root?: string; nodeArgs?: string[]; name?: string; env?: Record<string, string> } = {},
): Promise<Server> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(process.env.BENCH_DIR ?? tmpdir(), 'gregor-bench-'));
  const overrides = { listeners: `PLAINTEXT://127.0.0.1:${port}`, 'log.dirs': dataDir, ...extra };
  const args = [
    ...(options.nodeArgs ?? []),
    gregorBin(options.root ?? ROOT),
    'start',
    ...Object.entries(overrides).flatMap(([k, v]) => ['--override', `${k}=${v}`]),
  ];
  return startServer(
    options.name ?? 'broker',
    process.execPath,
    args,
    port,
    () => rmSync(dataDir, { recursive: true, force: true }),
    options.env,
  );
}

/** A built tree's CLI entry: bin/gregor.cjs since session 11, bin/gregor.js in older trees. */
export function gregorBin(root: string): string {
  const cjs = join(root, 'bin/gregor.cjs');
  return existsSync(cjs) ? cjs : join(root, 'bin/gregor.js');
}

/** The sink (bench/broker/sink.ts, or `script`) under tsx. */
export async function startSink(
  mode: 'produce' | 'fetch' | 'echo',
  options: {
    messages?: number;
    size?: number;
    batchRecords?: number;
    script?: string;
    name?: string;
    nodeArgs?: string[];
    env?: Record<string, string>;
  } = {},
): Promise<Server> {
  const port = await freePort();
  const args = [
    ...(options.nodeArgs ?? []),
    '--import',
    'tsx',
    options.script ?? SINK_SCRIPT,
    '--port',
    String(port),
    '--mode',
    mode,
  ];
  if (options.messages !== undefined) args.push('--messages', String(options.messages));
  if (options.size !== undefined) args.push('--size', String(options.size));
  if (options.batchRecords !== undefined) args.push('--batch-records', String(options.batchRecords));
  return startServer(options.name ?? `${mode} sink`, process.execPath, args, port, () => undefined, options.env);
}

/** utime + stime of a process, in seconds. */
export function cpuSeconds(pid: number): number {
  const { user, system } = cpuSplit(pid);
  return user + system;
}

/** utime and stime of a process (user space; the kernel on its behalf: socket and file copies), in seconds. */
export function cpuSplit(pid: number): { user: number; system: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { user: Number(fields[11]) / CLK_TCK, system: Number(fields[12]) / CLK_TCK };
}

/**
 * CPU-seconds (user, system) of this process's children that have exited and been waited for
 * (cutime, cstime): the kcat runs a benchmark spawned and awaited, not the brokers still running.
 */
export function reapedChildrenCpu(): { user: number; system: number } {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { user: Number(fields[13]) / CLK_TCK, system: Number(fields[14]) / CLK_TCK };
}

/** Resident set size in MiB: all of it (VmRSS) and the anonymous part (RssAnon: heap, not mapped code). */
export function rssMiB(pid: number): { rss: number; anon: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string): number => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN);
  return { rss: kb('VmRSS') / 1024, anon: kb('RssAnon') / 1024 };
}

export interface LoadResult {
  seconds: number;
  messages: number;
  bytes: number;
}

/** Runs bench/broker/load.py with `args`; resolves its JSON line, rejects on failure. */
export function runLoad(args: string[], timeoutMs = 90_000): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    execFile(PYTHON, [LOAD_SCRIPT, ...args], { timeout: timeoutMs, maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
      if (err) {
        reject(new Error(`load.py ${args.join(' ')} failed: ${String(stderr).slice(0, 2000)}`));
        return;
      }
      resolve(JSON.parse(String(stdout).trim().split('\n').pop() ?? '{}') as LoadResult);
    });
  });
}

/**
 * A CommonJS script that prints its CPU time and exits: node alone, started as `gregor start` is (a
 * CommonJS entry). Not `node -e`: its eval context loads node:crypto first (~3-5 ms here), which a
 * script, and Gregor's start since session 14, does not.
 */
function nodeAloneScript(): string {
  const file = join(tmpdir(), 'gregor-bench-node-alone.cjs');
  writeFileSync(file, 'const u = process.cpuUsage(); process.stdout.write(String((u.user + u.system) / 1000));\n');
  return file;
}

/** Spawn to exit of node alone (nodeAloneScript), wall and CPU. */
export function nodeStart(): Promise<{ wallMs: number; cpuMs: number }> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    execFile(process.execPath, [nodeAloneScript()], { env: benchEnv() }, (err, stdout) =>
      err ? reject(err) : resolve({ wallMs: performance.now() - start, cpuMs: Number(stdout) }),
    );
  });
}

/** Counters of a process that say where its CPU goes (all threads). */
export interface ProcessCounters {
  user: number;
  system: number;
  /** read-type and write-type system calls (/proc/pid/io syscr, syscw: read, readv, write, writev, pwrite...). */
  reads: number;
  writes: number;
  minorFaults: number;
  /** Voluntary and involuntary context switches of the main thread. */
  switches: number;
}

/** The counters of `pid` now (Linux /proc). */
export function processCounters(pid: number): ProcessCounters {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const io = readFileSync(`/proc/${pid}/io`, 'utf8');
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const num = (text: string, field: string): number => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(text)?.[1] ?? NaN);
  return {
    user: Number(fields[11]) / CLK_TCK,
    system: Number(fields[12]) / CLK_TCK,
    reads: num(io, 'syscr'),
    writes: num(io, 'syscw'),
    minorFaults: Number(fields[7]),
    switches: num(status, 'voluntary_ctxt_switches') + num(status, 'nonvoluntary_ctxt_switches'),
  };
}

/** The sum of `pids`' counters. */
export function sumCounters(pids: number[]): ProcessCounters {
  const total: ProcessCounters = { user: 0, system: 0, reads: 0, writes: 0, minorFaults: 0, switches: 0 };
  for (const pid of pids) {
    const c = processCounters(pid);
    for (const key of Object.keys(total) as Array<keyof ProcessCounters>) total[key] += c[key];
  }
  return total;
}

/** The machine's CPU time since boot (all CPUs, /proc/stat), in seconds: busy (user, nice, system, irq, softirq) and steal. */
export function machineCpu(): { busy: number; system: number; softirq: number; steal: number; iowait: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
  const [user, nice, system, , iowait, irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number) as number[];
  return {
    busy: (user! + nice! + system! + irq! + softirq!) / CLK_TCK,
    system: system! / CLK_TCK,
    softirq: softirq! / CLK_TCK,
    steal: steal! / CLK_TCK,
    iowait: iowait! / CLK_TCK,
  };
}

export interface ProcessCpu {
  comm: string;
  /** A kernel thread (writeback, kswapd, kdamond, softirq threads). */
  kernel: boolean;
  cpu: number;
}

/**
 * CPU-seconds used so far by every process on the machine (kernel threads included: writeback
 * kworkers, kswapd, kdamond), by pid, with its name (a kworker's name changes with its work, so it is
 * not part of the key); processes that exit between two snapshots drop out.
 */
export function everyProcessCpu(): Map<number, ProcessCpu> {
  const out = new Map<number, ProcessCpu>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // Kernel threads are kthreadd (pid 2) and its children.
      const kernel = entry === '2' || fields[1] === '2';
      out.set(Number(entry), { comm, kernel, cpu: (Number(fields[11]) + Number(fields[12])) / CLK_TCK });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** The `top` processes (`pid name`) by CPU-seconds used between two everyProcessCpu snapshots. */
export function topConsumers(
  before: Map<number, ProcessCpu>,
  after: Map<number, ProcessCpu>,
  top = 6,
): Array<[string, number]> {
  const used: Array<[string, number]> = [];
  for (const [pid, now] of after) {
    const delta = now.cpu - (before.get(pid)?.cpu ?? 0);
    if (delta > 0) used.push([`${pid} ${now.comm}`, delta]);
  }
  return used.sort((a, b) => b[1] - a[1]).slice(0, top);
}

/**
 * CPU-seconds used between two snapshots by kernel threads and by other processes than `ours` (a
 * benchmark's own processes): other jobs on the machine disturb a run; the kernel's threads are part of it.
 */
export function outsideCpu(
  before: Map<number, ProcessCpu>,
  after: Map<number, ProcessCpu>,
  ours: ReadonlySet<number>,
): { kernel: number; others: number } {
  let kernel = 0;
  let others = 0;
  for (const [pid, now] of after) {
    const delta = now.cpu - (before.get(pid)?.cpu ?? 0);
    if (delta <= 0 || ours.has(pid)) continue;
    if (now.kernel) kernel += delta;
    else others += delta;
  }
  return { kernel, others };
}

/**
 * `perf record -e cpu-clock -F 999 -g` of processes `pids` into `out` until `stop` (SIGINT: perf writes
 * its file and exits). Started processes need `--perf-basic-prof` for JavaScript frames to have names.
 * Resolves once perf has had half a second to attach.
 */
export async function startPerf(pids: number[], out: string): Promise<{ stop(): Promise<void> }> {
  const args = ['record', '-e', 'cpu-clock', '-F', '999', '-g', '-o', out, '-p', pids.join(',')];
  const perf = spawn('perf', args, { stdio: 'inherit' });
  const exited = new Promise<void>((resolve) => perf.once('exit', () => resolve()));
  await new Promise((resolve) => setTimeout(resolve, 500));
  return {
    stop: async () => {
      perf.kill('SIGINT');
      await exited;
    },
  };
}

/** Broker settings from BENCH_BROKER_CONFIG (`k=v,k=v`), for the brokers a benchmark starts. */
export function brokerConfig(): Record<string, string> {
  const raw = process.env.BENCH_BROKER_CONFIG;
  if (!raw) return {};
  return Object.fromEntries(raw.split(',').map((kv) => kv.split('=', 2) as [string, string]));
}
