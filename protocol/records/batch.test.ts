import t from 'tap';
import fc from 'fast-check';
import { buildRecordBatch, type BuildBatchOptions } from './batch-encode.js';
import { decodeRecordBatch, decodeRecordBatches } from './batch-decode.js';
import { validateRecordBatches } from './validate.js';
import {
  CRC_OFFSET,
  MAGIC_OFFSET,
  RECORD_COUNT_OFFSET,
  LAST_OFFSET_DELTA_OFFSET,
  TimestampType,
  patchBaseOffset,
} from './batch-header.js';
import { computeBatchCrc } from './batch-frame.js';
import { RecordsError } from './errors.js';
import { throwsRecordsError, catchRecordsError } from './test-helpers.js';
import type { RecordInput } from './record.js';

const bytes = fc.option(
  fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a)),
  { nil: null },
);
const recordArb: fc.Arbitrary<RecordInput> = fc.record({
  key: bytes,
  value: bytes,
  headers: fc.array(fc.record({ key: fc.string({ maxLength: 10 }), value: bytes }), { maxLength: 3 }),
  timestamp: fc.bigInt({ min: -1n, max: 2n ** 45n }),
});
const batchArb = fc.record({
  records: fc.array(recordArb, { minLength: 1, maxLength: 12 }),
  compression: fc.integer({ min: 0, max: 4 }),
  producerId: fc.bigInt({ min: -1n, max: 2n ** 62n }),
  producerEpoch: fc.integer({ min: -1, max: 32767 }),
  baseSequence: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  transactional: fc.boolean(),
  partitionLeaderEpoch: fc.integer({ min: -1, max: 2 ** 31 - 1 }),
  baseOffset: fc.bigInt({ min: 0n, max: 2n ** 62n }),
});

function rebuildCrc(batch: Buffer): void {
  batch.writeUInt32BE(computeBatchCrc(batch, 0, batch.length), CRC_OFFSET);
}

t.test('property: build then decode gives back every field and record', async (t) => {
  fc.assert(
    fc.property(batchArb, (options) => {
      const batch = buildRecordBatch(options);
      const decoded = decodeRecordBatch(batch);
      const base = options.records[0]!.timestamp!;
      const max = options.records.reduce((m, r) => (r.timestamp! > m ? r.timestamp! : m), -1n);
      const ok =
        decoded.sizeInBytes === batch.length &&
        decoded.baseOffset === options.baseOffset &&
        decoded.compression === options.compression &&
        decoded.producerId === options.producerId &&
        decoded.producerEpoch === options.producerEpoch &&
        decoded.baseSequence === options.baseSequence &&
        decoded.transactional === options.transactional &&
        decoded.partitionLeaderEpoch === options.partitionLeaderEpoch &&
        decoded.baseTimestamp === base &&
        decoded.maxTimestamp === max &&
        decoded.recordCount === options.records.length &&
        decoded.lastOffsetDelta === options.records.length - 1;
      if (!ok) return false;
      return decoded.records.every((r, i) => {
        const input = options.records[i]!;
        return (
          r.offset === options.baseOffset + BigInt(i) &&
          r.timestamp === input.timestamp &&
          JSON.stringify(r.key) === JSON.stringify(input.key) &&
          JSON.stringify(r.value) === JSON.stringify(input.value) &&
          JSON.stringify(r.headers) === JSON.stringify(input.headers)
        );
      });
    }),
    { numRuns: 150 },
  );
  t.pass('property held');
});

t.test('property: validation summarises what decode sees, over concatenated batches', async (t) => {
  fc.assert(
    fc.property(fc.array(batchArb, { minLength: 1, maxLength: 4 }), (list) => {
      const batches = list.map((o) => buildRecordBatch(o));
      const buffer = Buffer.concat(batches);
      const summaries = validateRecordBatches(buffer);
      const decoded = decodeRecordBatches(buffer);
      let position = 0;
      return summaries.every((s, i) => {
        const same =
          s.position === position &&
          s.sizeInBytes === batches[i]!.length &&
          s.recordCount === decoded[i]!.records.length &&
          s.maxTimestamp === decoded[i]!.maxTimestamp &&
          s.producerId === list[i]!.producerId &&
          s.compression === list[i]!.compression;
        position += s.sizeInBytes;
        return same;
      });
    }),
    { numRuns: 60 },
  );
  t.pass('property held');
});

t.test('property: every strict prefix raises truncated, never a RangeError', async (t) => {
  fc.assert(
    fc.property(batchArb, (options) => {
      const batch = buildRecordBatch(options);
      for (let cut = 1; cut < batch.length; cut += Math.max(1, Math.floor(batch.length / 40))) {
        const prefix = batch.subarray(0, cut);
        for (const run of [() => validateRecordBatches(prefix), () => decodeRecordBatches(prefix)]) {
          const error = catchRecordsError(run);
          if (!(error instanceof RecordsError) || (error.check !== 'truncated' && error.check !== 'size')) return false;
        }
      }
      return true;
    }),
    { numRuns: 60 },
  );
  t.pass('property held');
});

t.test('property: any corruption of a batch raises a RecordsError or decodes, never crashes', async (t) => {
  fc.assert(
    fc.property(
      batchArb,
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }),
      (options, flips) => {
        const batch = Buffer.from(buildRecordBatch(options));
        for (const [where, value] of flips) batch[where % batch.length] = value;
        for (const verifyCrc of [true, false]) {
          if (verifyCrc === false) rebuildCrc(batch);
          const error = catchRecordsError(() =>
            decodeRecordBatches(batch, { verifyCrc, maxDecompressedBytes: 1 << 20 }),
          );
          if (error !== null && !(error instanceof RecordsError)) throw error;
          const validateError = catchRecordsError(() => validateRecordBatches(batch, { verifyCrc }));
          if (validateError !== null && !(validateError instanceof RecordsError)) throw validateError;
        }
        return true;
      },
    ),
    { numRuns: 300 },
  );
  t.pass('property held');
});

const plain = (): Buffer =>
  buildRecordBatch({
    records: [
      { key: Buffer.from('k'), value: Buffer.from('v'), timestamp: 1000n },
      { key: null, value: Buffer.from('w'), timestamp: 1005n, headers: [{ key: 'h', value: null }] },
    ],
    producerId: 7n,
    producerEpoch: 1,
    baseSequence: 0,
  });

t.test('a flipped bit fails the CRC with CORRUPT_MESSAGE', async (t) => {
  const batch = plain();
  batch[batch.length - 1]! ^= 1;
  throwsRecordsError(t, () => validateRecordBatches(batch), 'crc');
  throwsRecordsError(t, () => decodeRecordBatch(batch), 'crc');
  const error = catchRecordsError(() => validateRecordBatches(batch)) as RecordsError;
  t.equal(error.errorCode, 2);
  t.equal(error.position, 0);
});

t.test('base offset and leader epoch are outside the CRC', async (t) => {
  const batch = plain();
  patchBaseOffset(batch, 0, 12345n);
  t.equal(validateRecordBatches(batch)[0]!.baseOffset, 12345n);
  t.equal(decodeRecordBatch(batch).records[1]!.offset, 12346n);
});

t.test('bad magic, short length, oversize and trailing garbage are named', async (t) => {
  const magic = plain();
  magic[MAGIC_OFFSET] = 1;
  throwsRecordsError(t, () => validateRecordBatches(magic), 'magic');
  const short = plain();
  short.writeInt32BE(10, 8);
  throwsRecordsError(t, () => validateRecordBatches(short), 'size');
  throwsRecordsError(t, () => validateRecordBatches(plain(), { maxBatchSize: 20 }), 'too-large');
  const second = Buffer.concat([plain(), Buffer.from([1, 2, 3])]);
  const error = catchRecordsError(() => validateRecordBatches(second)) as RecordsError;
  t.equal(error.check, 'truncated');
  t.equal(error.position, plain().length);
  t.equal(decodeRecordBatches(second, { allowPartialTrailing: true }).length, 1);
});

t.test('client rules: count vs last offset delta, control batches, sequence', async (t) => {
  const mismatch = plain();
  mismatch.writeInt32BE(5, LAST_OFFSET_DELTA_OFFSET);
  rebuildCrc(mismatch);
  throwsRecordsError(t, () => validateRecordBatches(mismatch), 'record-count');
  t.equal((catchRecordsError(() => validateRecordBatches(mismatch)) as RecordsError).errorCode, 87);
  t.equal(validateRecordBatches(mismatch, { origin: 'replication' }).length, 1);
  const zero = buildRecordBatch({ records: [], lastOffsetDelta: -1 });
  throwsRecordsError(t, () => validateRecordBatches(zero), 'record-count');
  const control = buildRecordBatch({ records: [{ value: Buffer.from('x') }], control: true });
  throwsRecordsError(t, () => validateRecordBatches(control), 'not-allowed');
  const noSequence = buildRecordBatch({ records: [{ value: Buffer.from('x') }], producerId: 5n, producerEpoch: 0 });
  throwsRecordsError(t, () => validateRecordBatches(noSequence), 'producer');
});

t.test('decode checks the declared record count against the records present', async (t) => {
  const more = plain();
  more.writeInt32BE(3, RECORD_COUNT_OFFSET);
  rebuildCrc(more);
  throwsRecordsError(t, () => decodeRecordBatch(more), 'record-count');
  const fewer = plain();
  fewer.writeInt32BE(1, RECORD_COUNT_OFFSET);
  rebuildCrc(fewer);
  throwsRecordsError(t, () => decodeRecordBatch(fewer), 'record-count');
  const hostile = plain();
  hostile.writeInt32BE(0x7fffffff, RECORD_COUNT_OFFSET);
  rebuildCrc(hostile);
  throwsRecordsError(t, () => decodeRecordBatch(hostile), 'record-count');
  const unknownCodec = plain();
  unknownCodec.writeInt16BE(6, 21);
  rebuildCrc(unknownCodec);
  throwsRecordsError(t, () => validateRecordBatches(unknownCodec), 'codec');
  throwsRecordsError(t, () => decodeRecordBatch(unknownCodec), 'codec');
});

t.test('log-append-time batches give every record the max timestamp', async (t) => {
  const options: BuildBatchOptions = {
    records: [
      { value: Buffer.from('a'), timestamp: 10n },
      { value: Buffer.from('b'), timestamp: 20n },
    ],
    timestampType: TimestampType.LOG_APPEND_TIME,
    maxTimestamp: 99n,
  };
  const decoded = decodeRecordBatch(buildRecordBatch(options));
  t.equal(decoded.timestampType, TimestampType.LOG_APPEND_TIME);
  t.same(
    decoded.records.map((r) => r.timestamp),
    [99n, 99n],
  );
});

t.test('delete horizon sets the flag and the base timestamp', async (t) => {
  const decoded = decodeRecordBatch(
    buildRecordBatch({ records: [{ value: null, timestamp: 50n }], deleteHorizon: 40n }),
  );
  t.equal(decoded.deleteHorizon, true);
  t.equal(decoded.baseTimestamp, 40n);
  t.equal(decoded.records[0]!.timestamp, 50n);
});

t.test('a compressed bomb inside a batch is stopped by the cap', async (t) => {
  const batch = buildRecordBatch({ records: [{ value: Buffer.alloc(2_000_000) }], compression: 1 });
  t.ok(batch.length < 10_000);
  t.equal(validateRecordBatches(batch).length, 1, 'validation does not decompress');
  throwsRecordsError(t, () => decodeRecordBatch(batch, 0, { maxDecompressedBytes: 1_000_000 }), 'decompressed-size');
  t.equal(decodeRecordBatch(batch).records[0]!.value!.length, 2_000_000);
});
