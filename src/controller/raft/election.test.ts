/**
 * Election on its own: a real QuorumState and RoleTransitions, a stub follower view, and no-op
 * leader/follower/announcement parts. (elections.test.ts drives whole RaftNodes.)
 */
import t from 'tap';
import { ManualClock } from '../../common/clock.js';
import { DEFAULT_RAFT_CONFIG } from './config.js';
import { ElectionTimer } from './election-timer.js';
import { Election } from './election.js';
import { ErrorCode } from './errors.js';
import { InMemoryRaftLog } from './in-memory-raft-log.js';
import { ArrayOutbox, type VoteRequest, type VoteResponse } from './messages.js';
import { RaftMessenger } from './messenger.js';
import { InMemoryQuorumStateStore } from './quorum-state-store.js';
import { QuorumState } from './quorum-state.js';
import { RoleTransitions } from './transitions.js';

function setup(view: { liveLeader?: boolean } = {}) {
  const clock = new ManualClock(1000);
  const config = { ...DEFAULT_RAFT_CONFIG, electionTimeoutMs: 1000, electionBackoffMaxMs: 1000 };
  const store = new InMemoryQuorumStateStore();
  const quorum = new QuorumState({ localId: 1, voters: [1, 2, 3], clusterId: 'c1', store, appliedOffset: () => 0 });
  const log = new InMemoryRaftLog();
  const outbox = new ArrayOutbox();
  const timer = new ElectionTimer(config, { next: () => 0.5 });
  const roles = new RoleTransitions(quorum, log, timer, true, undefined);
  const postponed: number[] = [];
  const follower = {
    heardFromLeaderWithin: () => view.liveLeader ?? false,
    postponeFetchTimeout: (deadline: number) => {
      postponed.push(deadline);
      return true;
    },
  };
  const election = new Election({
    quorum,
    log,
    messenger: new RaftMessenger(outbox),
    config,
    clock,
    timer,
    roles,
    follower,
  });
  const noop = (): void => undefined;
  roles.bind({
    election,
    announcements: { startAsLeader: noop, startAsResigned: noop, clear: noop },
    leader: { start: noop, abandonParkedFetches: noop, clear: noop, preferredSuccessors: () => undefined },
    follower: { start: noop, clear: noop },
  });
  return { clock, quorum, store, log, outbox, timer, roles, election, postponed };
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

function answers(outbox: ArrayOutbox): VoteResponse[] {
  return outbox.drain().flatMap((m) => (m.kind === 'response' && m.response.type === 'Vote' ? [m.response] : []));
}

t.test('a pre-vote changes nothing durable; it is refused while the follower view has a live leader', async (t) => {
  const live = setup({ liveLeader: true });
  live.roles.becomeFollower(0, 3, 0);
  live.election.handleVoteRequest(2, 1, vote({ preVote: true }));
  t.match(answers(live.outbox), [{ voteGranted: false, partitionErrorCode: 0, leaderId: 3 }]);

  const gone = setup({ liveLeader: false });
  gone.roles.becomeFollower(0, 3, 0);
  const writes = gone.store.writes;
  gone.election.handleVoteRequest(2, 1, vote({ preVote: true }));
  t.match(answers(gone.outbox), [{ voteGranted: true }]);
  t.equal(gone.store.writes, writes, 'nothing persisted');
  t.same(gone.postponed, [2500], 'a follower that grants a pre-vote gives the candidate a fresh election timeout');
  t.equal(gone.quorum.current.kind, 'follower');
});

t.test('a real vote moves to the candidate epoch and persists the vote before answering', async (t) => {
  const { election, outbox, store, quorum } = setup();
  election.handleVoteRequest(2, 1, vote({ candidateEpoch: 3 }));
  t.match(answers(outbox), [{ voteGranted: true, leaderEpoch: 3 }]);
  t.match(store.read(), { leaderEpoch: 3, votedId: 2 });
  election.handleVoteRequest(3, 2, vote({ candidateEpoch: 3, candidateId: 3 }));
  t.match(answers(outbox), [{ voteGranted: false }], 'one vote per epoch');
  t.equal(quorum.current.votedId, 2);
  election.handleVoteRequest(2, 3, vote({ candidateEpoch: 2 }));
  t.match(answers(outbox), [{ voteGranted: false, partitionErrorCode: ErrorCode.FENCED_LEADER_EPOCH }]);
});

t.test('a vote is refused to a candidate whose log is behind', async (t) => {
  const { election, outbox, log } = setup();
  log.append([{ offset: 0, epoch: 2, payload: Buffer.from('x'), control: false }]);
  election.handleVoteRequest(2, 1, vote({ candidateEpoch: 3, lastOffsetEpoch: 1, lastOffset: 5 }));
  t.match(answers(outbox), [{ voteGranted: false }]);
  election.handleVoteRequest(2, 2, vote({ candidateEpoch: 3, lastOffsetEpoch: 2, lastOffset: 1 }));
  t.match(answers(outbox), [{ voteGranted: true }]);
});

t.test('a Candidate asks every other voter, wins with a majority and ignores stale answers', async (t) => {
  const { election, outbox, roles, quorum, clock } = setup();
  roles.becomeCandidate(clock.now());
  election.poll(clock.now());
  const requests = outbox.drain().flatMap((m) => (m.kind === 'request' ? [m] : []));
  t.same(
    requests.map((m) => m.destination),
    [2, 3],
  );
  const granted = (leaderEpoch: number): VoteResponse => ({
    type: 'Vote',
    errorCode: 0,
    partitionErrorCode: 0,
    voteGranted: true,
    leaderId: -1,
    leaderEpoch,
  });
  election.handleVoteResponse(2, 999, granted(1));
  t.equal(quorum.current.kind, 'candidate', 'an answer to no request of this election counts for nothing');
  election.handleVoteResponse(2, requests[0]?.requestId ?? -1, granted(1));
  t.equal(quorum.current.kind, 'leader');
});

t.test('refusals from a majority back the Candidate off at once; unreachable voters count as out', async (t) => {
  const refused = setup();
  refused.roles.becomeCandidate(refused.clock.now());
  refused.election.poll(refused.clock.now());
  const ids = refused.outbox.drain().map((m) => m.requestId);
  const no: VoteResponse = {
    type: 'Vote',
    errorCode: 0,
    partitionErrorCode: 0,
    voteGranted: false,
    leaderId: -1,
    leaderEpoch: 1,
  };
  t.equal(refused.timer.deadline, 2500);
  refused.election.handleVoteResponse(2, ids[0] ?? -1, no);
  t.equal(refused.timer.deadline, 2500, 'one refusal of three leaves a majority reachable');
  refused.election.handleVoteResponse(3, ids[1] ?? -1, no);
  t.equal(refused.timer.deadline, 1500, 'backs off 0.5 × 1000 ms from now');

  const unreachable = setup();
  t.notOk(unreachable.election.countUnreachable(2, 1000), 'no election running');
  unreachable.roles.becomeCandidate(1000);
  t.ok(unreachable.election.countUnreachable(2, 1000));
  t.equal(unreachable.timer.deadline, 2500);
  t.ok(unreachable.election.countUnreachable(3, 1000));
  t.equal(unreachable.timer.deadline, 1500, 'two of three out of reach: back off');
});

t.test('when the timer ends a Candidate backs off once, then runs again (Prospective with pre-vote)', async (t) => {
  const { election, roles, timer, quorum, clock } = setup();
  roles.becomeCandidate(clock.now());
  clock.set(timer.deadline);
  t.equal(election.poll(clock.now()), 3000, 'backing off until 2500 + 500');
  t.equal(quorum.current.kind, 'candidate');
  clock.set(3000);
  t.equal(election.poll(clock.now()), 3000);
  t.same(quorum.current, { kind: 'prospective', epoch: 1, leaderId: -1, votedId: 1 });
});
