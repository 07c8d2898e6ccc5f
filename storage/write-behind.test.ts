import t from 'tap';
import * as nodeFs from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NodeFileSystem } from './fs.js';
import { WriteBehind, writeBehindModeFrom } from './write-behind.js';

function shared(bytes: Buffer): Buffer {
  const out = Buffer.from(new SharedArrayBuffer(bytes.length));
  bytes.copy(out);
  return out;
}

function setup(t: { teardown(fn: () => unknown): void }) {
  const dir = mkdtempSync(join(tmpdir(), 'gregor-write-behind-'));
  const behind = new WriteBehind({ mode: 'always', workerAfterBytes: 0 });
  const fs = new NodeFileSystem({ writeBehind: behind });
  t.teardown(async () => {
    await behind.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  return { dir, behind, fs };
}

t.test('shared-memory appends of a .log go to the worker; reads, size and close wait for them', async (t) => {
  const { dir, behind, fs } = setup(t);
  const handle = fs.open(join(dir, '00000000000000000000.log'), true);
  const parts = [0, 1, 2, 3].map((i) => Buffer.alloc(256 * 1024, i + 1));
  let position = 0;
  for (const part of parts) {
    handle.write(shared(part), position);
    position += part.length;
  }
  t.equal(behind.submitted, 4, 'four writes handed to the worker');
  // A read reaching the pending range waits for it and sees the bytes.
  const back = Buffer.alloc(position);
  t.equal(handle.read(back, 0, back.length, 0), position);
  t.same(back, Buffer.concat(parts));
  t.equal(handle.size(), position);
  handle.write(shared(Buffer.alloc(1000, 9)), position);
  handle.close();
  t.equal(nodeFs.statSync(join(dir, '00000000000000000000.log')).size, position + 1000, 'close waited for the write');
});

t.test('an ordinary buffer is written in place, after the pending ones (no hole, order kept)', async (t) => {
  const { dir, behind, fs } = setup(t);
  const path = join(dir, '00000000000000000000.log');
  const handle = fs.open(path, true);
  handle.write(shared(Buffer.alloc(512 * 1024, 1)), 0);
  handle.write(Buffer.alloc(10, 2), 512 * 1024);
  t.equal(behind.pending, 0, 'the synchronous write waited for the pending one');
  const content = nodeFs.readFileSync(path);
  t.equal(content.length, 512 * 1024 + 10);
  t.equal(content[0], 1);
  t.equal(content[512 * 1024], 2);
  handle.close();
});

t.test('a truncation after pending writes is not undone by them', async (t) => {
  const { dir, fs } = setup(t);
  const path = join(dir, '00000000000000000000.log');
  const handle = fs.open(path, true);
  for (let i = 0; i < 8; i++) handle.write(shared(Buffer.alloc(128 * 1024, i)), i * 128 * 1024);
  handle.truncate(1000);
  handle.sync();
  t.equal(nodeFs.statSync(path).size, 1000);
  handle.close();
  t.equal(nodeFs.statSync(path).size, 1000);
});

t.test('other files and ordinary memory never go to the worker', async (t) => {
  const { dir, behind, fs } = setup(t);
  const index = fs.open(join(dir, '00000000000000000000.index'), true);
  index.write(shared(Buffer.alloc(4096, 1)), 0);
  index.close();
  const log = fs.open(join(dir, '00000000000000000000.log'), true);
  log.write(Buffer.alloc(4096, 1), 0);
  log.close();
  t.equal(behind.submitted, 0);
});

t.test('settled() resolves once the writes so far are done', async (t) => {
  const { dir, behind, fs } = setup(t);
  const handle = fs.open(join(dir, '00000000000000000000.log'), true);
  t.equal(behind.settled(), null, 'nothing in flight');
  handle.write(shared(Buffer.alloc(1024 * 1024, 7)), 0);
  const settled = behind.settled();
  t.not(settled, null);
  t.equal(await settled, false, 'no write failed');
  t.equal(behind.pending, 0);
  handle.close();
});

t.test('a failed write fails the handle and is reported by settled()', async (t) => {
  const { dir, behind } = setup(t);
  const path = join(dir, '00000000000000000000.log');
  nodeFs.writeFileSync(path, '');
  // A descriptor opened read-only: the worker's write fails with EBADF.
  const fd = nodeFs.openSync(path, 'r');
  t.teardown(() => nodeFs.closeSync(fd));
  let failure: Error | null = null;
  const seq = behind.submit(fd, shared(Buffer.alloc(4096, 1)), 0, (error) => (failure = error));
  t.ok(seq > 0);
  t.equal(await behind.settled(), true, 'settled() says a write failed');
  t.match(failure, { code: 'EBADF' });
  // Later writes of the same descriptor fail too (nothing lands after a hole).
  let second: Error | null = null;
  behind.submit(fd, shared(Buffer.alloc(4096, 1)), 4096, (error) => (second = error));
  await behind.settled();
  t.match(second, { code: 'EBADF' });
});

t.test('a handle whose write failed throws at its next operation', async (t) => {
  const { dir, behind } = setup(t);
  const path = join(dir, '00000000000000000000.log');
  const fs = new NodeFileSystem({ writeBehind: behind });
  const handle = fs.open(path, true);
  // Make the worker's write fail: a position past the largest file size.
  handle.write(shared(Buffer.alloc(4096, 1)), Number.MAX_SAFE_INTEGER - 10);
  await behind.settled();
  t.throws(() => handle.read(Buffer.alloc(10), 0, 10, 0));
  t.throws(() => handle.close());
});

t.test('large appends go to the worker only while their copies are dear', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'gregor-write-behind-'));
  const behind = new WriteBehind({ mode: 'auto', workerAfterBytes: 0, handoffNsPerByte: 0.35 });
  t.teardown(async () => {
    await behind.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const fs = new NodeFileSystem({ writeBehind: behind });
  const handle = fs.open(join(dir, '00000000000000000000.log'), true);
  const MB = 1024 * 1024;
  // Cheap copies (0.1 ns per byte): written in place.
  for (let i = 0; i < 5; i++) behind.noteCopy(MB, 0.1 * MB);
  t.notOk(behind.handingOff);
  handle.write(shared(Buffer.alloc(MB, 1)), 0);
  t.equal(behind.submitted, 0, 'written in place');
  // Dear copies (0.8 ns per byte, page-cache pages new to a VM): handed off.
  for (let i = 0; i < 10; i++) behind.noteCopy(MB, 0.8 * MB);
  t.ok(behind.handingOff);
  handle.write(shared(Buffer.alloc(MB, 2)), MB);
  t.equal(behind.submitted, 1, 'handed to the worker');
  await behind.settled();
  // Cheap again: back in place once nothing is in flight.
  for (let i = 0; i < 20; i++) behind.noteCopy(MB, 0.1 * MB);
  handle.write(shared(Buffer.alloc(MB, 3)), 2 * MB);
  t.equal(behind.submitted, 1, 'in place again');
  const back = Buffer.alloc(3 * MB);
  handle.read(back, 0, back.length, 0);
  t.same([back[0], back[MB], back[2 * MB]], [1, 2, 3]);
  handle.close();
});

t.test('GREGOR_WRITE_BEHIND: off (default), auto, always; anything else is refused', async (t) => {
  t.equal(writeBehindModeFrom(undefined), 'off');
  t.equal(writeBehindModeFrom('auto'), 'auto');
  t.equal(writeBehindModeFrom('always'), 'always');
  t.throws(() => writeBehindModeFrom('yes'), /GREGOR_WRITE_BEHIND must be off, auto or always, not "yes"/);
});
