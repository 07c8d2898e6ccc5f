import t from 'tap';
import { DEFAULT_LOG_CONFIG, type LogConfig } from './config.js';
import { PartitionLog } from './log.js';
import { MemoryFileSystem } from './memory-fs.js';
import { forEachRecord } from './records.js';
import { ManualClock, buildBatch, splitBatches } from './test-support.js';
import { buildRecordBatch, buildTxnMarkerBatch } from '../protocol/records/index.js';

function contents(log: PartitionLog): [number, string | null, string | null][] {
  const out: [number, string | null, string | null][] = [];
  let offset = log.startOffset;
  while (offset < log.endOffset) {
    const data = log.read(offset, 1 << 20).records;
    if (data.length === 0) break;
    for (const batch of splitBatches(data)) {
      offset = batch.lastOffset + 1;
      if ((batch.bytes.readInt16BE(21) & 7) !== 0) continue;
      forEachRecord(batch.bytes, (r) => {
        out.push([batch.baseOffset + r.offsetDelta, r.key?.toString() ?? null, r.valueIsNull ? null : 'v']);
      });
    }
  }
  return out;
}

t.test('compaction keeps the newest value per key and offsets, never touches the active segment', async (t) => {
  const fs = new MemoryFileSystem();
  const clock = new ManualClock(1_000_000);
  const config: LogConfig = {
    ...DEFAULT_LOG_CONFIG,
    segmentBytes: 300,
    cleanupPolicyCompact: true,
    cleanupPolicyDelete: false,
    deleteRetentionMs: 1000,
  };
  const log = PartitionLog.open({
    fs,
    dir: '/d/c-0',
    topic: 'c',
    partition: 0,
    config,
    clock,
    dirState: { path: '/d', offline: false },
  });
  const keys = ['a', 'b', 'a', 'c', 'b', 'a', 'd', 'c'];
  for (const key of keys)
    log.append(
      buildBatch([
        { key, value: `${key}!`, timestamp: clock.now() },
        { key: `${key}2`, value: 'x', timestamp: clock.now() },
      ]),
      { leaderEpoch: 0 },
    );
  log.append(buildBatch([{ key: 'd', value: null, timestamp: clock.now() }]), { leaderEpoch: 0 });
  log.append(buildBatch([{ key: 'a', value: 'last', timestamp: clock.now() }]), { leaderEpoch: 0 });
  const segmentsBefore = log.segmentCount;
  t.ok(segmentsBefore > 3);
  const activeBefore = log.read(17, 1 << 20).records.length;
  const removed = log.compact(clock.now());
  t.ok(removed > 0);
  const after = contents(log);
  const liveKeys = after.filter(([o]) => o < 16).map(([, k]) => k);
  t.same(new Set(liveKeys).size, liveKeys.length, 'one record per key in the cleaned part');
  t.same(
    after.find(([o]) => o === 14),
    [14, 'c', 'v'],
    'newest c kept at its offset',
  );
  t.notOk(
    after.some(([o]) => o === 0),
    'old a removed',
  );
  t.same(
    after.filter(([, k]) => k === 'd'),
    [[16, 'd', null]],
    'older d removed, young tombstone kept',
  );
  t.equal(log.read(17, 1 << 20).records.length, activeBefore, 'active segment untouched');
  t.equal(log.endOffset, 18);
  const batchOffsets = splitBatches(log.read(log.startOffset, 1 << 20).records).map((b) => [
    b.baseOffset,
    b.lastOffset,
  ]);
  t.ok(
    batchOffsets.every(([b, l]) => l! - b! === 1),
    'rewritten batches keep their last offset delta',
  );
  clock.advance(2000);
  log.append(buildBatch([{ key: 'e', value: 'e', timestamp: clock.now() }]), { leaderEpoch: 0 });
  log.roll();
  log.append(buildBatch([{ key: 'f', value: 'f', timestamp: clock.now() }]), { leaderEpoch: 0 });
  log.compact(clock.now());
  t.notOk(
    contents(log).some(([, k]) => k === 'd'),
    'tombstone gone after delete.retention.ms, and the value it shadowed',
  );
  log.close();
  const reopened = PartitionLog.open({
    fs,
    dir: '/d/c-0',
    topic: 'c',
    partition: 0,
    config,
    clock,
    dirState: { path: '/d', offline: false },
  });
  t.same(
    contents(reopened).map(([o]) => o),
    [8, 9, 11, 13, 14, 15, 17, 18, 19],
  );
  t.equal(reopened.endOffset, 20);
});

t.test('compressed batches are kept whole', async (t) => {
  const fs = new MemoryFileSystem();
  const clock = new ManualClock();
  const config: LogConfig = { ...DEFAULT_LOG_CONFIG, segmentBytes: 100, cleanupPolicyCompact: true };
  const log = PartitionLog.open({
    fs,
    dir: '/d/c-0',
    topic: 'c',
    partition: 0,
    config,
    clock,
    dirState: { path: '/d', offline: false },
  });
  const compressed = buildBatch([{ key: 'a', value: '1' }], { codec: 1 });
  log.append(compressed, { leaderEpoch: 0 });
  log.append(buildBatch([{ key: 'a', value: '2' }]), { leaderEpoch: 0 });
  log.append(buildBatch([{ key: 'a', value: '3' }]), { leaderEpoch: 0 });
  log.append(buildBatch([{ key: 'z', value: '3' }]), { leaderEpoch: 0 });
  log.compact();
  t.same(
    contents(log).map(([o]) => o),
    [2, 3],
    'plain a@1 superseded by a@2',
  );
  t.same(
    splitBatches(log.read(0, 1 << 20).records).map((b) => b.baseOffset),
    [0],
    'the compressed batch stays whole',
  );
  t.equal(log.segmentCount, 3, 'the emptied segment is deleted');
});

t.test(
  'transactions: aborted records are removed and never shadow a committed value; undecided ones stay whole',
  async (t) => {
    const fs = new MemoryFileSystem();
    const clock = new ManualClock();
    const config: LogConfig = { ...DEFAULT_LOG_CONFIG, segmentBytes: 1 << 20, cleanupPolicyCompact: true };
    const log = PartitionLog.open({
      fs,
      dir: '/d/t-0',
      topic: 't',
      partition: 0,
      config,
      clock,
      dirState: { path: '/d', offline: false },
    });
    const txn = (producerId: bigint, key: string, value: string) =>
      buildRecordBatch({
        records: [{ key: Buffer.from(key), value: Buffer.from(value), timestamp: 1n }],
        producerId,
        producerEpoch: 0,
        transactional: true,
      });
    const marker = (producerId: bigint, commit: boolean) =>
      buildTxnMarkerBatch({ producerId, producerEpoch: 0, coordinatorEpoch: 0, commit, timestamp: 1n });
    const append = (batch: Buffer) => log.append(batch, { leaderEpoch: 0 });
    append(buildBatch([{ key: 'k', value: 'committed' }])); // 0
    append(txn(5n, 'k', 'aborted')); // 1
    append(marker(5n, false)); // 2
    append(txn(6n, 'j', 'kept')); // 3
    append(marker(6n, true)); // 4
    append(buildBatch([{ key: 'j', value: 'plain-old' }])); // 5: newer than the committed txn record
    append(buildBatch([{ key: 'u', value: 'before' }])); // 6
    append(txn(7n, 'u', 'undecided')); // 7: its marker comes after the cleaned range
    log.roll();
    append(marker(7n, true)); // 8, in the active segment
    log.compact(clock.now());
    const offsets: number[] = [];
    for (let at = log.startOffset; at < log.endOffset;) {
      const batches = splitBatches(log.read(at, 1 << 20).records);
      if (batches.length === 0) break;
      offsets.push(...batches.map((b) => b.baseOffset));
      at = batches[batches.length - 1]!.lastOffset + 1;
    }
    t.ok(offsets.includes(0), 'the committed k survives: the aborted k does not shadow it');
    t.notOk(offsets.includes(1), 'the aborted batch is removed');
    t.ok(offsets.includes(2) && offsets.includes(4) && offsets.includes(8), 'markers are kept');
    t.notOk(offsets.includes(3), 'a committed transactional record is shadowed like any other');
    t.ok(offsets.includes(6) && offsets.includes(7), 'an undecided transaction shadows nothing and stays whole');
  },
);

t.test(
  'min.compaction.lag.ms keeps young records uncompacted; max.compaction.lag.ms rolls the active segment',
  async (t) => {
    const fs = new MemoryFileSystem();
    const clock = new ManualClock(1_000_000);
    const config: LogConfig = {
      ...DEFAULT_LOG_CONFIG,
      cleanupPolicyCompact: true,
      cleanupPolicyDelete: false,
      minCompactionLagMs: 10_000,
      maxCompactionLagMs: 60_000,
    };
    const log = PartitionLog.open({
      fs,
      dir: '/d/lag-0',
      topic: 'lag',
      partition: 0,
      config,
      clock,
      dirState: { path: '/d', offline: false },
    });
    const write = (key: string, value: string): void => {
      log.append(buildBatch([{ key, value, timestamp: clock.now() }]), { leaderEpoch: 0 });
      log.roll();
    };
    write('k', 'old'); // offset 0, at t0
    clock.advance(20_000);
    write('k', 'mid'); // offset 1, at t0 + 20 s
    write('k', 'new'); // offset 2, at t0 + 20 s
    log.append(buildBatch([{ key: 'z', value: 'active', timestamp: clock.now() }]), { leaderEpoch: 0 });
    log.compact(clock.now());
    t.same(
      contents(log).map(([o]) => o),
      [0, 1, 2, 3],
      'nothing removed: offset 0 is old enough but its newer values are younger than the lag and do not shadow it',
    );
    clock.advance(15_000);
    log.compact(clock.now());
    t.same(
      contents(log).map(([o]) => o),
      [2, 3],
      'once every newer value is past the lag, the cleaner keeps only the newest',
    );
    const segments = log.segmentCount;
    clock.advance(60_000);
    log.append(buildBatch([{ key: 'z', value: 'later', timestamp: clock.now() }]), { leaderEpoch: 0 });
    t.equal(log.segmentCount, segments + 1, 'an append after max.compaction.lag.ms rolls the active segment');
    log.close();
  },
);
