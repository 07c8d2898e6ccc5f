/**
 * Interop with kafkajs's own record-batch encoder and decoder (from node_modules),
 * uncompressed and with gzip, snappy (kafkajs-snappy) and lz4 (kafkajs-lz4).
 */
import t from 'tap';
import { createRequire } from 'node:module';
import { buildRecordBatch } from './batch-encode.js';
import { decodeRecordBatch } from './batch-decode.js';
import { validateRecordBatches } from './validate.js';

const require = createRequire(import.meta.url);

interface KafkajsEncoder {
  buffer: Buffer;
}
interface LongLike {
  toString(): string;
}
interface LongStatic {
  fromValue(v: number | string): LongLike;
}
interface KafkajsRecord {
  offset: string;
  timestamp: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, Buffer | Buffer[]>;
}
interface KafkajsBatch {
  firstOffset: string;
  producerId: string;
  producerEpoch: number;
  firstSequence: number;
  inTransaction: boolean;
  records: KafkajsRecord[];
}

const Long = require('kafkajs/src/utils/long') as LongStatic;
const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0') as {
  RecordBatch(o: object): Promise<KafkajsEncoder>;
};
const Record = require('kafkajs/src/protocol/recordBatch/record/v0') as (o: object) => KafkajsEncoder;
const decodeKafkajs = require('kafkajs/src/protocol/recordBatch/v0/decoder') as (d: unknown) => Promise<KafkajsBatch>;
const Decoder = require('kafkajs/src/protocol/decoder') as new (b: Buffer) => unknown;
const { Codecs } = require('kafkajs/src/protocol/message/compression') as { Codecs: Record<number, () => unknown> };
const LZ4Codec = require('kafkajs-lz4') as new () => { codec: () => unknown };
Codecs[2] = require('kafkajs-snappy') as () => unknown;
Codecs[3] = new LZ4Codec().codec;

const CODECS = [0, 1, 2, 3];

async function kafkajsBatch(compression: number): Promise<Buffer> {
  const records = [
    Record({
      offsetDelta: 0,
      timestampDelta: 0,
      key: Buffer.from('key-0'),
      value: Buffer.from('value-0'),
      headers: { h: 'x' },
    }),
    Record({ offsetDelta: 1, timestampDelta: 7, key: null, value: Buffer.from('value-1') }),
    Record({
      offsetDelta: 2,
      timestampDelta: 9,
      key: Buffer.from('key-2'),
      value: Buffer.alloc(3000, 65),
      headers: { a: '1', b: '2' },
    }),
  ];
  const encoder = await RecordBatch({
    compression,
    firstOffset: Long.fromValue(100),
    firstTimestamp: 1_700_000_000_000,
    maxTimestamp: 1_700_000_000_009,
    partitionLeaderEpoch: 3,
    lastOffsetDelta: 2,
    transactional: true,
    producerId: Long.fromValue(4242),
    producerEpoch: 2,
    firstSequence: 17,
    records,
  });
  return encoder.buffer;
}

t.test('batches from kafkajs decode and validate with ours', async (t) => {
  for (const compression of CODECS) {
    const buffer = await kafkajsBatch(compression);
    const [summary] = validateRecordBatches(buffer);
    t.equal(summary!.recordCount, 3, `codec ${compression}`);
    t.equal(summary!.producerId, 4242n);
    t.equal(summary!.baseSequence, 17);
    t.equal(summary!.transactional, true);
    const batch = decodeRecordBatch(buffer);
    t.equal(batch.compression, compression);
    t.same(
      batch.records.map((r) => [r.offset, r.timestamp, r.key?.toString() ?? null, r.value!.length]),
      [
        [100n, 1_700_000_000_000n, 'key-0', 7],
        [101n, 1_700_000_000_007n, null, 7],
        [102n, 1_700_000_000_009n, 'key-2', 3000],
      ],
    );
    t.same(batch.records[0]!.headers, [{ key: 'h', value: Buffer.from('x') }]);
    t.same(
      batch.records[2]!.headers.map((h) => h.key),
      ['a', 'b'],
    );
  }
});

t.test('batches we build decode with kafkajs', async (t) => {
  for (const compression of CODECS) {
    const buffer = buildRecordBatch({
      baseOffset: 50n,
      compression,
      producerId: 9n,
      producerEpoch: 1,
      baseSequence: 3,
      records: [
        {
          key: Buffer.from('a'),
          value: Buffer.from('alpha'),
          timestamp: 1000n,
          headers: [{ key: 'trace', value: Buffer.from('t1') }],
        },
        { key: null, value: Buffer.alloc(5000, 66), timestamp: 990n },
      ],
    });
    const batch = await decodeKafkajs(new Decoder(buffer));
    t.equal(batch.firstOffset, '50', `codec ${compression}`);
    t.equal(batch.producerId, '9');
    t.equal(batch.firstSequence, 3);
    t.same(
      batch.records.map((r) => [r.offset, r.timestamp]),
      [
        ['50', '1000'],
        ['51', '990'],
      ],
    );
    t.equal(batch.records[0]!.value!.toString(), 'alpha');
    t.equal(batch.records[1]!.key, null);
    t.equal(batch.records[1]!.value!.length, 5000);
    t.same(batch.records[0]!.headers, { trace: Buffer.from('t1') });
  }
});
