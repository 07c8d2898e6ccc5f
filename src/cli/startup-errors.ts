/**
 * One clear line for a failed start-up (bad config value, missing --config file, port in
 * use, a log dir that cannot be created or written, read-only file system), instead of a
 * stack trace; a listener that cannot bind gets Kafka's SocketServer message ("Socket server failed
 * to bind to 0.0.0.0:9092: Address already in use."). The stack is added only when GREGOR_LOG_LEVEL is debug or trace.
 */
import { ConfigError } from '../common/config.js';

const ERRNO_TEXT: Readonly<Record<string, string>> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOENT: 'no such file or directory',
  ENOTDIR: 'a path component is not a directory',
  EISDIR: 'is a directory',
  EEXIST: 'already exists',
  ENOSPC: 'no space left on device',
  EMFILE: 'too many open files',
  EADDRINUSE: 'address already in use',
  EADDRNOTAVAIL: 'address not available on this host',
};

/** Java's SocketException messages (strerror) for a failed bind, as Kafka's SocketServer prints them. */
const BIND_TEXT: Readonly<Record<string, string>> = {
  EADDRINUSE: 'Address already in use',
  EACCES: 'Permission denied',
  EADDRNOTAVAIL: 'Cannot assign requested address',
};

interface SystemError extends Error {
  code: string;
  syscall?: string;
  path?: string;
  address?: string;
  port?: number;
}

function isSystemError(err: unknown): err is SystemError {
  return err instanceof Error && typeof (err as Partial<SystemError>).code === 'string';
}

/** The one-line description of a start-up failure. */
export function describeStartupError(err: unknown): string {
  if (err instanceof ConfigError) return err.message;
  if (isSystemError(err)) {
    const bindText = BIND_TEXT[err.code];
    if (err.syscall === 'listen' && err.address !== undefined && bindText !== undefined)
      return `Socket server failed to bind to ${err.address}:${err.port ?? ''}: ${bindText}.`;
    const text = `${ERRNO_TEXT[err.code] ?? err.message} (${err.code})`;
    if (err.path !== undefined) return `cannot ${err.syscall ?? 'use'} ${err.path}: ${text}`;
    if (err.address !== undefined)
      return `cannot ${err.syscall ?? 'bind'} on ${err.address}${err.port !== undefined ? `:${err.port}` : ''}: ${text}`;
    return `${err.message}`;
  }
  return err instanceof Error ? err.message : String(err);
}

/** Whether the stack trace of a start-up failure is wanted too. */
export function wantsStack(env: NodeJS.ProcessEnv): boolean {
  const level = env.GREGOR_LOG_LEVEL?.toLowerCase();
  return level === 'debug' || level === 'trace';
}

/** Writes the start-up failure to stderr: one line, plus the stack in debug. */
export function reportStartupFailure(err: unknown, env: NodeJS.ProcessEnv, write: (line: string) => void): void {
  write(`gregor: start-up failed: ${describeStartupError(err)}`);
  if (wantsStack(env) && err instanceof Error && err.stack !== undefined) write(err.stack);
}
