import t from 'tap';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { crc32c, NATIVE_FROM } from './crc32c.js';

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
