/**
 * An in-memory FileSystem for tests that knows what a power cut would keep.
 *
 * Each file remembers its content as of its last fsync. `crash()` replaces every file
 * with what could survive: the synced content, plus (when the file was only appended to
 * since then) nothing, a random prefix of the unsynced tail (a torn write) or random
 * garbage of that length (sectors written out of order). `crashAtOp(n)` makes the n-th
 * mutating call (write, truncate, sync, create, rename, unlink) throw SimulatedCrash and
 * every later mutation throw too, so a test can stop the world anywhere. `failWrites()`
 * makes writes fail with ENOSPC or EIO after writing a prefix, as a full disk does.
 *
 * With `keepDurableCopies: false` (an in-memory broker) sync() keeps no copy and crash()
 * means nothing.
 *
 * Leaves out: metadata durability. Creations, renames and unlinks are durable at once
 * (as on a journaling file system with ordered metadata); only file contents are lost.
 */
import type { FileHandle, FileSystem } from './fs.js';
import { PagedBytes } from './paged-bytes.js';

export class SimulatedCrash extends Error {
  override readonly name = 'SimulatedCrash';
}

export type CrashMode = 'drop' | 'torn' | 'garbage';
export type FaultCode = 'ENOSPC' | 'EIO';

interface MemFile {
  data: PagedBytes;
  length: number;
  durable: Buffer;
  appendOnlySinceSync: boolean;
}

function fsError(code: string, message: string): Error {
  const error = new Error(`${code}: ${message}`) as Error & { code: string };
  error.code = code;
  return error;
}

function normalize(path: string): string {
  const trimmed = path.replace(/\/+/g, '/');
  return trimmed.length > 1 && trimmed.endsWith('/') ? trimmed.slice(0, -1) : trimmed;
}

function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

class MemFileHandle implements FileHandle {
  private closed = false;
  constructor(
    readonly path: string,
    private readonly file: MemFile,
    private readonly owner: MemoryFileSystem,
  ) {}

  size(): number {
    this.check();
    return this.file.length;
  }

  read(buffer: Buffer, offset: number, length: number, position: number): number {
    this.check();
    this.owner.beforeRead(this.path);
    const end = Math.min(this.file.length, position + length);
    if (end <= position) return 0;
    return this.file.data.copyTo(buffer, offset, position, end);
  }

  write(data: Uint8Array, position: number): void {
    this.check();
    const allowed = this.owner.beforeMutation('write', this.path, data.length);
    const bytes = allowed < data.length ? data.subarray(0, allowed) : data;
    const file = this.file;
    const end = position + bytes.length;
    if (file.data.length > file.length) file.data.truncate(file.length);
    if (position < file.durable.length) file.appendOnlySinceSync = false;
    file.data.write(bytes, position);
    file.length = Math.max(file.length, end);
    if (allowed < data.length) this.owner.throwWriteFault(this.path);
  }

  truncate(size: number): void {
    this.check();
    this.owner.beforeMutation('truncate', this.path, 0);
    const file = this.file;
    if (size < file.durable.length) file.appendOnlySinceSync = false;
    if (size > file.length) {
      this.write(Buffer.alloc(size - file.length), file.length);
      return;
    }
    file.length = size;
    file.data.truncate(size);
  }

  sync(): void {
    this.check();
    this.owner.beforeMutation('sync', this.path, 0);
    if (!this.owner.keepsDurableCopies) return;
    this.file.durable = this.file.data.slice(0, this.file.length);
    this.file.appendOnlySinceSync = true;
  }

  close(): void {
    this.closed = true;
  }

  private check(): void {
    if (this.closed) throw fsError('EBADF', `${this.path} is closed`);
  }
}

export class MemoryFileSystem implements FileSystem {
  private readonly files = new Map<string, MemFile>();
  private readonly dirs = new Set<string>(['/']);
  private ops = 0;
  private crashAt = Infinity;
  private halted = false;
  private writeFault: FaultCode | null = null;
  private writeFaultPrefix = 0;
  private writeFaultUnder: string | null = null;
  private readFault = false;
  /**
   * Whether sync() keeps a copy of each file's synced content for crash(); a broker that
   * keeps its logs in memory (log.dirs=memory:) turns it off, halving the memory used.
   */
  readonly keepsDurableCopies: boolean;

  constructor(options: { keepDurableCopies?: boolean } = {}) {
    this.keepsDurableCopies = options.keepDurableCopies ?? true;
  }

  /** The bytes of every file's content (not the spare capacity of their buffers). */
  storedBytes(): number {
    let total = 0;
    for (const file of this.files.values()) total += file.length;
    return total;
  }

  /** True after a simulated crash struck and before crash() restores the disk. */
  isHalted(): boolean {
    return this.halted;
  }

  opCount(): number {
    return this.ops;
  }

  /** Makes the n-th mutating operation from now throw SimulatedCrash. */
  crashAtOp(n: number): void {
    this.crashAt = this.ops + n;
  }

  /** Fails every write (after writing `prefixBytes` of it) with the code, until cleared with null; with `under`, only below that directory. */
  failWrites(code: FaultCode | null, prefixBytes = 0, under?: string): void {
    this.writeFault = code;
    this.writeFaultPrefix = prefixBytes;
    this.writeFaultUnder = under === undefined ? null : normalize(under);
  }

  failReads(on: boolean): void {
    this.readFault = on;
  }

  /** A power cut: every file keeps what was synced and maybe part of what was not. */
  crash(random: () => number = Math.random, mode?: CrashMode): void {
    for (const file of this.files.values()) {
      const unsynced = file.appendOnlySinceSync ? file.length - file.durable.length : 0;
      const chosen = mode ?? (['drop', 'torn', 'garbage'] as const)[Math.floor(random() * 3)]!;
      let tail: Buffer = Buffer.alloc(0);
      if (unsynced > 0 && chosen === 'torn') {
        const keep = Math.floor(random() * (unsynced + 1));
        tail = file.data.slice(file.durable.length, file.durable.length + keep);
      } else if (unsynced > 0 && chosen === 'garbage') {
        const keep = Math.floor(random() * (unsynced + 1));
        const start = file.durable.length;
        tail = file.data.slice(start, start + keep);
        const flips = 1 + Math.floor(random() * 4);
        for (let i = 0; i < flips && keep > 0; i++) tail[Math.floor(random() * keep)] = Math.floor(random() * 256);
      }
      const content = Buffer.concat([file.durable, tail]);
      file.data = PagedBytes.from(content);
      file.length = content.length;
      file.durable = Buffer.from(content);
      file.appendOnlySinceSync = true;
    }
    this.halted = false;
    this.crashAt = Infinity;
  }

  /** Total bytes of file content: lets tests check nothing leaks. */
  fileSize(path: string): number {
    const file = this.files.get(normalize(path));
    if (!file) throw fsError('ENOENT', path);
    return file.length;
  }

  /** Test helper: overwrite bytes of a file in place as if the disk had rotted (durably). */
  corrupt(path: string, position: number, bytes: Uint8Array): void {
    const file = this.files.get(normalize(path));
    if (!file) throw fsError('ENOENT', path);
    file.data.write(bytes, position);
    file.durable = file.data.slice(0, file.length);
  }

  open(path: string, create = false): FileHandle {
    const p = normalize(path);
    let file = this.files.get(p);
    if (!file) {
      if (!create) throw fsError('ENOENT', `no such file ${p}`);
      if (!this.dirs.has(parentOf(p))) throw fsError('ENOENT', `no directory for ${p}`);
      this.beforeMutation('create', p, 0);
      file = { data: new PagedBytes(), length: 0, durable: Buffer.alloc(0), appendOnlySinceSync: true };
      this.files.set(p, file);
    }
    return new MemFileHandle(p, file, this);
  }

  exists(path: string): boolean {
    const p = normalize(path);
    return this.files.has(p) || this.dirs.has(p);
  }

  readdir(path: string): string[] {
    const p = normalize(path);
    if (!this.dirs.has(p)) throw fsError('ENOENT', `no such directory ${p}`);
    const prefix = p === '/' ? '/' : `${p}/`;
    const names: string[] = [];
    for (const key of [...this.files.keys(), ...this.dirs]) {
      if (key.startsWith(prefix) && key.length > prefix.length && !key.slice(prefix.length).includes('/')) {
        names.push(key.slice(prefix.length));
      }
    }
    return names.sort();
  }

  subdirectories(path: string): string[] {
    const p = normalize(path);
    return this.readdir(p).filter((name) => this.dirs.has(p === '/' ? `/${name}` : `${p}/${name}`));
  }

  readFile(path: string): Buffer | null {
    const file = this.files.get(normalize(path));
    if (!file) return null;
    this.beforeRead(path);
    return file.data.slice(0, file.length);
  }

  mkdir(path: string): void {
    let p = normalize(path);
    while (!this.dirs.has(p)) {
      this.dirs.add(p);
      p = parentOf(p);
    }
  }

  isDirectory(path: string): boolean {
    return this.dirs.has(normalize(path));
  }

  rename(from: string, to: string): void {
    const f = normalize(from);
    const t = normalize(to);
    if (this.dirs.has(f)) {
      this.beforeMutation('rename', f, 0);
      this.renameDir(f, t);
      return;
    }
    const file = this.files.get(f);
    if (!file) throw fsError('ENOENT', `no such file ${f}`);
    this.beforeMutation('rename', f, 0);
    this.files.delete(f);
    this.files.set(t, file);
  }

  /** Moves a directory and everything under it (durable at once, as every rename here). */
  private renameDir(from: string, to: string): void {
    if (this.dirs.has(to) || this.files.has(to)) throw fsError('EEXIST', `${to} exists`);
    const moved = (key: string): string => to + key.slice(from.length);
    for (const [key, file] of [...this.files]) {
      if (!key.startsWith(`${from}/`)) continue;
      this.files.delete(key);
      this.files.set(moved(key), file);
    }
    for (const key of [...this.dirs]) {
      if (key !== from && !key.startsWith(`${from}/`)) continue;
      this.dirs.delete(key);
      this.dirs.add(moved(key));
    }
  }

  unlink(path: string): void {
    const p = normalize(path);
    if (!this.files.has(p)) throw fsError('ENOENT', `no such file ${p}`);
    this.beforeMutation('unlink', p, 0);
    this.files.delete(p);
  }

  removeDir(path: string): void {
    const p = normalize(path);
    this.beforeMutation('unlink', p, 0);
    for (const key of [...this.files.keys()]) if (key.startsWith(`${p}/`)) this.files.delete(key);
    for (const key of [...this.dirs]) if (key === p || key.startsWith(`${p}/`)) this.dirs.delete(key);
  }

  syncDir(path: string): void {
    this.beforeMutation('sync', normalize(path), 0);
  }

  /** @internal Counts a mutation, crashes when due; returns how many bytes a write may write. */
  beforeMutation(kind: string, path: string, bytes: number): number {
    if (this.halted) throw new SimulatedCrash(`file system is down (${kind} ${path})`);
    this.ops++;
    if (this.ops >= this.crashAt) {
      this.halted = true;
      throw new SimulatedCrash(`crash at op ${this.ops} (${kind} ${path})`);
    }
    const fault = this.writeFault;
    const inScope =
      this.writeFaultUnder === null || path === this.writeFaultUnder || path.startsWith(`${this.writeFaultUnder}/`);
    if (fault && inScope && (kind === 'write' || kind === 'create' || kind === 'truncate' || kind === 'rename')) {
      if (kind !== 'write') throw fsError(fault, `injected fault on ${kind} ${path}`);
      return Math.min(bytes, this.writeFaultPrefix);
    }
    return bytes;
  }

  /** @internal */
  throwWriteFault(path: string): never {
    throw fsError(this.writeFault ?? 'EIO', `injected write fault on ${path}`);
  }

  /** @internal */
  beforeRead(path: string): void {
    if (this.readFault) throw fsError('EIO', `injected read fault on ${path}`);
  }
}
