/**
 * Runs the project's own loads as child processes: bench/broker/loadgen.ts (produce, far cheaper than
 * kcat) and bench/broker/fetchgen.ts (catch-up fetch). loadgenProduce returns what the first measured:
 * seconds from its first write to its last answer, the record values' bytes and count, and its own CPU. Env BENCH_LOADGEN_INFLIGHT (5) and BENCH_LOADGEN_CONNECTIONS
 * (1: per leader) tune it; BENCH_LOADGEN_BATCH_BYTES (1000000) sets its batch size, as kcat's batch.size.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { benchEnv } from './procs.js';

const SCRIPT = fileURLToPath(new URL('./loadgen.ts', import.meta.url));

export interface LoadgenResult {
  seconds: number;
  messages: number;
  bytes: number;
  requests: number;
  cpuUser: number;
  cpuSystem: number;
}

export function loadgenProduce(
  port: number,
  topic: string,
  options: { mb: number; recordBytes: number; acks: string },
): Promise<LoadgenResult> {
  const args = [
    '--import',
    'tsx',
    SCRIPT,
    '--bootstrap',
    `127.0.0.1:${port}`,
    '--topic',
    topic,
    '--mb',
    String(options.mb),
    '--record-bytes',
    String(options.recordBytes),
    `--acks=${options.acks}`,
    '--in-flight',
    process.env.BENCH_LOADGEN_INFLIGHT ?? '5',
    '--connections',
    process.env.BENCH_LOADGEN_CONNECTIONS ?? '1',
    '--batch-bytes',
    process.env.BENCH_LOADGEN_BATCH_BYTES ?? '1000000',
  ];
  return runScript<LoadgenResult>(args, `loadgen ${topic} on ${port}`);
}

/** Runs `node <args>` (a load script), resolving its last stdout line as JSON. */
function runScript<T>(args: string[], label: string): Promise<T> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { env: benchEnv(), timeout: 300_000 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`${label}: ${String(stderr).slice(0, 500) || err.message}`));
      resolve(JSON.parse(String(stdout).trim().split('\n').pop() ?? '{}') as T);
    });
  });
}

const FETCH_SCRIPT = fileURLToPath(new URL('./fetchgen.ts', import.meta.url));

export interface FetchgenResult {
  seconds: number;
  /** Offsets advanced. */
  records: number;
  /** Record-batch bytes received. */
  bytes: number;
  fetches: number;
  cpuUser: number;
  cpuSystem: number;
}

/**
 * Runs bench/broker/fetchgen.ts (the project's own catch-up fetch load) for partition 0 of `topic`, from
 * offset 0 to its end. Env BENCH_FETCH_MAX_BYTES (52428800) and BENCH_FETCH_PARTITION_MAX_BYTES (1048576:
 * librdkafka's defaults), BENCH_FETCH_VERSION (12), BENCH_FETCH_CONNECTIONS (1: each reads a share of the
 * partition) tune it.
 */
export function loadgenFetch(port: number, topic: string): Promise<FetchgenResult> {
  const args = [
    '--import',
    'tsx',
    FETCH_SCRIPT,
    '--bootstrap',
    `127.0.0.1:${port}`,
    '--topic',
    topic,
    '--max-bytes',
    process.env.BENCH_FETCH_MAX_BYTES ?? '52428800',
    '--partition-max-bytes',
    process.env.BENCH_FETCH_PARTITION_MAX_BYTES ?? '1048576',
    '--version',
    process.env.BENCH_FETCH_VERSION ?? '12',
    '--connections',
    process.env.BENCH_FETCH_CONNECTIONS ?? '1',
  ];
  return runScript<FetchgenResult>(args, `fetchgen ${topic} on ${port}`);
}

const LATENCY_SCRIPT = fileURLToPath(new URL('./latencygen.ts', import.meta.url));

export interface LatencygenResult {
  batches: number;
  batchRecords: number;
  /** Records per second sent. */
  rate: number;
  /** Batches measured (all but the first 10%). */
  received: number;
  p50: number;
  p99: number;
  p999: number;
  max: number;
  maxSendLagMs: number;
  cpuUser: number;
  cpuSystem: number;
}

/** Runs bench/broker/latencygen.ts (paced producer and consumer of partition 0, one process) for `seconds` at `rate` records/s. */
export function loadgenLatency(
  port: number,
  topic: string,
  options: { rate: number; seconds: number; recordBytes: number; timeline?: string },
): Promise<LatencygenResult> {
  const args = ['--import', 'tsx', LATENCY_SCRIPT, '--bootstrap', `127.0.0.1:${port}`, '--topic', topic];
  args.push('--rate', String(Math.round(options.rate)), '--seconds', String(options.seconds));
  args.push('--record-bytes', String(options.recordBytes));
  if (options.timeline !== undefined) args.push('--timeline', options.timeline);
  return runScript<LatencygenResult>(args, `latencygen ${topic} on ${port}`);
}
