import t from 'tap';
import { ErrorCode } from './errors.js';
import type { FetchRequest, FetchResponse } from './messages.js';
import { Harness } from './test-harness.js';

function fetchRequest(over: Partial<FetchRequest> = {}): FetchRequest {
  return {
    type: 'Fetch',
    clusterId: 'test-cluster',
    replicaId: 2,
    maxWaitMs: 0,
    maxBytes: 1 << 20,
    currentLeaderEpoch: 1,
    fetchOffset: 0,
    lastFetchedEpoch: 0,
    logStartOffset: 0,
    ...over,
  };
}

function electOne(h: Harness): void {
  h.run(1100);
  if (!h.node(1).isLeader()) throw new Error('node 1 should lead');
}

t.test('entries replicate by fetch and commit once a majority holds them', async (t) => {
  const h = new Harness([1, 2, 3]);
  electOne(h);
  const { firstOffset, lastOffset } = h.node(1).propose([Buffer.from('a'), Buffer.from('b'), Buffer.from('c')]);
  t.equal(firstOffset, 1, 'offset 0 is the LeaderChange control record');
  h.isolate(3);
  h.run(100);
  t.equal(h.node(1).highWatermark(), lastOffset + 1, 'leader and node 2 are a majority');
  t.same(h.member(2).machine.items, ['a', 'b', 'c']);
  t.same(h.member(3).machine.items, [], 'node 3 is cut off');
  h.heal();
  h.run(1000);
  t.same(h.member(3).machine.items, ['a', 'b', 'c']);
  const d = h.node(1).describeQuorum();
  t.equal(d.errorCode, 0);
  t.same(
    d.currentVoters.map((v) => v.logEndOffset),
    [4, 4, 4],
  );
});

t.test('the high watermark waits for an entry of the current epoch', async (t) => {
  const h = new Harness([1, 2, 3]);
  electOne(h);
  // Only the leader holds its LeaderChange record: nothing is committed yet.
  h.isolate(1);
  h.node(1).propose([Buffer.from('lonely')]);
  h.run(100);
  t.equal(h.node(1).highWatermark(), 1, 'only the leader-change record of epoch 1 is committed');
  t.equal(h.node(1).logEndOffset(), 2);
});

t.test('fetch requests with the wrong epoch, leader or cluster get Kafka errors', async (t) => {
  const h = new Harness([1, 2, 3]);
  electOne(h);
  h.run(10);
  const leader = h.node(1);
  const outbox = h.member(1).outbox;
  const answers: FetchResponse[] = [];
  const ask = (req: FetchRequest, to = leader, box = outbox): void => {
    to.handleRequest(2, 99, req);
    for (const m of box.drain()) if (m.kind === 'response' && m.response.type === 'Fetch') answers.push(m.response);
  };
  ask(fetchRequest({ currentLeaderEpoch: 0 }));
  ask(fetchRequest({ currentLeaderEpoch: 5, lastFetchedEpoch: 0 }));
  ask(fetchRequest({ clusterId: 'nope' }));
  ask(fetchRequest({ fetchOffset: -1 }));
  ask(fetchRequest({ lastFetchedEpoch: 3 }));
  ask(fetchRequest(), h.node(3), h.member(3).outbox);
  t.same(
    answers.map((a) => [a.errorCode, a.partitionErrorCode]),
    [
      [0, ErrorCode.FENCED_LEADER_EPOCH],
      [0, ErrorCode.UNKNOWN_LEADER_EPOCH],
      [ErrorCode.INCONSISTENT_CLUSTER_ID, 0],
      [ErrorCode.INVALID_REQUEST, 0],
      [ErrorCode.INVALID_REQUEST, 0],
      [0, ErrorCode.NOT_LEADER_OR_FOLLOWER],
    ],
  );
  t.same(answers[0]?.currentLeader, { leaderId: 1, leaderEpoch: 1 }, 'errors name the current leader');
  t.same(answers[5]?.currentLeader, { leaderId: 1, leaderEpoch: 1 }, 'a follower points at its leader');
});

t.test('a follower with a diverging tail truncates it (DivergingEpoch)', async (t) => {
  const h = new Harness([1, 2, 3]);
  electOne(h);
  h.node(1).propose([Buffer.from('shared')]);
  h.run(100);
  // Node 1 is cut off and keeps appending entries no one else will see.
  h.isolate(1);
  h.node(1).propose([Buffer.from('lost-1'), Buffer.from('lost-2'), Buffer.from('lost-3')]);
  h.run(50);
  t.equal(h.member(1).log.endOffset(), 5);
  // The others elect a new leader and commit different entries.
  h.run(6000);
  const newLeader = [2, 3].map((id) => h.node(id)).find((n) => n.isLeader());
  t.ok(newLeader, 'the majority side elected a leader');
  newLeader?.propose([Buffer.from('new-1')]);
  h.run(100);
  t.not(h.node(1).currentState().kind, 'leader', 'check-quorum made the isolated leader step down');
  h.heal();
  h.run(3000);
  const logs = [1, 2, 3].map((id) =>
    h
      .member(id)
      .log.allEntries()
      .map((e) => `${e.epoch}:${e.payload.toString()}`),
  );
  t.same(logs[0], logs[1], 'node 1 now holds the same log');
  t.same(logs[1], logs[2]);
  t.notOk(
    logs[0]?.some((e) => e.includes('lost')),
    'the diverging entries were truncated',
  );
  t.same(h.member(1).machine.items, ['shared', 'new-1']);
  const diverging = h.delivered.some(
    (d) => d.message.kind === 'response' && d.message.response.type === 'Fetch' && d.message.response.divergingEpoch,
  );
  t.ok(diverging, 'a fetch answer carried DivergingEpoch');
});

t.test('a lagging follower receives a snapshot in chunks (FetchSnapshot)', async (t) => {
  const h = new Harness([1, 2, 3], { snapshotChunkBytes: 5 });
  electOne(h);
  h.isolate(3);
  for (let i = 0; i < 10; i++) h.node(1).propose([Buffer.from(`item-${i}`)]);
  h.run(200);
  t.equal(h.node(1).highWatermark(), 11);
  const id = h.node(1).takeSnapshot();
  t.same(id, { endOffset: 11, epoch: 1 });
  t.equal(h.member(1).log.startOffset(), 11, 'the log was truncated past the snapshot');
  h.node(1).propose([Buffer.from('after')]);
  h.run(100);
  h.heal();
  h.run(1500);
  const follower = h.member(3);
  t.equal(follower.log.startOffset(), 11, 'the snapshot was installed');
  t.same(follower.machine.items, [...Array.from({ length: 10 }, (_, i) => `item-${i}`), 'after']);
  const chunks = h.delivered.filter((d) => d.message.kind === 'request' && d.message.request.type === 'FetchSnapshot');
  t.ok(chunks.length > 3, `snapshot came in ${chunks.length} chunks`);
  t.equal(follower.node.appliedOffset(), 12);
});

t.test('a restarted follower rebuilds its state from its snapshot plus log', async (t) => {
  const h = new Harness([1, 2, 3]);
  electOne(h);
  h.node(1).propose([Buffer.from('a'), Buffer.from('b')]);
  h.run(100);
  h.node(2).takeSnapshot();
  h.node(1).propose([Buffer.from('c')]);
  h.run(100);
  h.crash(2);
  h.restart(2);
  t.same(h.member(2).machine.items, ['a', 'b'], 'restored from the snapshot');
  h.run(1000);
  t.same(h.member(2).machine.items, ['a', 'b', 'c'], 'then replayed the rest');
});

t.test('check-quorum: a leader cut off from the majority resigns', async (t) => {
  const h = new Harness([1, 2, 3]);
  electOne(h);
  h.isolate(1);
  h.run(2400);
  t.equal(h.node(1).currentState().kind, 'leader', 'still inside 1.5 x fetch timeout of the last fetch');
  h.run(700);
  t.equal(h.node(1).currentState().kind, 'resigned', 'no fetches from a majority for 3 s');
  t.throws(() => h.node(1).propose([Buffer.from('x')]), { name: 'NotLeaderError' });
});

t.test('a resigning leader hands over through EndQuorumEpoch', async (t) => {
  const h = new Harness([1, 2, 3]);
  electOne(h);
  h.node(1).propose([Buffer.from('a')]);
  h.run(100);
  h.node(1).resign();
  h.run(400);
  const ends = h.delivered.filter((d) => d.message.kind === 'request' && d.message.request.type === 'EndQuorumEpoch');
  t.ok(ends.length >= 2, 'EndQuorumEpoch went to both voters');
  const leaders = h.leaders();
  t.equal(leaders.length, 1);
  t.not(leaders[0], h.node(1), 'a preferred successor took over quickly');
});

t.test('the leader lets proposals linger (append.linger.ms) and flushes them together', async (t) => {
  const h = new Harness([1, 2, 3]);
  h.run(1100);
  const leader = h.node(1);
  const log = h.member(1).log;
  const hw = leader.highWatermark();
  leader.propose([Buffer.from('a')]);
  h.run(10);
  leader.propose([Buffer.from('b'), Buffer.from('c')]);
  h.run(10);
  t.ok(log.flushedOffset() < log.endOffset(), 'the leader has not flushed 20 ms after the first proposal');
  t.ok(h.member(2).log.endOffset() < log.endOffset(), 'parked follower fetches wait for the flush');
  h.run(10);
  t.equal(log.flushedOffset(), log.endOffset(), 'one flush after the 25 ms linger covers both proposals');
  t.equal(h.member(2).log.endOffset(), log.endOffset(), 'one fetch answer carried all three entries');
  t.equal(leader.highWatermark(), hw + 3, 'committed');
  h.run(20);
  t.same(h.member(3).machine.items, ['a', 'b', 'c']);
});

t.test('appendLingerMs 0 flushes at the next poll', async (t) => {
  const h = new Harness([1, 2, 3], { appendLingerMs: 0 });
  h.run(1100);
  const hw = h.node(1).highWatermark();
  h.node(1).propose([Buffer.from('a')]);
  h.run(10);
  t.equal(h.node(1).highWatermark(), hw + 1);
});
