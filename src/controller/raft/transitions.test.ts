import t from 'tap';
import { DEFAULT_RAFT_CONFIG } from './config.js';
import { ElectionTimer } from './election-timer.js';
import type { EpochState } from './epoch-state.js';
import { RaftInvariantError } from './errors.js';
import { InMemoryRaftLog } from './in-memory-raft-log.js';
import { InMemoryQuorumStateStore } from './quorum-state-store.js';
import { QuorumState } from './quorum-state.js';
import { RoleTransitions, type RoleParts } from './transitions.js';

/** RoleTransitions over a real QuorumState and log, with parts that record what they are told. */
function setup(options: { preVote?: boolean; localId?: number; successors?: number[] } = {}) {
  const calls: string[] = [];
  const seen: [EpochState, EpochState][] = [];
  const quorum = new QuorumState({
    localId: options.localId ?? 1,
    voters: [1, 2, 3],
    clusterId: 'c1',
    store: new InMemoryQuorumStateStore(),
    appliedOffset: () => 0,
  });
  const log = new InMemoryRaftLog();
  const timer = new ElectionTimer({ ...DEFAULT_RAFT_CONFIG, electionTimeoutMs: 1000 }, { next: () => 0.5 });
  const roles = new RoleTransitions(quorum, log, timer, options.preVote ?? true, (from, to) => {
    seen.push([from, to]);
    calls.push(`onTransition ${to.kind}`);
  });
  let leading = false;
  const parts: RoleParts = {
    election: { startTally: (now) => calls.push(`startTally ${now}`), clearTally: () => calls.push('clearTally') },
    announcements: {
      startAsLeader: () => calls.push('announce leader'),
      startAsResigned: (preferred) => calls.push(`announce resigned ${preferred.join(',')}`),
      clear: () => calls.push('clear announcements'),
    },
    leader: {
      start: (offset, now) => {
        leading = true;
        calls.push(`leader start ${offset} ${now}`);
      },
      abandonParkedFetches: () => calls.push('abandon parked'),
      clear: () => {
        leading = false;
        calls.push('clear leader');
      },
      preferredSuccessors: () => (leading ? (options.successors ?? [3, 2]) : undefined),
    },
    follower: { start: (now) => calls.push(`follower start ${now}`), clear: () => calls.push('clear follower') },
  };
  return { quorum, log, timer, roles, parts, calls, seen };
}

const CLEARS = ['clearTally', 'clear leader', 'clear announcements', 'clear follower'];

t.test('using the transitions before bind(), or binding twice, is a bug', async (t) => {
  const { roles, parts } = setup();
  t.throws(() => roles.becomeCandidate(0), RaftInvariantError);
  roles.bind(parts);
  t.throws(() => roles.bind(parts), RaftInvariantError);
});

t.test('every change clears all role bookkeeping, then sets up the new role, then reports it', async (t) => {
  const { roles, parts, calls, quorum, log } = setup();
  roles.bind(parts);
  roles.becomeCandidate(10);
  t.same(calls.splice(0), [...CLEARS, 'onTransition candidate', 'startTally 10']);
  t.same(quorum.current, { kind: 'candidate', epoch: 1, leaderId: -1, votedId: 1 });
  roles.becomeLeader(20);
  t.same(calls.splice(0), [...CLEARS, 'onTransition leader', 'leader start 0 20', 'announce leader']);
  const [record] = log.allEntries();
  t.match(record, { offset: 0, epoch: 1, control: true }, 'a LeaderChange control record opens the epoch');
  t.same(JSON.parse(record?.payload.toString() ?? ''), { leaderId: 1, voters: [1, 2, 3] });
  roles.becomeResigned(30);
  t.same(
    calls.splice(0),
    ['abandon parked', ...CLEARS, 'onTransition resigned', 'announce resigned 3,2'],
    'leaving leadership answers parked fetches; successors come from the leader progress',
  );
  roles.becomeFollower(2, 3, 40);
  t.same(calls.splice(0), [...CLEARS, 'onTransition follower', 'follower start 40']);
  t.same(quorum.current, { kind: 'follower', epoch: 2, leaderId: 3, votedId: -1 });
});

t.test('a resigned node that never led names the other voters', async (t) => {
  const { roles, parts, calls } = setup();
  roles.bind(parts);
  roles.becomeCandidate(0);
  roles.becomeLeader(0);
  parts.leader.clear();
  calls.splice(0);
  roles.becomeResigned(0);
  t.ok(calls.includes('announce resigned 2,3'));
});

t.test('becomeUnattached keeps a running election timer, else starts one; an explicit deadline wins', async (t) => {
  const { roles, parts, timer } = setup();
  roles.bind(parts);
  timer.deadline = 123;
  roles.becomeUnattached(1, 0);
  t.equal(timer.deadline, 123, 'unattached kept its timer');
  roles.becomeFollower(1, 2, 0);
  roles.becomeUnattached(2, 500);
  t.equal(timer.deadline, 2000, 'a follower had no election timer: a fresh one (500 + 1000 + 0.5 × 1000)');
  roles.becomeUnattached(3, 600, 650);
  t.equal(timer.deadline, 650);
});

t.test(
  'startElection: Prospective with pre-vote (then Candidate), Candidate without; a non-voter only waits',
  async (t) => {
    const withPreVote = setup();
    withPreVote.roles.bind(withPreVote.parts);
    withPreVote.roles.startElection(0);
    t.equal(withPreVote.quorum.current.kind, 'prospective');
    withPreVote.roles.startElection(0);
    t.same(withPreVote.quorum.current, { kind: 'candidate', epoch: 1, leaderId: -1, votedId: 1 });

    const without = setup({ preVote: false });
    without.roles.bind(without.parts);
    without.roles.startElection(0);
    t.equal(without.quorum.current.kind, 'candidate');

    const observer = setup({ localId: 9 });
    observer.roles.bind(observer.parts);
    observer.roles.startElection(100);
    t.equal(observer.quorum.current.kind, 'unattached');
    t.equal(observer.timer.deadline, 1600);
  },
);

t.test('learnLeader: a higher epoch always wins; the same epoch only ends a leaderless state', async (t) => {
  const { roles, parts, quorum } = setup();
  roles.bind(parts);
  roles.learnLeader(2, -1, 0);
  t.same(quorum.current, { kind: 'unattached', epoch: 2, leaderId: -1, votedId: -1 });
  roles.learnLeader(2, 3, 0);
  t.same(quorum.current, { kind: 'follower', epoch: 2, leaderId: 3, votedId: -1 });
  roles.learnLeader(2, 2, 0);
  t.equal(quorum.current.leaderId, 3, 'a follower keeps its leader in its epoch');
  roles.learnLeader(1, 2, 0);
  t.equal(quorum.current.epoch, 2, 'an older epoch changes nothing');
  roles.learnLeader(3, 9, 0);
  t.same(quorum.current, { kind: 'unattached', epoch: 3, leaderId: -1, votedId: -1 }, 'a non-voter is no leader');
  roles.becomeVoted(3, 2, 0);
  roles.learnLeader(3, 2, 0);
  t.same(quorum.current, { kind: 'follower', epoch: 3, leaderId: 2, votedId: 2 }, 'the vote of the epoch is kept');
});
