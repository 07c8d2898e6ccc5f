/**
 * A deleted segment (retention, truncation) leaves the event loop at once: its files are renamed with
 * Kafka's `.deleted` suffix and unlinked in the background where the file system can (an unlink of a
 * 1 GiB segment took ~0.3 s on the event loop here: ext4 with `discard`). A `.deleted` file left by a
 * crash is removed when the folder loads; a clean close removes what is still waiting, since a listed
 * folder is not tidied at the next start. Before, each file was unlinked in place.
 */
import t from 'tap';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NodeFileSystem } from './fs.js';
import { loadSegments } from './log-loader.js';
import { MemoryFileSystem } from './memory-fs.js';
import { LogSegment } from './segment.js';

/** A memory file system with background unlinks that wait until the test runs them. */
function backgroundFs(): { fs: MemoryFileSystem; waiting: string[]; inPlace: string[]; runAll: () => void } {
  const fs = new MemoryFileSystem();
  const waiting: string[] = [];
  const inPlace: string[] = [];
  const unlink = fs.unlink.bind(fs);
  fs.unlink = (path: string): void => {
    inPlace.push(path);
    unlink(path);
  };
  const callbacks: Array<() => void> = [];
  Object.assign(fs, {
    unlinkInBackground: (path: string, done: (error: Error | null) => void): void => {
      waiting.push(path);
      callbacks.push(() => {
        if (fs.exists(path)) unlink(path);
        done(null);
      });
    },
  });
  const runAll = (): void => {
    for (const run of callbacks.splice(0)) run();
    waiting.length = 0;
  };
  return { fs, waiting, inPlace, runAll };
}

const LOAD = { indexIntervalBytes: 4096, now: 0, recoveryPoint: 0, cleanShutdown: false, initialOffset: 0 };

t.test('a deleted segment is renamed .deleted and unlinked in the background', async (t) => {
  const { fs, waiting, inPlace, runAll } = backgroundFs();
  fs.mkdir('/p');
  const segment = LogSegment.create(fs, '/p', 0, 4096, 0);
  segment.delete();
  t.same(inPlace, [], 'nothing unlinked on the caller’s thread');
  t.same(waiting, ['/p/00000000000000000000.log.deleted'], 'the .log (its indexes are written at the roll)');
  t.notOk(fs.exists('/p/00000000000000000000.log'), 'the name is free at once');
  const again = LogSegment.create(fs, '/p', 0, 4096, 0);
  t.ok(fs.exists('/p/00000000000000000000.log'), 'a segment of the same base offset can be made again');
  runAll();
  t.same(fs.readdir('/p'), ['00000000000000000000.log'], 'the new segment stays, the old one is gone');
  again.close();
});

t.test('without background unlinks the files go in place', async (t) => {
  const fs = new MemoryFileSystem();
  fs.mkdir('/p');
  LogSegment.create(fs, '/p', 0, 4096, 0).delete();
  t.same(fs.readdir('/p'), []);
});

t.test('a .deleted file left by a crash is removed when the folder loads', async (t) => {
  const fs = new MemoryFileSystem();
  fs.mkdir('/p');
  LogSegment.create(fs, '/p', 0, 4096, 0).close();
  fs.open('/p/00000000000000000000.log.deleted', true).close();
  fs.open('/p/00000000000000000000.timeindex.deleted', true).close();
  const result = loadSegments(fs, '/p', LOAD);
  t.same(
    fs.readdir('/p').filter((name) => name.endsWith('.deleted')),
    [],
  );
  t.equal(result.segments.length, 1);
  for (const s of result.segments) s.close();
});

t.test('node:fs: unlinked off the event loop; a clean close removes what still waits', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'gregor-segment-deletion-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const fs = new NodeFileSystem();
  const removed = await new Promise<string | null>((resolve) => {
    writeFileSync(join(dir, 'a.log.deleted'), 'x');
    fs.unlinkInBackground(join(dir, 'a.log.deleted'), (error) => resolve(error?.message ?? null));
  });
  t.equal(removed, null);
  t.same(readdirSync(dir), []);

  writeFileSync(join(dir, 'b.log.deleted'), 'y');
  fs.unlinkInBackground(join(dir, 'b.log.deleted'), () => undefined);
  fs.finishBackgroundUnlinks();
  t.same(readdirSync(dir), [], 'removed in place at once');
  fs.finishBackgroundUnlinks();
});
