import t from 'tap';
import { DEFAULT_LOG_CONFIG, type LogConfig } from './config.js';
import { CorruptRecordError, KafkaStorageError, OffsetOutOfRangeError } from './errors.js';
import { PartitionLog, type LogDirState } from './log.js';
import { MemoryFileSystem } from './memory-fs.js';
import { ManualClock, batchOfSize, buildBatch, splitBatches, errorCodeOf } from './test-support.js';

function openLog(fs = new MemoryFileSystem(), config: Partial<LogConfig> = {}, clock = new ManualClock(), extra = {}) {
  const dirState: LogDirState = { path: '/data', offline: false };
  const log = PartitionLog.open({
    fs,
    dir: '/data/t-0',
    topic: 't',
    partition: 0,
    config: { ...DEFAULT_LOG_CONFIG, ...config },
    clock,
    dirState,
    ...extra,
  });
  return { log, fs, clock, dirState };
}

t.test('append assigns offsets and patches base offset and leader epoch in place', async (t) => {
  const { log } = openLog();
  const first = buildBatch([{ value: 'a' }, { value: 'b' }, { value: 'c' }], { baseOffset: 999 });
  const r1 = log.append(first, { leaderEpoch: 7 });
  t.same([r1.baseOffset, r1.lastOffset, r1.recordCount, r1.logAppendTime], [0, 2, 3, -1]);
  t.equal(Number(first.readBigInt64BE(0)), 0, 'patched in the caller buffer, no copy');
  t.equal(first.readInt32BE(12), 7);
  const two = Buffer.concat([buildBatch([{ value: 'd' }]), buildBatch([{ value: 'e' }, { value: 'f' }])]);
  const r2 = log.append(two, { leaderEpoch: 8 });
  t.same([r2.baseOffset, r2.lastOffset, r2.batchCount], [3, 5, 2]);
  t.equal(log.endOffset, 6);
  t.same(log.leaderEpochs.all(), [
    { epoch: 7, startOffset: 0 },
    { epoch: 8, startOffset: 3 },
  ]);
  const read = log.read(0, 1 << 20);
  t.same(
    splitBatches(read.records).map((b) => [b.baseOffset, b.lastOffset]),
    [
      [0, 2],
      [3, 3],
      [4, 5],
    ],
  );
  t.same(log.read(4, 1 << 20).records, two.subarray(first.length - first.length + buildBatch([{ value: 'd' }]).length));
});

t.test('reads return whole batches under the byte limit but always one batch first', async (t) => {
  const { log } = openLog(undefined, { indexIntervalBytes: 100 });
  for (let i = 0; i < 20; i++) log.append(batchOfSize(500, 2), { leaderEpoch: 0 });
  const small = log.read(0, 10);
  t.equal(splitBatches(small.records).length, 1, 'first batch whole even if larger than the limit');
  t.equal(log.read(0, 10, { minOneBatch: false }).records.length, 0);
  const some = log.read(7, 1500);
  const batches = splitBatches(some.records);
  t.equal(batches[0]!.baseOffset, 6, 'the batch holding offset 7 comes first');
  t.ok(some.records.length <= 1500);
  t.equal(batches.length, Math.floor(1500 / batches[0]!.bytes.length));
  const bounded = log.read(0, 1 << 20, { maxOffset: 10 });
  t.same(
    splitBatches(bounded.records).map((b) => b.baseOffset),
    [0, 2, 4, 6, 8],
  );
  t.equal(log.read(40, 100).records.length, 0, 'reading at the end gives nothing');
  t.throws(() => log.read(41, 100), OffsetOutOfRangeError);
  t.throws(() => log.read(-1, 100), OffsetOutOfRangeError);
  try {
    log.read(41, 100);
  } catch (error) {
    t.equal((error as OffsetOutOfRangeError).errorCode, 1);
  }
});

t.test('a corrupt batch is never appended', async (t) => {
  const { log } = openLog();
  log.append(buildBatch([{ value: 'ok' }]), { leaderEpoch: 0 });
  const bad = buildBatch([{ value: 'bad' }]);
  bad[bad.length - 1]! ^= 0xff;
  t.throws(() => log.append(bad, { leaderEpoch: 0 }), CorruptRecordError);
  const truncated = buildBatch([{ value: 'x' }]).subarray(0, 40);
  t.throws(() => log.append(truncated, { leaderEpoch: 0 }), CorruptRecordError);
  const good = buildBatch([{ value: 'y' }]);
  t.equal(
    errorCodeOf(() => log.append(Buffer.concat([good, bad]), { leaderEpoch: 0 })),
    2,
  );
  t.equal(log.endOffset, 1, 'nothing of a half-bad append is written');
});

t.test('LogAppendTime rewrites max timestamp and attributes with a fresh CRC', async (t) => {
  const { log, clock } = openLog();
  const batch = buildBatch([{ value: 'a', timestamp: 5 }]);
  const result = log.append(batch, { leaderEpoch: 0, logAppendTime: true });
  t.equal(result.logAppendTime, clock.now());
  const stored = log.read(0, 1000).records;
  t.equal(Number(stored.readBigInt64BE(35)), clock.now());
  t.equal(stored.readInt16BE(21) & 0x08, 0x08);
  const { checkBatch } = await import('./batch-scan.js');
  t.equal(checkBatch(stored, 0, stored.length), stored.length, 'CRC still valid');
});

t.test('segments roll on segment.bytes and segment.ms; producer snapshot hook runs at roll', async (t) => {
  const snapshots: number[] = [];
  const { log, fs, clock } = openLog(undefined, { segmentBytes: 2000, segmentMs: 60_000 }, undefined, {
    snapshotHook: { snapshot: (offset: number) => (snapshots.push(offset), Buffer.from(`state@${offset}`)) },
  });
  for (let i = 0; i < 10; i++) log.append(batchOfSize(600), { leaderEpoch: 0 });
  t.equal(log.segmentCount, 4);
  t.same(snapshots, [3, 6, 9]);
  t.ok(fs.exists('/data/t-0/00000000000000000003.log'));
  t.ok(fs.exists('/data/t-0/00000000000000000009.snapshot'));
  t.same(log.latestProducerSnapshot(), { offset: 9, data: Buffer.from('state@9') });
  clock.advance(60_000);
  log.append(batchOfSize(100), { leaderEpoch: 0 });
  t.equal(log.segmentCount, 5, 'rolled by age');
  t.same(splitBatches(log.read(0, 1 << 20).records).length, 3, 'a read stays within one segment');
  t.equal(log.segmentEndFor(4), 6, 'where the segment holding an offset ends');
  t.equal(log.segmentEndFor(10), 11, 'the active segment ends at the log end');
  t.equal(splitBatches(log.read(4, 1 << 20).records)[0]!.baseOffset, 4);
});

t.test('offsetForTimestamp follows ListOffsets', async (t) => {
  const { log } = openLog(undefined, { segmentBytes: 1000, indexIntervalBytes: 1 });
  for (let i = 0; i < 10; i++) {
    log.append(
      buildBatch([
        { value: 'x', timestamp: 1000 + i * 10 },
        { value: 'y', timestamp: 1005 + i * 10 },
      ]),
      { leaderEpoch: 0 },
    );
  }
  t.same(log.offsetForTimestamp(1000), { offset: 0, timestamp: 1000 });
  t.same(log.offsetForTimestamp(1003), { offset: 1, timestamp: 1005 }, 'record inside an uncompressed batch');
  t.same(log.offsetForTimestamp(1046), { offset: 10, timestamp: 1050 });
  t.same(log.offsetForTimestamp(1095), { offset: 19, timestamp: 1095 });
  t.equal(log.offsetForTimestamp(2000), null);
  t.same(log.offsetForTimestamp(-2), { offset: 0, timestamp: -1 });
  t.same(log.offsetForTimestamp(-1), { offset: 20, timestamp: -1 });
  t.same(log.offsetForTimestamp(-3), { offset: 19, timestamp: 1095 });
  log.deleteRecordsBefore(11);
  t.same(log.offsetForTimestamp(0), { offset: 11, timestamp: 1055 });
});

t.test(
  'recovery after an unclean stop adds epochs the checkpoint missed (killed between the two writes)',
  async (t) => {
    const { log, fs, clock, dirState } = openLog();
    log.append(batchOfSize(100, 2), { leaderEpoch: 1 });
    const stale = fs.readFile('/data/t-0/leader-epoch-checkpoint');
    t.ok(stale, 'the checkpoint holds epoch 1');
    log.append(batchOfSize(100, 2), { leaderEpoch: 2 });
    log.append(batchOfSize(100, 2), { leaderEpoch: 3 });
    // The segment holds the epoch 2 and 3 batches, the checkpoint only epoch 1; no clean close.
    const fd = fs.open('/data/t-0/leader-epoch-checkpoint', true);
    fd.truncate(0);
    fd.write(stale!, 0);
    fd.close();
    const reopened = PartitionLog.open({
      fs,
      dir: '/data/t-0',
      topic: 't',
      partition: 0,
      config: DEFAULT_LOG_CONFIG,
      clock,
      dirState,
    });
    t.equal(reopened.endOffset, 6);
    t.same(reopened.leaderEpochs.all(), [
      { epoch: 1, startOffset: 0 },
      { epoch: 2, startOffset: 2 },
      { epoch: 3, startOffset: 4 },
    ]);
  },
);

t.test('truncateTo cuts whole batches, indexes, epochs and survives reopen', async (t) => {
  const { log, fs, clock, dirState } = openLog(undefined, { segmentBytes: 1500, indexIntervalBytes: 1 });
  for (let i = 0; i < 12; i++) log.append(batchOfSize(400, 2), { leaderEpoch: i < 6 ? 1 : 2 });
  t.equal(log.endOffset, 24);
  log.truncateTo(15);
  t.equal(log.endOffset, 14, 'the batch holding 15 goes whole');
  t.same(log.leaderEpochs.all(), [
    { epoch: 1, startOffset: 0 },
    { epoch: 2, startOffset: 12 },
  ]);
  log.truncateTo(12);
  t.equal(log.endOffset, 12);
  t.same(log.leaderEpochs.all(), [{ epoch: 1, startOffset: 0 }]);
  const r = log.append(batchOfSize(400, 2), { leaderEpoch: 3 });
  t.equal(r.baseOffset, 12);
  log.close();
  const reopened = PartitionLog.open({
    fs,
    dir: '/data/t-0',
    topic: 't',
    partition: 0,
    config: DEFAULT_LOG_CONFIG,
    clock,
    dirState,
    cleanShutdown: true,
  });
  t.equal(reopened.endOffset, 14);
  t.same(splitBatches(reopened.read(12, 1 << 20).records)[0]!.baseOffset, 12);
  reopened.truncateTo(0);
  t.equal(reopened.endOffset, 0);
  t.equal(reopened.segmentCount, 1);
  t.equal(reopened.append(batchOfSize(100), { leaderEpoch: 4 }).baseOffset, 0);
});

t.test('replicated appends keep offsets and epochs', async (t) => {
  const { log } = openLog();
  const a = buildBatch([{ value: 'a' }, { value: 'b' }], { baseOffset: 0, partitionLeaderEpoch: 3 });
  const b = buildBatch([{ value: 'c' }], { baseOffset: 5, partitionLeaderEpoch: 4 });
  log.append(Buffer.concat([a, b]), { leaderEpoch: -1, origin: 'replication' });
  t.equal(log.endOffset, 6);
  t.same(log.leaderEpochs.all(), [
    { epoch: 3, startOffset: 0 },
    { epoch: 4, startOffset: 5 },
  ]);
  t.throws(() =>
    log.append(buildBatch([{ value: 'old' }], { baseOffset: 2 }), { leaderEpoch: -1, origin: 'replication' }),
  );
  t.equal(splitBatches(log.read(3, 1000).records)[0]!.baseOffset, 5, 'gap skipped');
  t.same(log.leaderEpochs.endOffsetFor(3, log.endOffset), { epoch: 3, startOffset: 5 });
});

t.test('deleteRecordsBefore raises the log start and deletes whole segments below', async (t) => {
  const starts: number[] = [];
  const { log } = openLog(undefined, { segmentBytes: 1000 }, undefined, {
    onLogStartOffsetChange: (l: PartitionLog) => starts.push(l.startOffset),
  });
  for (let i = 0; i < 10; i++) log.append(batchOfSize(400), { leaderEpoch: 0 });
  t.equal(log.segmentCount, 5);
  t.equal(log.deleteRecordsBefore(5), 5);
  t.equal(log.segmentCount, 3, 'only segments wholly below the start go');
  t.throws(() => log.read(3, 100), OffsetOutOfRangeError);
  t.equal(splitBatches(log.read(5, 100).records)[0]!.baseOffset, 5);
  t.throws(() => log.deleteRecordsBefore(11), OffsetOutOfRangeError);
  log.deleteRecordsBefore(10);
  t.equal(log.segmentCount, 1, 'the active segment stays');
  t.equal(log.startOffset, 10);
  t.same(starts, [5, 10]);
});

t.test('retention by time and size deletes whole old segments, never the active one', async (t) => {
  const { log, clock } = openLog(undefined, { segmentBytes: 1000, retentionMs: 1000, retentionBytes: -1 });
  for (let i = 0; i < 6; i++) log.append(batchOfSize(400, 1, clock.now()), { leaderEpoch: 0 });
  clock.advance(500);
  for (let i = 0; i < 4; i++) log.append(batchOfSize(400, 1, clock.now()), { leaderEpoch: 0 });
  log.highWatermark = log.endOffset;
  t.equal(log.applyRetention(clock.now()), 0);
  clock.advance(600);
  t.equal(log.applyRetention(clock.now()), 3);
  t.equal(log.startOffset, 6);
  clock.advance(10_000);
  log.applyRetention(clock.now());
  t.equal(log.segmentCount, 1);
  t.equal(log.startOffset, 8, 'the active segment survives');
  const sized = openLog(new MemoryFileSystem(), { segmentBytes: 1000, retentionMs: -1, retentionBytes: 2000 }).log;
  for (let i = 0; i < 10; i++) sized.append(batchOfSize(400), { leaderEpoch: 0 });
  sized.highWatermark = sized.endOffset;
  t.equal(sized.applyRetention(), 2, 'deletes while what remains stays at or above retention.bytes');
  t.ok(sized.size >= 2000 && sized.size < 2000 + 1000);
  t.equal(sized.startOffset, 4);
});

t.test('retention never deletes records above the high watermark (not yet on the in-sync replicas)', async (t) => {
  const { log, clock } = openLog(undefined, { segmentBytes: 1000, retentionMs: 1000, retentionBytes: -1 });
  for (let i = 0; i < 6; i++) log.append(batchOfSize(400, 1, clock.now()), { leaderEpoch: 0 });
  clock.advance(5000);
  log.highWatermark = 1;
  t.equal(log.applyRetention(clock.now()), 0, 'the oldest segment holds offset 1: kept');
  t.equal(log.startOffset, 0);
  t.equal(log.highWatermark, 1, 'the high watermark is not pushed forward');
  log.highWatermark = 4;
  t.equal(log.applyRetention(clock.now()), 2, 'the two segments below offset 4 go');
  t.equal(log.startOffset, 4);
  const sized = openLog(new MemoryFileSystem(), { segmentBytes: 1000, retentionMs: -1, retentionBytes: 400 }).log;
  for (let i = 0; i < 10; i++) sized.append(batchOfSize(400), { leaderEpoch: 0 });
  t.equal(sized.applyRetention(), 0, 'retention.bytes waits for the high watermark too');
});

t.test('flush.messages fsyncs and moves the recovery point; the default does not', async (t) => {
  const lazy = openLog().log;
  lazy.append(batchOfSize(100), { leaderEpoch: 0 });
  t.equal(lazy.recoveryPoint, 0);
  const eager = openLog(new MemoryFileSystem(), { flushMessages: 2 }).log;
  eager.append(batchOfSize(100), { leaderEpoch: 0 });
  t.equal(eager.recoveryPoint, 0);
  eager.append(batchOfSize(100), { leaderEpoch: 0 });
  t.equal(eager.recoveryPoint, 2);
  const { log, clock } = openLog(new MemoryFileSystem(), { flushMs: 1000 });
  log.append(batchOfSize(100), { leaderEpoch: 0 });
  log.tick(clock.now() + 999);
  t.equal(log.recoveryPoint, 0);
  log.tick(clock.now() + 1000);
  t.equal(log.recoveryPoint, 1);
});

t.test('a failing disk gives KAFKA_STORAGE_ERROR and damages nothing written', async (t) => {
  const { log, fs, clock, dirState } = openLog();
  for (let i = 0; i < 5; i++) log.append(batchOfSize(300), { leaderEpoch: 0 });
  log.flush();
  const before = log.read(0, 1 << 20).records;
  fs.failWrites('ENOSPC', 50);
  t.throws(() => log.append(batchOfSize(300), { leaderEpoch: 0 }), KafkaStorageError);
  t.equal(dirState.offline, true);
  t.equal(
    errorCodeOf(() => log.read(0, 100)),
    56,
  );
  fs.failWrites(null);
  const reopened = PartitionLog.open({
    fs,
    dir: '/data/t-0',
    topic: 't',
    partition: 0,
    config: DEFAULT_LOG_CONFIG,
    clock,
    dirState: { path: '/data', offline: false },
    recoveryPoint: 5,
  });
  t.equal(reopened.endOffset, 5);
  t.same(reopened.read(0, 1 << 20).records, before);
});

t.test('aborted transaction index append and read', async (t) => {
  const { log, fs, clock, dirState } = openLog(undefined, { segmentBytes: 1000 });
  for (let i = 0; i < 6; i++) log.append(batchOfSize(400), { leaderEpoch: 0 });
  log.appendAbortedTxn({ producerId: 5n, firstOffset: 1, lastOffset: 2, lastStableOffset: 1 });
  log.appendAbortedTxn({ producerId: 6n, firstOffset: 3, lastOffset: 4, lastStableOffset: 3 });
  t.same(
    log.abortedTxns(0, 6).map((e) => e.producerId),
    [5n, 6n],
  );
  t.same(
    log.abortedTxns(3, 6).map((e) => e.producerId),
    [6n],
  );
  log.close();
  const reopened = PartitionLog.open({
    fs,
    dir: '/data/t-0',
    topic: 't',
    partition: 0,
    config: DEFAULT_LOG_CONFIG,
    clock,
    dirState,
    cleanShutdown: true,
  });
  t.same(
    reopened.abortedTxns(0, 6).map((e) => e.lastOffset),
    [2, 4],
  );
  reopened.truncateTo(3);
  t.same(
    reopened.abortedTxns(0, 6).map((e) => e.lastOffset),
    [2],
  );
});
