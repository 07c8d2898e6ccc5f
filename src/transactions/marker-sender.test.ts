import t from 'tap';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { TxnMarkerSender, type MarkerResult, type MarkerTarget, type TxnMarker } from './marker-sender.js';

/** A deterministic harness: leaders in a map, writes answered by a scripted function, a manual timer queue. */
function harness(
  answer: (
    broker: number,
    targets: readonly MarkerTarget[],
  ) => MarkerResult[] | Promise<MarkerResult[]> | 'unreachable',
) {
  const leaders = new Map<string, number | null>();
  const writes: Array<{ broker: number; partitions: string[] }> = [];
  const timers: Array<{ ms: number; fn: () => void; cancelled: boolean }> = [];
  const sender = new TxnMarkerSender({
    leaderOf: (topic, partition) => {
      const leader = leaders.get(`${topic}-${partition}`);
      return leader === undefined ? null : leader;
    },
    write: (broker, _marker, targets) => {
      writes.push({ broker, partitions: targets.map((x) => `${x.topic}-${x.partition}`) });
      const a = answer(broker, targets);
      return a === 'unreachable' ? Promise.reject(new Error('connection refused')) : a;
    },
    schedule: (ms, fn) => {
      const entry = { ms, fn, cancelled: false };
      timers.push(entry);
      return () => {
        entry.cancelled = true;
      };
    },
    retryBackoffMs: 100,
  });
  /** Runs the queued timers (one round of retries). */
  const tick = async (): Promise<number> => {
    const due = timers.splice(0).filter((x) => !x.cancelled);
    for (const x of due) x.fn();
    await settle();
    return due.length;
  };
  return { sender, leaders, writes, timers, tick };
}

const settle = async (): Promise<void> => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};
const marker: TxnMarker = { producerId: 7n, producerEpoch: 3, coordinatorEpoch: 5, commit: true };
const ok = (targets: readonly MarkerTarget[], code = 0): MarkerResult[] =>
  targets.map((x) => ({ ...x, errorCode: code }));
const targets = (...names: Array<[string, number]>): MarkerTarget[] =>
  names.map(([topic, partition]) => ({ topic, partition }));

t.test('local markers answered at once complete before send returns; partitions are grouped by leader', async (t) => {
  const h = harness((broker, list) => (broker === 1 ? ok(list) : Promise.resolve(ok(list))));
  h.leaders.set('a-0', 1);
  h.leaders.set('a-1', 1);
  let done = 0;
  h.sender.send('x', marker, targets(['a', 0], ['a', 1]), { done: () => done++, abandoned: () => t.fail() });
  t.equal(done, 1, 'done ran synchronously');
  t.same(h.writes, [{ broker: 1, partitions: ['a-0', 'a-1'] }]);
  t.notOk(h.sender.isSending('x'));

  h.leaders.set('b-0', 2);
  h.leaders.set('c-0', 3);
  h.leaders.set('b-1', 2);
  h.sender.send('y', marker, targets(['b', 0], ['c', 0], ['b', 1]), { done: () => done++, abandoned: () => t.fail() });
  t.ok(h.sender.isSending('y'));
  await settle();
  t.equal(done, 2);
  t.same(h.writes.slice(1), [
    { broker: 2, partitions: ['b-0', 'b-1'] },
    { broker: 3, partitions: ['c-0'] },
  ]);
});

t.test('NOT_LEADER_OR_FOLLOWER and a moved leader: retried at the new leader until written', async (t) => {
  let moved = false;
  const h = harness((broker, list) =>
    Promise.resolve(broker === 2 && !moved ? ok(list, ErrorCode.NOT_LEADER_OR_FOLLOWER) : ok(list)),
  );
  h.leaders.set('a-0', 2);
  h.leaders.set('a-1', 3);
  let done = 0;
  h.sender.send('x', marker, targets(['a', 0], ['a', 1]), { done: () => done++, abandoned: () => t.fail() });
  await settle();
  t.equal(done, 0, 'a-0 is not written yet');
  t.equal(h.timers.length, 1);
  t.equal(h.timers[0]!.ms, 100, 'retried after the backoff');
  // Still refused once more, then the leader moves to broker 4.
  await h.tick();
  t.equal(done, 0);
  t.same(
    h.writes.map((w) => `${w.broker}:${w.partitions.join(',')}`),
    ['2:a-0', '3:a-1', '2:a-0'],
    'only the refused partition is sent again',
  );
  h.leaders.set('a-0', 4);
  await h.tick();
  t.equal(done, 1);
  t.same(h.writes[h.writes.length - 1], { broker: 4, partitions: ['a-0'] });
  t.equal(h.timers.length, 0, 'nothing left scheduled');
  moved = true;
});

t.test('no leader, an unreachable broker and timeouts are retried; a deleted topic is dropped', async (t) => {
  let reachable = false;
  const h = harness((broker, list) => {
    if (broker === 9 && !reachable) return 'unreachable';
    return Promise.resolve(ok(list));
  });
  h.leaders.set('a-0', -1);
  h.leaders.set('a-1', 9);
  h.leaders.set('gone-0', null);
  let done = 0;
  h.sender.send('x', marker, targets(['a', 0], ['a', 1], ['gone', 0]), {
    done: () => done++,
    abandoned: () => t.fail(),
  });
  await settle();
  t.equal(done, 0);
  t.same(h.writes, [{ broker: 9, partitions: ['a-1'] }], 'nothing sent for a partition without a leader or topic');
  h.leaders.set('a-0', 9);
  for (let i = 0; i < 5; i++) await h.tick();
  t.equal(done, 0, 'still unreachable after 5 retries');
  reachable = true;
  await h.tick();
  t.equal(done, 1);
  t.notOk(h.sender.isSending('x'));
});

t.test('TRANSACTION_COORDINATOR_FENCED abandons the send; skipped errors do not block', async (t) => {
  const h = harness((_broker, list) =>
    Promise.resolve(
      list.map((x) => ({
        ...x,
        errorCode:
          x.topic === 'fenced' ? ErrorCode.TRANSACTION_COORDINATOR_FENCED : ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT,
      })),
    ),
  );
  h.leaders.set('fenced-0', 1);
  h.leaders.set('old-0', 1);
  const abandoned: number[] = [];
  let done = 0;
  h.sender.send('x', marker, targets(['fenced', 0]), { done: () => done++, abandoned: (c) => abandoned.push(c) });
  await settle();
  t.same(abandoned, [ErrorCode.TRANSACTION_COORDINATOR_FENCED]);
  t.equal(h.timers.length, 0, 'no retry');
  t.notOk(h.sender.isSending('x'));
  h.sender.send('y', marker, targets(['old', 0]), { done: () => done++, abandoned: (c) => abandoned.push(c) });
  await settle();
  t.equal(done, 1, 'UNSUPPORTED_FOR_MESSAGE_FORMAT is given up for that partition, as Kafka does');
});

t.test(
  'a second send for the same transactional id while one is in flight is ignored; cancelAll stops retries',
  async (t) => {
    const h = harness((_b, list) => Promise.resolve(ok(list, ErrorCode.NOT_ENOUGH_REPLICAS)));
    h.leaders.set('a-0', 2);
    let done = 0;
    h.sender.send('x', marker, targets(['a', 0]), { done: () => done++, abandoned: () => t.fail() });
    h.sender.send('x', marker, targets(['a', 0]), { done: () => done++, abandoned: () => t.fail() });
    await settle();
    t.equal(h.writes.length, 1);
    h.sender.cancelAll();
    t.notOk(h.sender.isSending('x'));
    t.equal(await h.tick(), 0, 'the retry timer was cancelled');
    t.equal(done, 0);
  },
);
