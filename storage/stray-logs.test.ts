/**
 * LogManager.moveAsideStray: a log moved aside as stray is closed, its folder renamed
 * `<topic>-<p>.<id>-stray` with its files kept (nothing scheduled for deletion), dropped from the
 * dir's checkpoints, and never opened again by a later start; the partition's name is free for a new log.
 */
import t from 'tap';
import { readOffsetCheckpoint } from './checkpoint.js';
import { DEFAULT_LOG_CONFIG } from './config.js';
import { LogManager } from './log-manager.js';
import { MemoryFileSystem } from './memory-fs.js';
import { ManualClock, batchOfSize } from './test-support.js';

t.test('a stray log is moved aside, kept, and skipped by the next start', async (t) => {
  const fs = new MemoryFileSystem();
  const clock = new ManualClock();
  const open = () =>
    LogManager.open({ fs, logDirs: ['/d1'], clock, defaultConfig: DEFAULT_LOG_CONFIG, fileDeleteDelayMs: 0 });
  const first = open();
  for (let i = 0; i < 3; i++) first.getOrCreate('old', 0).append(batchOfSize(200), { leaderEpoch: 0 });
  first.getOrCreate('kept', 0).append(batchOfSize(200), { leaderEpoch: 0 });
  first.close();

  const second = open();
  t.equal(second.openStats.logs, 2);
  const moved = second.moveAsideStray('old', 0);
  t.match(moved, /^\/d1\/old-0\.[0-9a-f]{32}-stray$/, 'renamed with the -stray suffix');
  t.equal(second.moveAsideStray('old', 0), null, 'no log of that name any more');
  t.equal(second.get('old', 0), undefined);
  t.ok(
    fs.readdir(moved!).some((name) => name.endsWith('.log')),
    'the folder is kept with its segment files',
  );
  t.equal(second.pendingDeletions, 0, 'nothing is scheduled for deletion');
  second.tick(clock.now() + 10 * 60_000);
  t.ok(fs.exists(moved!), 'still there after the delete delay');
  t.notOk(readOffsetCheckpoint(fs, '/d1', 'recovery-point-offset-checkpoint').has('old-0'), 'out of the checkpoints');
  t.equal(second.getOrCreate('old', 0).endOffset, 0, 'the name is free: a new log starts empty');
  second.close();

  const third = open();
  t.equal(third.openStats.logs, 2, 'the next start opens old-0 (new) and kept-0, not the stray folder');
  t.equal(third.get('kept', 0)!.endOffset, 1);
  third.close();
});
