/**
 * Where the `gregor` tools read and write: the process's stdin, stdout, stderr and environment,
 * or, for one `runTool` call given its own (tests that run many commands in one process), those.
 * The commands ask `cliIo()` at the moment they read or write; AsyncLocalStorage carries a call's
 * streams through everything it awaits, so concurrent calls and the process's own output
 * (a test runner's) never mix.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export interface CliIo {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (mode: boolean) => unknown };
  stdout: { write(text: string | Uint8Array): unknown };
  stderr: { write(text: string): unknown; isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

const given = new AsyncLocalStorage<CliIo>();

/** The process's own streams and environment. */
const processIo: CliIo = {
  get stdin() {
    return process.stdin;
  },
  get stdout() {
    return process.stdout;
  },
  get stderr() {
    return process.stderr;
  },
  get env() {
    return process.env;
  },
};

/** The streams of the tool call this runs in. */
export function cliIo(): CliIo {
  return given.getStore() ?? processIo;
}

/** Runs `body` with `io` as its streams (`undefined`: the process's). */
export function withCliIo<T>(io: CliIo | undefined, body: () => Promise<T>): Promise<T> {
  return io === undefined ? body() : given.run(io, body);
}
