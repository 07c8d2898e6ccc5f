import t from 'tap';
import { buildRecordBatch } from './batch-encode.js';
import { decodeRecordBatch, decodeRecordBatches } from './batch-decode.js';
import { validateRecordBatches } from './validate.js';
import { buildLegacyMessageSet } from './legacy-encode.js';
import { decodeLegacyMessageSet } from './legacy-decode.js';
import { convertLegacyMessageSet, downConvertBatches } from './convert.js';
import { buildTxnMarkerBatch } from './control.js';
import { TimestampType } from './batch-header.js';
import { RecordsEncodeError } from './errors.js';

const messages = [
  { key: Buffer.from('k0'), value: Buffer.from('v0'), timestamp: 100n },
  { key: null, value: Buffer.from('v1'), timestamp: 90n },
  { key: Buffer.from('k2'), value: null, timestamp: 120n },
];

t.test('legacy sets from old producers become one v2 batch', async (t) => {
  for (const magic of [0, 1] as const) {
    for (const compression of [0, 1, 2, 3]) {
      const set = buildLegacyMessageSet({ magic, messages, compression });
      const batchBytes = convertLegacyMessageSet(set, { compression: 1 });
      const [summary] = validateRecordBatches(batchBytes);
      t.equal(summary!.recordCount, 3, `magic ${magic} codec ${compression}`);
      t.equal(summary!.producerId, -1n);
      const batch = decodeRecordBatch(batchBytes);
      t.equal(batch.compression, 1);
      t.same(
        batch.records.map((r) => r.value?.toString() ?? null),
        ['v0', 'v1', null],
      );
      t.same(
        batch.records.map((r) => r.key?.toString() ?? null),
        ['k0', null, 'k2'],
      );
      t.same(
        batch.records.map((r) => r.timestamp),
        magic === 0 ? [-1n, -1n, -1n] : [100n, 90n, 120n],
      );
      t.equal(batch.maxTimestamp, magic === 0 ? -1n : 120n);
    }
  }
});

t.test('up-conversion with log append time stamps the batch', async (t) => {
  const set = buildLegacyMessageSet({ magic: 1, messages });
  const batch = decodeRecordBatch(
    convertLegacyMessageSet(set, { timestampType: TimestampType.LOG_APPEND_TIME, logAppendTime: 5000n }),
  );
  t.equal(batch.timestampType, TimestampType.LOG_APPEND_TIME);
  t.equal(batch.maxTimestamp, 5000n);
  t.same(
    batch.records.map((r) => r.timestamp),
    [5000n, 5000n, 5000n],
  );
});

t.test('v2 batches down-convert to magic 0 and 1, dropping control batches', async (t) => {
  for (const compression of [0, 1, 2, 3]) {
    const first = buildRecordBatch({ baseOffset: 10n, compression, records: messages });
    const marker = buildTxnMarkerBatch({
      producerId: 1n,
      producerEpoch: 0,
      coordinatorEpoch: 2,
      commit: true,
      baseOffset: 13n,
      timestamp: 1n,
    });
    const gap = buildRecordBatch({
      baseOffset: 14n,
      compression,
      records: [
        { value: Buffer.from('a'), timestamp: 200n, offsetDelta: 0 },
        { value: Buffer.from('b'), timestamp: 201n, offsetDelta: 3 },
      ],
    });
    const input = Buffer.concat([first, marker, gap]);
    for (const magic of [0, 1] as const) {
      const legacy = downConvertBatches(input, magic);
      const decoded = decodeLegacyMessageSet(legacy);
      const label = `codec ${compression} magic ${magic}`;
      t.same(
        decoded.map((m) => m.offset),
        [10n, 11n, 12n, 14n, 17n],
        label,
      );
      t.same(
        decoded.map((m) => m.value?.toString() ?? null),
        ['v0', 'v1', null, 'a', 'b'],
        label,
      );
      t.same(
        decoded.map((m) => m.magic),
        [magic, magic, magic, magic, magic],
      );
      t.same(
        decoded.map((m) => m.timestamp),
        magic === 0 ? [-1n, -1n, -1n, -1n, -1n] : [100n, 90n, 120n, 200n, 201n],
        label,
      );
    }
  }
});

t.test('down-conversion tolerates a trailing partial batch and refuses zstd', async (t) => {
  const batch = buildRecordBatch({ records: messages });
  const partial = Buffer.concat([batch, batch.subarray(0, 30)]);
  t.equal(decodeLegacyMessageSet(downConvertBatches(partial, 1)).length, 3);
  const zstd = buildRecordBatch({ records: messages, compression: 4 });
  t.throws(() => downConvertBatches(zstd, 1), RecordsEncodeError);
  t.equal(decodeRecordBatches(zstd)[0]!.records.length, 3);
  // Batches before the first zstd one are converted, the rest left for the next fetch.
  const mixed = Buffer.concat([batch, zstd, batch]);
  t.equal(decodeLegacyMessageSet(downConvertBatches(mixed, 1)).length, 3);
});
