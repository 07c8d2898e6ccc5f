/**
 * FollowerReplication on its own: a real QuorumState, RoleTransitions, log, CommitState and Snapshots,
 * no-op election, leader and announcement parts. (replication.test.ts drives whole RaftNodes.)
 */
import t from 'tap';
import { ManualClock } from '../../common/clock.js';
import { CommitState } from './commit-state.js';
import { DEFAULT_RAFT_CONFIG } from './config.js';
import { ElectionTimer } from './election-timer.js';
import { RaftInvariantError } from './errors.js';
import { FollowerReplication } from './follower-replication.js';
import { InMemoryRaftLog } from './in-memory-raft-log.js';
import { ArrayOutbox, type FetchResponse, type OutboundMessage } from './messages.js';
import { RaftMessenger } from './messenger.js';
import { InMemoryQuorumStateStore } from './quorum-state-store.js';
import { QuorumState } from './quorum-state.js';
import { Snapshots } from './snapshots.js';
import { ListStateMachine } from './test-harness.js';
import { RoleTransitions } from './transitions.js';
import type { RaftEntry } from './types.js';

function setup(localId = 1, voters = [1, 2, 3]) {
  const clock = new ManualClock(0);
  const config = { ...DEFAULT_RAFT_CONFIG, fetchTimeoutMs: 2000, requestTimeoutMs: 2000, fetchMaxWaitMs: 500 };
  const store = new InMemoryQuorumStateStore();
  const quorum = new QuorumState({ localId, voters, clusterId: 'c1', store, appliedOffset: () => 0 });
  const log = new InMemoryRaftLog();
  const machine = new ListStateMachine();
  const commit = new CommitState(log, machine, 1 << 20);
  const snapshots = new Snapshots(log, machine, commit);
  const outbox = new ArrayOutbox();
  const timer = new ElectionTimer(config, { next: () => 0.5 });
  const roles = new RoleTransitions(quorum, log, timer, true, undefined);
  const follower = new FollowerReplication({
    quorum,
    log,
    commit,
    snapshots,
    messenger: new RaftMessenger(outbox),
    config,
    clock,
    timer,
    roles,
  });
  const noop = (): void => undefined;
  roles.bind({
    election: { startTally: noop, clearTally: noop },
    announcements: { startAsLeader: noop, startAsResigned: noop, clear: noop },
    leader: { start: noop, abandonParkedFetches: noop, clear: noop, preferredSuccessors: () => undefined },
    follower,
  });
  return { clock, quorum, log, machine, commit, outbox, roles, follower };
}

const entries = (from: number, epoch: number, ...payloads: string[]): RaftEntry[] =>
  payloads.map((p, i) => ({ offset: from + i, epoch, payload: Buffer.from(p), control: false }));

function answer(over: Partial<FetchResponse> = {}): FetchResponse {
  return {
    type: 'Fetch',
    errorCode: 0,
    partitionErrorCode: 0,
    highWatermark: 0,
    logStartOffset: 0,
    currentLeader: { leaderId: 2, leaderEpoch: 1 },
    records: [],
    ...over,
  };
}

function sent(outbox: ArrayOutbox): OutboundMessage[] {
  return outbox.drain();
}

t.test(
  'one fetch in flight; entries are appended, flushed and committed up to the leader high watermark',
  async (t) => {
    const { follower, roles, outbox, clock, log, machine, commit } = setup();
    roles.becomeFollower(1, 2, 0);
    t.equal(follower.poll(clock.now()), 2000, 'the fetch timeout comes before the request timeout');
    const [first] = sent(outbox);
    t.match(first, { destination: 2, request: { type: 'Fetch', fetchOffset: 0, lastFetchedEpoch: 0, replicaId: 1 } });
    follower.poll(clock.now());
    t.same(sent(outbox), [], 'not twice');
    clock.set(100);
    follower.handleFetchResponse(
      2,
      first?.requestId ?? -1,
      answer({ records: entries(0, 1, 'a', 'b'), highWatermark: 5 }),
    );
    t.equal(log.flushedOffset(), 2, 'flushed before the next fetch reports it');
    t.equal(commit.highWatermark(), 2, 'never past its own log end');
    t.same(machine.items, ['a', 'b']);
    t.ok(follower.heardFromLeaderWithin(150, 2000));
    t.equal(follower.poll(clock.now()), 2100, 'the answer restarted the fetch timeout');
    t.match(sent(outbox), [{ request: { fetchOffset: 2, lastFetchedEpoch: 1 } }]);
  },
);

t.test('a diverging answer truncates, but never below the high watermark', async (t) => {
  const { follower, roles, outbox, clock, log, commit } = setup();
  log.append([...entries(0, 1, 'a', 'b'), ...entries(2, 2, 'x', 'y')]);
  commit.advanceHighWatermark(1);
  roles.becomeFollower(3, 2, 0);
  follower.poll(clock.now());
  const [fetch] = sent(outbox);
  const leader = { leaderId: 2, leaderEpoch: 3 };
  follower.handleFetchResponse(
    2,
    fetch?.requestId ?? -1,
    answer({ currentLeader: leader, divergingEpoch: { epoch: 1, endOffset: 2 } }),
  );
  t.equal(log.endOffset(), 2);
  follower.poll(clock.now());
  const [again] = sent(outbox);
  t.throws(
    () =>
      follower.handleFetchResponse(
        2,
        again?.requestId ?? -1,
        answer({ currentLeader: leader, divergingEpoch: { epoch: 0, endOffset: 0 } }),
      ),
    RaftInvariantError,
  );
});

t.test('a snapshot answer starts a download in chunks, installed when complete', async (t) => {
  const { follower, roles, outbox, clock, log, machine } = setup();
  roles.becomeFollower(1, 2, 0);
  follower.poll(clock.now());
  const id = { endOffset: 10, epoch: 1 };
  follower.handleFetchResponse(2, sent(outbox)[0]?.requestId ?? -1, answer({ snapshotId: id }));
  const data = Buffer.from(JSON.stringify(['s1', 's2']));
  let position = 0;
  for (let round = 0; round < 10 && position < data.length; round++) {
    follower.poll(clock.now());
    const [request] = sent(outbox);
    if (request?.kind !== 'request' || request.request.type !== 'FetchSnapshot')
      throw new Error('expected FetchSnapshot');
    t.equal(request.request.position, position);
    const bytes = data.subarray(position, position + 8);
    follower.handleFetchSnapshotResponse(2, request.requestId, {
      type: 'FetchSnapshot',
      errorCode: 0,
      partitionErrorCode: 0,
      currentLeader: { leaderId: 2, leaderEpoch: 1 },
      snapshotId: id,
      size: data.length,
      position,
      bytes,
    });
    position += bytes.length;
  }
  t.same(machine.items, ['s1', 's2']);
  t.equal(log.startOffset(), 10);
  follower.poll(clock.now());
  t.match(sent(outbox), [{ request: { type: 'Fetch', fetchOffset: 10, lastFetchedEpoch: 1 } }]);
});

t.test('the fetch timeout starts an election; an observer keeps fetching instead', async (t) => {
  const voter = setup();
  voter.roles.becomeFollower(1, 2, 0);
  voter.clock.set(2000);
  t.equal(voter.follower.poll(2000), 2000);
  t.equal(voter.quorum.current.kind, 'prospective');

  const observer = setup(9);
  observer.roles.becomeFollower(1, 2, 0);
  observer.clock.set(2000);
  t.equal(observer.follower.poll(2000), 4000);
  t.equal(observer.quorum.current.kind, 'follower');
});

t.test('a refused connection to the leader ends the fetch timeout within 100 ms × rank + jitter', async (t) => {
  const first = setup(1);
  first.roles.becomeFollower(1, 2, 0);
  first.follower.leaderUnreachable(3, 0);
  t.equal(first.follower.poll(0), 2000, 'another peer: no change');
  first.follower.leaderUnreachable(2, 0);
  t.equal(first.follower.poll(0), 25, 'lowest surviving id: jitter only (0.5 × 50)');
  t.notOk(first.follower.heardFromLeaderWithin(0, 2000), 'pre-votes are welcome now');
  const second = setup(3);
  second.roles.becomeFollower(1, 2, 0);
  second.follower.leaderUnreachable(2, 0);
  t.equal(second.follower.poll(0), 125, 'one survivor ranks before it');
});
