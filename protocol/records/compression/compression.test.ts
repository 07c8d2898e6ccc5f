import t from 'tap';
import { createRequire } from 'node:module';
import { compressSync as snappyRaw } from 'snappy';
import { throwsRecordsError } from '../test-helpers.js';
import { compress, decompress, CompressionCodec, isXerialFramed, lz4Compress, lz4Decompress, xxh32 } from './index.js';

const require = createRequire(import.meta.url);

function sample(size: number): Buffer {
  const out = Buffer.alloc(size);
  for (let i = 0; i < size; i++) out[i] = (i * 31 + (i >> 7)) % 251;
  return out;
}

const codecs = [CompressionCodec.GZIP, CompressionCodec.SNAPPY, CompressionCodec.LZ4, CompressionCodec.ZSTD];

t.test('xxh32 matches the reference vectors', async (t) => {
  t.equal(xxh32(Buffer.alloc(0)), 0x02cc5d05);
  t.equal(xxh32(Buffer.from('abc')), 0x32d153ff);
  t.equal(xxh32(Buffer.from('Nobody inspects the spammish repetition')), 0xe2293b2f);
});

t.test('every codec round-trips small, empty-ish and multi-block inputs', async (t) => {
  for (const codec of codecs) {
    for (const size of [1, 100, 70_000, 300_000]) {
      const data = sample(size);
      const packed = compress(codec, data);
      t.same(decompress(codec, packed), data, `codec ${codec} size ${size}`);
    }
  }
});

t.test('decompression past the cap raises a typed error for every codec', async (t) => {
  const data = Buffer.alloc(1_000_000, 0x61);
  for (const codec of codecs) {
    const packed = compress(codec, data);
    t.ok(packed.length < 100_000, `codec ${codec} compresses the bomb`);
    throwsRecordsError(
      t,
      () => decompress(codec, packed, { maxDecompressedBytes: 100_000 }),
      'decompressed-size',
      `codec ${codec}`,
    );
    t.same(decompress(codec, packed, { maxDecompressedBytes: 1_000_000 }), data, `codec ${codec} at exactly the cap`);
  }
});

t.test('garbage raises a compression RecordsError, never a RangeError', async (t) => {
  const garbage = [Buffer.from([1, 2, 3, 4, 5, 6, 7, 8, 9]), Buffer.alloc(0), Buffer.from([0xff])];
  for (const codec of codecs) {
    for (const input of garbage) {
      throwsRecordsError(t, () => decompress(codec, input), undefined, `codec ${codec} on ${input.toString('hex')}`);
    }
    const packed = compress(codec, sample(5000));
    const cut = packed.subarray(0, packed.length - 3);
    throwsRecordsError(t, () => decompress(codec, cut), undefined, `codec ${codec} truncated`);
  }
});

t.test('unknown codec ids raise a codec error', async (t) => {
  throwsRecordsError(t, () => decompress(5, Buffer.alloc(3)), 'codec');
});

t.test('snappy: xerial framing is written by default and raw snappy is read too', async (t) => {
  const data = sample(100_000);
  const framed = compress(CompressionCodec.SNAPPY, data);
  t.ok(isXerialFramed(framed));
  const raw = compress(CompressionCodec.SNAPPY, data, { snappyFraming: 'raw' });
  t.notOk(isXerialFramed(raw));
  t.same(decompress(CompressionCodec.SNAPPY, raw), data);
  const libraryRaw = snappyRaw(data);
  t.same(decompress(CompressionCodec.SNAPPY, libraryRaw), data);
});

t.test('snappy: kafkajs-snappy reads our xerial output', async (t) => {
  const makeCodec = require('kafkajs-snappy') as () => { decompress(b: Buffer): Promise<Buffer> };
  const data = sample(80_000);
  t.same(await makeCodec().decompress(compress(CompressionCodec.SNAPPY, data)), data);
});

t.test('lz4: both the correct and the Kafka magic-0 header checksum are accepted', async (t) => {
  const data = sample(10_000);
  const good = lz4Compress(data);
  const broken = lz4Compress(data, { brokenHeaderChecksum: true });
  t.not(good[6], broken[6], 'the two checksums differ');
  t.same(lz4Decompress(good), data);
  t.same(lz4Decompress(broken), data);
  const bad = Buffer.from(good);
  bad[6] = (bad[6]! ^ 0x55) & 0xff;
  throwsRecordsError(t, () => lz4Decompress(bad), 'compression');
});

t.test('lz4: frames from lz4-napi and from node-lz4 (kafkajs-lz4, with content checksum) decode', async (t) => {
  const data = sample(200_000);
  const { compressFrameSync } = require('lz4-napi') as { compressFrameSync(b: Buffer): Buffer };
  t.same(lz4Decompress(compressFrameSync(data)), data);
  const lz4 = require('lz4') as { encode(b: Buffer, o?: object): Buffer; decode(b: Buffer): Buffer };
  const encoded = lz4.encode(data); // node-lz4's block checksums are computed over the wrong range, so only its content checksum is used
  t.same(lz4Decompress(encoded), data);
  t.same(lz4.decode(lz4Compress(data)), data, 'node-lz4 reads our frames');
});

t.test('lz4: a corrupted content checksum is caught', async (t) => {
  const lz4 = require('lz4') as { encode(b: Buffer): Buffer };
  const encoded = Buffer.from(lz4.encode(sample(1000)));
  encoded[encoded.length - 1] = (encoded[encoded.length - 1]! ^ 1) & 0xff;
  throwsRecordsError(t, () => lz4Decompress(encoded), 'compression');
});
