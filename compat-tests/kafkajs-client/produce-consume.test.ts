/**
 * kafkajs against a real Gregor: its producer writes with every codec (none, gzip,
 * snappy via kafkajs-snappy, lz4 via kafkajs-lz4, zstd via a tiny zstd-napi codec), the
 * records are fetched back with raw Fetch frames and decoded twice, by our records layer
 * and by kafkajs's own fetch response decoder; its admin lists offsets (ListOffsets)
 * and deletes records (DeleteRecords). Consumer groups are another room: no consumer.run.
 */
import t from 'tap';
import { createRequire } from 'node:module';
import kafkajs from 'kafkajs';
import { compress as zstdCompress, decompress as zstdDecompress } from 'zstd-napi';
import { brokerFor } from '../../test/helpers/broker.js';
import { rawClient } from '../../test/helpers/raw-client.js';
import { createTopic } from '../../test/helpers/topics.js';
import { fetchOne, fetchRequest } from '../../test/helpers/data-path.js';
import { FetchApi } from '../../protocol/generated/messages/01-fetch.js';
import { decodeRecordBatches } from '../../protocol/records/index.js';

// kafkajs is CommonJS; Node cannot name some of its exports statically.
const { Kafka, CompressionTypes, CompressionCodecs, logLevel } = kafkajs;
const require = createRequire(import.meta.url);
interface KafkajsCodec {
  compress(encoder: { buffer: Buffer }): Promise<Buffer>;
  decompress(buffer: Buffer): Promise<Buffer>;
}
const LZ4Codec = require('kafkajs-lz4') as new () => { codec: () => KafkajsCodec };
const snappyCodec = require('kafkajs-snappy') as () => KafkajsCodec;
const zstdCodec = (): KafkajsCodec => ({
  compress: async (encoder) => zstdCompress(encoder.buffer),
  decompress: async (buffer) => zstdDecompress(buffer),
});
CompressionCodecs[CompressionTypes.Snappy] = snappyCodec;
CompressionCodecs[CompressionTypes.LZ4] = new LZ4Codec().codec;
CompressionCodecs[CompressionTypes.ZSTD] = zstdCodec;

interface KafkajsMessage {
  key: Buffer | null;
  value: Buffer | null;
  timestamp: string;
  offset: string;
  headers: Record<string, Buffer>;
}
const fetchV11Response = require('kafkajs/src/protocol/requests/fetch/v11/response') as {
  decode(payload: Buffer): Promise<unknown>;
  parse(decoded: unknown): Promise<{ responses: Array<{ partitions: Array<{ messages: KafkajsMessage[] }> }> }>;
};

const CODECS = [
  ['none', CompressionTypes.None],
  ['gzip', CompressionTypes.GZIP],
  ['snappy', CompressionTypes.Snappy],
  ['lz4', CompressionTypes.LZ4],
  ['zstd', CompressionTypes.ZSTD],
] as const;

t.test('kafkajs produces with every codec; records come back intact', async (t) => {
  const running = await brokerFor(t);
  const kafka = new Kafka({ brokers: [running.bootstrap], logLevel: logLevel.NOTHING, clientId: 'compat' });
  const producer = kafka.producer({ allowAutoTopicCreation: true });
  await producer.connect();
  t.teardown(() => producer.disconnect());
  const raw = await rawClient(running.port);
  t.teardown(() => raw.close());

  for (const [name, codec] of CODECS) {
    const topic = `codec-${name}`;
    createTopic(running, topic);
    const messages = Array.from({ length: 20 }, (_, i) => ({
      key: i === 3 ? null : `key-${i}`,
      value: i === 5 ? null : `value-${name}-${i}-${'x'.repeat(i * 10)}`,
      headers: { h: `header-${i}`, second: Buffer.from([i, 255]) },
      timestamp: String(1_700_000_000_000 + i),
    }));
    const [meta] = await producer.send({ topic, compression: codec, acks: -1, messages });
    t.equal(meta!.errorCode, 0, `${name}: produced`);
    t.equal(meta!.baseOffset, '0', `${name}: base offset`);

    const data = await fetchOne(raw, 12, { topic });
    const batches = decodeRecordBatches(data.records!);
    t.equal(batches.length, 1, `${name}: one batch`);
    t.equal(batches[0]!.compression, codec, `${name}: the codec kafkajs chose is kept`);
    const records = batches[0]!.records;
    t.equal(records.length, 20);
    records.forEach((r, i) => {
      const m = messages[i]!;
      if (r.key?.toString() !== (m.key ?? undefined) || r.value?.toString() !== (m.value ?? undefined)) {
        t.fail(`${name}: record ${i} key/value differ`);
      }
    });
    t.equal(records[3]!.key, null, `${name}: null key kept`);
    t.equal(records[5]!.value, null, `${name}: null value kept`);
    t.same(
      records[7]!.headers,
      [
        { key: 'h', value: Buffer.from('header-7') },
        { key: 'second', value: Buffer.from([7, 255]) },
      ],
      `${name}: headers kept`,
    );
    t.equal(records[19]!.timestamp, 1_700_000_000_019n, `${name}: timestamps kept`);

    // kafkajs's own fetch decoder reads the broker's response bytes.
    raw.send(raw.frame(FetchApi, 11, fetchRequest([{ topic }]), 4242));
    const frame = await raw.next();
    t.equal(frame.readInt32BE(0), 4242);
    const parsed = await fetchV11Response.parse(await fetchV11Response.decode(frame.subarray(4)));
    const decoded = parsed.responses[0]!.partitions[0]!.messages;
    t.equal(decoded.length, 20, `${name}: kafkajs decodes all records`);
    t.equal(decoded[9]!.value!.toString(), messages[9]!.value, `${name}: kafkajs sees the value`);
    t.equal(decoded[9]!.headers.h!.toString(), 'header-9', `${name}: kafkajs sees the headers`);
    t.equal(decoded[9]!.timestamp, '1700000000009', `${name}: kafkajs sees the timestamp`);
  }
});

t.test('kafkajs admin: ListOffsets and DeleteRecords; producer errors', async (t) => {
  const running = await brokerFor(t);
  createTopic(running, 'offsets', { partitions: 2 });
  createTopic(running, 'tiny', { configs: { 'max.message.bytes': '500' } });
  const kafka = new Kafka({
    brokers: [running.bootstrap],
    logLevel: logLevel.NOTHING,
    clientId: 'compat',
    retry: { retries: 0 },
  });
  const producer = kafka.producer();
  const admin = kafka.admin();
  await producer.connect();
  await admin.connect();
  t.teardown(async () => {
    await producer.disconnect();
    await admin.disconnect();
  });

  for (let i = 0; i < 5; i++) {
    await producer.send({
      topic: 'offsets',
      messages: [{ partition: 0, value: `m${i}`, timestamp: String(1_700_000_000_000 + i * 1000) }],
    });
  }
  await producer.send({ topic: 'offsets', messages: [{ partition: 1, value: 'other' }] });
  const offsets = await admin.fetchTopicOffsets('offsets');
  const p0 = offsets.find((o) => o.partition === 0)!;
  t.same([p0.low, p0.high, p0.offset], ['0', '5', '5'], 'partition 0 earliest and latest');
  t.equal(offsets.find((o) => o.partition === 1)!.high, '1', 'partition 1 latest');
  const byTime = await admin.fetchTopicOffsetsByTimestamp('offsets', 1_700_000_002_500);
  t.equal(byTime.find((o) => o.partition === 0)!.offset, '3', 'first offset at or after the timestamp');

  await admin.deleteTopicRecords({ topic: 'offsets', partitions: [{ partition: 0, offset: '2' }] });
  const after = await admin.fetchTopicOffsets('offsets');
  t.equal(after.find((o) => o.partition === 0)!.low, '2', 'log start moved by DeleteRecords');

  const tooBig = (await producer
    .send({ topic: 'tiny', messages: [{ value: 'y'.repeat(2000) }] })
    .catch((e: unknown) => e)) as { type?: string };
  t.equal(tooBig.type, 'MESSAGE_TOO_LARGE', 'oversized batch refused');
  const [ok] = await producer.send({ topic: 'tiny', messages: [{ value: 'small' }] });
  t.equal(ok!.errorCode, 0, 'the producer keeps working');
});
