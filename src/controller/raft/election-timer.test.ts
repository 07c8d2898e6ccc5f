import t from 'tap';
import { DEFAULT_RAFT_CONFIG } from './config.js';
import { ElectionTimer } from './election-timer.js';

function timerDrawing(...values: number[]): ElectionTimer {
  let i = 0;
  return new ElectionTimer(
    { ...DEFAULT_RAFT_CONFIG, electionTimeoutMs: 1000, electionBackoffMaxMs: 400 },
    { next: () => values[i++ % values.length] ?? 0 },
  );
}

t.test('timeouts fall in [T, 2T) and backoffs in [0, max), one draw each', async (t) => {
  const timer = timerDrawing(0, 0.999, 0.5);
  t.equal(timer.randomDeadline(100), 1100);
  t.equal(timer.randomDeadline(100), 2099);
  t.equal(timer.randomBackoff(), 200);
  t.equal(timer.jitter(50), 0);
});

t.test('restart, shortenTo, extendTo and expired', async (t) => {
  const timer = timerDrawing(0.5);
  timer.restart(0);
  t.equal(timer.deadline, 1500);
  t.notOk(timer.expired(1499));
  t.ok(timer.expired(1500));
  timer.shortenTo(2000);
  t.equal(timer.deadline, 1500, 'shortenTo never moves it later');
  timer.shortenTo(300);
  t.equal(timer.deadline, 300);
  timer.extendTo(100);
  t.equal(timer.deadline, 300, 'extendTo never moves it earlier');
  timer.extendTo(900);
  t.equal(timer.deadline, 900);
});
