/**
 * Runs a `gregor` tool command (anything but `start`) in this process: runTool, as the binary runs
 * it after `main`, with its own stdin, stdout, stderr and environment (src/cli/io.ts), without the
 * process start (about half a second of CPU) the binary costs per command. Tests about a command's
 * logic use this; each CLI test file keeps a few real-binary runs for the wiring (bin/gregor.js,
 * the dist/ bundle, the process's streams and exit code).
 */
import { Readable } from 'node:stream';
import { runTool } from '../../src/cli/program.js';
import type { RunResult } from './external.js';

export async function gregorInProcess(
  args: string[],
  options: { input?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<RunResult> {
  let stdout = '';
  let stderr = '';
  const code = await runTool(args, {
    stdin: Readable.from(options.input === undefined ? [] : [options.input]),
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    env: { ...process.env, ...options.env },
  });
  return { code, stdout, stderr };
}
