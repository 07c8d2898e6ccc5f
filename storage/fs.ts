/**
 * The file-system seam of storage: a small synchronous interface over the handful of
 * operations a partition log needs, and its node:fs implementation. The in-memory twin
 * used by the crash and fault tests lives in memory-fs.ts.
 *
 * Synchronous on purpose: an append is one positional write into the page cache, which
 * is faster in Node than a round trip through the libuv pool, and a synchronous API keeps
 * the log free of interleavings. fsync is the only slow call and the flush policy decides
 * when it runs (never per write by default, as in Kafka).
 *
 * Leaves out: mmap, sendfile, file locking and directory-entry durability beyond
 * `syncDir` (callers sync a directory after renames that must survive a power cut).
 */
import * as nodeFs from 'node:fs';
import { makeDirsSync } from './make-dirs.js';
import { isSharedMemory, writeBehind, type WriteBehind } from './write-behind.js';

export interface FileHandle {
  readonly path: string;
  /** Current size in bytes. */
  size(): number;
  /** Reads up to `length` bytes at `position` into `buffer` at `offset`; returns bytes read. */
  read(buffer: Buffer, offset: number, length: number, position: number): number;
  /** Writes all of `data` at `position`. */
  write(data: Uint8Array, position: number): void;
  truncate(size: number): void;
  /** Makes everything written so far durable (fdatasync). */
  sync(): void;
  /** Closes the handle (after its write-behind writes, if any). */
  close(): void;
  /**
   * Waits for this handle's write-behind writes (storage/write-behind.ts), throwing a failed one's
   * error; every other method does so itself where needed. Absent where writes are synchronous.
   */
  settle?(): void;
}

export interface FileSystem {
  /** Opens an existing file for reading and writing; with `create`, makes it when missing. */
  open(path: string, create?: boolean): FileHandle;
  exists(path: string): boolean;
  /** Names (not paths) of the entries of a directory. */
  readdir(path: string): string[];
  /** Names of the subdirectories of a directory. */
  subdirectories(path: string): string[];
  /**
   * The whole content of a file, or null when it does not exist. `likelyPresent` (a directory
   * listing just named it) skips the existence check that makes a missing file cheap.
   */
  readFile(path: string, likelyPresent?: boolean): Buffer | null;
  /**
   * The size of a file and a handle on it that opens its descriptor on first use (implemented
   * by the bounded descriptor cache, for opening many segments at start without holding or
   * cycling descriptors). Throws as `open` would when the file is missing. With `knownSize` (from
   * the clean-shutdown listing) there is no stat: a missing file fails on first use instead.
   */
  openDeferred?(path: string, knownSize?: number): { handle: FileHandle; size: number };
  /** Size of a file by path (throws when missing). */
  fileSize?(path: string): number;
  /** A file's last modification time, ms since the epoch (throws when missing). */
  modifiedMs?(path: string): number;
  mkdir(path: string): void;
  /** Whether the path is a directory. */
  isDirectory(path: string): boolean;
  rename(from: string, to: string): void;
  unlink(path: string): void;
  /** Removes a directory and everything in it. */
  removeDir(path: string): void;
  /** Makes renames and creations inside a directory durable. */
  syncDir(path: string): void;
  /**
   * Makes the written content of the files at `paths` durable off the caller's thread, one after
   * the other, then calls `done` with null, or with the first error. The node:fs one opens a
   * descriptor of its own in libuv's pool (Linux fdatasync on any descriptor writes back every dirty
   * page of the file), so the caller may close or evict its handle meanwhile; a file removed before
   * that answers ENOENT. Without it, callers sync in place.
   */
  syncInBackground?(paths: readonly string[], done: (error: Error | null) => void): void;
  /**
   * Removes a directory and everything in it off the caller's thread, then calls `done` with null or the
   * error. Unlinking a large file is slow on some file systems (ext4 mounted with `discard` trims every
   * freed extent in the unlink: ~0.3 s per GiB here), so a folder renamed for deletion goes this way.
   * Without it, callers remove in place.
   */
  removeDirInBackground?(path: string, done: (error: Error | null) => void): void;
  /** Removes a file off the caller's thread (see removeDirInBackground), then calls `done` with null or the error. */
  unlinkInBackground?(path: string, done: (error: Error | null) => void): void;
  /** Removes in place every file still waiting for unlinkInBackground (a clean close, before its listing); never throws. */
  finishBackgroundUnlinks?(): void;
}

class NodeFileHandle implements FileHandle {
  /** The last of this handle's writes handed to the write-behind worker (0: none in flight). */
  private pendingSeq = 0;
  /** The lowest file position those writes cover. */
  private pendingFrom = Number.POSITIVE_INFINITY;
  /** A write-behind write that failed: every later operation throws it. */
  private failure: Error | null = null;

  constructor(
    readonly path: string,
    private readonly fd: number,
    private readonly fsync: boolean,
    private readonly behind: WriteBehind | null = null,
  ) {}

  size(): number {
    this.settle();
    return nodeFs.fstatSync(this.fd).size;
  }

  read(buffer: Buffer, offset: number, length: number, position: number): number {
    if (this.pendingSeq !== 0 && position + length > this.pendingFrom) this.settle();
    else if (this.failure) throw this.failure;
    let total = 0;
    while (total < length) {
      const n = nodeFs.readSync(this.fd, buffer, offset + total, length - total, position + total);
      if (n === 0) break;
      total += n;
    }
    return total;
  }

  write(data: Uint8Array, position: number): void {
    if (this.failure) throw this.failure;
    if (this.behind !== null) {
      const seq = this.behind.submit(this.fd, data, position, (error) => {
        if (error && !this.failure) this.failure = error;
      });
      if (seq !== 0) {
        this.pendingSeq = seq;
        if (position < this.pendingFrom) this.pendingFrom = position;
        return;
      }
    }
    this.settle();
    const measured = this.behind !== null && isSharedMemory(data);
    const start = measured ? performance.now() : 0;
    let done = 0;
    while (done < data.length) {
      done += nodeFs.writeSync(this.fd, data, done, data.length - done, position + done);
    }
    // The write-behind's choice follows what these copies cost (storage/write-behind.ts).
    if (measured) this.behind!.noteCopy(data.length, (performance.now() - start) * 1e6);
  }

  truncate(size: number): void {
    this.settle();
    nodeFs.ftruncateSync(this.fd, size);
  }

  sync(): void {
    this.settle();
    if (this.fsync) nodeFs.fdatasyncSync(this.fd);
  }

  close(): void {
    try {
      this.settle();
    } finally {
      nodeFs.closeSync(this.fd);
    }
  }

  settle(): void {
    if (this.pendingSeq !== 0) {
      this.behind!.waitFor(this.pendingSeq);
      this.pendingSeq = 0;
      this.pendingFrom = Number.POSITIVE_INFINITY;
    }
    if (this.failure) throw this.failure;
  }
}

/**
 * The real file system through node:fs synchronous calls. With `fsync: false` (only for a throwaway
 * data dir that is deleted when its broker stops, so nothing in it outlives the process) `sync()` and
 * `syncDir()` do nothing.
 */
export class NodeFileSystem implements FileSystem {
  private readonly fsync: boolean;
  private readonly behind: WriteBehind | null;

  /**
   * `writeBehind`: segment files (`.log`) hand appends of shared memory to the process's write-behind
   * worker (storage/write-behind.ts; its callers' rules apply); `true` is the process's one.
   */
  constructor(options: { fsync?: boolean; writeBehind?: boolean | WriteBehind } = {}) {
    this.fsync = options.fsync ?? true;
    this.behind = options.writeBehind === true ? writeBehind : options.writeBehind || null;
  }

  open(path: string, create = false): FileHandle {
    const flags = create ? nodeFs.constants.O_RDWR | nodeFs.constants.O_CREAT : nodeFs.constants.O_RDWR;
    const behind = this.behind !== null && path.endsWith('.log') ? this.behind : null;
    return new NodeFileHandle(path, nodeFs.openSync(path, flags, 0o644), this.fsync, behind);
  }

  syncInBackground(paths: readonly string[], done: (error: Error | null) => void): void {
    if (!this.fsync || paths.length === 0) {
      done(null);
      return;
    }
    const [path, ...rest] = paths;
    nodeFs.open(path!, nodeFs.constants.O_RDONLY, (openError, fd) => {
      if (openError) {
        done(openError);
        return;
      }
      nodeFs.fdatasync(fd, (syncError) =>
        nodeFs.close(fd, () => (syncError ? done(syncError) : this.syncInBackground(rest, done))),
      );
    });
  }

  removeDirInBackground(path: string, done: (error: Error | null) => void): void {
    nodeFs.rm(path, { recursive: true, force: true }, (error) => done(error ?? null));
  }

  /** Files handed to unlinkInBackground and not removed yet. */
  private readonly pendingUnlinks = new Set<string>();

  unlinkInBackground(path: string, done: (error: Error | null) => void): void {
    this.pendingUnlinks.add(path);
    nodeFs.unlink(path, (error) => {
      this.pendingUnlinks.delete(path);
      done(error ?? null);
    });
  }

  finishBackgroundUnlinks(): void {
    for (const path of this.pendingUnlinks) {
      try {
        nodeFs.unlinkSync(path);
      } catch {
        // Gone already (ENOENT), or left for an unclean start's load to remove.
      }
    }
    this.pendingUnlinks.clear();
  }

  exists(path: string): boolean {
    return nodeFs.existsSync(path);
  }

  readdir(path: string): string[] {
    return nodeFs.readdirSync(path);
  }

  subdirectories(path: string): string[] {
    return nodeFs
      .readdirSync(path, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
  }

  readFile(path: string, likelyPresent = false): Buffer | null {
    // Checked first (unless the caller just saw the file listed): a thrown ENOENT costs far more than a stat.
    if (!likelyPresent && !nodeFs.existsSync(path)) return null;
    try {
      return nodeFs.readFileSync(path);
    } catch (error) {
      if (error instanceof Error && (error as Error & { code?: string }).code === 'ENOENT') return null;
      throw error;
    }
  }

  fileSize(path: string): number {
    return nodeFs.statSync(path).size;
  }

  modifiedMs(path: string): number {
    return Math.floor(nodeFs.statSync(path).mtimeMs);
  }

  mkdir(path: string): void {
    makeDirsSync(path);
  }

  isDirectory(path: string): boolean {
    try {
      return nodeFs.statSync(path).isDirectory();
    } catch {
      return false;
    }
  }

  rename(from: string, to: string): void {
    nodeFs.renameSync(from, to);
  }

  unlink(path: string): void {
    nodeFs.unlinkSync(path);
  }

  removeDir(path: string): void {
    nodeFs.rmSync(path, { recursive: true, force: true });
  }

  syncDir(path: string): void {
    if (!this.fsync) return;
    const fd = nodeFs.openSync(path, nodeFs.constants.O_RDONLY);
    try {
      nodeFs.fsyncSync(fd);
    } finally {
      nodeFs.closeSync(fd);
    }
  }
}

/** Joins path parts with '/', the separator of every platform Gregor runs on. */
export function joinPath(...parts: string[]): string {
  let path = parts[0] ?? '';
  for (let i = 1; i < parts.length; i++) path = path.endsWith('/') ? path + parts[i] : `${path}/${parts[i]}`;
  return path;
}
