/**
 * Runs bench/broker/loadgen.ts (the project's own produce load, far cheaper than kcat) as a child
 * process and returns what it measured: seconds from its first write to its last answer, the record
 * values' bytes and count, and its own CPU. Env BENCH_LOADGEN_INFLIGHT (5) and BENCH_LOADGEN_CONNECTIONS
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
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { env: benchEnv(), timeout: 300_000 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`loadgen ${topic} on ${port}: ${String(stderr).slice(0, 500) || err.message}`));
      resolve(JSON.parse(String(stdout).trim().split('\n').pop() ?? '{}') as LoadgenResult);
    });
  });
}
