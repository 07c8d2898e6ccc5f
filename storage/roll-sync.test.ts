import t from 'tap';
import { DEFAULT_LOG_CONFIG } from './config.js';
import { PartitionLog, type LogDirState } from './log.js';
import { MemoryFileSystem } from './memory-fs.js';
import { ManualClock, batchOfSize } from './test-support.js';

/** A memory file system whose background syncs wait until the test ends them. */
class DeferredSyncs extends MemoryFileSystem {
  readonly pending: Array<{ paths: readonly string[]; done: (error: Error | null) => void }> = [];

  syncInBackground(paths: readonly string[], done: (error: Error | null) => void): void {
    this.pending.push({ paths, done });
  }

  /** Ends the i-th background sync asked for: syncs its files (unless it fails) and answers. */
  finish(i: number, error: Error | null = null): void {
    const { paths, done } = this.pending[i]!;
    for (const path of paths) {
      if (error || !this.exists(path)) continue;
      const handle = this.open(path);
      handle.sync();
      handle.close();
    }
    done(error);
  }
}

function openLog(fs: MemoryFileSystem) {
  const dirState: LogDirState = { path: '/data', offline: false };
  const log = PartitionLog.open({
    fs,
    dir: '/data/t-0',
    topic: 't',
    partition: 0,
    config: { ...DEFAULT_LOG_CONFIG, segmentBytes: 3000, indexIntervalBytes: 500 },
    clock: new ManualClock(),
    dirState,
  });
  return { log, dirState };
}

/** Appends 1 KiB batches until the log has rolled `rolls` times; returns the log end at each roll. */
function appendUntilRolls(log: PartitionLog, fs: DeferredSyncs, rolls: number): number[] {
  const ends: number[] = [];
  while (fs.pending.length < rolls) {
    const before = fs.pending.length;
    const endBefore = log.endOffset;
    log.append(batchOfSize(1000), { leaderEpoch: 0 });
    if (fs.pending.length > before) ends.push(endBefore);
  }
  return ends;
}

t.test('a roll syncs the old segment in the background; the recovery point waits for it', async (t) => {
  const fs = new DeferredSyncs();
  const { log } = openLog(fs);
  const [rolledAt] = appendUntilRolls(log, fs, 1);
  t.match(fs.pending[0]!.paths, [/00000000000000000000\.log$/, /00000000000000000000\.index$/, /\.timeindex$/]);
  t.equal(log.recoveryPoint, 0, 'not past the segment before its sync ends');
  fs.finish(0);
  t.equal(log.recoveryPoint, rolledAt, 'past it once synced');
});

t.test('the recovery point passes a segment only when every earlier one is synced too', async (t) => {
  const fs = new DeferredSyncs();
  const { log } = openLog(fs);
  const [first, second] = appendUntilRolls(log, fs, 2);
  fs.finish(1);
  t.equal(log.recoveryPoint, 0, 'the second synced first: still at 0');
  fs.finish(0);
  t.equal(log.recoveryPoint, second, `both synced: at ${second}`);
  t.ok(first! < second!);
});

t.test('flush and close sync the pending segments in place; a late answer changes nothing', async (t) => {
  const fs = new DeferredSyncs();
  const { log } = openLog(fs);
  appendUntilRolls(log, fs, 1);
  log.flush();
  t.equal(log.recoveryPoint, log.endOffset, 'flush: everything durable');
  fs.finish(0);
  t.equal(log.recoveryPoint, log.endOffset);

  const fs2 = new DeferredSyncs();
  const second = openLog(fs2);
  appendUntilRolls(second.log, fs2, 1);
  const end = second.log.endOffset;
  second.log.close();
  fs2.crash(() => 0, 'drop');
  t.ok(fs2.fileSize(fs2.pending[0]!.paths[0]!) > 0, 'close synced the rolled segment: it survives a power cut');
  const reopened = openLog(fs2);
  t.equal(reopened.log.endOffset, end);
  t.ok(reopened.log.read(0, 1 << 20).records.length > 0, 'offset 0 reads back');
});

t.test('a truncation below a pending segment keeps the recovery point within the log', async (t) => {
  const fs = new DeferredSyncs();
  const { log } = openLog(fs);
  appendUntilRolls(log, fs, 1);
  log.truncateTo(1);
  fs.finish(0);
  t.ok(log.recoveryPoint <= log.endOffset, `recovery point ${log.recoveryPoint}, end ${log.endOffset}`);
});

t.test('a failed background sync is done again in place, then counts', async (t) => {
  const fs = new DeferredSyncs();
  const { log, dirState } = openLog(fs);
  const [rolledAt] = appendUntilRolls(log, fs, 1);
  fs.finish(0, new Error('EMFILE: too many open files'));
  t.equal(log.recoveryPoint, rolledAt);
  t.equal(dirState.offline, false);
});

t.test('a roll writes the indexes but syncs them only in the background, with the log file', async (t) => {
  const fs = new DeferredSyncs();
  const { log } = openLog(fs);
  appendUntilRolls(log, fs, 1);
  const [logPath, indexPath, timeIndexPath] = fs.pending[0]!.paths;
  t.ok(fs.fileSize(indexPath!) > 0 && fs.fileSize(timeIndexPath!) > 0, 'the indexes are written at the roll');
  // A power cut before the background sync ends: nothing of the rolled segment was synced on the caller.
  const before = new DeferredSyncs();
  const cut = openLog(before);
  appendUntilRolls(cut.log, before, 1);
  before.crash(() => 0, 'drop');
  t.equal(
    before.fileSize(before.pending[0]!.paths[1]!),
    0,
    'the roll itself synced no index (an fdatasync on the event loop)',
  );
  fs.finish(0);
  fs.crash(() => 0, 'drop');
  t.ok(fs.fileSize(logPath!) > 0, 'after the background sync the log file survives a power cut');
  t.ok(fs.fileSize(indexPath!) > 0, 'and so does its offset index');
  t.ok(fs.fileSize(timeIndexPath!) > 0, 'and its time index');
});
