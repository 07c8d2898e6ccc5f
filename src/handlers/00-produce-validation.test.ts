import t from 'tap';
import fc from 'fast-check';
import { brokerFor } from '../../test/helpers/broker.js';
import { rawClient } from '../../test/helpers/raw-client.js';
import { createTopic } from '../../test/helpers/topics.js';
import { batchOf, fetchOne, produce, produceRequest } from '../../test/helpers/data-path.js';
import { corruptBatches } from '../../test/helpers/corrupt-batches.js';
import { ProduceApi } from '../../protocol/generated/messages/00-produce.js';
import {
  CompressionCodec,
  buildLegacyMessageSet,
  buildRecordBatch,
  compress,
  decodeRecordBatches,
  encodeRecords,
} from '../../protocol/records/index.js';
import { reframeBatch } from '../../protocol/records/test-helpers.js';

t.test('the corrupt batches of issue 12 are refused with record errors, and nothing is stored', async (t) => {
  const running = await brokerFor(t);
  createTopic(running, 'c');
  const c = await rawClient(running.port);
  for (const { name, batch, errorCode } of corruptBatches()) {
    const response = await c.call(ProduceApi, 9, produceRequest('c', 0, batch));
    const r = response.responses[0]!.partitionResponses[0]!;
    t.equal(r.errorCode, errorCode, `${name}: error ${errorCode}`);
    t.equal(r.baseOffset, -1n, `${name}: no offset`);
    if (errorCode === 87) {
      t.ok(r.errorMessage !== null && r.errorMessage.length > 0, `${name}: errorMessage ${r.errorMessage}`);
      t.same(
        r.recordErrors.map((e) => e.batchIndex),
        [0],
        `${name}: the record is named`,
      );
    } else {
      // Kafka's ReplicaManager answers a CorruptRecordException with its code alone (hasCustomErrorMessage
      // false): clients show the error's own text, "This message has failed its CRC checksum, ...".
      t.equal(r.errorMessage, null, `${name}: no errorMessage, as Kafka`);
    }
  }
  t.equal(running.broker.replicas.get('c', 0)!.log.logEndOffset, 0, 'nothing was appended');
  const ok = await produce(c, 9, 'c', 0, batchOf(['fine', 'also fine'], { compression: CompressionCodec.ZSTD }));
  t.equal(ok.errorCode, 0, 'valid batches are still accepted');
  t.equal(ok.baseOffset, 0n);
  const back = decodeRecordBatches((await fetchOne(c, 12, { topic: 'c' })).records!);
  t.same(
    back.flatMap((b) => b.records.map((r) => r.value!.toString())),
    ['fine', 'also fine'],
    'only the valid records are read back',
  );
  c.close();
});

t.test(
  'compacted topics refuse records without a key: INVALID_RECORD and a record error per keyless record',
  async (t) => {
    const running = await brokerFor(t);
    createTopic(running, 'compacted', { configs: { 'cleanup.policy': 'compact' } });
    createTopic(running, 'both', { configs: { 'cleanup.policy': 'compact,delete' } });
    const c = await rawClient(running.port);
    const mixed = buildRecordBatch({
      records: [
        { key: Buffer.from('a'), value: Buffer.from('1') },
        { key: null, value: Buffer.from('2') },
        { key: null, value: Buffer.from('3') },
      ],
      compression: CompressionCodec.SNAPPY,
    });
    const response = await c.call(ProduceApi, 9, produceRequest('compacted', 0, mixed));
    const r = response.responses[0]!.partitionResponses[0]!;
    t.equal(r.errorCode, 87, 'INVALID_RECORD');
    t.same(
      r.recordErrors,
      [1, 2].map((batchIndex) => ({
        batchIndex,
        batchIndexErrorMessage: 'Compacted topic cannot accept message without key in topic partition compacted-0.',
      })),
    );
    t.equal(
      r.errorMessage,
      "One or more records have been rejected due to 2 record errors in total, and only showing the first three errors at most: [RecordError(batchIndex=1, message='Compacted topic cannot accept message without key in topic partition compacted-0.'), RecordError(batchIndex=2, message='Compacted topic cannot accept message without key in topic partition compacted-0.')]",
    );
    t.equal((await produce(c, 9, 'both', 0, mixed)).errorCode, 87, 'compact,delete too');
    const legacy = buildLegacyMessageSet({
      magic: 1,
      messages: [{ key: Buffer.from('k'), value: Buffer.from('a') }, { value: Buffer.from('b') }],
    });
    t.equal((await produce(c, 2, 'compacted', 0, legacy)).errorCode, 87, 'legacy message sets too');
    t.equal(running.broker.replicas.get('compacted', 0)!.log.logEndOffset, 0, 'nothing was appended');
    t.equal((await produce(c, 9, 'compacted', 0, batchOf(['keyed']))).errorCode, 0, 'keyed records are accepted');
    c.close();
  },
);

t.test('a compressed batch whose offset deltas are out of order is rebuilt 0, 1, 2, as Kafka does', async (t) => {
  const running = await brokerFor(t);
  createTopic(running, 'o');
  const c = await rawClient(running.port);
  const batch = buildRecordBatch({
    records: [
      { value: Buffer.from('a'), offsetDelta: 5 },
      { value: Buffer.from('b'), offsetDelta: 3 },
    ],
    lastOffsetDelta: 1,
    compression: CompressionCodec.GZIP,
  });
  t.equal((await produce(c, 9, 'o', 0, batch)).errorCode, 0);
  const back = decodeRecordBatches((await fetchOne(c, 12, { topic: 'o' })).records!);
  t.same(
    back[0]!.records.map((r) => r.offsetDelta),
    [0, 1],
  );
  t.equal(back[0]!.compression, CompressionCodec.GZIP, 'the codec is kept');
  c.close();
});

t.test(
  'property: generated corrupt batches are never stored, the broker keeps serving, valid ones are accepted',
  async (t) => {
    const running = await brokerFor(t, { config: { 'message.max.bytes': 65536 } });
    createTopic(running, 'fuzz');
    const c = await rawClient(running.port);
    const log = running.broker.replicas.get('fuzz', 0)!.log;
    let refused = 0;
    let expectedEnd = 0;
    const corruption = fc.oneof(
      fc.record({ kind: fc.constant('lie' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
      fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
      fc.record({ kind: fc.constant('varint' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 11 }) }),
      fc.record({ kind: fc.constant('garbage' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 80 }) }),
      fc.record({ kind: fc.constant('bomb' as const), mib: fc.integer({ min: 5, max: 6 }) }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.string({ maxLength: 12 }), { minLength: 1, maxLength: 5 }),
        fc.constantFrom(0, 1, 2, 3, 4),
        corruption,
        async (values, codec, how) => {
          const records = values.map((v) => ({
            key: Buffer.from('k'),
            value: Buffer.from(v),
            timestamp: BigInt(Date.now()),
          }));
          const template = buildRecordBatch({ records });
          let body = encodeRecords(records, records[0]!.timestamp);
          if (how.kind === 'lie') {
            body = Buffer.from(body);
            body[how.at % body.length] = how.value;
          } else if (how.kind === 'truncate') body = body.subarray(0, how.at % body.length);
          else if (how.kind === 'varint')
            body = Buffer.concat([body.subarray(0, how.at % body.length), Buffer.alloc(how.length, 0xff)]);
          else if (how.kind === 'bomb') body = Buffer.alloc(how.mib * 1024 * 1024);
          const payload = how.kind === 'garbage' ? Buffer.from(how.bytes) : compress(codec, body);
          const framed = reframeBatch(template, payload, codec);
          const r = await produce(c, 9, 'fuzz', 0, framed);
          if (r.errorCode === 0) {
            expectedEnd += records.length;
          } else {
            refused++;
            // INVALID_RECORD, CORRUPT_MESSAGE, or MESSAGE_TOO_LARGE for a "bomb" that stays over message.max.bytes.
            const tooLarge = r.errorCode === 10 && framed.length > 65536;
            if (r.errorCode !== 87 && r.errorCode !== 2 && !tooLarge) return false;
          }
          if (log.logEndOffset !== expectedEnd) return false;
          const ok = await produce(c, 9, 'fuzz', 0, buildRecordBatch({ records, compression: codec }));
          expectedEnd += records.length;
          return ok.errorCode === 0 && log.logEndOffset === expectedEnd;
        },
      ),
      { numRuns: 150 },
    );
    t.ok(refused > 50, `${refused} of 150 corrupt batches refused; the rest were byte changes that left a valid batch`);
    const all = decodeRecordBatches((await fetchOne(c, 12, { topic: 'fuzz', partitionMaxBytes: 64 << 20 })).records!);
    t.equal(
      all.reduce((n, b) => n + b.records.length, 0),
      expectedEnd,
      'everything stored decodes whole',
    );
    c.close();
  },
);

t.test(
  'timestamps: broker-level log.message.timestamp.* settings, Kafka 3.6+ names over difference.max.ms',
  async (t) => {
    const running = await brokerFor(t, {
      config: { 'log.message.timestamp.difference.max.ms': 60_000, 'log.message.timestamp.after.max.ms': 3_600_000 },
    });
    createTopic(running, 'ts');
    createTopic(running, 'lat', { configs: { 'message.timestamp.type': 'LogAppendTime' } });
    const c = await rawClient(running.port);
    const now = Date.now();
    const at = (offsetMs: number) =>
      buildRecordBatch({
        records: [{ key: Buffer.from('k'), value: Buffer.from('v'), timestamp: BigInt(now + offsetMs) }],
      });
    const old = await produce(c, 9, 'ts', 0, at(-600_000));
    t.equal(old.errorCode, 32, 'ten minutes old: over difference.max.ms (before.max.ms unset)');
    t.match(old.recordErrors[0]?.batchIndexErrorMessage, /is out of range/);
    t.equal(
      (await produce(c, 9, 'ts', 0, at(1_800_000))).errorCode,
      0,
      'half an hour ahead: within after.max.ms, which wins over difference.max.ms',
    );
    t.equal((await produce(c, 9, 'ts', 0, at(7_200_000))).errorCode, 32, 'two hours ahead: over after.max.ms');
    const legacyOld = buildLegacyMessageSet({
      magic: 1,
      messages: [{ key: Buffer.from('k'), value: Buffer.from('v'), timestamp: BigInt(now - 600_000) }],
    });
    t.equal((await produce(c, 2, 'ts', 0, legacyOld)).errorCode, 32, 'legacy magic 1 messages too');
    const clientLat = buildRecordBatch({
      records: [{ value: Buffer.from('v'), timestamp: BigInt(now) }],
      timestampType: 1,
    });
    const lat = await produce(c, 9, 'lat', 0, clientLat);
    t.equal(lat.errorCode, 32, 'a client batch marked LogAppendTime is INVALID_TIMESTAMP, as Kafka');
    t.match(lat.recordErrors[0]?.batchIndexErrorMessage, /should not set timestamp type to LogAppendTime/);
    t.equal(
      (await produce(c, 9, 'lat', 0, at(-86_400_000))).errorCode,
      0,
      'LogAppendTime topics do not check CreateTime bounds',
    );
    t.equal(running.broker.replicas.get('ts', 0)!.log.logEndOffset, 1, 'only the accepted batch was stored');
    c.close();
  },
);

t.test('produce v0-v2 carrying magic-2 data: one batch only, as Kafka', async (t) => {
  const running = await brokerFor(t);
  createTopic(running, 'old');
  const c = await rawClient(running.port);
  t.equal(
    (await produce(c, 2, 'old', 0, Buffer.concat([batchOf(['a']), batchOf(['b'])]))).errorCode,
    87,
    'two batches: INVALID_RECORD',
  );
  t.equal((await produce(c, 2, 'old', 0, batchOf(['a', 'b']))).errorCode, 0, 'one batch is accepted');
  t.equal(running.broker.replicas.get('old', 0)!.log.logEndOffset, 2);
  c.close();
});
