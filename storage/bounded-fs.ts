/**
 * A FileSystem that keeps at most `maxOpenFiles` files open at once: file descriptors are
 * a bounded resource (the usual soft limit is 1,024) and a broker with many partitions
 * would otherwise hold one per segment for its whole life.
 *
 * `open` returns a handle that owns an entry in a least-recently-used cache. When the cache
 * is full, the handle used longest ago gives its descriptor back; it stays valid and opens
 * its file again (by path, without creating it) on its next call. Reads and writes are
 * positional, so nothing but the descriptor is lost. `size()` of a handle whose descriptor
 * was given back opens the file again like any other call.
 *
 * When the operating system itself refuses a descriptor (EMFILE / ENFILE: sockets took the
 * rest), the cache gives back half of what it holds and tries once more; only then does the
 * error reach the caller (who takes the log dir offline, as for any file-system error).
 *
 * Rules for callers: a file must not be renamed or removed while a handle on it is open
 * (close it first), because a handle that had to give its descriptor back reopens by path.
 * Unsynced writes of a handle whose descriptor is given back are not synced first: on
 * Linux `fdatasync` on a reopened descriptor writes back every dirty page of the file, and
 * a write-back error not yet seen is reported to it.
 */
import type { FileHandle, FileSystem } from './fs.js';

function errorCode(error: unknown): string | undefined {
  return error instanceof Error ? (error as Error & { code?: string }).code : undefined;
}

export interface OpenFileStats {
  /** Descriptors held now. */
  open: number;
  /** Most held at once. */
  peak: number;
  /** Descriptors given back to make room. */
  evictions: number;
  /** Opens of a file whose descriptor had been given back. */
  reopens: number;
}

class CachedFileHandle implements FileHandle {
  inner: FileHandle | null;
  /** LRU neighbours: `older` was used before this one, `newer` after. */
  older: CachedFileHandle | null = null;
  newer: CachedFileHandle | null = null;
  private closed = false;
  /** A write-behind failure that surfaced when the descriptor was given back: thrown from then on. */
  failure: unknown = null;

  constructor(
    readonly path: string,
    inner: FileHandle | null,
    private readonly owner: BoundedFileSystem,
  ) {
    this.inner = inner;
  }

  private file(): FileHandle {
    if (this.closed) throw new Error(`file ${this.path} is closed`);
    if (this.failure !== null) throw this.failure;
    return this.inner ?? this.owner.reopen(this);
  }

  size(): number {
    const file = this.file();
    this.owner.touch(this);
    return file.size();
  }

  read(buffer: Buffer, offset: number, length: number, position: number): number {
    const file = this.file();
    this.owner.touch(this);
    return file.read(buffer, offset, length, position);
  }

  write(data: Uint8Array, position: number): void {
    const file = this.file();
    this.owner.touch(this);
    file.write(data, position);
  }

  truncate(size: number): void {
    const file = this.file();
    this.owner.touch(this);
    file.truncate(size);
  }

  sync(): void {
    const file = this.file();
    this.owner.touch(this);
    file.sync();
  }

  settle(): void {
    if (this.failure !== null) throw this.failure;
    this.inner?.settle?.();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.owner.release(this);
  }
}

export class BoundedFileSystem implements FileSystem {
  /** Least recently used end of the list, and the most recently used end. */
  private oldest: CachedFileHandle | null = null;
  private newest: CachedFileHandle | null = null;
  private readonly counters: OpenFileStats = { open: 0, peak: 0, evictions: 0, reopens: 0 };

  /** The inner file system's, when it has one (its descriptor is its own, outside this cache's count). */
  readonly syncInBackground?: (paths: readonly string[], done: (error: Error | null) => void) => void;
  /** The inner file system's, when it has one (for folders renamed for deletion: no cached descriptor is in them). */
  readonly removeDirInBackground?: (path: string, done: (error: Error | null) => void) => void;
  /** The inner file system's, when it has one (for segment files renamed for deletion: never cached). */
  readonly unlinkInBackground?: (path: string, done: (error: Error | null) => void) => void;
  readonly finishBackgroundUnlinks?: () => void;

  constructor(
    private readonly inner: FileSystem,
    readonly maxOpenFiles: number,
  ) {
    if (!Number.isInteger(maxOpenFiles) || maxOpenFiles < 1)
      throw new RangeError(`maxOpenFiles must be a positive integer, got ${maxOpenFiles}`);
    if (inner.syncInBackground) this.syncInBackground = inner.syncInBackground.bind(inner);
    if (inner.removeDirInBackground) this.removeDirInBackground = inner.removeDirInBackground.bind(inner);
    if (inner.unlinkInBackground) this.unlinkInBackground = inner.unlinkInBackground.bind(inner);
    if (inner.finishBackgroundUnlinks) this.finishBackgroundUnlinks = inner.finishBackgroundUnlinks.bind(inner);
  }

  get stats(): Readonly<OpenFileStats> {
    return this.counters;
  }

  open(path: string, create = false): FileHandle {
    const file = this.openInner(path, create);
    const handle = new CachedFileHandle(path, file, this);
    this.link(handle);
    return handle;
  }

  /**
   * A handle that holds no descriptor yet (it opens one on first use, like a handle whose
   * descriptor was given back), and the file's size from a stat: opening thousands of
   * segments at start then neither holds nor cycles descriptors.
   */
  openDeferred(path: string, knownSize?: number): { handle: FileHandle; size: number } {
    if (knownSize !== undefined) return { handle: new CachedFileHandle(path, null, this), size: knownSize };
    if (!this.inner.fileSize) {
      const handle = this.open(path);
      return { handle, size: handle.size() };
    }
    const size = this.withDescriptor(() => this.inner.fileSize!(path));
    return { handle: new CachedFileHandle(path, null, this), size };
  }

  /** The inner file system's modification time; NaN when it keeps none. */
  modifiedMs(path: string): number {
    const inner = this.inner;
    return inner.modifiedMs ? this.withDescriptor(() => inner.modifiedMs!(path)) : Number.NaN;
  }

  /** Opens a handle's file again after its descriptor was given back. */
  reopen(handle: CachedFileHandle): FileHandle {
    const file = this.openInner(handle.path, false);
    handle.inner = file;
    this.counters.reopens++;
    this.link(handle);
    return file;
  }

  /** Marks a handle as the most recently used. */
  touch(handle: CachedFileHandle): void {
    if (this.newest === handle) return;
    this.detach(handle);
    this.attach(handle);
  }

  /** A handle closed by its owner: its descriptor (if it holds one) is closed now. */
  release(handle: CachedFileHandle): void {
    const file = handle.inner;
    if (!file) return;
    this.detach(handle);
    handle.inner = null;
    this.counters.open--;
    file.close();
  }

  private evict(handle: CachedFileHandle): void {
    this.counters.evictions++;
    try {
      this.release(handle);
    } catch (error) {
      // Its write-behind write failed (the descriptor is closed all the same): its owner learns it next.
      handle.failure = error;
    }
  }

  private openInner(path: string, create: boolean): FileHandle {
    while (this.counters.open >= this.maxOpenFiles && this.oldest) this.evict(this.oldest);
    try {
      return this.inner.open(path, create);
    } catch (error) {
      const code = errorCode(error);
      if ((code !== 'EMFILE' && code !== 'ENFILE') || this.counters.open === 0) throw error;
      const keep = Math.floor(this.counters.open / 2);
      while (this.counters.open > keep && this.oldest) this.evict(this.oldest);
      return this.inner.open(path, create);
    }
  }

  private link(handle: CachedFileHandle): void {
    this.attach(handle);
    this.counters.open++;
    if (this.counters.open > this.counters.peak) this.counters.peak = this.counters.open;
  }

  private attach(handle: CachedFileHandle): void {
    handle.older = this.newest;
    handle.newer = null;
    if (this.newest) this.newest.newer = handle;
    else this.oldest = handle;
    this.newest = handle;
  }

  private detach(handle: CachedFileHandle): void {
    if (handle.older) handle.older.newer = handle.newer;
    else if (this.oldest === handle) this.oldest = handle.newer;
    if (handle.newer) handle.newer.older = handle.older;
    else if (this.newest === handle) this.newest = handle.older;
    handle.older = null;
    handle.newer = null;
  }

  exists(path: string): boolean {
    return this.inner.exists(path);
  }
  readdir(path: string): string[] {
    return this.inner.readdir(path);
  }
  subdirectories(path: string): string[] {
    return this.inner.subdirectories(path);
  }
  readFile(path: string, likelyPresent?: boolean): Buffer | null {
    return this.withDescriptor(() => this.inner.readFile(path, likelyPresent));
  }
  mkdir(path: string): void {
    this.inner.mkdir(path);
  }
  isDirectory(path: string): boolean {
    return this.inner.isDirectory(path);
  }
  rename(from: string, to: string): void {
    this.inner.rename(from, to);
  }
  unlink(path: string): void {
    this.inner.unlink(path);
  }
  removeDir(path: string): void {
    this.inner.removeDir(path);
  }
  syncDir(path: string): void {
    this.withDescriptor(() => this.inner.syncDir(path));
  }

  /** Calls that open a descriptor for a moment: on EMFILE / ENFILE, make room and try once more. */
  private withDescriptor<T>(work: () => T): T {
    try {
      return work();
    } catch (error) {
      const code = errorCode(error);
      if ((code !== 'EMFILE' && code !== 'ENFILE') || this.counters.open === 0) throw error;
      const keep = Math.floor(this.counters.open / 2);
      while (this.counters.open > keep && this.oldest) this.evict(this.oldest);
      return work();
    }
  }
}
