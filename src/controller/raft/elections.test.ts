import t from 'tap';
import { ManualClock } from '../../common/clock.js';
import { ErrorCode } from './errors.js';
import { InMemoryRaftLog } from './in-memory-raft-log.js';
import { ArrayOutbox, type VoteRequest, type VoteResponse } from './messages.js';
import { InMemoryQuorumStateStore, type QuorumStateData } from './quorum-state-store.js';
import { RaftNode } from './raft-node.js';
import { Harness, ListStateMachine } from './test-harness.js';

/** A lone node 1 in a 3-voter quorum, driven by hand. */
function loneNode(preVote = true) {
  const clock = new ManualClock(0);
  const outbox = new ArrayOutbox();
  const log = new InMemoryRaftLog();
  const writesAtSend: number[] = [];
  const store = new InMemoryQuorumStateStore();
  const realSend = outbox.send.bind(outbox);
  outbox.send = (m) => {
    writesAtSend.push(store.writes);
    realSend(m);
  };
  const node = new RaftNode({
    nodeId: 1,
    voters: [1, 2, 3],
    clusterId: 'c1',
    log,
    store,
    stateMachine: new ListStateMachine(),
    outbox,
    clock,
    random: { next: () => 0.5 },
    config: { preVote },
  });
  return { clock, outbox, log, store, node, writesAtSend };
}

const vote = (over: Partial<VoteRequest> = {}): VoteRequest => ({
  type: 'Vote',
  clusterId: 'c1',
  voterId: 1,
  candidateEpoch: 1,
  candidateId: 2,
  lastOffsetEpoch: 0,
  lastOffset: 0,
  preVote: false,
  ...over,
});

function lastVoteResponse(outbox: ArrayOutbox): VoteResponse {
  const m = outbox.drain().pop();
  if (!m || m.kind !== 'response' || m.response.type !== 'Vote') throw new Error('expected a Vote response');
  return m.response;
}

t.test('a vote is persisted before it is granted, and granted once per epoch', async (t) => {
  const { node, outbox, store, writesAtSend } = loneNode();
  const writesBefore = store.writes;
  node.handleRequest(2, 7, vote());
  const granted = lastVoteResponse(outbox);
  t.equal(granted.voteGranted, true);
  t.equal(granted.leaderEpoch, 1);
  t.ok((writesAtSend[0] as number) > writesBefore, 'store written before the answer was sent');
  t.match(store.read(), { leaderEpoch: 1, votedId: 2, leaderId: -1 } satisfies Partial<QuorumStateData>);
  t.equal(node.currentState().kind, 'voted');
  node.handleRequest(2, 8, vote());
  t.equal(lastVoteResponse(outbox).voteGranted, true, 'the same candidate again: granted again');
  node.handleRequest(3, 9, vote({ candidateId: 3 }));
  t.equal(lastVoteResponse(outbox).voteGranted, false, 'another candidate in the same epoch: refused');
});

t.test('votes go only to candidates whose log is at least as up to date', async (t) => {
  const { node, outbox, log } = loneNode();
  log.append([{ offset: 0, epoch: 0, payload: Buffer.from('x'), control: false }]);
  log.append([{ offset: 1, epoch: 0, payload: Buffer.from('y'), control: false }]);
  node.handleRequest(2, 1, vote({ candidateEpoch: 1, lastOffsetEpoch: 0, lastOffset: 1 }));
  t.equal(lastVoteResponse(outbox).voteGranted, false, 'shorter log refused');
  t.equal(node.currentState().kind, 'unattached', 'but the higher epoch was adopted');
  t.equal(node.epoch(), 1);
  node.handleRequest(3, 2, vote({ candidateId: 3, candidateEpoch: 1, lastOffsetEpoch: 0, lastOffset: 2 }));
  t.equal(lastVoteResponse(outbox).voteGranted, true, 'equal log accepted');
});

t.test('bad vote requests get Kafka error codes', async (t) => {
  const { node, outbox } = loneNode();
  node.handleRequest(2, 1, vote({ clusterId: 'other' }));
  t.equal(lastVoteResponse(outbox).errorCode, ErrorCode.INCONSISTENT_CLUSTER_ID);
  node.handleRequest(9, 2, vote({ candidateId: 9 }));
  t.equal(lastVoteResponse(outbox).partitionErrorCode, ErrorCode.INCONSISTENT_VOTER_SET);
  node.handleRequest(2, 3, vote({ voterId: 3 }));
  t.equal(lastVoteResponse(outbox).partitionErrorCode, ErrorCode.INVALID_VOTER_KEY);
  node.handleRequest(2, 4, vote({ candidateEpoch: -5 }));
  t.equal(lastVoteResponse(outbox).errorCode, ErrorCode.INVALID_REQUEST);
  node.handleRequest(2, 5, vote({ candidateEpoch: 4 }));
  t.equal(lastVoteResponse(outbox).voteGranted, true);
  node.handleRequest(3, 6, vote({ candidateId: 3, candidateEpoch: 2 }));
  const stale = lastVoteResponse(outbox);
  t.equal(stale.partitionErrorCode, ErrorCode.FENCED_LEADER_EPOCH);
  t.equal(stale.leaderEpoch, 4);
  t.equal(node.epoch(), 4, 'nothing changed');
});

t.test('pre-vote changes nothing and is refused while a leader is heard from', async (t) => {
  const { node, outbox, store } = loneNode();
  const writes = store.writes;
  node.handleRequest(2, 1, vote({ preVote: true, candidateEpoch: 1 }));
  t.equal(lastVoteResponse(outbox).voteGranted, true);
  t.equal(store.writes, writes, 'nothing persisted');
  t.equal(node.currentState().kind, 'unattached');
  t.equal(node.epoch(), 0);
  node.handleRequest(3, 2, { type: 'BeginQuorumEpoch', clusterId: 'c1', voterId: 1, leaderId: 3, leaderEpoch: 2 });
  outbox.drain();
  t.equal(node.currentState().kind, 'follower');
  node.handleRequest(2, 3, vote({ preVote: true, candidateEpoch: 3, lastOffsetEpoch: 0, lastOffset: 0 }));
  t.equal(lastVoteResponse(outbox).voteGranted, false, 'leader 3 is alive');
});

t.test('BeginQuorumEpoch: followers, fencing and voter checks', async (t) => {
  const { node, outbox } = loneNode();
  node.handleRequest(2, 1, { type: 'BeginQuorumEpoch', clusterId: 'c1', voterId: 1, leaderId: 2, leaderEpoch: 3 });
  t.match(node.currentState(), { kind: 'follower', leaderId: 2, epoch: 3 });
  node.handleRequest(3, 2, { type: 'BeginQuorumEpoch', clusterId: 'c1', voterId: 1, leaderId: 3, leaderEpoch: 2 });
  node.handleRequest(7, 3, { type: 'BeginQuorumEpoch', clusterId: 'c1', voterId: 1, leaderId: 7, leaderEpoch: 9 });
  node.handleRequest(3, 4, { type: 'BeginQuorumEpoch', clusterId: 'zz', voterId: 1, leaderId: 3, leaderEpoch: 9 });
  const codes = outbox
    .drain()
    .map((m) =>
      m.kind === 'response' && m.response.type === 'BeginQuorumEpoch'
        ? [m.response.errorCode, m.response.partitionErrorCode]
        : [],
    );
  t.same(codes, [
    [0, 0],
    [0, ErrorCode.FENCED_LEADER_EPOCH],
    [0, ErrorCode.INCONSISTENT_VOTER_SET],
    [ErrorCode.INCONSISTENT_CLUSTER_ID, 0],
  ]);
  t.match(node.currentState(), { kind: 'follower', leaderId: 2, epoch: 3 });
});

t.test('a single voter elects itself and commits', async (t) => {
  const h = new Harness([1]);
  h.run(2100);
  const node = h.node(1);
  t.equal(node.currentState().kind, 'leader');
  t.equal(node.epoch(), 1);
  node.propose([Buffer.from('a'), Buffer.from('b')]);
  h.run(30); // past the 25 ms append linger
  t.equal(node.highWatermark(), 3, 'leader-change record plus two entries');
  t.same(h.member(1).machine.items, ['a', 'b']);
});

t.test('three voters elect the node with the earliest timeout, pre-vote first', async (t) => {
  const h = new Harness([1, 2, 3]);
  h.run(1100);
  t.equal(h.node(1).currentState().kind, 'leader');
  t.equal(h.node(1).epoch(), 1, 'pre-vote did not burn an epoch');
  t.match(h.node(2).currentState(), { kind: 'follower', leaderId: 1, epoch: 1 });
  t.match(h.node(3).currentState(), { kind: 'follower', leaderId: 1, epoch: 1 });
  const kinds = h.delivered
    .filter((d) => d.message.kind === 'request')
    .map((d) => (d.message.kind === 'request' ? d.message.request.type : ''));
  t.ok(kinds.includes('BeginQuorumEpoch'));
  t.equal(h.store(1).read()?.votedId, 1);
});

t.test('without pre-vote a candidate bumps the epoch itself', async (t) => {
  const h = new Harness([1, 2, 3], { preVote: false });
  h.run(1100);
  t.equal(h.node(1).currentState().kind, 'leader');
  t.equal(h.node(1).epoch(), 1);
});

t.test('a restarted leader comes back resigned and a new leader takes over', async (t) => {
  const h = new Harness([1, 2, 3]);
  h.run(1100);
  h.node(1).propose([Buffer.from('x')]);
  h.run(50);
  h.crash(1);
  h.restart(1);
  t.equal(h.node(1).currentState().kind, 'resigned');
  h.run(6000);
  const leaders = h.leaders();
  t.equal(leaders.length, 1);
  t.ok((leaders[0]?.epoch() ?? 0) >= 2, 'a new epoch');
  t.same(h.member(2).machine.items, ['x'], 'committed entry survives');
});

t.test('a follower that sees its dead leader refuse connections elects a new leader at once (pre-vote)', async (t) => {
  const h = new Harness([1, 2, 3]);
  h.run(1100);
  t.equal(h.node(1).currentState().kind, 'leader');
  h.crash(1);
  h.refuseConnections = true;
  const killedAt = h.clock.now();
  // The transport closes the followers' connections to the crashed leader.
  h.node(2).peerUnreachable(1);
  h.node(3).peerUnreachable(1);
  h.runUntil(() => h.leaders().length === 1, 2000);
  const leader = h.leaders()[0];
  t.ok(leader, 'a new leader');
  t.ok(
    h.clock.now() - killedAt < 300,
    `elected ${h.clock.now() - killedAt} ms after the crash, long before the 2000 ms fetch timeout`,
  );
  t.equal(leader?.epoch(), 2, 'one epoch: no split vote, no wasted epoch');
  t.equal(leader?.id, 2, 'the lower-ranked survivor went first');
  h.node(2).propose([Buffer.from('after')]);
  h.run(100);
  t.same(h.member(3).machine.items, ['after'], 'the new leader commits');
});

t.test('a refused connection to a live leader does not unseat it or raise the epoch', async (t) => {
  const h = new Harness([1, 2, 3]);
  h.run(1100);
  t.equal(h.node(1).currentState().kind, 'leader');
  const before = h.delivered.length;
  h.node(2).peerUnreachable(1); // a transient connection failure on node 2 only
  h.run(500);
  t.equal(h.node(1).currentState().kind, 'leader', 'node 1 still leads');
  for (const id of [1, 2, 3]) t.equal(h.node(id).epoch(), 1, `node ${id} stays in epoch 1`);
  t.match(h.node(2).currentState(), { kind: 'follower', leaderId: 1 }, 'node 2 follows node 1 again');
  const votes = h.delivered
    .slice(before)
    .filter((d) => d.message.kind === 'request' && d.message.request.type === 'Vote');
  t.ok(votes.length > 0, 'node 2 asked for pre-votes');
  t.ok(
    votes.every((d) => d.message.kind === 'request' && d.message.request.type === 'Vote' && d.message.request.preVote),
    'only pre-votes were sent',
  );
});

t.test('without pre-vote a refused connection changes nothing: the fetch timeout decides', async (t) => {
  const h = new Harness([1, 2, 3], { preVote: false });
  h.run(1100);
  h.crash(1);
  h.refuseConnections = true;
  h.node(2).peerUnreachable(1);
  h.node(3).peerUnreachable(1);
  h.run(1500);
  t.equal(h.leaders().length, 0, 'no election before the fetch timeout');
  h.run(3000);
  t.equal(h.leaders().length, 1);
});

t.test(
  'a pre-vote granted by a voter that still names the old leader counts (no return to the lost leader)',
  async (t) => {
    const h = new Harness([1, 2, 3]);
    h.run(1100);
    h.crash(1);
    h.refuseConnections = true;
    h.node(3).peerUnreachable(1); // node 3 has lost the leader but still names it in its answers
    h.node(2).peerUnreachable(1);
    h.run(10);
    t.match(
      h.node(3).currentState(),
      { kind: 'follower', leaderId: 1 },
      'node 3 still follows node 1 when node 2 asks',
    );
    h.runUntil(() => h.leaders().length === 1, 500);
    t.equal(h.leaders()[0]?.id, 2);
  },
);
