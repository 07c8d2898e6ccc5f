import t from 'tap';
import { brokerFor } from '../../test/helpers/broker.js';
import { rawClient } from '../../test/helpers/raw-client.js';
import { createTopic } from '../../test/helpers/topics.js';
import { batchOf, fetchOne, produce, produceRequest } from '../../test/helpers/data-path.js';
import { ProduceApi } from '../../protocol/generated/messages/00-produce.js';
import { ApiVersionsApi } from '../../protocol/generated/messages/18-api-versions.js';
import { Reader } from '../../protocol/primitives/index.js';
import {
  CompressionCodec,
  TimestampType,
  buildLegacyMessageSet,
  buildRecordBatch,
  buildTxnMarkerBatch,
  decodeRecordBatches,
} from '../../protocol/records/index.js';

t.test('every produce version 0-11 appends and returns its base offset', async (t) => {
  const running = await brokerFor(t);
  createTopic(running, 'p');
  const c = await rawClient(running.port);
  let expected = 0n;
  for (let v = 0; v <= 11; v++) {
    const records =
      v <= 1
        ? buildLegacyMessageSet({
            magic: 0,
            messages: [{ value: Buffer.from(`v${v}-a`) }, { value: Buffer.from(`v${v}-b`) }],
          })
        : v === 2
          ? buildLegacyMessageSet({
              magic: 1,
              compression: CompressionCodec.GZIP,
              messages: [
                { value: Buffer.from('v2-a'), timestamp: 5n },
                { value: Buffer.from('v2-b'), timestamp: 6n },
              ],
            })
          : batchOf([`v${v}-a`, `v${v}-b`]);
    const r = await produce(c, v, 'p', 0, records);
    t.equal(r.errorCode, 0, `v${v} accepted`);
    t.equal(r.baseOffset, expected, `v${v} base offset`);
    t.equal(r.logStartOffset, v >= 5 ? 0n : -1n, `v${v} log start offset`);
    expected += 2n;
  }
  const data = await fetchOne(c, 12, { topic: 'p' });
  const batches = decodeRecordBatches(data.records!);
  const values = batches.flatMap((b) => b.records.map((r) => r.value!.toString()));
  t.equal(values.length, 24);
  t.same(values.slice(0, 6), ['v0-a', 'v0-b', 'v1-a', 'v1-b', 'v2-a', 'v2-b']);
  t.equal(batches[2]!.compression, CompressionCodec.GZIP, 'a gzip legacy wrapper stays gzip');
  t.equal(batches[2]!.records[1]!.timestamp, 6n, 'magic 1 timestamps kept');
  t.equal(data.highWatermark, 24n);
  c.close();
});

t.test('bad input gets Kafka error codes and the broker keeps serving', async (t) => {
  const running = await brokerFor(t, { config: { 'message.max.bytes': 2000 } });
  createTopic(running, 'bad');
  createTopic(running, 'small', { configs: { 'max.message.bytes': '200' } });
  const c = await rawClient(running.port);

  const corrupt = batchOf(['x']);
  corrupt[corrupt.length - 1]! ^= 0xff;
  t.equal((await produce(c, 9, 'bad', 0, corrupt)).errorCode, 2, 'CRC mismatch: CORRUPT_MESSAGE');
  t.equal((await produce(c, 9, 'bad', 0, Buffer.from([1, 2, 3]))).errorCode, 2, 'garbage: CORRUPT_MESSAGE');
  t.equal((await produce(c, 9, 'bad', 0, batchOf(['y'.repeat(3000)]))).errorCode, 10, 'over message.max.bytes');
  t.equal((await produce(c, 9, 'small', 0, batchOf(['y'.repeat(300)]))).errorCode, 10, 'over topic max.message.bytes');
  t.equal((await produce(c, 9, 'nope', 0, batchOf(['z']))).errorCode, 3, 'unknown topic');
  t.equal((await produce(c, 9, 'bad', 7, batchOf(['z']))).errorCode, 3, 'unknown partition');
  t.equal((await produce(c, 9, 'bad', 0, batchOf(['z']), 2)).errorCode, 21, 'INVALID_REQUIRED_ACKS');
  t.equal(
    (await produce(c, 9, 'bad', 0, Buffer.concat([batchOf(['a']), batchOf(['b'])]))).errorCode,
    87,
    'two batches in v3+',
  );
  t.equal((await produce(c, 9, 'bad', 0, null)).errorCode, 87, 'null records in v3+');
  t.equal(
    (await produce(c, 6, 'bad', 0, batchOf(['a'], { compression: CompressionCodec.ZSTD }))).errorCode,
    76,
    'zstd before v7',
  );
  const marker = buildTxnMarkerBatch({ producerId: 1n, producerEpoch: 0, commit: true, coordinatorEpoch: 0 });
  t.equal((await produce(c, 9, 'bad', 0, marker)).errorCode, 87, 'clients may not write control batches');
  const legacyV3 = await produce(
    c,
    3,
    'bad',
    0,
    buildLegacyMessageSet({ magic: 1, messages: [{ value: Buffer.from('a') }] }),
  );
  t.equal(legacyV3.errorCode, 87, 'magic 1 in produce v3+');
  const withMessage = await c.call(
    ProduceApi,
    8,
    produceRequest('bad', 0, Buffer.concat([batchOf(['a']), batchOf(['b'])])),
  );
  t.equal(withMessage.responses[0]!.partitionResponses[0]!.errorCode, 87);
  t.equal(
    withMessage.responses[0]!.partitionResponses[0]!.errorMessage,
    null,
    "an InvalidRecordException without record errors: the code alone, as Kafka's ReplicaManager answers it",
  );

  const ok = await produce(c, 9, 'bad', 0, batchOf(['fine']));
  t.equal(ok.errorCode, 0, 'the same connection still works');
  t.equal(ok.baseOffset, 0n, 'nothing bad was appended');
  const other = await rawClient(running.port);
  t.equal((await produce(other, 11, 'bad', 0, batchOf(['fine']))).baseOffset, 1n, 'other clients are served');
  other.close();
  c.close();
});

t.test('acks=0 sends no response; acks=-1 checks the effective min.insync.replicas', async (t) => {
  const running = await brokerFor(t);
  createTopic(running, 'acks');
  createTopic(running, 'strict', { configs: { 'min.insync.replicas': '2' } });
  const c = await rawClient(running.port);
  c.send([
    ...c.frame(ProduceApi, 9, produceRequest('acks', 0, batchOf(['fire', 'forget']), 0), 1),
    ...c.frame(ApiVersionsApi, 3, { clientSoftwareName: 't', clientSoftwareVersion: '1' }, 2),
  ]);
  t.equal(new Reader(await c.next()).int32(), 2, 'the next response is the ApiVersions one');
  const fetched = await fetchOne(c, 11, { topic: 'acks' });
  t.equal(fetched.highWatermark, 2n, 'the acks=0 records were appended');
  t.equal((await produce(c, 9, 'acks', 0, batchOf(['all']), -1)).errorCode, 0, 'acks=-1 with ISR 1 and min.isr 1');
  t.equal(
    (await produce(c, 9, 'strict', 0, batchOf(['all']), -1)).errorCode,
    0,
    'min.insync.replicas=2 on one replica: Kafka 3.9 caps it at the replication factor (effectiveMinIsr)',
  );
  const strict = await fetchOne(c, 11, { topic: 'strict' });
  t.equal(strict.highWatermark, 1n, 'RF 1 is never under min ISR: the write is readable at once');
  t.equal((await produce(c, 9, 'strict', 0, batchOf(['one']), 1)).errorCode, 0, 'acks=1 too');
  c.close();
});

t.test('an acks=0 produce that fails closes the connection, as Kafka does', async (t) => {
  const running = await brokerFor(t);
  const c = await rawClient(running.port);
  c.send(c.frame(ProduceApi, 9, produceRequest('no-such-topic', 0, batchOf(['lost']), 0), 1));
  await c.closed;
  t.pass('the broker closed the connection instead of dropping the error silently');
  const again = await rawClient(running.port);
  t.equal(
    (await again.call(ApiVersionsApi, 3, { clientSoftwareName: 't', clientSoftwareVersion: '1' })).errorCode,
    0,
    'the broker keeps serving',
  );
  again.close();
});

t.test('LogAppendTime, broker-side recompression and idempotent batches', async (t) => {
  const running = await brokerFor(t);
  createTopic(running, 'lat', { configs: { 'message.timestamp.type': 'LogAppendTime' } });
  createTopic(running, 'gz', { configs: { 'compression.type': 'gzip' } });
  createTopic(running, 'plain', { configs: { 'compression.type': 'uncompressed' } });
  const c = await rawClient(running.port);

  const before = BigInt(Date.now());
  const lat = await produce(c, 9, 'lat', 0, batchOf(['a', 'b']));
  t.ok(
    lat.logAppendTimeMs >= before && lat.logAppendTimeMs <= BigInt(Date.now()),
    'logAppendTimeMs is the append time',
  );
  const latBatch = decodeRecordBatches((await fetchOne(c, 11, { topic: 'lat' })).records!)[0]!;
  t.equal(latBatch.timestampType, TimestampType.LOG_APPEND_TIME);
  t.equal(latBatch.records[1]!.timestamp, lat.logAppendTimeMs, 'records read back with the append time');
  t.equal((await produce(c, 9, 'gz', 0, batchOf(['c']))).logAppendTimeMs, -1n, 'CreateTime topics answer -1');

  await produce(
    c,
    9,
    'gz',
    0,
    batchOf(['d', 'e'], { compression: CompressionCodec.SNAPPY, producerId: 7n, producerEpoch: 0, baseSequence: 0 }),
  );
  const gz = decodeRecordBatches((await fetchOne(c, 11, { topic: 'gz' })).records!);
  t.same(
    gz.map((b) => b.compression),
    [CompressionCodec.GZIP, CompressionCodec.GZIP],
    'recompressed to gzip',
  );
  t.equal(gz[1]!.producerId, 7n, 'producer id kept through recompression');
  t.same(
    gz[1]!.records.map((r) => r.value!.toString()),
    ['d', 'e'],
  );

  await produce(c, 9, 'plain', 0, batchOf(['f', 'g'], { compression: CompressionCodec.LZ4 }));
  const plain = decodeRecordBatches((await fetchOne(c, 11, { topic: 'plain' })).records!);
  t.equal(plain[0]!.compression, CompressionCodec.NONE, 'decompressed for compression.type=uncompressed');
  t.same(
    plain[0]!.records.map((r) => r.key!.toString()),
    ['k0', 'k1'],
  );
  c.close();
});

t.test('timestamp bounds: INVALID_TIMESTAMP with one recordError per record out of range', async (t) => {
  const running = await brokerFor(t);
  createTopic(running, 'ts', {
    configs: { 'message.timestamp.before.max.ms': '60000', 'message.timestamp.after.max.ms': '60000' },
  });
  const c = await rawClient(running.port);
  const now = BigInt(Date.now());
  const mixed = buildRecordBatch({
    records: [
      { value: Buffer.from('old'), timestamp: now - 3_600_000n },
      { value: Buffer.from('fine'), timestamp: now },
      { value: Buffer.from('future'), timestamp: now + 3_600_000n },
    ],
    compression: CompressionCodec.GZIP,
  });
  const response = await c.call(ProduceApi, 9, produceRequest('ts', 0, mixed));
  const r = response.responses[0]!.partitionResponses[0]!;
  t.equal(r.errorCode, 32, 'INVALID_TIMESTAMP');
  t.same(
    r.recordErrors.map((e) => e.batchIndex),
    [0, 2],
    'the records out of range',
  );
  t.equal(r.errorMessage, 'One or more records have been rejected due to invalid timestamp', "Kafka's message");
  t.match(r.recordErrors[0]!.batchIndexErrorMessage, /out of range/);
  t.equal((await produce(c, 7, 'ts', 0, mixed)).recordErrors.length, 0, 'no recordErrors before v8');
  t.equal(
    (await produce(c, 9, 'ts', 0, buildRecordBatch({ records: [{ value: Buffer.from('ok'), timestamp: now }] })))
      .errorCode,
    0,
    'in range',
  );
  c.close();
});
