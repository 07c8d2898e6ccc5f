/**
 * LeaderReplication on its own: a real QuorumState, RoleTransitions, log and CommitState, a recording
 * stand-in for the announcements, no-op election and follower parts. (replication.test.ts drives
 * whole RaftNodes.)
 */
import t from 'tap';
import { ManualClock } from '../../common/clock.js';
import { CommitState } from './commit-state.js';
import { DEFAULT_RAFT_CONFIG } from './config.js';
import { ElectionTimer } from './election-timer.js';
import { ErrorCode, NotLeaderError } from './errors.js';
import { InMemoryRaftLog } from './in-memory-raft-log.js';
import { LeaderReplication } from './leader-replication.js';
import { ArrayOutbox, type FetchRequest, type FetchResponse } from './messages.js';
import { RaftMessenger } from './messenger.js';
import { InMemoryQuorumStateStore } from './quorum-state-store.js';
import { QuorumState } from './quorum-state.js';
import { Snapshots } from './snapshots.js';
import { ListStateMachine } from './test-harness.js';
import { RoleTransitions } from './transitions.js';

function setup() {
  const clock = new ManualClock(0);
  const config = { ...DEFAULT_RAFT_CONFIG, appendLingerMs: 25, fetchTimeoutMs: 2000, fetchMaxWaitMs: 500 };
  const store = new InMemoryQuorumStateStore();
  const quorum = new QuorumState({ localId: 1, voters: [1, 2, 3], clusterId: 'c1', store, appliedOffset: () => 0 });
  const log = new InMemoryRaftLog();
  const machine = new ListStateMachine();
  const commit = new CommitState(log, machine, 1 << 20);
  const snapshots = new Snapshots(log, machine, commit);
  const outbox = new ArrayOutbox();
  const timer = new ElectionTimer(config, { next: () => 0.5 });
  const roles = new RoleTransitions(quorum, log, timer, true, undefined);
  const acknowledged: number[] = [];
  const leader = new LeaderReplication({
    quorum,
    log,
    commit,
    snapshots,
    messenger: new RaftMessenger(outbox),
    config,
    clock,
    roles,
    announcements: { acknowledged: (voter) => acknowledged.push(voter) },
  });
  const noop = (): void => undefined;
  roles.bind({
    election: { startTally: noop, clearTally: noop },
    announcements: { startAsLeader: noop, startAsResigned: noop, clear: noop },
    leader,
    follower: { start: noop, clear: noop },
  });
  const lead = (): void => {
    roles.becomeCandidate(clock.now());
    roles.becomeLeader(clock.now());
  };
  return { clock, quorum, log, machine, commit, outbox, roles, leader, acknowledged, lead };
}

const fetch = (over: Partial<FetchRequest> = {}): FetchRequest => ({
  type: 'Fetch',
  clusterId: 'c1',
  replicaId: 2,
  maxWaitMs: 500,
  maxBytes: 1 << 20,
  currentLeaderEpoch: 1,
  fetchOffset: 0,
  lastFetchedEpoch: 0,
  logStartOffset: 0,
  ...over,
});

function fetchAnswers(outbox: ArrayOutbox): { requestId: number; response: FetchResponse }[] {
  return outbox
    .drain()
    .flatMap((m) =>
      m.kind === 'response' && m.response.type === 'Fetch' ? [{ requestId: m.requestId, response: m.response }] : [],
    );
}

t.test('only a leader proposes', async (t) => {
  const { leader, roles } = setup();
  roles.becomeFollower(4, 2, 0);
  t.throws(() => leader.propose([Buffer.from('x')]), new NotLeaderError(2, 4));
});

t.test('proposals wait out the linger, then one flush lets fetches commit them', async (t) => {
  const { leader, lead, log, clock, outbox, commit, machine, acknowledged } = setup();
  lead();
  leader.poll(clock.now());
  t.equal(log.flushedOffset(), 1, 'the LeaderChange record is flushed at once');
  t.same(leader.propose([Buffer.from('a'), Buffer.from('b')]), { epoch: 1, firstOffset: 1, lastOffset: 2 });
  clock.advance(10);
  t.equal(leader.poll(clock.now()), 25, 'the next deadline is the end of the linger');
  t.equal(log.flushedOffset(), 1);
  leader.handleFetchRequest(2, 7, fetch({ fetchOffset: 3, lastFetchedEpoch: 1 }));
  t.same(acknowledged, [2], 'a fetch in the epoch acknowledges the announcement');
  t.equal(commit.highWatermark(), 1, 'the leader counts only its flushed end (the LeaderChange record)');
  t.same(
    fetchAnswers(outbox).map((a) => [a.requestId, a.response.highWatermark]),
    [[7, 1]],
    'answered at once: it carries a new high watermark',
  );
  leader.handleFetchRequest(2, 8, fetch({ fetchOffset: 3, lastFetchedEpoch: 1 }));
  t.same(fetchAnswers(outbox), [], 'nothing new: parked');
  clock.set(25);
  leader.poll(clock.now());
  t.equal(log.flushedOffset(), 3);
  t.equal(commit.highWatermark(), 3);
  t.same(machine.items, ['a', 'b']);
  t.same(
    fetchAnswers(outbox).map((a) => [a.requestId, a.response.highWatermark]),
    [[8, 3]],
    'the parked fetch is woken by the flush',
  );
});

t.test('a parked fetch is answered with NOT_LEADER_OR_FOLLOWER when leadership ends', async (t) => {
  const { leader, lead, clock, outbox, roles } = setup();
  lead();
  leader.poll(clock.now());
  leader.handleFetchRequest(2, 7, fetch({ fetchOffset: 1, lastFetchedEpoch: 1 }));
  leader.handleFetchRequest(2, 8, fetch({ fetchOffset: 1, lastFetchedEpoch: 1 }));
  const early = fetchAnswers(outbox);
  t.same(
    early.map((a) => a.requestId),
    [7],
    'a newer fetch from the same voter answers the older one',
  );
  roles.becomeResigned(clock.now());
  const [late] = fetchAnswers(outbox);
  t.equal(late?.requestId, 8);
  t.equal(late?.response.partitionErrorCode, ErrorCode.NOT_LEADER_OR_FOLLOWER);
});

t.test('bad fetches get their codes and acknowledge nothing', async (t) => {
  const { leader, lead, clock, outbox, acknowledged } = setup();
  lead();
  leader.poll(clock.now());
  leader.handleFetchRequest(2, 1, fetch({ clusterId: 'other' }));
  leader.handleFetchRequest(2, 2, fetch({ fetchOffset: -1 }));
  leader.handleFetchRequest(2, 3, fetch({ currentLeaderEpoch: 0 }));
  leader.handleFetchRequest(2, 4, fetch({ currentLeaderEpoch: 2, lastFetchedEpoch: 2 }));
  t.same(
    fetchAnswers(outbox).map((a) => [a.response.errorCode, a.response.partitionErrorCode]),
    [
      [ErrorCode.INCONSISTENT_CLUSTER_ID, 0],
      [ErrorCode.INVALID_REQUEST, 0],
      [0, ErrorCode.FENCED_LEADER_EPOCH],
      [0, ErrorCode.UNKNOWN_LEADER_EPOCH],
    ],
  );
  t.same(acknowledged, []);
});

t.test('check-quorum: without fetches from a majority for 1.5 × fetch timeout the leader resigns', async (t) => {
  const { leader, lead, clock, quorum } = setup();
  lead();
  t.equal(leader.poll(clock.now()), 3000);
  clock.set(2900);
  leader.handleFetchRequest(3, 1, fetch({ replicaId: 3, fetchOffset: 0, maxWaitMs: 0 }));
  t.equal(leader.poll(clock.now()), 5900, 'one fetch keeps a majority of three');
  clock.set(5900);
  t.equal(leader.poll(clock.now()), 5900);
  t.equal(quorum.current.kind, 'resigned');
});

t.test("an observer's parked fetch is woken when the high watermark passes what it was sent", async (t) => {
  const { leader, lead, clock, outbox, commit } = setup();
  lead();
  leader.poll(clock.now());
  leader.propose([Buffer.from('a')]);
  clock.set(25);
  leader.poll(clock.now());
  // Observer 9 (a broker-only node) fetches both entries before any voter has them: nothing committed yet.
  leader.handleFetchRequest(9, 1, fetch({ replicaId: 9, fetchOffset: 0, lastFetchedEpoch: 0 }));
  t.same(
    fetchAnswers(outbox).map((a) => [a.requestId, a.response.highWatermark, a.response.records.length]),
    [[1, 0, 2]],
    'the observer gets both entries, the high watermark still 0',
  );
  leader.handleFetchRequest(9, 2, fetch({ replicaId: 9, fetchOffset: 2, lastFetchedEpoch: 1 }));
  t.same(fetchAnswers(outbox), [], 'at the end and told the high watermark: parked');
  clock.advance(10);
  leader.handleFetchRequest(2, 3, fetch({ fetchOffset: 2, lastFetchedEpoch: 1, maxWaitMs: 0 }));
  t.equal(commit.highWatermark(), 2, 'a voter holds the entry: committed');
  leader.poll(clock.now());
  const answers = fetchAnswers(outbox).filter((a) => a.requestId === 2);
  t.same(
    answers.map((a) => a.response.highWatermark),
    [2],
    'the observer learns the new high watermark at once, not after fetchMaxWaitMs',
  );
  leader.handleFetchRequest(9, 4, fetch({ replicaId: 9, fetchOffset: 2, lastFetchedEpoch: 1 }));
  t.same(fetchAnswers(outbox), [], 'and parks again once it knows it');
});

t.test(
  'DescribeQuorum lists the observers that fetched in this epoch, and forgets one silent for five minutes',
  async (t) => {
    const { leader, lead, clock, outbox } = setup();
    lead();
    leader.poll(clock.now());
    t.same(leader.describe().observers, [], 'no observer before any fetch');
    clock.set(100);
    leader.handleFetchRequest(9, 1, fetch({ replicaId: 9, fetchOffset: 0, maxWaitMs: 0 }));
    leader.handleFetchRequest(8, 2, fetch({ replicaId: 8, fetchOffset: 0, maxWaitMs: 0 }));
    leader.handleFetchRequest(2, 3, fetch({ fetchOffset: 0, maxWaitMs: 0 }));
    leader.handleFetchRequest(-1, 4, fetch({ replicaId: -1, fetchOffset: 0, maxWaitMs: 0 }));
    outbox.drain();
    clock.set(200);
    leader.handleFetchRequest(9, 5, fetch({ replicaId: 9, fetchOffset: 1, lastFetchedEpoch: 1, maxWaitMs: 0 }));
    const described = leader.describe();
    t.same(
      described.observers,
      [
        { replicaId: 8, logEndOffset: 0, lastFetchTimestamp: 100, lastCaughtUpTimestamp: -1 },
        { replicaId: 9, logEndOffset: 1, lastFetchTimestamp: 200, lastCaughtUpTimestamp: 200 },
      ],
      'both brokers, by id, with their fetch offsets and times; no voter, no negative id',
    );
    t.same(
      described.currentVoters.map((v) => v.replicaId),
      [1, 2, 3],
      'the voters stay voters',
    );
    clock.set(100 + 300_000);
    t.same(
      leader.describe().observers.map((o) => o.replicaId),
      [9],
      'an observer silent for five minutes is no longer listed',
    );
  },
);
