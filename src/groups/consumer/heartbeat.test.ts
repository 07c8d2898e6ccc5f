import t from 'tap';
import { ErrorCode } from '../../../protocol/generated/error-codes.js';
import { assignmentSize } from './assignment.js';
import { MemberState } from './records.js';
import {
  assertDisjoint,
  consumerHarness,
  SimMember,
  type ConsumerHarness,
} from '../../../test/helpers/consumer-groups.js';

function setup(partitions = 6): ConsumerHarness {
  const h = consumerHarness();
  h.topics.add('t', partitions);
  return h;
}

/** Heartbeats every member in turn until the group is Stable (or gives up). */
function settle(h: ConsumerHarness, members: SimMember[], rounds = 10): void {
  for (let i = 0; i < rounds; i++) {
    for (const m of members) {
      m.heartbeat();
      assertDisjoint(members);
    }
    if (h.coordinator.consumer.admin.get('g')?.state === 'Stable') return;
  }
}

t.test('first member joins: broker-assigned id, epoch 1, every partition', async (t) => {
  const h = setup();
  const a = new SimMember(h);
  const r = a.join();
  t.equal(r.errorCode, 0);
  t.equal(r.memberId, 'm1');
  t.equal(r.memberEpoch, 1);
  t.equal(r.heartbeatIntervalMs, 5000);
  t.equal(a.ownedCount(), 6);
  const g = h.coordinator.consumer.admin.get('g')!;
  t.equal(g.state, 'Stable');
  t.equal(g.groupEpoch, 1);
  t.equal(g.assignmentEpoch, 1);
  // A plain heartbeat with nothing new gives no assignment.
  t.equal(a.heartbeat().assignment, null);
});

t.test('revoke before assign: a joining member gets partitions only after the owner lets go', async (t) => {
  const h = setup();
  const a = new SimMember(h);
  a.join();
  const b = new SimMember(h);
  const rb = b.join();
  t.equal(rb.memberEpoch, 2);
  t.same(rb.assignment, [], 'b gets nothing yet: every partition of its target is still owned by a');
  t.equal(h.coordinator.consumer.admin.get('g')!.state, 'Reconciling');
  a.holdRevocations = true;
  const ra = a.heartbeat();
  t.equal(ra.memberEpoch, 1, 'a stays at its epoch while revoking');
  t.equal(assignmentSize(new Map(ra.assignment!.map((tp) => [tp.topicId, new Set(tp.partitions)]))), 3);
  t.equal(
    h.coordinator.consumer.admin.get('g')!.members.get(a.memberId)!.current.state,
    MemberState.UNREVOKED_PARTITIONS,
  );
  t.same(b.heartbeat().assignment, null, 'still nothing for b while a holds the partitions');
  a.holdRevocations = false;
  a.owned = new Map(ra.assignment!.map((tp) => [tp.topicId, new Set(tp.partitions)]));
  t.equal(a.heartbeat().memberEpoch, 2, 'a acknowledges the revocation and moves to epoch 2');
  b.heartbeat();
  t.equal(b.ownedCount(), 3);
  t.equal(a.ownedCount(), 3);
  assertDisjoint([a, b]);
  t.equal(h.coordinator.consumer.admin.get('g')!.state, 'Stable');
});

t.test('three members converge with no partition ever owned twice', async (t) => {
  const h = setup(7);
  const members = [new SimMember(h), new SimMember(h), new SimMember(h)];
  for (const m of members) {
    m.join();
    assertDisjoint(members);
    for (const other of members) {
      other.heartbeat();
      assertDisjoint(members);
    }
  }
  settle(h, members);
  t.equal(h.coordinator.consumer.admin.get('g')!.state, 'Stable');
  t.same(members.map((m) => m.ownedCount()).sort(), [2, 2, 3]);
  t.equal(
    members.reduce((s, m) => s + m.ownedCount(), 0),
    7,
  );
  t.ok(members.every((m) => m.epoch === 3));
});

t.test('leave (-1) bumps the group epoch and the others take the partitions', async (t) => {
  const h = setup();
  const members = [new SimMember(h), new SimMember(h), new SimMember(h)];
  for (const m of members) m.join();
  settle(h, members);
  const r = members[2]!.leave();
  t.equal(r.errorCode, 0);
  t.equal(r.memberEpoch, -1);
  const g = h.coordinator.consumer.admin.get('g')!;
  t.equal(g.members.size, 2);
  t.equal(g.groupEpoch, 4);
  settle(h, members.slice(0, 2));
  t.same(
    members.slice(0, 2).map((m) => m.ownedCount()),
    [3, 3],
  );
  t.equal(members[0]!.leave().errorCode, 0);
  t.equal(members[0]!.leave().errorCode, ErrorCode.UNKNOWN_MEMBER_ID, 'a second leave: the member is gone');
});

t.test('session timeout removes a silent member; the rest take over', async (t) => {
  const h = setup();
  const a = new SimMember(h);
  const b = new SimMember(h);
  a.join();
  b.join();
  settle(h, [a, b]);
  h.advance(30_000);
  a.heartbeat();
  h.advance(15_001);
  const g = h.coordinator.consumer.admin.get('g')!;
  t.same([...g.members.keys()], [a.memberId], 'b expired after 45 s without a heartbeat');
  settle(h, [a]);
  t.equal(a.ownedCount(), 6);
  t.equal(b.heartbeat().errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
});

t.test('rebalance timeout fences a member that never revokes', async (t) => {
  const h = setup();
  const a = new SimMember(h);
  a.join();
  const b = new SimMember(h);
  b.join();
  a.holdRevocations = true;
  a.heartbeat();
  for (let i = 0; i < 6; i++) {
    h.advance(5000);
    a.heartbeat();
    b.heartbeat();
  }
  const g = h.coordinator.consumer.admin.get('g')!;
  t.notOk(g.members.has(a.memberId), 'a was fenced at its 30 s rebalance timeout');
  t.equal(a.heartbeat().errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
  settle(h, [b]);
  t.equal(b.ownedCount(), 6);
});

t.test('fencing: epochs ahead or behind, unknown members and groups', async (t) => {
  const h = setup();
  const a = new SimMember(h);
  a.join();
  const b = new SimMember(h);
  b.join();
  settle(h, [a, b]);
  t.equal(
    h.heartbeat({
      memberId: a.memberId,
      memberEpoch: a.epoch + 1,
      subscribedTopicNames: null,
      rebalanceTimeoutMs: -1,
      topicPartitions: null,
    }).errorCode,
    ErrorCode.FENCED_MEMBER_EPOCH,
  );
  const stale = h.heartbeat({
    memberId: a.memberId,
    memberEpoch: 1,
    subscribedTopicNames: null,
    rebalanceTimeoutMs: -1,
    topicPartitions: null,
  });
  t.equal(stale.errorCode, ErrorCode.FENCED_MEMBER_EPOCH);
  t.match(stale.errorMessage, /smaller member epoch/);
  // The previous epoch with owned partitions inside the assignment is a lost answer: accepted.
  const prev = h.heartbeat({
    memberId: b.memberId,
    memberEpoch: 1,
    subscribedTopicNames: null,
    rebalanceTimeoutMs: -1,
    topicPartitions: [],
  });
  t.equal(
    prev.errorCode,
    b.epoch === 2 && h.coordinator.consumer.admin.get('g')!.members.get(b.memberId)!.current.previousMemberEpoch === 1
      ? 0
      : ErrorCode.FENCED_MEMBER_EPOCH,
  );
  t.equal(
    h.heartbeat({ memberId: 'nobody', memberEpoch: 3, topicPartitions: null }).errorCode,
    ErrorCode.UNKNOWN_MEMBER_ID,
  );
  t.equal(
    h.heartbeat({ groupId: 'other', memberId: 'x', memberEpoch: 3, topicPartitions: null }).errorCode,
    ErrorCode.GROUP_ID_NOT_FOUND,
  );
});

t.test('request validation and assignors', async (t) => {
  const h = setup();
  t.equal(h.heartbeat({ groupId: '' }).errorCode, ErrorCode.INVALID_REQUEST);
  t.equal(h.heartbeat({ rebalanceTimeoutMs: -1 }).errorCode, ErrorCode.INVALID_REQUEST);
  t.equal(h.heartbeat({ topicPartitions: null }).errorCode, ErrorCode.INVALID_REQUEST);
  t.equal(h.heartbeat({ subscribedTopicNames: null }).errorCode, ErrorCode.INVALID_REQUEST);
  t.equal(h.heartbeat({ memberEpoch: -3, memberId: 'x' }).errorCode, ErrorCode.INVALID_REQUEST);
  t.equal(
    h.heartbeat({ memberEpoch: -2, memberId: 'x' }).errorCode,
    ErrorCode.INVALID_REQUEST,
    'static leave needs an instance id',
  );
  const bad = h.heartbeat({ serverAssignor: 'sticky' });
  t.equal(bad.errorCode, ErrorCode.UNSUPPORTED_ASSIGNOR);
  t.match(bad.errorMessage, /uniform, range/);
  t.equal(h.log.count(), 0, 'no record for a refused request');
  const r = h.heartbeat({ serverAssignor: 'range' });
  t.equal(r.errorCode, 0);
  t.equal(h.coordinator.consumer.admin.describe('g').assignorName, 'range');
});

t.test('new partitions and newly created topics matching a subscription trigger a new target', async (t) => {
  const h = setup(2);
  const a = new SimMember(h, ['t', 'u']);
  a.join();
  t.equal(a.ownedCount(), 2);
  h.topics.add('t', 4);
  a.heartbeat();
  t.equal(a.ownedCount(), 4, 'partitions added to t');
  h.topics.add('u', 3);
  a.heartbeat();
  t.equal(a.ownedCount(), 7, 'topic u created');
  t.equal(h.coordinator.consumer.admin.get('g')!.groupEpoch, 3);
});

t.test('a failed append answers COORDINATOR_NOT_AVAILABLE and changes nothing', async (t) => {
  const h = setup();
  h.log.failNext = true;
  t.equal(h.heartbeat({}).errorCode, ErrorCode.COORDINATOR_NOT_AVAILABLE);
  t.equal(h.coordinator.consumer.admin.get('g'), undefined);
  t.equal(h.coordinator.nextDeadline(), null);
});

t.test(
  'static member: leave with -2 keeps its partitions, a rejoin under the instance id takes them back',
  async (t) => {
    const h = setup();
    const a = new SimMember(h, ['t'], { instanceId: 'i-a' });
    const b = new SimMember(h, ['t'], { instanceId: 'i-b' });
    a.join();
    b.join();
    settle(h, [a, b]);
    const before = a.owned;
    const epochBefore = h.coordinator.consumer.admin.get('g')!.groupEpoch;
    const left = h.heartbeat({
      memberId: a.memberId,
      memberEpoch: -2,
      instanceId: 'i-a',
      subscribedTopicNames: null,
      rebalanceTimeoutMs: -1,
      topicPartitions: null,
    });
    t.equal(left.memberEpoch, -2);
    const g = h.coordinator.consumer.admin.get('g')!;
    t.equal(g.groupEpoch, epochBefore, 'no epoch bump: the partitions wait for the instance');
    t.equal(
      new SimMember(h, ['t'], { instanceId: 'i-b' }).join().errorCode,
      ErrorCode.UNRELEASED_INSTANCE_ID,
      'an active instance id cannot be taken',
    );
    const again = new SimMember(h, ['t'], { instanceId: 'i-a' });
    const r = again.join();
    t.equal(r.errorCode, 0);
    t.not(again.memberId, a.memberId);
    t.same(again.owned, before, 'the same partitions, no rebalance');
    t.notOk(g.members.has(a.memberId));
    t.equal(g.state, 'Stable');
  },
);

t.test('persistence: a restart replays the group; members that do not return expire', async (t) => {
  const h = setup();
  const a = new SimMember(h);
  const b = new SimMember(h);
  a.join();
  b.join();
  settle(h, [a, b]);
  const before = h.coordinator.consumer.admin.describe('g');
  const h2 = h.restart();
  const after = h2.coordinator.consumer.admin.describe('g');
  t.same(after, before, 'same epochs, members, assignments');
  t.equal(h2.coordinator.consumer.admin.get('g')!.state, 'Stable');
  // a comes back to the new coordinator; b never does.
  const a2 = Object.assign(new SimMember(h2), { memberId: a.memberId, epoch: a.epoch, owned: a.owned });
  h2.advance(40_000);
  t.equal(a2.heartbeat().errorCode, 0);
  h2.advance(10_000);
  const g = h2.coordinator.consumer.admin.get('g')!;
  t.same([...g.members.keys()], [a.memberId]);
  settle(h2, [a2]);
  t.equal(a2.ownedCount(), 6);
  const h3 = h2.restart();
  t.same(h3.coordinator.consumer.admin.describe('g'), h2.coordinator.consumer.admin.describe('g'));
});

t.test('offsets: commits checked by member epoch; classic APIs meet the consumer group', async (t) => {
  const h = setup();
  const a = new SimMember(h);
  a.join();
  const commit = (memberId: string, generationId: number, apiVersion = 9): number =>
    h.coordinator.offsets.commit(
      {
        groupId: 'g',
        generationId,
        memberId,
        groupInstanceId: null,
        retentionTimeMs: -1,
        apiVersion,
        topics: [
          {
            name: 't',
            partitions: [{ partitionIndex: 0, committedOffset: 5n, committedLeaderEpoch: -1, committedMetadata: null }],
          },
        ],
      },
      h.clock.now(),
    )[0]!.partitions[0]!.errorCode;
  t.equal(commit(a.memberId, a.epoch), 0);
  t.equal(commit(a.memberId, a.epoch + 1), ErrorCode.STALE_MEMBER_EPOCH);
  t.equal(commit('nobody', a.epoch), ErrorCode.UNKNOWN_MEMBER_ID);
  t.equal(commit('', -1), ErrorCode.UNKNOWN_MEMBER_ID, 'a simple commit while the group has members');
  t.equal(commit(a.memberId, a.epoch, 8), ErrorCode.UNSUPPORTED_VERSION);
  t.equal(h.coordinator.offsets.fetch('g', null, false).topics[0]!.partitions[0]!.committedOffset, 5n);
  t.notOk(h.coordinator.store.groups.has('g'), 'no classic shell group for the consumer group');
  t.equal(h.coordinator.consumer.admin.fetchError('g', a.memberId, a.epoch), 0);
  t.equal(h.coordinator.consumer.admin.fetchError('g', a.memberId, 7), ErrorCode.STALE_MEMBER_EPOCH);
  t.equal(h.coordinator.consumer.admin.fetchError('g', null, -1), 0);
  t.same(h.coordinator.admin.list([], []), [
    { groupId: 'g', protocolType: 'consumer', groupState: 'Stable', groupType: 'consumer' },
  ]);
  t.same(h.coordinator.admin.list([], ['classic']), []);
  t.equal(
    h.coordinator.admin.describe('g').groupState,
    'Dead',
    'DescribeGroups v0-5 answers Dead for a consumer group, as Kafka',
  );
  t.equal(h.coordinator.consumer.admin.classicJoinError('g', h.clock.now()), ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
  t.equal(h.coordinator.consumer.admin.deleteGroup('g', h.clock.now()), ErrorCode.NON_EMPTY_GROUP);
  h.topics.add('other', 1);
  h.coordinator.offsets.commit(
    {
      groupId: 'g',
      generationId: a.epoch,
      memberId: a.memberId,
      groupInstanceId: null,
      retentionTimeMs: -1,
      apiVersion: 9,
      topics: [
        {
          name: 'other',
          partitions: [{ partitionIndex: 0, committedOffset: 1n, committedLeaderEpoch: -1, committedMetadata: null }],
        },
      ],
    },
    h.clock.now(),
  );
  const deleted = h.coordinator.offsets.delete(
    'g',
    [
      { name: 't', partitions: [{ partitionIndex: 0 }] },
      { name: 'other', partitions: [{ partitionIndex: 0 }] },
    ],
    h.clock.now(),
  );
  t.same(
    deleted.topics.map((x) => x.partitions[0]!.errorCode),
    [ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC, 0],
    'OffsetDelete: only topics the group does not subscribe to',
  );
  a.leave();
  t.equal(commit('', -1), 0, 'a simple commit once the group is empty');
  t.equal(h.coordinator.consumer.admin.deleteGroup('g', h.clock.now()), 0);
  t.equal(h.coordinator.consumer.admin.get('g'), undefined);
  t.same(h.coordinator.offsets.fetch('g', null, false).topics, []);
  t.equal(h.restart().coordinator.consumer.admin.get('g'), undefined, 'the deletion survives a restart');
});

t.test('classic and consumer groups side by side; ids do not mix', async (t) => {
  const h = setup();
  h.coordinator.offsets.commit(
    {
      groupId: 'classic',
      generationId: -1,
      memberId: '',
      groupInstanceId: null,
      retentionTimeMs: -1,
      apiVersion: 2,
      topics: [
        {
          name: 't',
          partitions: [{ partitionIndex: 0, committedOffset: 1n, committedLeaderEpoch: -1, committedMetadata: null }],
        },
      ],
    },
    h.clock.now(),
  );
  t.ok(h.coordinator.store.groups.has('classic'));
  // An empty classic group (offsets only) becomes a consumer group on its first join, keeping its offsets.
  const r = h.heartbeat({ groupId: 'classic' });
  t.equal(r.errorCode, 0);
  t.notOk(h.coordinator.store.groups.has('classic'));
  t.equal(h.coordinator.offsets.fetch('classic', null, false).topics[0]!.partitions[0]!.committedOffset, 1n);
  const h2 = h.restart();
  t.notOk(h2.coordinator.store.groups.has('classic'));
  t.ok(h2.coordinator.consumer.admin.get('classic'));
  t.equal(h2.coordinator.consumer.admin.describe('nope').errorCode, ErrorCode.GROUP_ID_NOT_FOUND);
});

t.test("v1: a member id is required, also to join; the client's id is kept", async (t) => {
  const h = setup();
  const none = h.heartbeat({ memberIdRequired: true, memberId: '' });
  t.equal(none.errorCode, ErrorCode.INVALID_REQUEST);
  t.equal(none.errorMessage, "MemberId can't be empty.");
  const r = h.heartbeat({ memberIdRequired: true, memberId: 'client-id-1' });
  t.equal(r.errorCode, 0);
  t.equal(r.memberId, 'client-id-1');
  t.equal(assignmentSize(h.coordinator.consumer.admin.get('g')!.targetOf('client-id-1')), 6);
});

t.test('v1: regex subscriptions resolve against the topics, follow new ones and can be replaced', async (t) => {
  const h = consumerHarness();
  h.topics.add('orders-eu', 2);
  h.topics.add('orders-us', 2);
  h.topics.add('payments', 3);
  const bad = h.heartbeat({
    memberIdRequired: true,
    memberId: 'a',
    subscribedTopicNames: null,
    subscribedTopicRegex: 'orders-[',
  });
  t.equal(bad.errorCode, ErrorCode.INVALID_REGULAR_EXPRESSION);
  t.equal(h.log.count(), 0, 'nothing written for a refused regex');
  const a = new SimMember(h, [], { memberIdRequired: true, subscribedTopicRegex: 'orders-.*' });
  a.memberId = 'a';
  t.equal(a.join().errorCode, 0);
  t.equal(a.ownedCount(), 4, 'both orders topics, not payments');
  const names = (): string[] =>
    h.coordinator.consumer.admin
      .describe('g')
      .members[0]!.assignment.topicPartitions.map((tp) => tp.topicName)
      .sort();
  t.same(names(), ['orders-eu', 'orders-us']);
  h.topics.add('orders-ap', 1);
  a.heartbeat();
  settle(h, [a]);
  t.equal(a.ownedCount(), 5, 'a new matching topic is picked up on a later heartbeat');
  // switching to names: an empty regex clears it
  const switched = h.heartbeat({
    memberIdRequired: true,
    memberId: 'a',
    memberEpoch: a.epoch,
    subscribedTopicNames: ['payments'],
    subscribedTopicRegex: '',
    rebalanceTimeoutMs: -1,
    topicPartitions: null,
  });
  t.equal(switched.errorCode, 0);
  t.equal(h.coordinator.consumer.admin.describe('g').members[0]!.subscribedTopicRegex, null);
  const b = new SimMember(h, ['payments'], { memberIdRequired: true });
  b.memberId = 'b';
  b.join();
  settle(h, [a, b]);
  const describe = h.coordinator.consumer.admin.describe('g');
  const total = describe.members.reduce(
    (n, m) => n + m.assignment.topicPartitions.reduce((k, tp) => k + tp.partitions.length, 0),
    0,
  );
  t.equal(total, 3, 'only payments is subscribed now, shared by both');
});

t.test('a regex takes only the topics its member may describe; other heartbeats and removals add none', async (t) => {
  const h = consumerHarness();
  h.topics.add('orders-eu', 2);
  h.topics.add('orders-secret', 2);
  h.topics.add('payments', 1);
  const mayDescribeTopic = (topic: string): boolean => topic !== 'orders-secret';
  const a = new SimMember(h, [], { memberIdRequired: true, subscribedTopicRegex: 'orders-.*', mayDescribeTopic });
  a.memberId = 'a';
  t.equal(a.join().errorCode, 0);
  const subscribed = (): string[] => h.coordinator.consumer.admin.get('g')!.subscribedTopics.map((s) => s.name);
  t.same(subscribed(), ['orders-eu'], 'orders-secret matches but may not be described: left out');
  t.equal(a.ownedCount(), 2);
  // b's principal may describe everything, but a's regex is not resolved with b's rights.
  const b = new SimMember(h, ['payments'], { memberIdRequired: true, mayDescribeTopic: () => true });
  b.memberId = 'b';
  b.join();
  settle(h, [a, b]);
  t.same(subscribed(), ['orders-eu', 'payments'], "b's heartbeats do not resolve a's regex with b's rights");
  // A new matching topic, then b leaves: the removal has no principal, so the regex adds nothing.
  h.topics.add('orders-new', 1);
  b.heartbeat();
  t.same(subscribed(), ['orders-eu', 'payments'], "nor the new match: it is a's regex");
  const left = h.heartbeat({ memberIdRequired: true, memberId: 'b', memberEpoch: -1 });
  t.equal(left.errorCode, 0);
  t.same(subscribed(), ['orders-eu'], 'b left: payments is gone, no unchecked regex match came in');
  a.heartbeat();
  t.same(subscribed(), ['orders-eu', 'orders-new'], "a's next heartbeat resolves the new match, checked");
});
