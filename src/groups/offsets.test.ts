import t from 'tap';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { Writer } from '../../protocol/primitives/index.js';
import { checkTransition, IllegalGroupTransitionError } from './group-state.js';
import type { CommitRequest } from './offsets.js';
import {
  harness,
  joinRequest,
  PendingJoin,
  PendingSync,
  syncRequest,
  type Harness,
} from '../../test/helpers/groups.js';
import { javaStringHashCode } from '../common/java-hash.js';
import { partitionForGroup } from './records.js';
import { TimerQueue } from './timer-queue.js';

function commit(h: Harness, over: Partial<CommitRequest> = {}, offset = 42n): number[] {
  const result = h.coordinator.offsets.commit(
    {
      groupId: 'g',
      generationId: -1,
      memberId: '',
      groupInstanceId: null,
      retentionTimeMs: -1,
      topics: [
        {
          name: 't1',
          partitions: [
            { partitionIndex: 0, committedOffset: offset, committedLeaderEpoch: 3, committedMetadata: 'md' },
          ],
        },
      ],
      apiVersion: 8,
      ...over,
    },
    h.clock.now(),
  );
  return result.flatMap((r) => r.partitions.map((p) => p.errorCode));
}

/** ConsumerProtocolSubscription v0 metadata for `topics`. */
function subscription(...topics: string[]): Buffer {
  const w = new Writer(64);
  w.int16(0);
  w.int32(topics.length);
  for (const topic of topics) w.string(topic);
  w.bytes(Buffer.alloc(0));
  return w.toBuffer();
}

function stableMember(h: Harness, topics = ['t1']): { memberId: string; generationId: number } {
  const join = new PendingJoin(
    h,
    joinRequest({ apiVersion: 3, protocols: [{ name: 'range', metadata: subscription(...topics) }] }),
  );
  const memberId = join.result!.memberId;
  new PendingSync(h, syncRequest(memberId, join.result!.generationId, { [memberId]: 'x' }));
  return { memberId, generationId: join.result!.generationId };
}

t.test('simple commits (generation -1) create the group and are fetched back', async (t) => {
  const h = harness();
  t.same(commit(h), [0]);
  const fetched = h.coordinator.offsets.fetch('g', null, false);
  t.same(fetched.topics, [
    {
      name: 't1',
      partitions: [{ partitionIndex: 0, committedOffset: 42n, committedLeaderEpoch: 3, metadata: 'md', errorCode: 0 }],
    },
  ]);
  t.equal(h.coordinator.store.groups.get('g')?.state, 'Empty');
  const missing = h.coordinator.offsets.fetch('g', [{ name: 't1', partitionIndexes: [1] }], false);
  t.equal(missing.topics[0]!.partitions[0]!.committedOffset, -1n, 'no commit: -1');
  t.same(h.coordinator.offsets.fetch('other', null, false).topics, [], 'unknown group: nothing');
});

t.test('commit validation: generations, members, partitions, metadata size, group ids', async (t) => {
  const h = harness({ offsetMetadataMaxBytes: 8 });
  t.same(commit(h, { groupId: '' }), [0], 'the empty group id commits, as on Kafka 3.9');
  t.same(commit(h, { groupId: 'x'.repeat(32768) }), [ErrorCode.INVALID_GROUP_ID], 'an id past the record key bound');
  t.same(
    commit(h, { groupId: 'nope', generationId: 3, memberId: 'm' }),
    [ErrorCode.ILLEGAL_GENERATION],
    'no group, real generation',
  );
  t.same(commit(h, { groupId: 'nope', generationId: 3, memberId: 'm', apiVersion: 9 }), [ErrorCode.GROUP_ID_NOT_FOUND]);
  const { memberId, generationId } = stableMember(h);
  t.same(commit(h, { generationId, memberId }), [0]);
  t.same(commit(h, { generationId: generationId + 1, memberId }), [ErrorCode.ILLEGAL_GENERATION]);
  t.same(commit(h, { generationId, memberId: 'stranger' }), [ErrorCode.UNKNOWN_MEMBER_ID]);
  t.same(commit(h), [ErrorCode.UNKNOWN_MEMBER_ID], 'simple commits are refused while the group has members');
  const bad = h.coordinator.offsets.commit(
    {
      groupId: 'g',
      generationId,
      memberId,
      groupInstanceId: null,
      retentionTimeMs: -1,
      topics: [
        {
          name: 'nosuchtopic',
          partitions: [{ partitionIndex: 0, committedOffset: 1n, committedLeaderEpoch: -1, committedMetadata: null }],
        },
        {
          name: 't1',
          partitions: [
            { partitionIndex: 99, committedOffset: 1n, committedLeaderEpoch: -1, committedMetadata: null },
            { partitionIndex: 1, committedOffset: 1n, committedLeaderEpoch: -1, committedMetadata: 'far too long' },
            { partitionIndex: 2, committedOffset: 7n, committedLeaderEpoch: -1, committedMetadata: null },
          ],
        },
      ],
      apiVersion: 8,
    },
    h.clock.now(),
  );
  t.same(
    bad.flatMap((r) => r.partitions.map((p) => p.errorCode)),
    [
      ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
      ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
      ErrorCode.OFFSET_METADATA_TOO_LARGE,
      0,
    ],
  );
  t.equal(h.coordinator.store.committed('g', 't1', 0)?.offset, 42n, 'earlier commit intact');
  t.equal(h.coordinator.store.committed('g', 't1', 2)?.offset, 7n);
  t.equal(h.coordinator.store.groups.get('g')?.state, 'Stable', 'group state intact');
  // A rebalance in its completing phase refuses commits.
  new PendingJoin(
    h,
    joinRequest({ apiVersion: 3, memberId, protocols: [{ name: 'range', metadata: subscription('t1', 't2') }] }),
  );
  t.equal(h.coordinator.store.groups.get('g')?.state, 'CompletingRebalance');
  t.same(commit(h, { generationId: generationId + 1, memberId }), [ErrorCode.REBALANCE_IN_PROGRESS]);
});

t.test('a failed append changes nothing', async (t) => {
  const h = harness();
  t.same(commit(h), [0]);
  h.log.failNext = true;
  t.same(commit(h, {}, 99n), [ErrorCode.COORDINATOR_NOT_AVAILABLE]);
  t.equal(h.coordinator.store.committed('g', 't1', 0)?.offset, 42n);
});

t.test('offsets of empty groups expire after the retention; the group goes with them', async (t) => {
  const h = harness({ offsetsRetentionMs: 60_000, offsetsRetentionCheckIntervalMs: 10_000 });
  h.coordinator.startRetention(h.clock.now());
  t.same(commit(h), [0]);
  t.same(commit(h, { groupId: 'short', retentionTimeMs: 15_000 }), [0]);
  h.advance(20_000);
  t.notOk(h.coordinator.store.groups.has('short'), 'explicit retention (v2-4) expired first');
  t.ok(h.coordinator.store.committed('g', 't1', 0));
  h.advance(40_000);
  t.notOk(h.coordinator.store.committed('g', 't1', 0), 'expired after offsets.retention');
  t.notOk(h.coordinator.store.groups.has('g'), 'the empty group without offsets is removed');
  const { memberId, generationId } = stableMember(h);
  t.same(commit(h, { generationId, memberId }), [0]);
  h.advance(120_000);
  t.ok(h.coordinator.store.committed('g', 't1', 0), 'offsets of a group with members do not expire');
});

t.test('OffsetDelete, DeleteGroups, ListGroups and DescribeGroups', async (t) => {
  const h = harness();
  t.same(commit(h, { groupId: 'g' }), [0]);
  commit(h, {
    groupId: 'g',
    topics: [
      {
        name: 't2',
        partitions: [{ partitionIndex: 0, committedOffset: 5n, committedLeaderEpoch: -1, committedMetadata: null }],
      },
    ],
  });
  const { memberId } = stableMember(h, ['t1']);
  const del = h.coordinator.offsets.delete(
    'g',
    [
      { name: 't1', partitions: [{ partitionIndex: 0 }] },
      { name: 't2', partitions: [{ partitionIndex: 0 }] },
    ],
    h.clock.now(),
  );
  t.same(
    del.topics.map((x) => x.partitions[0]!.errorCode),
    [ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC, 0],
  );
  t.ok(h.coordinator.store.committed('g', 't1', 0));
  t.notOk(h.coordinator.store.committed('g', 't2', 0));
  t.equal(h.coordinator.offsets.delete('missing', [], h.clock.now()).errorCode, ErrorCode.GROUP_ID_NOT_FOUND);

  const described = h.coordinator.admin.describe('g');
  t.equal(described.groupState, 'Stable');
  t.equal(described.protocolData, 'range');
  t.equal(described.members[0]?.memberAssignment.toString(), 'x');
  t.equal(h.coordinator.admin.describe('missing').groupState, 'Dead');
  commit(h, { groupId: 'simple' });
  t.same(
    h.coordinator.admin
      .list([], [])
      .map((g) => g.groupId)
      .sort(),
    ['g', 'simple'],
  );
  t.same(
    h.coordinator.admin.list(['STABLE'], []).map((g) => g.groupId),
    ['g'],
  );
  t.same(h.coordinator.admin.list([], ['consumer']), []);

  t.equal(h.coordinator.admin.deleteGroup('g', h.clock.now()), ErrorCode.NON_EMPTY_GROUP);
  t.equal(h.coordinator.admin.deleteGroup('missing', h.clock.now()), ErrorCode.GROUP_ID_NOT_FOUND);
  t.equal(h.coordinator.admin.deleteGroup('', h.clock.now()), ErrorCode.GROUP_ID_NOT_FOUND, "no '' group yet");
  commit(h, { groupId: '' });
  t.equal(h.coordinator.admin.deleteGroup('', h.clock.now()), 0, "the empty group id's offsets go, as on Kafka 3.9");
  t.same(h.coordinator.offsets.fetch('', null, false).topics, []);
  h.coordinator.membership.leave('g', [{ memberId, groupInstanceId: null }], h.clock.now());
  t.equal(h.coordinator.admin.deleteGroup('g', h.clock.now()), 0);
  t.notOk(h.coordinator.store.groups.has('g'));
  t.same(h.coordinator.offsets.fetch('g', null, false).topics, [], 'offsets deleted with the group');
});

t.test('restart: a new coordinator replays the log and resumes groups and offsets', async (t) => {
  const h = harness();
  const { memberId, generationId } = stableMember(h);
  commit(h, { generationId, memberId }, 1234n);
  commit(h, { groupId: 'gone' });
  h.coordinator.admin.deleteGroup('gone', h.clock.now());
  const restarted = harness({}, h.log, h.clock);
  restarted.coordinator.load(h.log.replay(), h.clock.now());
  const group = restarted.coordinator.store.groups.get('g')!;
  t.equal(group.state, 'Stable');
  t.equal(group.generationId, generationId);
  t.equal(group.leaderId, memberId);
  t.equal(restarted.coordinator.store.committed('g', 't1', 0)?.offset, 1234n);
  t.notOk(restarted.coordinator.store.groups.has('gone'), 'tombstones replayed');
  t.equal(
    restarted.coordinator.membership.heartbeat('g', generationId, memberId, null, h.clock.now()),
    0,
    'the member carries on',
  );
  t.equal(new PendingSync(restarted, syncRequest(memberId, generationId)).result?.assignment.toString(), 'x');
  restarted.advance(10_000);
  t.equal(group.state, 'Empty', 'a loaded member that never heartbeats expires; the group empties');
});

t.test('group partition follows Java String.hashCode and Utils.abs', async (t) => {
  t.equal(javaStringHashCode(''), 0);
  t.equal(javaStringHashCode('hello'), 99162322);
  t.equal(javaStringHashCode('polygenelubricants'), -2147483648);
  t.equal(partitionForGroup('polygenelubricants', 50), 0);
  t.equal(partitionForGroup('hello', 50), 99162322 % 50);
  t.equal(javaStringHashCode('my-group'), -1906497762);
  t.equal(partitionForGroup('my-group', 50), 12, 'a negative hash is negated (Math.abs), not masked');
  t.equal(
    javaStringHashCode('é😀'),
    (() => {
      let h = 0;
      for (const c of [0xe9, 0xd83d, 0xde00]) h = (Math.imul(h, 31) + c) | 0;
      return h;
    })(),
    'UTF-16 code units',
  );
});

t.test('the transition table refuses illegal moves; the timer queue fires in order', async (t) => {
  t.throws(() => checkTransition('g', 'Empty', 'Stable'), IllegalGroupTransitionError);
  t.throws(() => checkTransition('g', 'Dead', 'Empty'), IllegalGroupTransitionError);
  t.doesNotThrow(() => checkTransition('g', 'CompletingRebalance', 'Stable'));
  const q = new TimerQueue();
  const fired: string[] = [];
  q.schedule('a', 30, () => fired.push('a'));
  q.schedule('b', 10, () => fired.push('b'));
  q.schedule('c', 20, () => fired.push('c'));
  q.schedule('b', 40, () => fired.push('b2'));
  q.cancel('c');
  t.equal(q.nextDeadline(), 30);
  q.poll(35);
  q.poll(100);
  t.same(fired, ['a', 'b2']);
  t.equal(q.nextDeadline(), null);
});

t.test('unknown topics are answered before the group is consulted, as Kafka does', async (t) => {
  const h = harness();
  const unknownOnly = [
    {
      name: 'nosuchtopic',
      partitions: [{ partitionIndex: 0, committedOffset: 1n, committedLeaderEpoch: -1, committedMetadata: null }],
    },
  ];
  // librdkafka's consumer-protocol consumer that never joined commits with its own member id.
  t.same(commit(h, { memberId: 'never-joined', generationId: -1, topics: unknownOnly }), [
    ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  ]);
  t.same(commit(h, { memberId: 'never-joined', generationId: 5, topics: unknownOnly, apiVersion: 9 }), [
    ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  ]);
  t.equal(h.coordinator.store.groups.get('g'), undefined, 'no group created for a commit of unknown topics only');
  // A stable group: the known partition gets the member error, the unknown one its own.
  stableMember(h);
  const mixed = [
    ...unknownOnly,
    {
      name: 't1',
      partitions: [{ partitionIndex: 0, committedOffset: 1n, committedLeaderEpoch: -1, committedMetadata: null }],
    },
  ];
  t.same(commit(h, { memberId: 'stranger', generationId: 1, topics: mixed }), [
    ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    ErrorCode.UNKNOWN_MEMBER_ID,
  ]);
});

t.test('generation -1 on an Empty group commits whatever the member id (manual assign with a member id)', async (t) => {
  const h = harness();
  t.same(commit(h, { memberId: 'client-made-id', generationId: -1 }), [0]);
  t.equal(h.coordinator.store.groups.get('g')?.state, 'Empty');
  t.same(commit(h, { memberId: 'client-made-id', generationId: -1 }, 43n), [0], 'the second commit too');
  t.equal(h.coordinator.store.committed('g', 't1', 0)?.offset, 43n);
  t.same(commit(h, { memberId: 'client-made-id', generationId: 3, apiVersion: 9 }), [ErrorCode.UNKNOWN_MEMBER_ID]);
});
