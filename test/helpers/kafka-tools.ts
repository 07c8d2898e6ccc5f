/**
 * Kafka's tools as users run them: the files bin/kafka/<tool>.sh (sh scripts running the built
 * bin/gregor.js), spawned with their arguments and stdin; stdout, stderr and exit code returned;
 * or left running (startKafkaTool) until the test stops them.
 */
import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { Test } from 'tap';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import type { RunningBroker, StartBrokerOptions } from '../../src/index.js';
import { brokerFor } from './broker.js';
import { run, type RunResult } from './external.js';

export const KAFKA_BIN = fileURLToPath(new URL('../../bin/kafka/', import.meta.url));

/** The tools' environment: no debug logging. */
export const TOOL_ENV = { GREGOR_LOG_LEVEL: '' };

/** bin/kafka/<tool>.sh with these arguments, as a shell would run it (its shebang). */
export function kafkaTool(tool: string, args: string[], input?: string): Promise<RunResult> {
  return run(`${KAFKA_BIN}${tool}.sh`, args, {
    ...(input === undefined ? {} : { input }),
    timeoutMs: 60_000,
    env: TOOL_ENV,
  });
}

export interface RunningKafkaTool {
  /** What it printed so far. */
  output(): { stdout: string; stderr: string };
  /** Resolves when stdout satisfies the condition (rejects after timeoutMs). */
  waitForStdout(condition: (stdout: string) => boolean, timeoutMs?: number): Promise<void>;
  /** Sends the signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  exited: Promise<number | null>;
}

/** bin/kafka/<tool>.sh left running (a console consumer), stopped by the test. */
export function startKafkaTool(tool: string, args: string[]): RunningKafkaTool {
  const child = spawn(`${KAFKA_BIN}${tool}.sh`, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...TOOL_ENV },
  });
  let stdout = '';
  let stderr = '';
  const changed = new EventEmitter();
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
    changed.emit('data');
  });
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    output: () => ({ stdout, stderr }),
    exited,
    waitForStdout: (condition, timeoutMs = 30_000) =>
      new Promise<void>((resolve, reject) => {
        const check = (): void => {
          if (!condition(stdout)) return;
          clearTimeout(timer);
          changed.off('data', check);
          resolve();
        };
        const timer = setTimeout(() => {
          changed.off('data', check);
          reject(new Error(`${tool}: stdout never matched; stdout ${JSON.stringify(stdout)} stderr ${stderr}`));
        }, timeoutMs);
        changed.on('data', check);
        check();
      }),
    stop: (signal = 'SIGINT') => {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** A broker for a tool test (stopped with the test), its bootstrap address and a connected kafkajs admin. */
export async function brokerWithAdmin(
  t: Test,
  options: StartBrokerOptions = {},
): Promise<{ broker: RunningBroker; b: string; kafka: Kafka; admin: Admin }> {
  const broker = await brokerFor(t, options);
  const b = broker.bootstrap;
  const kafka = new Kafka({ brokers: [b], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  return { broker, b, kafka, admin };
}

/** A tool's stderr without the WARN lines of Kafka's NetworkClient (a broker that could not be reached). */
export function withoutClientWarnings(stderr: string): string {
  return stderr.replace(/^\[[^\]]+\] WARN \[[^\]]+\] .* \(org\.apache\.kafka\.clients\.NetworkClient\)\n/gm, '');
}

/** kafka-transactions describe-producers' rows for partition 0 of `topic`, after the header: [ProducerId, ProducerEpoch, ..., LastSequence, ...]. */
export async function describeProducerRows(bootstrap: string, topic: string): Promise<string[][]> {
  const r = await kafkaTool('kafka-transactions', [
    '--bootstrap-server',
    bootstrap,
    'describe-producers',
    '--topic',
    topic,
    '--partition',
    '0',
  ]);
  if (r.code !== 0) throw new Error(r.stderr);
  return r.stdout
    .split('\n')
    .filter((l) => l !== '')
    .slice(1)
    .map((l) => l.split('\t').map((c) => c.trim()));
}
