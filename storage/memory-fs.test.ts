import t from 'tap';
import { MemoryFileSystem, SimulatedCrash } from './memory-fs.js';
import { seededRandom } from './test-support.js';

t.test('a crash keeps synced bytes and drops or tears the rest', async (t) => {
  const fs = new MemoryFileSystem();
  fs.mkdir('/a');
  const file = fs.open('/a/f', true);
  file.write(Buffer.from('hello '), 0);
  file.sync();
  file.write(Buffer.from('world'), 6);
  t.equal(file.size(), 11);
  fs.crash(seededRandom(1), 'drop');
  t.equal(fs.fileSize('/a/f'), 6);
  const again = fs.open('/a/f');
  again.write(Buffer.from('there'), 6);
  fs.crash(seededRandom(2), 'torn');
  const kept = Buffer.alloc(20);
  const n = fs.open('/a/f').read(kept, 0, 20, 0);
  t.ok(n >= 6 && n <= 11);
  t.equal(kept.subarray(0, n).toString(), 'hello there'.slice(0, n));
});

t.test('an in-place overwrite since the last sync is lost whole', async (t) => {
  const fs = new MemoryFileSystem();
  const file = fs.open('/f', true);
  file.write(Buffer.from('abcdef'), 0);
  file.sync();
  file.write(Buffer.from('XY'), 1);
  file.write(Buffer.from('gh'), 6);
  fs.crash(seededRandom(3), 'torn');
  const data = Buffer.alloc(10);
  t.equal(data.subarray(0, fs.open('/f').read(data, 0, 10, 0)).toString(), 'abcdef');
});

t.test('crashAtOp stops the world at the chosen mutation', async (t) => {
  const fs = new MemoryFileSystem();
  const file = fs.open('/f', true);
  fs.crashAtOp(2);
  file.write(Buffer.from('a'), 0);
  t.throws(() => file.write(Buffer.from('b'), 1), SimulatedCrash);
  t.ok(fs.isHalted());
  t.throws(() => file.sync(), SimulatedCrash);
  fs.crash(seededRandom(1), 'drop');
  t.notOk(fs.isHalted());
  t.equal(fs.fileSize('/f'), 0);
});

t.test('write faults write a prefix and fail with the code', async (t) => {
  const fs = new MemoryFileSystem();
  const file = fs.open('/f', true);
  fs.failWrites('ENOSPC', 2);
  t.throws(() => file.write(Buffer.from('abcd'), 0), { code: 'ENOSPC' });
  t.equal(file.size(), 2);
  t.throws(() => fs.open('/g', true), { code: 'ENOSPC' });
  fs.failWrites(null);
  fs.failReads(true);
  t.throws(() => file.read(Buffer.alloc(1), 0, 1, 0), { code: 'EIO' });
});

t.test('directories, rename, unlink, readdir', async (t) => {
  const fs = new MemoryFileSystem();
  fs.mkdir('/x/y');
  fs.open('/x/y/a', true).close();
  fs.open('/x/y/b', true).close();
  t.same(fs.readdir('/x/y'), ['a', 'b']);
  t.same(fs.readdir('/x'), ['y']);
  t.ok(fs.isDirectory('/x/y'));
  fs.rename('/x/y/a', '/x/y/c');
  fs.unlink('/x/y/b');
  t.same(fs.readdir('/x/y'), ['c']);
  t.throws(() => fs.open('/x/nope/f', true), { code: 'ENOENT' });
  fs.removeDir('/x');
  t.notOk(fs.exists('/x/y/c'));
});
