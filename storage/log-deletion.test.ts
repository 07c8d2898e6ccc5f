import { mkdirSync, mkdtempSync, existsSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { NodeFileSystem } from './fs.js';
import { PendingDeletions } from './log-deletion.js';
import { MemoryFileSystem } from './memory-fs.js';

/** A memory file system whose background removals wait until the test finishes them. */
function backgroundFs(): {
  fs: MemoryFileSystem;
  started: string[];
  inPlace: string[];
  finish: (error?: Error) => void;
} {
  const fs = new MemoryFileSystem();
  const started: string[] = [];
  const inPlace: string[] = [];
  const waiting: Array<{ path: string; done: (error: Error | null) => void }> = [];
  const removeDir = fs.removeDir.bind(fs);
  fs.removeDir = (path: string): void => {
    inPlace.push(path);
    removeDir(path);
  };
  Object.assign(fs, {
    removeDirInBackground: (path: string, done: (error: Error | null) => void): void => {
      started.push(path);
      waiting.push({ path, done });
    },
  });
  const finish = (error?: Error): void => {
    const next = waiting.shift()!;
    if (!error) removeDir(next.path);
    next.done(error ?? null);
  };
  return { fs, started, inPlace, finish };
}

t.test(
  'a due folder is removed in the background, once, and a failed removal is tried again a minute later',
  async (t) => {
    const { fs, started, inPlace, finish } = backgroundFs();
    fs.mkdir('/d');
    fs.mkdir('/d/t-0.abc-delete');
    fs.open('/d/t-0.abc-delete/00000000000000000000.log', true).write(Buffer.alloc(10), 0);
    const deletions = new PendingDeletions(fs);
    const failures: string[] = [];
    const onError = (path: string): void => void failures.push(path);
    deletions.add('/d/t-0.abc-delete', 1_000);

    deletions.removeDue(999, onError);
    t.same(started, [], 'not before its delay has passed');
    deletions.removeDue(1_000, onError);
    t.same(started, ['/d/t-0.abc-delete'], 'started in the background when due');
    t.same(inPlace, [], 'nothing removed on the calling thread');
    t.equal(deletions.size, 1, 'still pending while it runs');
    deletions.removeDue(2_000, onError);
    t.equal(started.length, 1, 'not started twice while in flight');

    finish(new Error('EIO'));
    t.same(failures, ['/d/t-0.abc-delete'], 'the failure is reported');
    t.equal(deletions.size, 1, 'and the folder stays queued');
    deletions.removeDue(60_999, onError);
    t.equal(started.length, 1, 'no retry within a minute of the failed try');
    deletions.removeDue(61_000, onError);
    t.equal(started.length, 2, 'tried again a minute later');
    finish();
    t.equal(deletions.size, 0, 'gone once removed');
    t.notOk(fs.exists('/d/t-0.abc-delete'));
    t.same(inPlace, []);
  },
);

t.test('without a background removal the folder is removed in place, as before', async (t) => {
  const fs = new MemoryFileSystem();
  fs.mkdir('/d');
  fs.mkdir('/d/t-0.abc-delete');
  const deletions = new PendingDeletions(fs);
  deletions.add('/d/t-0.abc-delete', 0);
  deletions.removeDue(0, () => t.fail('no error expected'));
  t.equal(deletions.size, 0);
  t.notOk(fs.exists('/d/t-0.abc-delete'));
});

t.test('NodeFileSystem removes a folder tree in the background', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'gregor-log-deletion-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const dir = join(root, 't-0.abc-delete');
  mkdirSync(dir);
  writeFileSync(join(dir, '00000000000000000000.log'), Buffer.alloc(4096));
  const fs = new NodeFileSystem();
  const error = await new Promise<Error | null>((resolve) => fs.removeDirInBackground(dir, resolve));
  t.equal(error, null);
  t.notOk(existsSync(dir), 'removed');
});
