/**
 * A deleted segment keeps its files for file.delete.delay.ms, as Kafka's LocalLog.deleteSegmentFiles:
 * retention, DeleteRecords and truncation rename its files `.deleted` at once and the log manager's tick
 * unlinks them once the topic's delay has passed (injected time here). A delay of 0 unlinks at once;
 * a clean close unlinks what still waits; after a crash the folder's load removes the `.deleted` files;
 * an in-memory broker's segments (deferSegmentUnlinks false) go at once. Gregor applied the delay only
 * to deleted partition folders: a segment's files were unlinked as soon as it was deleted.
 */
import t from 'tap';
import { DEFAULT_LOG_CONFIG, type LogConfig } from './config.js';
import { LogManager } from './log-manager.js';
import { MemoryFileSystem } from './memory-fs.js';
import { ManualClock, batchOfSize } from './test-support.js';

const DELAY = 60_000;

function managerWith(
  fs: MemoryFileSystem,
  clock: ManualClock,
  config: Partial<LogConfig> = {},
  deferSegmentUnlinks?: boolean,
): LogManager {
  return LogManager.open({
    fs,
    logDirs: ['/d'],
    clock,
    defaultConfig: { ...DEFAULT_LOG_CONFIG, segmentBytes: 2000, fileDeleteDelayMs: DELAY, ...config },
    ...(deferSegmentUnlinks === undefined ? {} : { deferSegmentUnlinks }),
  });
}

/** A log of six segments (500-byte batches, 2000-byte segments: four a segment), its records all committed. */
function filled(manager: LogManager): ReturnType<LogManager['getOrCreate']> {
  const log = manager.getOrCreate('t', 0);
  for (let i = 0; i < 24; i++) log.append(batchOfSize(500), { leaderEpoch: 0 });
  log.highWatermark = log.endOffset;
  return log;
}

const files = (fs: MemoryFileSystem): string[] => fs.readdir('/d/t-0').sort();
const deletedFiles = (fs: MemoryFileSystem): string[] => files(fs).filter((n) => n.endsWith('.deleted'));

t.test('DeleteRecords: the segments are renamed .deleted and unlinked after the delay', async (t) => {
  const fs = new MemoryFileSystem();
  const clock = new ManualClock();
  const manager = managerWith(fs, clock);
  const log = filled(manager);
  const before = log.segmentSizes().bases;
  t.ok(before.length >= 3, `${before.length} segments`);
  log.deleteRecordsBefore(before[2]!);
  const waiting = deletedFiles(fs);
  t.ok(waiting.includes('00000000000000000000.log.deleted'), 'the first segment is renamed');
  t.notOk(files(fs).includes('00000000000000000000.log'), 'its name is free at once');
  clock.advance(DELAY - 1);
  manager.tick();
  t.same(deletedFiles(fs), waiting, 'still there a millisecond before the delay');
  clock.advance(1);
  manager.tick();
  t.same(deletedFiles(fs), [], 'unlinked once the delay has passed');
  t.equal(log.startOffset, before[2]);
  manager.close();
});

t.test('truncation and retention wait the same way; the topic’s own delay counts', async (t) => {
  const fs = new MemoryFileSystem();
  const clock = new ManualClock();
  const manager = managerWith(fs, clock, { fileDeleteDelayMs: 5000, retentionMs: 1000 });
  const log = filled(manager);
  const bases = log.segmentSizes().bases;
  log.truncateTo(bases[bases.length - 2]!);
  const truncated = deletedFiles(fs);
  t.ok(truncated.length > 0, 'the truncated segments wait');
  clock.advance(2000);
  manager.tick();
  const retained = deletedFiles(fs).filter((n) => !truncated.includes(n));
  t.ok(retained.length > 0, 'retention renamed the old segments');
  clock.advance(3000);
  manager.tick();
  t.same(deletedFiles(fs), retained, 'the truncated ones are gone, the retention ones wait their own 5 s');
  clock.advance(2000);
  manager.tick();
  t.same(deletedFiles(fs), []);
  manager.close();
});

t.test('a delay of 0 unlinks at once; an in-memory broker’s segments go at once', async (t) => {
  for (const [name, config, defer] of [
    ['file.delete.delay.ms=0', { fileDeleteDelayMs: 0 }, undefined],
    ['deferSegmentUnlinks false', {}, false],
  ] as const) {
    const fs = new MemoryFileSystem();
    const manager = managerWith(fs, new ManualClock(), config, defer);
    const log = filled(manager);
    log.deleteRecordsBefore(log.segmentSizes().bases[2]!);
    t.same(deletedFiles(fs), [], name);
    t.notOk(files(fs).includes('00000000000000000000.log'), name);
    manager.close();
  }
});

t.test('a clean close unlinks what waits; a crash leaves it to the next load', async (t) => {
  const fs = new MemoryFileSystem();
  const clock = new ManualClock();
  const manager = managerWith(fs, clock);
  const log = filled(manager);
  log.deleteRecordsBefore(log.segmentSizes().bases[2]!);
  t.ok(deletedFiles(fs).length > 0);
  manager.close();
  t.same(deletedFiles(fs), [], 'a clean close');

  const again = managerWith(fs, clock);
  const reopened = again.get('t', 0)!;
  reopened.deleteRecordsBefore(reopened.segmentSizes().bases[1]!);
  t.ok(deletedFiles(fs).length > 0);
  // No close: a crash. The next open loads the folder and removes the leftovers.
  const afterCrash = managerWith(fs, clock);
  t.same(deletedFiles(fs), [], 'removed by the load');
  afterCrash.close();
});
