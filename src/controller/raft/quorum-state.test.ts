import t from 'tap';
import { ErrorCode, IllegalStateTransitionError, RaftInvariantError } from './errors.js';
import { InMemoryQuorumStateStore, type QuorumStateData } from './quorum-state-store.js';
import { QuorumState } from './quorum-state.js';

function stateFrom(stored: Partial<QuorumStateData> | undefined, over: { localId?: number; voters?: number[] } = {}) {
  const store = new InMemoryQuorumStateStore();
  if (stored) {
    store.write({
      clusterId: 'c1',
      leaderId: -1,
      leaderEpoch: 0,
      votedId: -1,
      appliedOffset: 0,
      currentVoters: [1, 2, 3],
      ...stored,
    });
  }
  const writesBefore = store.writes;
  let applied = 0;
  const quorum = new QuorumState({
    localId: over.localId ?? 1,
    voters: over.voters ?? [3, 1, 2, 2],
    clusterId: 'c1',
    store,
    appliedOffset: () => applied,
  });
  return { quorum, store, writesBefore, setApplied: (n: number) => (applied = n) };
}

t.test('the starting role comes from the stored state, and reading writes nothing', async (t) => {
  t.same(stateFrom(undefined).quorum.current, { kind: 'unattached', epoch: 0, leaderId: -1, votedId: -1 });
  t.same(stateFrom({ leaderEpoch: 4, leaderId: 1, votedId: 1 }).quorum.current, {
    kind: 'resigned',
    epoch: 4,
    leaderId: 1,
    votedId: 1,
  });
  t.same(stateFrom({ leaderEpoch: 4, leaderId: 2, votedId: 3 }).quorum.current, {
    kind: 'follower',
    epoch: 4,
    leaderId: 2,
    votedId: 3,
  });
  t.same(stateFrom({ leaderEpoch: 4, votedId: 3 }).quorum.current, {
    kind: 'voted',
    epoch: 4,
    leaderId: -1,
    votedId: 3,
  });
  const observer = stateFrom({ leaderEpoch: 4, leaderId: 9 }, { localId: 9 });
  t.equal(observer.quorum.current.kind, 'unattached', 'a non-voter that once led does not resign');
  const { quorum, store, writesBefore } = stateFrom({ leaderEpoch: 2, votedId: 2 });
  t.equal(store.writes, writesBefore, 'the constructor only reads');
  t.same(quorum.voters, [1, 2, 3], 'voters sorted and deduplicated');
  t.equal(quorum.majority(), 2);
  t.same(quorum.otherVoters(), [2, 3]);
});

t.test('a store of another cluster is refused', async (t) => {
  const store = new InMemoryQuorumStateStore();
  store.write({ clusterId: 'other', leaderId: -1, leaderEpoch: 0, votedId: -1, appliedOffset: 0, currentVoters: [1] });
  t.throws(
    () => new QuorumState({ localId: 1, voters: [1], clusterId: 'c1', store, appliedOffset: () => 0 }),
    RaftInvariantError,
  );
});

t.test('a transition persists only a change of epoch, leader or vote, with the applied offset', async (t) => {
  const { quorum, store, setApplied } = stateFrom(undefined);
  setApplied(7);
  const writes = store.writes;
  t.same(quorum.transition({ kind: 'prospective', epoch: 0, leaderId: -1, votedId: -1 }).kind, 'unattached');
  t.equal(store.writes, writes, 'unattached -> prospective changes no durable field');
  quorum.transition({ kind: 'candidate', epoch: 1, leaderId: -1, votedId: 1 });
  t.equal(store.writes, writes + 1);
  t.match(store.read(), { leaderEpoch: 1, votedId: 1, leaderId: -1, appliedOffset: 7, clusterId: 'c1' });
  quorum.transition({ kind: 'leader', epoch: 1, leaderId: 1, votedId: 1 });
  t.match(store.read(), { leaderEpoch: 1, leaderId: 1 });
  t.same(quorum.leaderAndEpoch(), { leaderId: 1, leaderEpoch: 1 });
  quorum.transition({ kind: 'resigned', epoch: 1, leaderId: 1, votedId: 1 });
  t.same(quorum.leaderAndEpoch(), { leaderId: -1, leaderEpoch: 1 }, 'a resigned leader advertises none');
});

t.test('an illegal transition throws and changes nothing', async (t) => {
  const { quorum, store } = stateFrom(undefined);
  const writes = store.writes;
  t.throws(() => quorum.transition({ kind: 'leader', epoch: 0, leaderId: 1, votedId: 1 }), IllegalStateTransitionError);
  t.equal(quorum.current.kind, 'unattached');
  t.equal(store.writes, writes);
  const observer = stateFrom(undefined, { localId: 9 }).quorum;
  t.throws(
    () => observer.transition({ kind: 'candidate', epoch: 1, leaderId: -1, votedId: 9 }),
    RaftInvariantError,
    'a non-voter never stands',
  );
});

t.test('leader-only requests get the epoch error first, then NOT_LEADER_OR_FOLLOWER', async (t) => {
  const { quorum } = stateFrom({ leaderEpoch: 3, leaderId: 2, votedId: -1 });
  t.equal(quorum.leaderOnlyError(2), ErrorCode.FENCED_LEADER_EPOCH);
  t.equal(quorum.leaderOnlyError(4), ErrorCode.UNKNOWN_LEADER_EPOCH);
  t.equal(quorum.leaderOnlyError(3), ErrorCode.NOT_LEADER_OR_FOLLOWER);
  t.ok(quorum.clusterIdMatches(null));
  t.ok(quorum.clusterIdMatches('c1'));
  t.notOk(quorum.clusterIdMatches('c2'));
});

t.test('persistIfChanged writes only what the store does not hold already', async (t) => {
  const fresh = stateFrom(undefined);
  fresh.quorum.persistIfChanged();
  t.equal(fresh.store.writes, 0, 'a fresh node: its initial state is what an empty store reads as');
  t.equal(fresh.store.read(), undefined);

  const restarted = stateFrom({ leaderEpoch: 4, leaderId: 2, votedId: 3 });
  restarted.quorum.persistIfChanged();
  t.equal(restarted.store.writes, restarted.writesBefore, 'a restart whose state is unchanged');
  restarted.setApplied(7);
  restarted.quorum.persistIfChanged();
  t.equal(restarted.store.writes, restarted.writesBefore, 'the applied offset alone is no change');

  const otherVoters = stateFrom({ leaderEpoch: 4, leaderId: 2, votedId: 3, currentVoters: [1, 2] });
  otherVoters.quorum.persistIfChanged();
  t.equal(otherVoters.store.writes, otherVoters.writesBefore + 1, 'new voters are written');
  t.same(otherVoters.store.read()?.currentVoters, [1, 2, 3]);

  const otherCluster = stateFrom({ clusterId: null });
  otherCluster.quorum.persistIfChanged();
  t.equal(otherCluster.store.writes, otherCluster.writesBefore + 1, 'a cluster id the store lacks is written');

  // After a transition wrote, the same state again is not rewritten; a change is.
  fresh.quorum.transition({ kind: 'unattached', epoch: 1, leaderId: -1, votedId: -1 });
  t.equal(fresh.store.writes, 1);
  fresh.quorum.persistIfChanged();
  t.equal(fresh.store.writes, 1);
});
