import t from 'tap';
import { ManualClock, SystemClock } from './clock.js';

t.test('ManualClock moves only when told, never backwards', async (t) => {
  const clock = new ManualClock(100);
  t.equal(clock.now(), 100);
  t.equal(clock.advance(50), 150);
  t.equal(clock.set(200), 200);
  t.throws(() => clock.advance(-1), RangeError);
  t.throws(() => clock.set(199), RangeError);
  t.throws(() => clock.advance(Number.NaN), RangeError);
  t.equal(clock.now(), 200);
});

t.test('SystemClock reads the wall clock', async (t) => {
  const before = Date.now();
  const now = new SystemClock().now();
  t.ok(now >= before && now <= Date.now());
});
