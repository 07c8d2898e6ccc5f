/**
 * Shared helpers of the storage benchmarks: a scratch directory, a 16 KiB batch, a
 * monotonic timer and MiB/s formatting. Run a benchmark with `npx tsx bench/storage/<name>.ts`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_LOG_CONFIG, type LogConfig } from '../../storage/config.js';
import { NodeFileSystem } from '../../storage/fs.js';
import { batchOfSize } from '../../storage/test-support.js';

export const fs = new NodeFileSystem();
export const clock = { now: () => Date.now() };

export function scratchDir(name: string): { path: string; remove: () => void } {
  const path = mkdtempSync(join(process.env.BENCH_DIR ?? tmpdir(), `gregor-${name}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** A 16 KiB batch of 16 records. */
export function batch16k(): Buffer {
  return batchOfSize(16 * 1024, 16);
}

export function elapsedMs(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e6;
}

export function mibPerSec(bytes: number, ms: number): number {
  return bytes / (1024 * 1024) / (ms / 1000);
}

export function config(overrides: Partial<LogConfig> = {}): LogConfig {
  return { ...DEFAULT_LOG_CONFIG, ...overrides };
}

export function fmt(n: number): string {
  return n.toFixed(n >= 100 ? 0 : 2);
}

/** A one-record batch of about `bytes` bytes. */
export function batchSized(bytes: number): Buffer {
  return batchOfSize(bytes, 1);
}
