import t from 'tap';
import { PAGE_BYTES, PagedBytes } from './paged-bytes.js';

t.test('writes and reads across page boundaries, zero-fills gaps, truncates', async (t) => {
  const bytes = new PagedBytes();
  const big = Buffer.alloc(PAGE_BYTES * 2 + 100);
  for (let i = 0; i < big.length; i++) big[i] = i % 251;
  bytes.write(big.subarray(0, 10), 0);
  bytes.write(big.subarray(10), 10);
  t.equal(bytes.length, big.length);
  t.ok(bytes.slice(0, big.length).equals(big), 'a read across pages gives back what was written');
  const part = Buffer.alloc(300);
  t.equal(bytes.copyTo(part, 0, PAGE_BYTES - 150, PAGE_BYTES + 150), 300);
  t.ok(part.equals(big.subarray(PAGE_BYTES - 150, PAGE_BYTES + 150)));
  bytes.truncate(PAGE_BYTES + 5);
  t.equal(bytes.length, PAGE_BYTES + 5);
  bytes.write(Buffer.from([7]), PAGE_BYTES + 10);
  t.same(
    [...bytes.slice(PAGE_BYTES + 4, PAGE_BYTES + 11)],
    [big[PAGE_BYTES + 4], 0, 0, 0, 0, 0, 7],
    'the gap after a truncation reads as zeros',
  );
  t.equal(bytes.copyTo(Buffer.alloc(10), 0, bytes.length, bytes.length + 10), 0, 'nothing past the end');
  const sparse = new PagedBytes();
  sparse.write(Buffer.from('x'), PAGE_BYTES * 3);
  t.equal(
    sparse.slice(0, PAGE_BYTES * 3).every((b) => b === 0),
    true,
    'a write far past the end zero-fills every page before it',
  );
});
