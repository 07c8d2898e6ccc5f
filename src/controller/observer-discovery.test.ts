/**
 * ObserverDiscovery on a manual clock with stand-in voters: every voter is asked at once, a voter that
 * does not answer holds up nobody else, and a lost leader connection (`leaderLost`) starts a fast search
 * at once instead of waiting for the next periodic look (the split-mode failover fix).
 */
import t from 'tap';
import { ManualScheduler } from '../common/scheduler.js';
import { createLogger } from '../common/logger.js';
import { ObserverDiscovery } from './observer-discovery.js';
import type { DescribeQuorumResponse } from '../../protocol/generated/messages/55-describe-quorum.js';

type Answer = { leaderId: number; leaderEpoch: number } | 'silent' | 'refused';

function harness(answers: Map<number, Answer>) {
  const scheduler = new ManualScheduler(0);
  const asked: Array<[number, number]> = [];
  let known = { leaderId: -1, leaderEpoch: 0 };
  const learned: Array<[number, number, number]> = [];
  const peers = {
    request: (voter: number): Promise<DescribeQuorumResponse> => {
      asked.push([scheduler.now(), voter]);
      const a = answers.get(voter) ?? 'refused';
      if (a === 'silent') return new Promise<DescribeQuorumResponse>(() => undefined);
      if (a === 'refused') return Promise.reject(new Error(`node ${voter} is unreachable`));
      const partition = { partitionIndex: 0, errorCode: 0, leaderId: a.leaderId, leaderEpoch: a.leaderEpoch };
      return Promise.resolve({
        errorCode: 0,
        topics: [{ partitions: [partition] }],
      } as unknown as DescribeQuorumResponse);
    },
  };
  const discovery = new ObserverDiscovery({
    voterIds: [1, 2, 3],
    peers: peers as unknown as ConstructorParameters<typeof ObserverDiscovery>[0]['peers'],
    current: () => known,
    learn: (leaderId, leaderEpoch) => {
      learned.push([scheduler.now(), leaderId, leaderEpoch]);
      known = { leaderId, leaderEpoch };
    },
    periodMs: 1000,
    searchMs: 200,
    urgentMs: 50,
    urgentForMs: 4000,
    requestTimeoutMs: 2000,
    scheduler,
    logger: createLogger({ level: 'silent' }),
  });
  /** Runs the timers due within `ms`, letting the stand-in answers settle after each. */
  const advance = async (ms: number): Promise<void> => {
    const end = scheduler.now() + ms;
    for (let i = 0; i < 10_000 && scheduler.runNext(end); i++) await new Promise((r) => setImmediate(r));
    scheduler.clock.set(Math.max(scheduler.now(), end));
    await new Promise((r) => setImmediate(r));
  };
  return { scheduler, discovery, asked, learned, advance };
}

t.test('every voter is asked at once; a silent one holds up nobody', async (t) => {
  const answers = new Map<number, Answer>([
    [1, 'silent'],
    [2, 'refused'],
    [3, { leaderId: 1, leaderEpoch: 4 }],
  ]);
  const h = harness(answers);
  h.discovery.start();
  await h.advance(0);
  t.same(h.asked, [
    [0, 1],
    [0, 2],
    [0, 3],
  ]);
  t.same(h.learned, [[0, 1, 4]], 'the leader voter 3 names is followed at once');
  h.asked.length = 0;
  await h.advance(200);
  await h.advance(1000);
  t.same(
    h.asked,
    [
      [200, 2],
      [200, 3],
      [1200, 2],
      [1200, 3],
    ],
    'searchMs after a look that knew no leader, then periodMs; voter 1, still silent, is not asked again meanwhile',
  );
  h.discovery.stop();
});

t.test('a lost leader connection starts a fast search at once', async (t) => {
  const answers = new Map<number, Answer>([
    [1, { leaderId: 1, leaderEpoch: 4 }],
    [2, { leaderId: 1, leaderEpoch: 4 }],
    [3, { leaderId: 1, leaderEpoch: 4 }],
  ]);
  const h = harness(answers);
  h.discovery.start();
  await h.advance(0);
  t.same(h.learned, [[0, 1, 4]]);
  await h.advance(300);
  h.asked.length = 0;
  // Node 1 dies: its connection is refused; the voters have not elected yet.
  answers.set(1, 'refused');
  h.discovery.leaderLost();
  await h.advance(0);
  t.same(
    h.asked.map(([at]) => at),
    [300, 300, 300],
    'asked at once, not at the periodic look (1000)',
  );
  await h.advance(100);
  t.equal(h.asked.filter(([at]) => at === 350).length, 3, 'and again every urgentMs');
  answers.set(2, { leaderId: 2, leaderEpoch: 5 });
  answers.set(3, { leaderId: 2, leaderEpoch: 5 });
  await h.advance(50);
  t.same(h.learned.at(-1), [450, 2, 5], 'the new leader is followed within urgentMs of its election');
  h.asked.length = 0;
  await h.advance(900);
  t.ok(h.asked.length <= 3, `back to the periodic pace once a newer epoch is known (${h.asked.length} asks)`);
  h.discovery.stop();
});

t.test('the fast search ends after urgentForMs without a newer epoch', async (t) => {
  const h = harness(new Map<number, Answer>([[1, { leaderId: 1, leaderEpoch: 4 }]]));
  h.discovery.start();
  await h.advance(0);
  h.discovery.leaderLost();
  await h.advance(4100);
  const before = h.asked.length;
  await h.advance(1000);
  t.ok(h.asked.length - before <= 3, 'one periodic round in the next second, not twenty');
  h.discovery.stop();
});
