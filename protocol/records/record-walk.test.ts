import t from 'tap';
import fc from 'fast-check';
import { compress, gzipCompress, zstdCompress } from './compression/index.js';
import { buildRecordBatch, encodeRecords } from './batch-encode.js';
import { decodeRecordBatch } from './batch-decode.js';
import { CompressionCodec } from './compression/index.js';
import { CORRUPT_MESSAGE, INVALID_RECORD, RecordsError } from './errors.js';
import { TimestampType } from './batch-header.js';
import { validateRecordBatch } from './validate.js';
import { walkBatchRecords, type RecordRules } from './record-walk.js';
import { catchRecordsError, reframeBatch } from './test-helpers.js';
import type { RecordInput } from './record.js';

const OPEN: RecordRules = {
  requireKey: false,
  createTime: true,
  minTimestamp: -9e18,
  maxTimestamp: 9e18,
  partitionName: 't-0',
};
const BOUND = { maxDecompressedBytes: 1024 * 1024 };

function walk(batch: Buffer, rules: RecordRules = OPEN, options = BOUND) {
  return walkBatchRecords(batch, validateRecordBatch(batch, 0), rules, options);
}

function refusal(batch: Buffer, rules: RecordRules = OPEN, options = BOUND): RecordsError {
  const error = catchRecordsError(() => walk(batch, rules, options));
  if (!(error instanceof RecordsError)) throw new Error(`expected a RecordsError, got ${String(error)}`);
  return error;
}

/** One hand-made record: attributes 0, deltas 0, null key, value "abc", no headers (length 9). */
const ABC_RECORD = Buffer.from([0x12, 0x00, 0x00, 0x00, 0x01, 0x06, 0x61, 0x62, 0x63, 0x00]);
const CODECS = [
  CompressionCodec.NONE,
  CompressionCodec.GZIP,
  CompressionCodec.SNAPPY,
  CompressionCodec.LZ4,
  CompressionCodec.ZSTD,
];
const sample = (n: number): RecordInput[] =>
  Array.from({ length: n }, (_, i) => ({
    key: Buffer.from(`k${i}`),
    value: Buffer.from(`v${i}`),
    headers: [{ key: 'h', value: Buffer.from('x') }],
    timestamp: 1000n + BigInt(i),
  }));
/** A one-record batch to reframe around hand-made payloads. */
const TEMPLATE = buildRecordBatch({ records: [{ value: Buffer.from('abc'), timestamp: 0n }] });

t.test('valid batches of every codec walk clean', async (t) => {
  for (const compression of CODECS) {
    const result = walk(buildRecordBatch({ records: sample(5), compression }));
    t.equal(result.ruleErrors, null, `codec ${compression}`);
    t.equal(result.offsetDeltasInOrder, true);
  }
  t.equal(walk(reframeBatch(TEMPLATE, ABC_RECORD)).ruleErrors, null, 'the hand-made record is valid');
});

t.test('records whose structure lies are INVALID_RECORD, naming the record', async (t) => {
  const lyingLength = Buffer.from(ABC_RECORD);
  lyingLength[0] = 0x7e; // 63 bytes declared, 9 there
  let e = refusal(reframeBatch(TEMPLATE, lyingLength));
  t.equal(e.errorCode, INVALID_RECORD);
  t.match(e.message, /Invalid record size: expected 63 bytes in record payload/);
  t.equal(e.recordIndex, 0);

  const shortLength = Buffer.concat([Buffer.from([0x10]), ABC_RECORD.subarray(1)]); // declares 8 of 9 bytes
  e = refusal(reframeBatch(TEMPLATE, shortLength));
  t.equal(e.errorCode, INVALID_RECORD, 'a field runs past the declared length');

  const longLength = Buffer.concat([Buffer.from([0x14]), ABC_RECORD.subarray(1), Buffer.from([0])]); // 10 declared, 9 read
  e = refusal(reframeBatch(TEMPLATE, longLength));
  t.match(e.message, /expected to read 10 bytes in record payload, but instead read 9/);

  e = refusal(reframeBatch(TEMPLATE, Buffer.from([0x80])));
  t.equal(e.errorCode, INVALID_RECORD, 'truncated length varint');
  t.match(e.message, /premature EOF/);

  const badVarint = Buffer.from([0x14, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
  e = refusal(reframeBatch(TEMPLATE, badVarint));
  t.equal(e.errorCode, INVALID_RECORD, 'an endless varlong');

  const negativeHeaders = Buffer.from(ABC_RECORD);
  negativeHeaders[9] = 0x03; // -2 headers
  t.match(refusal(reframeBatch(TEMPLATE, negativeHeaders)).message, /invalid number of record headers -2/);

  const hugeHeaders = Buffer.from(ABC_RECORD);
  hugeHeaders[9] = 0x20; // 16 headers in 0 bytes
  t.match(refusal(reframeBatch(TEMPLATE, hugeHeaders)).message, /larger than the remaining size/);

  const nullHeaderKey = Buffer.from([0x16, 0x00, 0x00, 0x00, 0x01, 0x06, 0x61, 0x62, 0x63, 0x02, 0x01, 0x01]);
  t.match(refusal(reframeBatch(TEMPLATE, nullHeaderKey)).message, /negative header key size -1/);
});

t.test('the record count must match the records present', async (t) => {
  const two = buildRecordBatch({ records: sample(2) });
  const body = encodeRecords(sample(2), 1000n);
  const oneRecord = body.subarray(0, 1 + (body[0]! >> 1));
  let e = refusal(reframeBatch(two, oneRecord));
  t.equal(e.errorCode, INVALID_RECORD);
  t.match(e.message, /premature EOF/);
  t.equal(e.recordIndex, 1, 'the missing record is named');
  e = refusal(reframeBatch(two, Buffer.concat([body, Buffer.from([0x00])])));
  t.match(e.message, /records still remaining/, 'a trailing byte');
  e = refusal(reframeBatch(two, Buffer.concat([body, body])));
  t.match(e.message, /records still remaining/, 'more records than the count');
});

t.test('garbage compressed payloads are CORRUPT_MESSAGE; a decompressed lie is INVALID_RECORD', async (t) => {
  const garbage = Buffer.from('this is not a compressed payload at all, just bytes'.repeat(3));
  for (const codec of CODECS.slice(1)) {
    const e = refusal(reframeBatch(TEMPLATE, garbage, codec));
    t.equal(e.errorCode, CORRUPT_MESSAGE, `codec ${codec}: ${e.message}`);
  }
  const lying = Buffer.from(ABC_RECORD);
  lying[0] = 0x7e;
  const e = refusal(reframeBatch(TEMPLATE, gzipCompress(lying), CompressionCodec.GZIP));
  t.equal(e.errorCode, INVALID_RECORD, 'valid gzip of a lying record');
});

t.test('a decompression bomb stops at the bound', async (t) => {
  const zeros = Buffer.alloc(32 * 1024 * 1024);
  const bomb = reframeBatch(TEMPLATE, zstdCompress(zeros), CompressionCodec.ZSTD);
  t.ok(bomb.length < 64 * 1024, `a ${bomb.length}-byte batch`);
  const before = process.memoryUsage().arrayBuffers;
  const e = refusal(bomb);
  t.equal(e.check, 'decompressed-size');
  t.equal(e.errorCode, CORRUPT_MESSAGE);
  t.ok(process.memoryUsage().arrayBuffers - before < 8 * 1024 * 1024, 'no more than a few MiB were allocated');
  const gzBomb = reframeBatch(TEMPLATE, gzipCompress(zeros), CompressionCodec.GZIP);
  t.equal(refusal(gzBomb).check, 'decompressed-size', 'gzip too');
});

t.test('rules: keys on compacted topics, the CreateTime window, LogAppendTime from clients', async (t) => {
  const mixed = buildRecordBatch({
    records: [
      { key: Buffer.from('a'), value: Buffer.from('1'), timestamp: 1000n },
      { key: null, value: Buffer.from('2'), timestamp: 1000n },
      { key: Buffer.alloc(0), value: null, timestamp: 5000n },
    ],
    compression: CompressionCodec.LZ4,
  });
  const compacted = walk(mixed, { ...OPEN, requireKey: true });
  t.same(
    compacted.ruleErrors,
    [
      {
        batchIndex: 1,
        invalidTimestamp: false,
        message: 'Compacted topic cannot accept message without key in topic partition t-0.',
      },
    ],
    'only the null key; an empty key is a key',
  );
  const window = walk(mixed, { ...OPEN, minTimestamp: 0, maxTimestamp: 2000 });
  t.same(
    window.ruleErrors?.map((e) => [e.batchIndex, e.invalidTimestamp]),
    [[2, true]],
  );
  t.match(
    window.ruleErrors?.[0]?.message,
    /Timestamp 5000 of message with offset 2 is out of range. The timestamp should be within \[0, 2000\]/,
  );
  const noTimestamp = buildRecordBatch({ records: [{ value: Buffer.from('x'), timestamp: -1n }] });
  t.equal(
    walk(noTimestamp, { ...OPEN, minTimestamp: 0, maxTimestamp: 1 }).ruleErrors,
    null,
    'NO_TIMESTAMP is not checked',
  );
  const lat = buildRecordBatch({
    records: [{ value: Buffer.from('x'), timestamp: 5n }],
    timestampType: TimestampType.LOG_APPEND_TIME,
  });
  t.match(
    walk(lat, { ...OPEN, createTime: false }).ruleErrors?.[0]?.message,
    /should not set timestamp type to LogAppendTime/,
  );
  const outOfOrder = buildRecordBatch({
    records: [
      { value: Buffer.from('a'), offsetDelta: 1 },
      { value: Buffer.from('b'), offsetDelta: 0 },
    ],
    lastOffsetDelta: 1,
  });
  t.equal(walk(outOfOrder).offsetDeltasInOrder, false, 'offset deltas out of order are reported');
});

const recordArb: fc.Arbitrary<RecordInput> = fc.record({
  key: fc.option(
    fc.uint8Array({ maxLength: 16 }).map((a) => Buffer.from(a)),
    { nil: null },
  ),
  value: fc.option(
    fc.uint8Array({ maxLength: 32 }).map((a) => Buffer.from(a)),
    { nil: null },
  ),
  headers: fc.array(fc.record({ key: fc.string({ maxLength: 6 }), value: fc.constant(Buffer.from('v')) }), {
    maxLength: 2,
  }),
  timestamp: fc.bigInt({ min: 0n, max: 2n ** 41n }),
});

/** A corruption of an uncompressed records section: flip, truncate, insert or overwrite varint bytes. */
const corruptionArb = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bits: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 6 }),
  }),
  fc.record({ kind: fc.constant('varint' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 11 }) }),
);
type Corruption = typeof corruptionArb extends fc.Arbitrary<infer C> ? C : never;

function corrupt(body: Buffer, c: Corruption): Buffer {
  const at = body.length === 0 ? 0 : c.at % body.length;
  const out = Buffer.from(body);
  switch (c.kind) {
    case 'flip':
      if (out.length > 0) out[at]! ^= c.bits;
      return out;
    case 'truncate':
      return out.subarray(0, at);
    case 'insert':
      return Buffer.concat([out.subarray(0, at), Buffer.from(c.bytes), out.subarray(at)]);
    case 'varint':
      return Buffer.concat([out.subarray(0, at), Buffer.alloc(c.length, 0xff), out.subarray(at)]);
  }
}

t.test('property: a corrupt records section is refused, or decodes fully as the consumers will read it', async (t) => {
  let refused = 0;
  let accepted = 0;
  fc.assert(
    fc.property(
      fc.array(recordArb, { minLength: 1, maxLength: 6 }),
      corruptionArb,
      fc.constantFrom(...CODECS),
      (records, corruption, codec) => {
        const batch = buildRecordBatch({ records });
        const body = corrupt(encodeRecords(records, records[0]!.timestamp!), corruption);
        const payload = compress(codec, body);
        const framed = reframeBatch(batch, payload, codec);
        const error = catchRecordsError(() => walk(framed));
        if (error === null) {
          accepted++;
          const decoded = decodeRecordBatch(framed, 0);
          return decoded.records.length === records.length;
        }
        refused++;
        return (
          error instanceof RecordsError && (error.errorCode === INVALID_RECORD || error.errorCode === CORRUPT_MESSAGE)
        );
      },
    ),
    { numRuns: 400 },
  );
  t.ok(refused > 100, `${refused} refused, ${accepted} accepted (accepted ones decode whole)`);
});

t.test('property: garbage compressed payloads and bombs never pass and never exceed the bound', async (t) => {
  fc.assert(
    fc.property(
      fc.constantFrom(...CODECS.slice(1)),
      fc.uint8Array({ minLength: 0, maxLength: 200 }),
      (codec, bytes) => {
        const error = catchRecordsError(() => walk(reframeBatch(TEMPLATE, Buffer.from(bytes), codec)));
        return error instanceof RecordsError;
      },
    ),
    { numRuns: 300 },
  );
  fc.assert(
    fc.property(fc.constantFrom(...CODECS.slice(1)), fc.integer({ min: 2, max: 8 }), (codec, mib) => {
      const bomb = reframeBatch(TEMPLATE, compress(codec, Buffer.alloc(mib * 1024 * 1024, 7)), codec);
      const error = catchRecordsError(() => walk(bomb));
      return error instanceof RecordsError && error.check === 'decompressed-size';
    }),
    { numRuns: 12 },
  );
  t.pass('all refused');
});
