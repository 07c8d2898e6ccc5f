/**
 * Test support for tests that run the real CLI (`bin/gregor.cjs start`, from the built
 * dist/): start it and learn its PLAINTEXT port from the start-up log line, or run it to
 * its exit and collect what it printed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const GREGOR_BIN = fileURLToPath(new URL('../../bin/gregor.cjs', import.meta.url));
export const CLI_BUILT = existsSync(fileURLToPath(new URL('../../dist/bundle/cli.cjs', import.meta.url)));
export const CLI_SKIP = CLI_BUILT ? false : 'dist/ is not built (npm install builds it)';

export interface RunningCli {
  child: ChildProcess;
  port: number;
  output: () => string;
  /** SIGTERM (clean) or SIGKILL, resolving with the exit code once the process is gone. */
  stop: (signal?: 'SIGTERM' | 'SIGKILL') => Promise<number | null>;
}

/** Starts `gregor start <args>` and resolves once it logs that it started (rejects if it exits first). */
export async function startCli(args: string[], env: NodeJS.ProcessEnv = {}, cwd?: string): Promise<RunningCli> {
  const child = spawn(process.execPath, [GREGOR_BIN, 'start', ...args], {
    env: { ...process.env, GREGOR_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(cwd === undefined ? {} : { cwd }),
  });
  let out = '';
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /"listeners":\["PLAINTEXT:\/\/127\.0\.0\.1:(\d+)"/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`gregor exited with ${code} before starting:\n${out}`)));
  });
  const exited = once(child, 'exit') as Promise<[number | null]>;
  return {
    child,
    port,
    output: () => out,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const [code] = await exited;
      return code;
    },
  };
}

/** Runs `gregor start <args>` expecting it to fail at start: its exit code and everything it printed. */
export async function runCliToExit(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  timeoutMs = 60_000,
): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [GREGOR_BIN, 'start', ...args], {
    env: { ...process.env, GREGOR_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(timer);
  return { code, output: out };
}
