/** Ids' random bytes from the kernel (storage/os-random.ts). */
import t from 'tap';
import { randomBytes } from './os-random.js';

t.test('randomBytes gives the size asked for, different every call', async (t) => {
  for (const size of [0, 1, 16, 300, 70_000]) t.equal(randomBytes(size).length, size);
  const seen = new Set(Array.from({ length: 100 }, () => randomBytes(16).toString('hex')));
  t.equal(seen.size, 100);
  // Every byte value turns up in 64 KiB (each is missed with probability ~1e-111).
  t.equal(new Set(randomBytes(65_536)).size, 256);
});
