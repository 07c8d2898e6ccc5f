import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import t from 'tap';
import { BoundedFileSystem } from './bounded-fs.js';
import { NodeFileSystem, joinPath, type FileHandle, type FileSystem } from './fs.js';
import { MemoryFileSystem } from './memory-fs.js';
import { LogManager } from './log-manager.js';
import { DEFAULT_LOG_CONFIG } from './config.js';
import { ManualClock, batchOfSize, seededRandom } from './test-support.js';

function openDescriptors(): number {
  return readdirSync('/proc/self/fd').length;
}

t.test(
  'holds at most maxOpenFiles descriptors; evicted handles reopen on use with their data intact',
  { skip: process.platform !== 'linux' && 'needs /proc' },
  async (t) => {
    const root = mkdtempSync(joinPath(tmpdir(), 'gregor-bounded-fs-'));
    t.teardown(() => rmSync(root, { recursive: true, force: true }));
    const fs = new BoundedFileSystem(new NodeFileSystem(), 16);
    const before = openDescriptors();
    const handles: FileHandle[] = [];
    for (let i = 0; i < 300; i++) {
      const handle = fs.open(joinPath(root, `f${i}`), true);
      handle.write(Buffer.from(`file ${i};`), 0);
      handles.push(handle);
      t.ok(openDescriptors() - before <= 16, 'never more than 16 descriptors');
    }
    t.equal(fs.stats.open, 16);
    t.equal(fs.stats.peak, 16);
    // Every handle still works: append and read back, in an order that defeats the cache.
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < handles.length; i += 7) {
        const handle = handles[i]!;
        handle.write(Buffer.from(`+${round}`), handle.size());
      }
    }
    for (let i = 0; i < handles.length; i++) {
      const handle = handles[i]!;
      const out = Buffer.alloc(handle.size());
      handle.read(out, 0, out.length, 0);
      t.equal(out.toString(), i % 7 === 0 ? `file ${i};+0+1` : `file ${i};`);
    }
    t.ok(openDescriptors() - before <= 16);
    t.ok(fs.stats.evictions > 500, `evictions: ${fs.stats.evictions}`);
    t.ok(fs.stats.reopens > 300, `reopens: ${fs.stats.reopens}`);
    handles[5]!.sync();
    for (const handle of handles) handle.close();
    t.equal(fs.stats.open, 0);
    t.ok(openDescriptors() <= before, 'closing every handle gives every descriptor back');
    t.throws(() => handles[0]!.size(), /closed/, 'a closed handle refuses work');
  },
);

t.test('the most recently used handles keep their descriptors', async (t) => {
  const mem = new MemoryFileSystem();
  mem.mkdir('/d');
  const fs = new BoundedFileSystem(mem, 2);
  const a = fs.open('/d/a', true);
  const b = fs.open('/d/b', true);
  a.write(Buffer.from('a'), 0); // a is now the newest, b the oldest
  fs.open('/d/c', true);
  t.equal(fs.stats.evictions, 1);
  a.size();
  t.equal(fs.stats.reopens, 0, 'a kept its descriptor');
  b.size();
  t.equal(fs.stats.reopens, 1, 'b had given its descriptor back');
});

t.test('a reopen never creates a file that was removed under it', async (t) => {
  const mem = new MemoryFileSystem();
  mem.mkdir('/d');
  const fs = new BoundedFileSystem(mem, 1);
  const a = fs.open('/d/a', true);
  fs.open('/d/b', true);
  mem.unlink('/d/a');
  t.throws(() => a.size(), { code: 'ENOENT' });
  t.notOk(mem.exists('/d/a'));
});

/** A FileSystem whose process runs out of descriptors past `limit` open files. */
class ScarceDescriptors implements FileSystem {
  held = 0;
  constructor(
    private readonly inner: FileSystem,
    public limit: number,
  ) {}
  private take(): void {
    if (this.held >= this.limit) throw Object.assign(new Error('EMFILE: too many open files'), { code: 'EMFILE' });
    this.held++;
  }
  open(path: string, create?: boolean): FileHandle {
    this.take();
    const file = this.inner.open(path, create);
    return {
      path,
      size: () => file.size(),
      read: (b, o, l, p) => file.read(b, o, l, p),
      write: (d, p) => file.write(d, p),
      truncate: (s) => file.truncate(s),
      sync: () => file.sync(),
      close: () => {
        this.held--;
        file.close();
      },
    };
  }
  exists = (p: string): boolean => this.inner.exists(p);
  readdir = (p: string): string[] => this.inner.readdir(p);
  subdirectories = (p: string): string[] => this.inner.subdirectories(p);
  readFile = (p: string): Buffer | null => {
    this.take();
    this.held--;
    return this.inner.readFile(p);
  };
  mkdir = (p: string): void => this.inner.mkdir(p);
  isDirectory = (p: string): boolean => this.inner.isDirectory(p);
  rename = (a: string, b: string): void => this.inner.rename(a, b);
  unlink = (p: string): void => this.inner.unlink(p);
  removeDir = (p: string): void => this.inner.removeDir(p);
  syncDir = (p: string): void => this.inner.syncDir(p);
}

t.test('EMFILE from the system (sockets took the rest): the cache gives back half and retries once', async (t) => {
  const mem = new MemoryFileSystem();
  mem.mkdir('/d');
  const scarce = new ScarceDescriptors(mem, 10);
  const fs = new BoundedFileSystem(scarce, 100);
  const handles = Array.from({ length: 10 }, (_, i) => fs.open(`/d/f${i}`, true));
  t.equal(fs.stats.open, 10);
  // The system limit is reached though the cache is far from full: the next open makes room.
  const extra = fs.open('/d/extra', true);
  t.equal(fs.stats.open, 6, 'half of the ten given back, one taken');
  t.equal(fs.stats.evictions, 5);
  extra.write(Buffer.from('x'), 0);
  t.equal(fs.readFile('/d/extra')?.toString(), 'x');
  for (const handle of handles) handle.size();
  // With nothing left to give back, the error reaches the caller.
  for (const handle of [...handles, extra]) handle.close();
  scarce.limit = 0;
  t.throws(() => fs.open('/d/more', true), { code: 'EMFILE' });
});

t.test('refuses a limit that is not a positive integer', async (t) => {
  t.throws(() => new BoundedFileSystem(new MemoryFileSystem(), 0), RangeError);
});

t.test(
  'a LogManager over 4 descriptors: 60 partitions with rolled segments write, read, restart clean and after a crash',
  async (t) => {
    const mem = new MemoryFileSystem();
    const clock = new ManualClock();
    const config = { ...DEFAULT_LOG_CONFIG, segmentBytes: 1500 };
    const open = (): { fs: BoundedFileSystem; manager: LogManager } => {
      const fs = new BoundedFileSystem(mem, 4);
      return { fs, manager: LogManager.open({ fs, logDirs: ['/d1', '/d2'], clock, defaultConfig: config }) };
    };
    let { fs, manager } = open();
    for (let round = 0; round < 5; round++) {
      for (let p = 0; p < 60; p++) manager.getOrCreate('t', p).append(batchOfSize(400), { leaderEpoch: 0 });
    }
    t.ok(fs.stats.peak <= 4, `peak descriptors ${fs.stats.peak}`);
    t.ok(manager.get('t', 7)!.segmentCount > 1, 'segments rolled');
    for (let p = 0; p < 60; p++) t.equal(manager.get('t', p)!.read(0, 1 << 20).records.length > 0, true);
    manager.close();
    t.equal(fs.stats.open, 0, 'a clean close gives every descriptor back');

    ({ fs, manager } = open());
    for (let p = 0; p < 60; p++) t.equal(manager.get('t', p)!.endOffset, 5, `t-${p} reopened with its end offset`);
    for (let p = 0; p < 60; p++) manager.get('t', p)!.append(batchOfSize(400), { leaderEpoch: 1 });
    t.ok(
      fs.stats.peak <= 4 && fs.stats.reopens > 0,
      `after the restart: peak ${fs.stats.peak}, reopens ${fs.stats.reopens}`,
    );
    mem.crash(seededRandom(7), 'torn');
    ({ fs, manager } = open());
    t.equal(manager.openStats.uncleanDirs, 2, 'recovery after the crash');
    for (let p = 0; p < 60; p++) {
      const log = manager.get('t', p)!;
      t.ok(log.endOffset >= 5, `t-${p} kept what was flushed`);
      t.equal(log.read(0, 1 << 20).records.length > 0, true);
    }
    t.ok(fs.stats.peak <= 4, `peak descriptors through recovery ${fs.stats.peak}`);
    t.same(manager.offlineDirs(), [], 'no dir went offline');
    manager.close();
  },
);

t.test(
  'logs reopened at start hold no descriptor until used; partition.metadata is read only when listed',
  { skip: process.platform !== 'linux' && 'needs /proc' },
  async (t) => {
    const root = mkdtempSync(joinPath(tmpdir(), 'gregor-bounded-fs-open-'));
    t.teardown(() => rmSync(root, { recursive: true, force: true }));
    const clock = new ManualClock(0);
    const open = (): { fs: BoundedFileSystem; manager: LogManager } => {
      const fs = new BoundedFileSystem(new NodeFileSystem(), 8);
      return { fs, manager: LogManager.open({ fs, logDirs: [root], clock, defaultConfig: DEFAULT_LOG_CONFIG }) };
    };
    const topicId = 'AAAAAAAAAAAAAAAAAAAAAA';
    let { manager } = open();
    for (let p = 0; p < 20; p++) {
      // Partition 0 has no topic id, so no partition.metadata.
      const log = p === 0 ? manager.getOrCreate('t', p) : manager.getOrCreate('t', p, topicId);
      log.append(batchOfSize(300), { leaderEpoch: 0 });
    }
    manager.close();

    const before = openDescriptors();
    const reopened = open();
    const fs = reopened.fs;
    manager = reopened.manager;
    t.equal(fs.stats.open, 0, 'opening 20 logs holds no segment descriptor');
    t.ok(openDescriptors() <= before, 'and the process holds no more descriptors than before');
    t.equal(manager.topicIdOf('t', 0), undefined, 'no partition.metadata: no topic id');
    for (let p = 1; p < 20; p++) t.equal(manager.topicIdOf('t', p), topicId, `partition ${p}'s topic id is read`);
    for (let p = 0; p < 20; p++) {
      const log = manager.get('t', p)!;
      t.equal(log.endOffset, 1);
      t.ok(log.read(0, 1 << 20).records.length > 0, `partition ${p} reads its batch`);
      t.equal(log.append(batchOfSize(300), { leaderEpoch: 0 }).baseOffset, 1);
    }
    t.ok(fs.stats.open <= 8 && fs.stats.open > 0, 'descriptors opened on use, within the bound');
    manager.close();
    manager = open().manager;
    for (let p = 0; p < 20; p++) t.equal(manager.get('t', p)!.endOffset, 2, 'appends survived');
    manager.close();
  },
);

t.test(
  'openDeferred: the size without a descriptor; the handle opens on first use; a missing file throws',
  async (t) => {
    const mem = new MemoryFileSystem();
    mem.mkdir('/d');
    const file = mem.open('/d/a', true);
    file.write(Buffer.from('hello'), 0);
    file.close();
    const fs = new BoundedFileSystem(mem, 2);
    const { handle, size } = fs.openDeferred('/d/a');
    t.equal(size, 5);
    t.equal(fs.stats.open, 0);
    const out = Buffer.alloc(5);
    handle.read(out, 0, 5, 0);
    t.equal(out.toString(), 'hello');
    t.equal(fs.stats.open, 1);
    handle.close();
    t.equal(fs.stats.open, 0);
    t.throws(() => fs.openDeferred('/d/missing'), { code: 'ENOENT' });
  },
);
