/**
 * The `.lock` file of a log dir, held for the life of the broker, as Kafka holds it: a
 * second process on the same dir fails at start instead of writing over the first one's
 * data. The lock is an OS lock (flock(2) with LOCK_EX | LOCK_NB, through the `fs-ext`
 * native module) on an open descriptor, so the kernel releases it when the process
 * ends, however it ends: there is no pid file to go stale. Locks taken inside this
 * process are remembered too (as the JVM does), so two brokers embedded in one process
 * cannot share a dir either. Leaves out: network file systems whose flock is local only.
 */
import { closeSync, openSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { StartupError } from '../common/startup-error.js';
import { makeDirsSync } from '../../storage/make-dirs.js';

export const LOCK_FILE = '.lock';

interface FlockModule {
  flockSync(fd: number, flags: 'exnb' | 'un'): void;
}

let flockModule: FlockModule | null = null;

function flock(): FlockModule {
  if (flockModule) return flockModule;
  const loadNative = createRequire(import.meta.url);
  try {
    flockModule = loadNative('fs-ext') as FlockModule;
  } catch (error) {
    throw new StartupError(
      `cannot lock the log dirs: the fs-ext native module did not load (${error instanceof Error ? error.message : String(error)}); run npm install`,
    );
  }
  return flockModule;
}

/** Dirs locked by this process, by real path. */
const heldHere = new Set<string>();

function errorCode(error: unknown): string | undefined {
  return error instanceof Error ? (error as Error & { code?: string }).code : undefined;
}

function inUse(dir: string): StartupError {
  return new StartupError(
    // Kafka's text (RaftManager.lockDataDir, LogManager.lockLogDirs).
    `Failed to acquire lock on file ${LOCK_FILE} in ${dir}. A Kafka instance in another process or thread is using this directory.`,
  );
}

export class LogDirLock {
  private constructor(
    readonly dir: string,
    private readonly realDir: string,
    private fd: number | null,
  ) {}

  /** Creates the dir when missing and takes its lock; StartupError when another process (or broker here) holds it. */
  static acquire(dir: string): LogDirLock {
    makeDirsSync(dir);
    const realDir = realpathSync(dir);
    if (heldHere.has(realDir)) throw inUse(dir);
    const module = flock();
    const fd = openSync(join(realDir, LOCK_FILE), 'a');
    try {
      module.flockSync(fd, 'exnb');
    } catch (error) {
      closeSync(fd);
      const code = errorCode(error);
      if (code === 'EAGAIN' || code === 'EWOULDBLOCK' || code === 'EACCES') throw inUse(dir);
      throw new StartupError(
        `cannot lock ${join(dir, LOCK_FILE)}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    heldHere.add(realDir);
    return new LogDirLock(dir, realDir, fd);
  }

  /** Takes the locks of several dirs (each once); on failure releases those already taken. */
  static acquireAll(dirs: readonly string[]): LogDirLock[] {
    const locks: LogDirLock[] = [];
    try {
      for (const dir of new Set(dirs)) locks.push(LogDirLock.acquire(dir));
    } catch (error) {
      for (const lock of locks) lock.release();
      throw error;
    }
    return locks;
  }

  release(): void {
    if (this.fd === null) return;
    const fd = this.fd;
    this.fd = null;
    heldHere.delete(this.realDir);
    try {
      flock().flockSync(fd, 'un');
    } finally {
      closeSync(fd);
    }
  }
}
