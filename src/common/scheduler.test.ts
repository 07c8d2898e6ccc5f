import t from 'tap';
import { ManualClock } from './clock.js';
import { ManualScheduler, NodeScheduler, ScopedScheduler, schedulerFor } from './scheduler.js';

t.test('ManualScheduler fires timers in due order, ties in the order set, and moves the clock', async (t) => {
  const s = new ManualScheduler(1000);
  const fired: string[] = [];
  s.after(30, () => fired.push(`a@${s.now()}`));
  s.after(10, () => fired.push(`b@${s.now()}`));
  s.after(10, () => fired.push(`c@${s.now()}`));
  s.soon(() => fired.push(`soon@${s.now()}`));
  const cancelled = s.after(5, () => fired.push('never'));
  cancelled.cancel();
  t.equal(s.pending(), 4);
  t.equal(s.nextAt(), 1000);
  t.equal(s.advance(20), 3);
  t.same(fired, ['soon@1000', 'b@1010', 'c@1010']);
  t.equal(s.now(), 1020);
  t.ok(s.runNext());
  t.same(fired.at(-1), 'a@1030');
  t.notOk(s.runNext(), 'nothing left');
  t.equal(s.nextAt(), Number.POSITIVE_INFINITY);
});

t.test('ManualScheduler intervals repeat until cancelled; negative delays count as 0', async (t) => {
  const s = new ManualScheduler();
  const at: number[] = [];
  const every = s.every(100, () => at.push(s.now()));
  s.after(-50, () => at.push(-1));
  s.advance(350);
  t.same(at, [-1, 100, 200, 300]);
  every.cancel();
  s.advance(1000);
  t.equal(at.length, 4);
  t.equal(s.fired, 4);
});

t.test('runNext stops at a bound and never moves the clock back', async (t) => {
  const s = new ManualScheduler(50);
  s.after(100, () => {});
  t.notOk(s.runNext(120), 'due at 150, bound 120');
  t.equal(s.now(), 50);
  t.ok(s.runNext(150));
  t.equal(s.now(), 150);
});

t.test('ScopedScheduler.close stops every timer set through it, and refuses new ones', async (t) => {
  const s = new ManualScheduler();
  const node = new ScopedScheduler(s);
  const fired: string[] = [];
  node.after(10, () => fired.push('once'));
  node.every(5, () => fired.push('tick'));
  s.after(20, () => fired.push('other'));
  s.advance(7);
  t.same(fired, ['tick']);
  node.close();
  node.after(1, () => fired.push('after close'));
  s.advance(100);
  t.same(fired, ['tick', 'other']);
  t.ok(node.isClosed());
  t.equal(node.now(), s.now());
});

t.test('NodeScheduler runs on real timers and can cancel them', async (t) => {
  const s = new NodeScheduler(undefined, { keepAlive: true });
  const order: string[] = [];
  const cancelled = s.after(1, () => order.push('cancelled'));
  cancelled.cancel();
  await new Promise<void>((resolve) => {
    s.soon(() => order.push('soon'));
    s.after(5, () => {
      order.push('after');
      resolve();
    });
  });
  let ticks = 0;
  await new Promise<void>((resolve) => {
    const every = s.every(2, () => {
      if (++ticks === 3) {
        every.cancel();
        resolve();
      }
    });
  });
  t.same(order, ['soon', 'after']);
  t.equal(ticks, 3);
});

t.test('schedulerFor uses a clock that is a scheduler, else Node timers over the clock', async (t) => {
  const manual = new ManualScheduler(5);
  t.equal(schedulerFor(manual), manual);
  const clock = new ManualClock(42);
  const s = schedulerFor(clock);
  t.ok(s instanceof NodeScheduler);
  t.equal(s.now(), 42);
  const explicit = new ManualScheduler();
  t.equal(schedulerFor(clock, explicit), explicit);
});

t.test('NodeScheduler.soon fires at once while the loop otherwise waits on a distant timer', async (t) => {
  const s = new NodeScheduler(); // timers unref'd: the scheduler does not keep the process alive
  const hold = setTimeout(() => undefined, 10_000); // the only other thing the loop waits for
  t.teardown(() => clearTimeout(hold));
  const started = performance.now();
  const firedAfterMs = await new Promise<number>((resolve) => {
    // From a timer callback, as a registration's answer schedules the first heartbeat.
    setTimeout(() => s.soon(() => resolve(performance.now() - started)), 1);
  });
  t.ok(firedAfterMs < 2_000, `soon ran after ${firedAfterMs.toFixed(0)} ms, not at the next timer (10 s)`);
});
