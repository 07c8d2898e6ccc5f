import t from 'tap';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { crc32c, FAST_AFTER_BYTES, loadFastCrc32c, NATIVE_FROM, nativeCrc32cBinding } from './crc32c.js';

const native = (createRequire(import.meta.url)('@node-rs/crc32') as typeof import('@node-rs/crc32')).crc32c;

t.test('the known check value of CRC-32C ("123456789" -> 0xe3069283)', async (t) => {
  t.equal(crc32c(Buffer.from('123456789')) >>> 0, 0xe3069283);
  const long = Buffer.concat([Buffer.from('123456789'), Buffer.alloc(NATIVE_FROM)]);
  t.equal(crc32c(long) >>> 0, native(long) >>> 0);
});

t.test('the JS and native paths agree at every size around the switch, and on empty input', async (t) => {
  for (const size of [0, 1, 7, 100, NATIVE_FROM - 1, NATIVE_FROM, NATIVE_FROM + 1, 65_537]) {
    const data = randomBytes(size);
    t.equal(crc32c(data) >>> 0, native(data) >>> 0, `size ${size}`);
  }
});

t.test('a checksum continues from an initial state across the switch, as the binding does', async (t) => {
  const whole = randomBytes(3 * NATIVE_FROM);
  const cuts = [10, NATIVE_FROM - 1, NATIVE_FROM + 5, 2 * NATIVE_FROM + 100];
  for (const cut of cuts) {
    const head = whole.subarray(0, cut);
    const tail = whole.subarray(cut);
    t.equal(crc32c(tail, crc32c(head)) >>> 0, native(whole) >>> 0, `cut at ${cut}`);
  }
});

t.test('crc32c switches to the fast binding after FAST_AFTER_BYTES and keeps its values', async (t) => {
  const block = randomBytes(8 << 20);
  const expected = native(block) >>> 0;
  t.equal(nativeCrc32cBinding(), 'node-rs', 'the first large inputs');
  for (let done = 0; done <= FAST_AFTER_BYTES + block.length; done += block.length) {
    t.equal(crc32c(block) >>> 0, expected);
  }
  t.equal(crc32c(block) >>> 0, expected, 'after the switch');
  t.equal(nativeCrc32cBinding(), 'aws-crt');
});

t.test('the aws-crt checksum loads here and agrees with @node-rs/crc32, also continuing a state', async (t) => {
  const fast = loadFastCrc32c();
  if (fast === undefined) throw new Error('aws-crt did not load on this platform');
  for (const size of [NATIVE_FROM, 4097, 1 << 20]) {
    const data = randomBytes(size);
    t.equal(fast(data) >>> 0, native(data) >>> 0, `size ${size}`);
    t.equal(fast(data, 0x1234abcd) >>> 0, native(data, 0x1234abcd) >>> 0, `size ${size}, from a state`);
  }
  const whole = randomBytes(3 * NATIVE_FROM);
  t.equal(crc32c(whole.subarray(NATIVE_FROM), crc32c(whole.subarray(0, NATIVE_FROM))) >>> 0, native(whole) >>> 0);
});
