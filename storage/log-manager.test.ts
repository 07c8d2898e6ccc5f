import t from 'tap';
import { readOffsetCheckpoint } from './checkpoint.js';
import { DEFAULT_LOG_CONFIG, type LogConfig } from './config.js';
import { KafkaStorageError } from './errors.js';
import { CLEAN_SHUTDOWN_MARKER, LogManager } from './log-manager.js';
import { MemoryFileSystem } from './memory-fs.js';
import { ManualClock, batchOfSize, buildBatch, seededRandom, errorCodeOf } from './test-support.js';

const config: LogConfig = { ...DEFAULT_LOG_CONFIG, segmentBytes: 2000 };

t.test('creates logs across dirs, reopens them with their offsets, deletes them', async (t) => {
  const fs = new MemoryFileSystem();
  const clock = new ManualClock();
  const manager = LogManager.open({ fs, logDirs: ['/d1', '/d2'], clock, defaultConfig: config });
  const a = manager.getOrCreate('orders', 0);
  const b = manager.getOrCreate('orders', 1);
  t.not(manager.dirOf('orders', 0)!.path, manager.dirOf('orders', 1)!.path, 'spread over the dirs');
  t.equal(manager.getOrCreate('orders', 0), a);
  for (let i = 0; i < 10; i++) a.append(batchOfSize(500), { leaderEpoch: 0 });
  b.append(batchOfSize(100), { leaderEpoch: 0 });
  a.deleteRecordsBefore(4);
  a.highWatermark = 8;
  manager.close();
  t.ok(fs.exists(`/d1/${CLEAN_SHUTDOWN_MARKER}`));
  t.same(
    readOffsetCheckpoint(fs, manager.dirOf('orders', 0)!.path, 'replication-offset-checkpoint').get('orders-0'),
    8,
  );

  const again = LogManager.open({ fs, logDirs: ['/d1', '/d2'], clock, defaultConfig: config });
  t.same(again.openStats, { cleanDirs: 2, uncleanDirs: 0, logs: 2 });
  t.notOk(fs.exists(`/d1/${CLEAN_SHUTDOWN_MARKER}`), 'the marker is consumed at start');
  const a2 = again.get('orders', 0)!;
  t.same([a2.startOffset, a2.endOffset, a2.highWatermark, a2.recoveryPoint], [4, 10, 8, 10]);
  t.equal(again.get('orders', 1)!.endOffset, 1);
  t.equal(a2.append(batchOfSize(500), { leaderEpoch: 2 }).baseOffset, 10, 'appends continue at the checkpointed end');
  t.same(a2.leaderEpochs.all(), [
    { epoch: 0, startOffset: 4 },
    { epoch: 2, startOffset: 10 },
  ]);
  a2.truncateTo(9);
  t.equal(a2.endOffset, 9);
  again.delete('orders', 1);
  t.equal(again.get('orders', 1), undefined);
  t.notOk(fs.exists(`${again.dirOf('orders', 0)!.path === '/d1' ? '/d2' : '/d1'}/orders-1`));
  t.same(
    [...again.logs()].map((l) => l.name),
    ['orders-0'],
  );
});

t.test('an unclean start recovers from the recovery point and cuts a torn tail', async (t) => {
  const fs = new MemoryFileSystem();
  const clock = new ManualClock();
  const manager = LogManager.open({ fs, logDirs: ['/d'], clock, defaultConfig: config });
  const log = manager.getOrCreate('t', 0);
  for (let i = 0; i < 10; i++) log.append(batchOfSize(300), { leaderEpoch: 0 });
  log.flush();
  manager.checkpoint();
  for (let i = 0; i < 5; i++) log.append(batchOfSize(300), { leaderEpoch: 0 });
  fs.crash(seededRandom(7), 'torn');
  const reopened = LogManager.open({ fs, logDirs: ['/d'], clock, defaultConfig: config });
  t.same(reopened.openStats.uncleanDirs, 1);
  const survivor = reopened.get('t', 0)!;
  t.ok(survivor.endOffset >= 10 && survivor.endOffset <= 15);
  t.equal(survivor.append(batchOfSize(300), { leaderEpoch: 0 }).baseOffset, survivor.endOffset - 1);
});

t.test('a failing dir goes offline alone: KAFKA_STORAGE_ERROR there, the other dir serves', async (t) => {
  const fs = new MemoryFileSystem();
  const clock = new ManualClock();
  const failures: string[] = [];
  const manager = LogManager.open({
    fs,
    logDirs: ['/d1', '/d2'],
    clock,
    defaultConfig: config,
    onDirFailure: (dir) => failures.push(dir),
  });
  const a = manager.getOrCreate('t', 0);
  const b = manager.getOrCreate('t', 1);
  const c = manager.getOrCreate('t', 2);
  a.append(batchOfSize(100), { leaderEpoch: 0 });
  fs.failWrites('EIO');
  t.throws(() => a.append(batchOfSize(100), { leaderEpoch: 0 }), KafkaStorageError);
  fs.failWrites(null);
  const failedDir = manager.dirOf('t', 0)!.path;
  t.same(failures, [failedDir]);
  t.same(manager.offlineDirs(), [failedDir]);
  const sameDir = manager.dirOf('t', 2)!.path === failedDir ? c : b;
  const otherDir = sameDir === c ? b : c;
  t.equal(
    errorCodeOf(() => sameDir.read(0, 100)),
    56,
  );
  t.equal(otherDir.append(batchOfSize(100), { leaderEpoch: 0 }).baseOffset, 0);
  t.equal(manager.dirOf('t', 3), undefined);
  manager.getOrCreate('t', 3);
  t.not(manager.dirOf('t', 3)!.path, failedDir, 'new logs go to online dirs');
  manager.close();
  t.notOk(fs.exists(`${failedDir}/${CLEAN_SHUTDOWN_MARKER}`), 'no clean marker on the failed dir');
});

t.test('retention runs every retentionCheckIntervalMs (log.retention.check.interval.ms), not every tick', async (t) => {
  const clock = new ManualClock();
  const manager = LogManager.open({
    fs: new MemoryFileSystem(),
    logDirs: ['/d'],
    clock,
    configFor: () => ({ ...config, segmentBytes: 1000, retentionMs: 5 }),
    retentionCheckIntervalMs: 10_000,
  });
  const log = manager.getOrCreate('r', 0);
  for (let i = 0; i < 6; i++) log.append(batchOfSize(300, 1, clock.now()), { leaderEpoch: 0 });
  log.highWatermark = log.endOffset;
  clock.advance(2000);
  manager.tick();
  t.equal(log.startOffset, 0, 'a tick before the interval leaves expired segments');
  clock.advance(8000);
  manager.tick();
  t.ok(log.startOffset > 0, `the tick at the interval applies retention (log start ${log.startOffset})`);
  manager.close();
});

t.test('tick runs flush.ms, retention and compaction', async (t) => {
  const fs = new MemoryFileSystem();
  const clock = new ManualClock();
  const manager = LogManager.open({
    fs,
    logDirs: ['/d'],
    clock,
    configFor: (topic) => ({
      ...config,
      segmentBytes: 500,
      retentionMs: 1000,
      flushMs: 100,
      cleanupPolicyCompact: topic === 'c',
      cleanupPolicyDelete: topic !== 'c',
    }),
    cleanerIntervalMs: 50,
  });
  const plain = manager.getOrCreate('p', 0);
  for (let i = 0; i < 6; i++) plain.append(batchOfSize(300, 1, clock.now()), { leaderEpoch: 0 });
  plain.highWatermark = plain.endOffset;
  clock.advance(2000);
  manager.tick();
  t.equal(plain.segmentCount, 1);
  t.equal(plain.recoveryPoint, 6);
  manager.updateTopicConfig('p', { ...config, retentionMs: 5 });
  t.equal(plain.currentConfig.retentionMs, 5);
});

t.test('the Raft metadata log directory among the partitions is not opened as a partition log', async (t) => {
  const fs = new MemoryFileSystem();
  fs.mkdir('/d/__cluster_metadata-0');
  const raftSegment = fs.open('/d/__cluster_metadata-0/00000000000000000000.log', true);
  raftSegment.write(Buffer.from('not a partition log'), 0);
  raftSegment.close();
  const manager = LogManager.open({ fs, logDirs: ['/d'], clock: new ManualClock(), defaultConfig: config });
  t.equal(manager.get('__cluster_metadata', 0), undefined);
  t.equal(manager.openStats.logs, 0);
  manager.close();
  t.equal(
    fs.readFile('/d/__cluster_metadata-0/00000000000000000000.log')?.toString(),
    'not a partition log',
    'its files are untouched',
  );
  t.same(manager.offlineDirs(), []);
});

t.test('logs of one topic opened at start share one frozen config; a config update still applies', async (t) => {
  const fs = new MemoryFileSystem();
  const clock = new ManualClock();
  const first = LogManager.open({ fs, logDirs: ['/d1'], clock, defaultConfig: config });
  for (let p = 0; p < 3; p++) first.getOrCreate('shared', p).append(batchOfSize(100), { leaderEpoch: 0 });
  first.close();
  const manager = LogManager.open({ fs, logDirs: ['/d1'], clock, defaultConfig: config });
  const logs = [0, 1, 2].map((p) => manager.get('shared', p)!);
  t.ok(Object.isFrozen(logs[0]!.currentConfig));
  t.equal(logs[1]!.currentConfig, logs[0]!.currentConfig, 'one object, not a copy per log');
  t.equal(logs[2]!.currentConfig, logs[0]!.currentConfig);
  t.notOk(Object.isFrozen(config), "the caller's config is not frozen");
  manager.updateTopicConfig('shared', { ...config, segmentBytes: 5000 });
  t.equal(logs[1]!.currentConfig.segmentBytes, 5000);
  t.equal(logs[0]!.currentConfig.segmentBytes, 5000);
  manager.close();
});

t.test('log.cleaner.enable=false (cleanerEnabled: false): tick never compacts', async (t) => {
  const compactedRecords = (cleanerEnabled: boolean): number => {
    const clock = new ManualClock();
    const manager = LogManager.open({
      fs: new MemoryFileSystem(),
      logDirs: ['/d'],
      clock,
      configFor: () => ({ ...config, segmentBytes: 200, cleanupPolicyCompact: true, cleanupPolicyDelete: false }),
      cleanerIntervalMs: 50,
      cleanerEnabled,
    });
    const log = manager.getOrCreate('c', 0);
    for (let i = 0; i < 20; i++)
      log.append(buildBatch([{ key: 'k', value: `v${i}`, timestamp: clock.now() }]), { leaderEpoch: 0 });
    log.highWatermark = log.endOffset;
    clock.advance(1000);
    manager.tick();
    const left = log.read(0, 1 << 20).records.length;
    manager.close();
    return left;
  };
  const kept = compactedRecords(false);
  const cleaned = compactedRecords(true);
  t.ok(cleaned < kept, `read back: ${cleaned} with the cleaner, ${kept} without`);
});
