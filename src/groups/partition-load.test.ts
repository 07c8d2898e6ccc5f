/**
 * The group coordinator loads and unloads single `__consumer_offsets` partitions as their
 * leadership comes and goes: unloading drops only that partition's groups and offsets and
 * answers members waiting in JoinGroup NOT_COORDINATOR; loading replays only that partition and
 * restarts only its members' sessions.
 */
import t from 'tap';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { decodeGroupRecord, partitionForGroup, type GroupRecord } from './records.js';
import { harness, joinRequest, PendingJoin, type Harness } from '../../test/helpers/groups.js';

const PARTITIONS = 4;

/** Two group ids on different partitions of a 4-partition `__consumer_offsets`. */
function groupsOnTwoPartitions(): [string, string] {
  const first = 'group-a';
  for (let i = 0; i < 100; i++) {
    const other = `group-b${i}`;
    if (partitionForGroup(other, PARTITIONS) !== partitionForGroup(first, PARTITIONS)) return [first, other];
  }
  throw new Error('no second partition found');
}

function commit(h: Harness, groupId: string, offset: bigint): void {
  const r = h.coordinator.offsets.commit(
    {
      groupId,
      generationId: -1,
      memberId: '',
      groupInstanceId: null,
      retentionTimeMs: -1,
      topics: [
        {
          name: 't1',
          partitions: [{ partitionIndex: 0, committedOffset: offset, committedLeaderEpoch: -1, committedMetadata: '' }],
        },
      ],
      apiVersion: 8,
    },
    h.clock.now(),
  );
  if (r.some((topic) => topic.partitions.some((p) => p.errorCode !== 0))) throw new Error('commit failed');
}

function recordsOf(h: Harness, partition: number): GroupRecord[] {
  return (h.log.partitions.get(partition) ?? []).flatMap((r) => {
    const decoded = decodeGroupRecord(r.key, r.value);
    return decoded ? [decoded] : [];
  });
}

t.test('unloading a partition drops only its groups and offsets; loading it brings them back', async (t) => {
  const h = harness();
  const [a, b] = groupsOnTwoPartitions();
  const pa = partitionForGroup(a, PARTITIONS);
  commit(h, a, 42n);
  commit(h, b, 7n);
  h.coordinator.unloadPartition(pa);
  t.equal(h.coordinator.store.committed(a, 't1', 0), undefined, "the moved partition's offsets are gone");
  t.notOk(h.coordinator.store.groups.has(a), 'and its group');
  t.equal(h.coordinator.store.committed(b, 't1', 0)?.offset, 7n, 'another partition is untouched');

  h.coordinator.loadPartition(pa, recordsOf(h, pa), h.clock.now());
  t.equal(h.coordinator.store.committed(a, 't1', 0)?.offset, 42n, 'loaded again from its partition');
  t.equal(h.coordinator.store.committed(b, 't1', 0)?.offset, 7n);
});

t.test('a member waiting in JoinGroup gets NOT_COORDINATOR when its partition is unloaded', async (t) => {
  const h = harness({ initialRebalanceDelayMs: 3000 });
  const [a, b] = groupsOnTwoPartitions();
  const waitingA = new PendingJoin(h, joinRequest({ groupId: a, memberId: '', apiVersion: 3 }));
  const waitingB = new PendingJoin(h, joinRequest({ groupId: b, memberId: '', apiVersion: 3 }));
  t.equal(waitingA.result, null, 'held by the initial rebalance delay');
  h.coordinator.unloadPartition(partitionForGroup(a, PARTITIONS));
  t.equal(waitingA.result?.errorCode, ErrorCode.NOT_COORDINATOR);
  t.equal(waitingB.result, null, 'the other group still waits');
  h.advance(3000);
  t.equal(waitingB.result?.errorCode, 0, 'and completes its rebalance');
  t.notOk(h.coordinator.timers.has(`initial-join\u0000${a}\u0000`), "the moved group's deadlines are gone");
});

t.test('loading a partition restarts the sessions of its members only', async (t) => {
  const h = harness();
  const [a, b] = groupsOnTwoPartitions();
  const joinedA = new PendingJoin(h, joinRequest({ groupId: a, memberId: '', apiVersion: 3 }));
  const joinedB = new PendingJoin(h, joinRequest({ groupId: b, memberId: '', apiVersion: 3 }));
  t.equal(joinedA.result?.errorCode, 0);
  t.equal(joinedB.result?.errorCode, 0);
  h.coordinator.membership.sync(
    {
      groupId: a,
      generationId: joinedA.result!.generationId,
      memberId: joinedA.result!.memberId,
      groupInstanceId: null,
      protocolType: null,
      protocolName: null,
      assignments: [{ memberId: joinedA.result!.memberId, assignment: Buffer.from('x') }],
    },
    h.clock.now(),
    () => undefined,
  );
  const pa = partitionForGroup(a, PARTITIONS);
  h.coordinator.unloadPartition(pa);
  h.clock.advance(5000);
  h.coordinator.loadPartition(pa, recordsOf(h, pa), h.clock.now());
  const group = h.coordinator.store.groups.get(a);
  t.equal(group?.state, 'Stable', 'the loaded group is Stable with its member');
  h.advance(9_000);
  t.ok(h.coordinator.store.groups.get(a)?.members.has(joinedA.result!.memberId), 'its session restarted at the load');
  h.advance(2_000);
  t.equal(h.coordinator.store.groups.get(a)?.members.size, 0, 'a loaded member that never heartbeats expires');
});
