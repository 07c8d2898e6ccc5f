import t from 'tap';
import { FetchSessionCache, type WantedPartition } from './fetch-sessions.js';

const wanted = (partition: number, fetchOffset = 0): WantedPartition => ({
  topic: 't',
  topicId: 'AAAAAAAAAAAAAAAAAAAAAA',
  partition,
  fetchOffset,
  partitionMaxBytes: 1000,
  currentLeaderEpoch: -1,
});
const news = (highWatermark: number, recordBytes = 0) => ({
  errorCode: 0,
  recordBytes,
  highWatermark,
  lastStableOffset: highWatermark,
  logStartOffset: 0,
});

function idsFrom(...ids: number[]): () => number {
  return () => ids.shift() ?? 99;
}

t.test('session lifecycle: create, incremental, epochs, close', async (t) => {
  const cache = new FetchSessionCache(10, idsFrom(0, 7, 8));
  t.same(
    cache.newContext(
      { sessionId: 0, sessionEpoch: -1, usesTopicIds: false, partitions: [wanted(0)], forgotten: [] },
      0,
    ),
    { kind: 'full', session: null },
    'sessionless',
  );
  const full = cache.newContext(
    { sessionId: 0, sessionEpoch: 0, usesTopicIds: false, partitions: [wanted(0), wanted(1)], forgotten: [] },
    0,
  );
  if (full.kind !== 'full' || !full.session) throw new Error('expected a new session');
  t.equal(full.session.id, 7, 'id 0 is never handed out');
  t.equal(full.session.partitions.size, 2);
  t.equal(
    cache.newContext({ sessionId: 7, sessionEpoch: 2, usesTopicIds: false, partitions: [], forgotten: [] }, 1).kind,
    'error',
    'wrong epoch',
  );
  t.same(cache.newContext({ sessionId: 9, sessionEpoch: 1, usesTopicIds: false, partitions: [], forgotten: [] }, 1), {
    kind: 'error',
    errorCode: 70,
  });
  const inc = cache.newContext(
    {
      sessionId: 7,
      sessionEpoch: 1,
      usesTopicIds: false,
      partitions: [wanted(2)],
      forgotten: [{ topic: 't', topicId: '', partition: 0 }],
    },
    1,
  );
  if (inc.kind !== 'incremental') throw new Error('expected incremental');
  t.same(
    [...inc.session.partitions.values()].map((p) => p.partition),
    [1, 2],
    'forgotten removed, new added',
  );
  t.equal(inc.session.epoch, 2, 'epoch moves on');
  t.same(
    cache.newContext({ sessionId: 7, sessionEpoch: 2, usesTopicIds: true, partitions: [], forgotten: [] }, 1),
    { kind: 'error', errorCode: 106 },
    'topic id switch',
  );
  t.equal(cache.get(7)?.epoch, 2, 'that session is left as it was (Kafka keeps it)');
  t.same(
    cache.newContext({ sessionId: 0, sessionEpoch: 3, usesTopicIds: false, partitions: [], forgotten: [] }, 1),
    { kind: 'error', errorCode: 70 },
    'session id 0 names no session',
  );
  t.same(
    cache.newContext(
      {
        sessionId: 7,
        sessionEpoch: 2,
        usesTopicIds: false,
        partitions: [wanted(1)],
        forgotten: [
          { topic: 't', topicId: '', partition: 1 },
          { topic: 't', topicId: '', partition: 2 },
        ],
      },
      1,
    ),
    { kind: 'full', session: null },
    'forgetting every partition (one also named) closes the session: sessionless',
  );
  t.equal(cache.size, 0);
});

t.test('incremental answers only news, and rotates partitions that answered', async (t) => {
  const cache = new FetchSessionCache(10, idsFrom(5));
  const full = cache.newContext(
    { sessionId: 0, sessionEpoch: 0, usesTopicIds: false, partitions: [wanted(0), wanted(1)], forgotten: [] },
    0,
  );
  if (full.kind !== 'full' || !full.session) throw new Error('expected a session');
  const s = full.session;
  t.ok(s.noteAnswer('t:0', news(3), false), 'full answers include everything');
  t.ok(s.noteAnswer('t:1', news(0), false));
  t.notOk(s.noteAnswer('t:0', news(3), true), 'no change: left out');
  t.ok(s.noteAnswer('t:0', news(3, 100), true), 'records: included');
  t.same([...s.partitions.keys()], ['t:1', 't:0'], 'answered partition moved to the end');
  t.ok(s.noteAnswer('t:1', news(4), true), 'high watermark change: included');
  t.ok(s.noteAnswer('t:1', { ...news(4), errorCode: 1 }, true), 'errors: included');
  t.ok(
    s.noteAnswer('t:1', news(4), true),
    'the first answer after an error: included (cached high watermark was reset)',
  );
  t.notOk(s.noteAnswer('t:1', news(4), true), 'then no news again');
  t.ok(s.noteAnswer('t:1', { ...news(4), diverging: true }, true), 'a diverging follower: included');
});

t.test('a full cache evicts only sessions idle past the eviction time', async (t) => {
  const cache = new FetchSessionCache(1, idsFrom(1, 2, 3), 1000);
  const open = (now: number) =>
    cache.newContext({ sessionId: 0, sessionEpoch: 0, usesTopicIds: true, partitions: [], forgotten: [] }, now);
  t.match(open(0), { kind: 'full', session: { id: 1 } });
  t.same(open(500), { kind: 'full', session: null }, 'no room: answered without a session');
  t.match(open(1500), { kind: 'full', session: { id: 2 } }, 'the idle one was evicted');
  t.equal(cache.get(1), undefined);
});
