/** ReadBufferPool: what it lends, what it takes back (only what it lent, once), and its cap. */
import t from 'tap';
import { ReadBufferPool, retainLent } from './read-buffers.js';

t.test('large reads are lent and come back by capacity; small ones and strangers are not pooled', async (t) => {
  const pool = new ReadBufferPool(1024 * 1024);
  const small = pool.take(100);
  t.notOk(pool.isLent(small), 'a small read is an ordinary buffer');
  pool.giveBack([small]);
  t.equal(pool.keptBytes, 0);

  const large = pool.take(100_000);
  t.equal(large.length, 100_000);
  t.equal(large.buffer.byteLength, 128 * 1024, 'capacity rounded up to 64 KiB');
  t.ok(pool.isLent(large.subarray(10, 20)), 'a view of a lent buffer counts as lent');
  pool.giveBack([large.subarray(0, 10), large.subarray(50)]);
  t.equal(pool.keptBytes, 128 * 1024, 'two views of one buffer give it back once');
  t.notOk(pool.isLent(large));
  pool.giveBack([large]);
  t.equal(pool.keptBytes, 128 * 1024, 'giving back again changes nothing');

  const tooBig = pool.take(300_000);
  t.not(tooBig.buffer, large.buffer, 'a kept buffer smaller than the read is not used');
  const fits = pool.take(70_000);
  t.equal(fits.buffer, large.buffer, 'the kept buffer is lent again for a read it fits');
  t.equal(pool.reuses, 1);
  t.equal(pool.keptBytes, 0);
  pool.giveBack([Buffer.allocUnsafeSlow(200_000)]);
  t.equal(pool.keptBytes, 0, 'a buffer the pool never lent is not taken');

  const many = Array.from({ length: 10 }, () => pool.take(200_000));
  pool.giveBack(many);
  t.ok(pool.keptBytes <= 1024 * 1024, 'never more than the cap is kept');
});

t.test('a sharable pool takes a retained buffer back only once its owner and every holder gave it back', async (t) => {
  const pool = new ReadBufferPool(1024 * 1024, true);
  const frame = pool.take(100_000);
  t.equal(retainLent(frame.subarray(10, 20)), pool, 'retainLent finds the sharable pool that lent it');
  t.ok(pool.retain(frame), 'a second holder');
  pool.giveBack([frame, frame.subarray(5)]);
  t.equal(pool.keptBytes, 0, 'the owner gave it back (one claim, however many views): still held');
  pool.giveBack([frame]);
  t.equal(pool.keptBytes, 0, 'one holder left');
  pool.giveBack([frame.subarray(1)]);
  t.equal(pool.keptBytes, 128 * 1024, 'the last claim given back: kept for reuse');
  t.equal(retainLent(Buffer.allocUnsafeSlow(100_000)), null, 'a buffer no sharable pool lent is not retained');
  const plain = new ReadBufferPool(1024 * 1024);
  t.equal(retainLent(plain.take(100_000)), null, 'nor one lent by a pool that is not sharable');
});

t.test(
  'of equal fits, the buffer given back last is lent first (a steady load reuses a few warm buffers)',
  async (t) => {
    const pool = new ReadBufferPool(16 * 1024 * 1024);
    const stores = Array.from({ length: 8 }, () => pool.take(1_000_000));
    pool.giveBack(stores);
    const seen = new Set<ArrayBufferLike>();
    for (let i = 0; i < 50; i++) {
      const b = pool.take(1_000_000);
      seen.add(b.buffer);
      pool.giveBack([b]);
    }
    t.equal(seen.size, 1, 'one buffer serves a take-and-give-back cycle');
    t.equal([...seen][0], stores[7]!.buffer, 'the last one given back');
  },
);
