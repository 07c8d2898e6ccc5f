import t from 'tap';
import { crc32c } from '@node-rs/crc32';
import {
  ATTRIBUTES_OFFSET,
  CRC_OFFSET,
  MAX_TIMESTAMP_OFFSET,
  PARTITION_LEADER_EPOCH_OFFSET,
} from '../protocol/records/batch-header.js';
import { AppendScan, type AppendScanParams } from './append-scan.js';
import { baseOffsetOf, readInt64Number } from './batch-scan.js';
import { CorruptRecordError, InvalidOffsetError, RecordBatchTooLargeError } from './errors.js';
import { buildBatch } from './test-support.js';

function params(overrides: Partial<AppendScanParams> = {}): AppendScanParams {
  return {
    logEnd: 0,
    replication: false,
    leaderEpoch: 3,
    logAppendTime: false,
    now: 5_000,
    crcVerified: false,
    segmentBytes: 1 << 20,
    latestEpoch: -1,
    ...overrides,
  };
}

const records = (n: number, timestamp: number) =>
  Array.from({ length: n }, (_, i) => ({ value: `v${i}`, timestamp: timestamp + i }));

t.test('a leader append patches offsets and epochs in place and tables every batch', async (t) => {
  const first = buildBatch(records(3, 100));
  const second = buildBatch(records(2, 200));
  const data = Buffer.concat([first, second]);
  const scan = new AppendScan();
  scan.run(data, params({ logEnd: 40 }));
  t.equal(scan.count, 2);
  t.equal(scan.next, 45);
  t.equal(scan.recordCount, 5);
  t.equal(scan.maxTimestamp, 201);
  t.same([scan.at(0), scan.size(0), scan.lastOffset(0), scan.batchMaxTimestamp(0)], [0, first.length, 42, 102]);
  t.same(
    [scan.at(1), scan.size(1), scan.lastOffset(1), scan.batchMaxTimestamp(1)],
    [first.length, second.length, 44, 201],
  );
  t.equal(baseOffsetOf(data, 0), 40);
  t.equal(baseOffsetOf(data, first.length), 43);
  t.equal(data.readInt32BE(first.length + PARTITION_LEADER_EPOCH_OFFSET), 3);
  t.same(scan.newEpochs.slice(0, scan.newEpochCount * 2), [3, 40], 'one new epoch, at the first offset');
  scan.run(buildBatch(records(1, 1)), params({ logEnd: 45, latestEpoch: 3 }));
  t.equal(scan.newEpochCount, 0, 'the table and epochs are reset per run');
  t.equal(scan.count, 1);
});

t.test('many batches grow the table', async (t) => {
  const data = Buffer.concat(Array.from({ length: 50 }, (_, i) => buildBatch(records(1, i))));
  const scan = new AppendScan();
  scan.run(data, params());
  t.equal(scan.count, 50);
  t.equal(scan.lastOffset(49), 49);
  t.equal(scan.at(49) + scan.size(49), data.length);
});

t.test('replication keeps offsets and epochs, refuses going below the log end', async (t) => {
  const data = Buffer.concat([
    buildBatch(records(2, 1), { baseOffset: 10, partitionLeaderEpoch: 4 }),
    buildBatch(records(2, 1), { baseOffset: 14, partitionLeaderEpoch: 6 }),
  ]);
  const scan = new AppendScan();
  scan.run(data, params({ logEnd: 10, replication: true, latestEpoch: 4 }));
  t.equal(scan.next, 16);
  t.same(scan.newEpochs.slice(0, scan.newEpochCount * 2), [6, 14]);
  t.throws(() => scan.run(data, params({ logEnd: 11, replication: true })), InvalidOffsetError);
});

t.test('bad batches are refused: CRC, length, size limit, empty', async (t) => {
  const scan = new AppendScan();
  const bad = buildBatch(records(2, 1));
  bad[bad.length - 1]! ^= 0xff;
  t.throws(() => scan.run(bad, params()), CorruptRecordError, 'the CRC-32C is checked');
  t.doesNotThrow(() => scan.run(Buffer.from(bad), params({ crcVerified: true })), 'unless the caller checked it');
  t.throws(
    () => scan.run(bad.subarray(0, bad.length - 1), params({ crcVerified: true })),
    CorruptRecordError,
    'a cut batch',
  );
  const wrongMagic = buildBatch(records(1, 1));
  wrongMagic[16] = 1;
  t.throws(() => scan.run(wrongMagic, params({ crcVerified: true })), CorruptRecordError);
  t.throws(() => scan.run(buildBatch(records(3, 1)), params({ segmentBytes: 50 })), RecordBatchTooLargeError);
  t.throws(() => scan.run(Buffer.alloc(0), params()), CorruptRecordError);
});

t.test('LogAppendTime sets the timestamp type, the max timestamp and a valid CRC', async (t) => {
  const data = buildBatch(records(2, 1));
  new AppendScan().run(data, params({ logAppendTime: true, now: 1_700_000_000_123 }));
  t.equal(data.readInt16BE(ATTRIBUTES_OFFSET) & 0x08, 0x08);
  t.equal(readInt64Number(data, MAX_TIMESTAMP_OFFSET), 1_700_000_000_123);
  t.equal(data.readUInt32BE(CRC_OFFSET), crc32c(data.subarray(ATTRIBUTES_OFFSET)) >>> 0);
});
