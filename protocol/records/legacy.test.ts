import t from 'tap';
import fc from 'fast-check';
import { createRequire } from 'node:module';
import { buildLegacyMessageSet, encodeLegacyEntry } from './legacy-encode.js';
import { decodeLegacyEntry, decodeLegacyMessageSet } from './legacy-decode.js';
import { xxh32 } from './compression/xxhash32.js';
import { TimestampType } from './batch-header.js';
import { RecordsEncodeError } from './errors.js';
import { decompress } from './compression/index.js';
import { throwsRecordsError, catchRecordsError } from './test-helpers.js';
import { RecordsError } from './errors.js';

const require = createRequire(import.meta.url);
interface KafkajsEncoder {
  buffer: Buffer;
}
type MessageSetEncoder = (args: { messageVersion: number; compression?: number; entries: object[] }) => KafkajsEncoder;
const MessageSet = require('kafkajs/src/protocol/messageSet') as MessageSetEncoder;
const lookupCodec = (
  require('kafkajs/src/protocol/message/compression') as {
    lookupCodec(c: number): { compress(e: KafkajsEncoder): Promise<Buffer> };
  }
).lookupCodec;

const bytes = fc.option(
  fc.uint8Array({ maxLength: 40 }).map((a) => Buffer.from(a)),
  { nil: null },
);
const messagesArb = fc.array(
  fc.record({ key: bytes, value: bytes, timestamp: fc.bigInt({ min: 0n, max: 2n ** 45n }) }),
  {
    minLength: 1,
    maxLength: 10,
  },
);

t.test('property: legacy sets round-trip in magic 0 and 1, plain and compressed', async (t) => {
  fc.assert(
    fc.property(
      messagesArb,
      fc.constantFrom(0 as const, 1 as const),
      fc.constantFrom(0, 1, 2, 3),
      fc.bigInt({ min: 0n, max: 2n ** 40n }),
      (messages, magic, compression, baseOffset) => {
        const set = buildLegacyMessageSet({ magic, messages, compression, baseOffset });
        const decoded = decodeLegacyMessageSet(set);
        return (
          decoded.length === messages.length &&
          decoded.every(
            (m, i) =>
              m.magic === magic &&
              m.offset === baseOffset + BigInt(i) &&
              m.timestamp === (magic === 0 ? -1n : messages[i]!.timestamp) &&
              JSON.stringify(m.key) === JSON.stringify(messages[i]!.key) &&
              JSON.stringify(m.value) === JSON.stringify(messages[i]!.value),
          )
        );
      },
    ),
    { numRuns: 150 },
  );
  t.pass('property held');
});

t.test('property: corrupted or truncated sets raise RecordsError, never crash', async (t) => {
  fc.assert(
    fc.property(
      messagesArb,
      fc.constantFrom(0, 1, 2, 3),
      fc.nat(),
      fc.integer({ min: 0, max: 255 }),
      (messages, compression, where, value) => {
        const set = Buffer.from(buildLegacyMessageSet({ magic: 1, messages, compression }));
        const cut = set.subarray(0, where % set.length);
        const truncated = catchRecordsError(() => decodeLegacyMessageSet(cut));
        if (truncated !== null && !(truncated instanceof RecordsError)) return false;
        set[where % set.length] = value;
        for (const verifyCrc of [true, false]) {
          const error = catchRecordsError(() => decodeLegacyMessageSet(set, { verifyCrc }));
          if (error !== null && !(error instanceof RecordsError)) throw error;
        }
        return true;
      },
    ),
    { numRuns: 200 },
  );
  t.pass('property held');
});

t.test('CRC, magic and size failures are named', async (t) => {
  const set = buildLegacyMessageSet({ magic: 1, messages: [{ value: Buffer.from('hello'), timestamp: 5n }] });
  const crc = Buffer.from(set);
  crc[crc.length - 1]! ^= 1;
  throwsRecordsError(t, () => decodeLegacyMessageSet(crc), 'crc');
  const magic = Buffer.from(set);
  magic[16] = 2;
  throwsRecordsError(t, () => decodeLegacyMessageSet(magic), 'magic');
  const size = Buffer.from(set);
  size.writeInt32BE(3, 8);
  throwsRecordsError(t, () => decodeLegacyMessageSet(size), 'size');
  t.equal(decodeLegacyMessageSet(Buffer.concat([set, set.subarray(0, 20)]), { allowPartialTrailing: true }).length, 1);
  throwsRecordsError(t, () => decodeLegacyMessageSet(Buffer.concat([set, set.subarray(0, 20)])), 'truncated');
});

t.test('nested compression and magic mismatch inside a wrapper are refused', async (t) => {
  const innerCompressed = buildLegacyMessageSet({ magic: 1, messages: [{ value: Buffer.from('x') }], compression: 1 });
  const { gzipSync } = await import('node:zlib');
  const nested = encodeLegacyEntry(1, 0n, 1, 0n, null, gzipSync(innerCompressed));
  throwsRecordsError(t, () => decodeLegacyMessageSet(nested), 'record');
  const magic0Inner = buildLegacyMessageSet({ magic: 0, messages: [{ value: Buffer.from('x') }] });
  const mismatch = encodeLegacyEntry(1, 0n, 1, 0n, null, gzipSync(magic0Inner));
  throwsRecordsError(t, () => decodeLegacyMessageSet(mismatch), 'record');
});

t.test('magic 1 log-append-time wrappers stamp their inner messages', async (t) => {
  const set = buildLegacyMessageSet({
    magic: 1,
    compression: 1,
    timestampType: TimestampType.LOG_APPEND_TIME,
    logAppendTime: 777n,
    messages: [
      { value: Buffer.from('a'), timestamp: 1n },
      { value: Buffer.from('b'), timestamp: 2n },
    ],
  });
  const decoded = decodeLegacyMessageSet(set);
  t.same(
    decoded.map((m) => m.timestamp),
    [777n, 777n],
  );
  t.same(
    decoded.map((m) => m.timestampType),
    [1, 1],
  );
});

t.test('magic 0 LZ4 wrappers carry the broken header checksum and still decode', async (t) => {
  const set = buildLegacyMessageSet({ magic: 0, compression: 3, messages: [{ value: Buffer.from('v0 lz4') }] });
  const decoded = decodeLegacyMessageSet(set);
  t.equal(decoded[0]!.value!.toString(), 'v0 lz4');
  const frame = decodeLegacyEntry(set).value!;
  t.equal(frame[6], (xxh32(frame, 0, 6) >>> 8) & 0xff, 'checksum over magic + descriptor, as Kafka 0.8 wrote it');
  t.throws(() => buildLegacyMessageSet({ magic: 1, compression: 4, messages: [{ value: null }] }), RecordsEncodeError);
});

t.test('kafkajs messageSet encoder output decodes (magic 0 and 1, plain)', async (t) => {
  for (const messageVersion of [0, 1]) {
    const entries = [
      { key: 'k1', value: 'v1', timestamp: 1234 },
      { key: null, value: 'v2', timestamp: 1235 },
    ];
    const encoded = MessageSet({ messageVersion, compression: 0, entries }).buffer;
    const decoded = decodeLegacyMessageSet(encoded);
    t.equal(decoded.length, 2);
    t.equal(decoded[0]!.key!.toString(), 'k1');
    t.equal(decoded[1]!.key, null);
    t.equal(decoded[1]!.value!.toString(), 'v2');
    t.equal(decoded[0]!.magic, messageVersion);
    if (messageVersion === 1) t.equal(decoded[1]!.timestamp, 1235n);
  }
});

t.test('a kafkajs gzip wrapper (as produce v2 sends it) decodes', async (t) => {
  const entries = [
    { key: 'a', value: 'one', timestamp: 10 },
    { key: 'b', value: 'two', timestamp: 20 },
  ];
  const inner = MessageSet({ messageVersion: 1, compression: 1, entries });
  const compressedValue = await lookupCodec(1).compress(inner);
  const wrapper = MessageSet({
    messageVersion: 1,
    entries: [{ compression: 1, timestamp: 10, value: compressedValue }],
  }).buffer;
  const decoded = decodeLegacyMessageSet(wrapper);
  t.same(
    decoded.map((m) => m.value!.toString()),
    ['one', 'two'],
  );
  t.same(
    decoded.map((m) => m.timestamp),
    [10n, 20n],
  );
  t.same(decompress(1, compressedValue), inner.buffer);
});
