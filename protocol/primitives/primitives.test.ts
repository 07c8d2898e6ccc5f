import t from 'tap';
import { Reader, Writer, ProtocolDecodeError } from './index.js';

t.test('varints and strings round-trip', async (t) => {
  const w = new Writer(8);
  w.uvarint(300).varint(-5).varlong(-1234567890123n).compactString('héllo').nullableString(null).int64(-2n);
  const r = new Reader(w.toBuffer());
  t.equal(r.uvarint(), 300);
  t.equal(r.varint(), -5);
  t.equal(r.varlong(), -1234567890123n);
  t.equal(r.compactString(), 'héllo');
  t.equal(r.nullableString(), null);
  t.equal(r.int64(), -2n);
  t.equal(r.remaining, 0);
});

t.test('a hostile array count raises a typed error before allocating', async (t) => {
  const w = new Writer().int32(0x7fffffff).int8(1);
  const r = new Reader(w.toBuffer());
  t.throws(() => r.arrayCount(4), ProtocolDecodeError);
});

t.test('a truncated string raises a typed error', async (t) => {
  const r = new Reader(Buffer.from([0, 10, 65]));
  t.throws(() => r.string(), ProtocolDecodeError);
});

t.test('large raw fields are kept as chunks without copying', async (t) => {
  const big = Buffer.alloc(10000, 7);
  const w = new Writer().int32(5).raw(big).int8(1);
  const chunks = w.chunksView();
  t.equal(chunks.length, 3);
  t.equal(chunks[1], big);
  t.equal(w.length, 10005);
});
