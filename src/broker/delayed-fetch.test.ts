import t from 'tap';
import { FetchPurgatory, type Schedule } from './delayed-fetch.js';
import { Partition } from './replica-manager.js';
import { MemoryPartitionLog } from './memory-log.js';

function manualTimers(): { schedule: Schedule; fireAll(): void; pending(): number } {
  const timers = new Set<() => void>();
  return {
    schedule: (_ms, fire) => {
      timers.add(fire);
      return () => timers.delete(fire);
    },
    fireAll: () => {
      for (const fire of [...timers]) {
        timers.delete(fire);
        fire();
      }
    },
    pending: () => timers.size,
  };
}

const partition = (): Partition =>
  new Partition(
    't',
    'id',
    0,
    { partition: 0, leader: 1, leaderEpoch: 0, partitionEpoch: 0, replicas: [1], isr: [1] },
    new MemoryPartitionLog(),
  );

t.test('answers at once when satisfied or when maxWaitMs is 0', async (t) => {
  const timers = manualTimers();
  const purgatory = new FetchPurgatory(timers.schedule);
  t.equal(await purgatory.run(1000, { attempt: () => 'now', watch: () => [] }), 'now');
  t.equal(await purgatory.run(0, { attempt: (final) => (final ? 'forced' : null), watch: () => [] }), 'forced');
  t.equal(timers.pending(), 0, 'no timer left behind');
});

t.test('a parked fetch retries on partition changes and completes at the deadline', async (t) => {
  const timers = manualTimers();
  const purgatory = new FetchPurgatory(timers.schedule);
  const p = partition();
  let ready = false;
  let attempts = 0;
  const result = purgatory.run(1000, {
    attempt: (final) => {
      attempts++;
      return ready || final ? { final } : null;
    },
    watch: () => [p],
  });
  t.equal(purgatory.size, 1);
  p.notifyChange();
  p.notifyChange();
  await Promise.resolve();
  t.equal(attempts, 2, 'two changes in one turn: one retry');
  t.equal(purgatory.size, 1, 'still parked');
  ready = true;
  p.notifyChange();
  t.same(await result, { final: false }, 'woken by the change');
  t.equal(purgatory.size, 0);
  t.equal(timers.pending(), 0, 'timer cancelled');

  const timed = purgatory.run(1000, { attempt: (final) => (final ? 'deadline' : null), watch: () => [p] });
  timers.fireAll();
  t.equal(await timed, 'deadline');
  p.notifyChange();
  t.equal(purgatory.size, 0, 'no waiter left on the partition');
});

t.test('an attempt that throws rejects the fetch; close() finishes parked fetches', async (t) => {
  const timers = manualTimers();
  const purgatory = new FetchPurgatory(timers.schedule);
  const p = partition();
  let calls = 0;
  const failing = purgatory.run(1000, {
    attempt: () => {
      if (calls++ > 0) throw new Error('boom');
      return null;
    },
    watch: () => [p],
  });
  p.notifyChange();
  await t.rejects(failing, /boom/);
  const parked = purgatory.run(1000, { attempt: (final) => (final ? 'closed' : null), watch: () => [p] });
  purgatory.close();
  t.equal(await parked, 'closed');
  t.equal(timers.pending(), 0);
});
