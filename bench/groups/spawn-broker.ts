/**
 * Starts bench/groups/broker-process.ts as a child process (Node with tsx) and waits
 * for its port; `stop()` closes its stdin and waits for it to exit (SIGKILL after 10 s).
 * BROKER_NODE_ARGS adds Node options (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { readFileSync } from 'node:fs';

export interface BrokerProcess {
  port: number;
  pid: number;
  stop(): Promise<void>;
}

const script = fileURLToPath(new URL('./broker-process.ts', import.meta.url));

export async function spawnBroker(spec: {
  config?: Record<string, string | number | boolean>;
  topics?: Record<string, number>;
}): Promise<BrokerProcess> {
  const child = spawn(
    process.execPath,
    [
      ...(process.env.BROKER_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
      '--import',
      'tsx',
      script,
      JSON.stringify(spec),
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    // Other lines (e.g. --trace-gc output, which goes to stdout) are echoed to stderr.
    lines.on('line', (line) => {
      if (line.startsWith('{"port":')) resolve((JSON.parse(line) as { port: number }).port);
      else process.stderr.write(`${line}\n`);
    });
    child.once('exit', (code) => reject(new Error(`broker process exited with ${code}`)));
  });
  return {
    port,
    pid: child.pid!,
    async stop() {
      child.stdin!.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Percentile (0-100) of an ascending-sorted array. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

export const fmt = (n: number, digits = 1): string => n.toFixed(digits);

/** CPU time (user + system, ms) a process has used so far, from /proc (Linux); NaN elsewhere. */
export function processCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields after the command name start at state (3rd field): utime is the 14th, stime the 15th.
    const ticks = Number(fields[11]) + Number(fields[12]);
    return (ticks * 1000) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return NaN;
  }
}

const CLOCK_TICKS_PER_SECOND = 100;
