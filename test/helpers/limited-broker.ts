/**
 * The real broker (the CLI bundled from the sources) started in a shell that set
 * `ulimit -n <limit>` (soft and hard, so Node cannot raise it), for the many-partitions
 * bench and its process test. Resolves once the broker logged that it started.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync } from 'node:fs';

export interface LimitedBroker {
  child: ChildProcess;
  output: () => string;
  /** Milliseconds from spawn to "Gregor broker started". */
  startMs: number;
}

export const CLI_ENTRY = 'test/helpers/cli-entry.ts';

export async function startLimitedBroker(
  bundle: string,
  dataDir: string,
  port: number,
  controllerPort: number,
  limit: number,
): Promise<LimitedBroker> {
  const started = Date.now();
  const args = [
    bundle,
    'start',
    '--override',
    `log.dirs=${dataDir}`,
    '--override',
    `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    '--override',
    'controller.listener.names=CONTROLLER',
    '--override',
    'process.roles=broker,controller',
    '--override',
    `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
    '--override',
    'node.id=1',
  ];
  const quoted = args.map((a) => `'${a}'`).join(' ');
  const child = spawn(
    'bash',
    ['-c', `ulimit -n ${limit} && exec '${process.execPath}' --max-old-space-size=4096 ${quoted}`],
    {
      env: { ...process.env, GREGOR_LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('Gregor broker started')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`broker exited with ${code}:\n${out.slice(-4000)}`)));
  });
  return { child, output: () => out, startMs: Date.now() - started };
}

/** Sends the signal and resolves with the milliseconds until the process exited. */
export async function stopLimitedBroker(broker: LimitedBroker, signal: NodeJS.Signals): Promise<number> {
  const started = Date.now();
  if (broker.child.exitCode !== null) return 0;
  const exited = new Promise((resolve) => broker.child.once('exit', resolve));
  broker.child.kill(signal);
  await exited;
  return Date.now() - started;
}

/** Descriptors a process holds (Linux /proc), -1 when unknown. */
export function descriptorsOf(pid: number | undefined): number {
  if (pid === undefined) return -1;
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return -1;
  }
}
