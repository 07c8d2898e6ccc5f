import t from 'tap';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import {
  harness,
  joinRequest,
  PendingJoin,
  PendingSync,
  protocols,
  syncRequest,
  type Harness,
} from '../../test/helpers/groups.js';

/** Joins a dynamic member the v4+ way: MEMBER_ID_REQUIRED, then join again with the id. */
function joinNew(h: Harness, over: Parameters<typeof joinRequest>[0] = {}): PendingJoin {
  const first = new PendingJoin(h, joinRequest(over));
  if (first.result?.errorCode !== ErrorCode.MEMBER_ID_REQUIRED)
    throw new Error(`expected MEMBER_ID_REQUIRED, got ${JSON.stringify(first.result)}`);
  return new PendingJoin(h, joinRequest({ ...over, memberId: first.result.memberId }));
}

/** Brings `n` members to a Stable group: all join, the leader assigns `a-<i>`, all sync. */
function stableGroup(h: Harness, n: number): string[] {
  const joins = [joinNew(h)];
  for (let i = 1; i < n; i++) {
    // Everyone already in must rejoin for the rebalance to complete.
    const ids = joins.map((j) => j.result?.memberId ?? '');
    joins.push(joinNew(h));
    for (let k = 0; k < ids.length; k++)
      if (joins[k]!.result) joins[k] = new PendingJoin(h, joinRequest({ memberId: ids[k]! }));
  }
  const results = joins.map((j) => j.result!);
  const gen = results[0]!.generationId;
  const leader = results.find((r) => r.leader === r.memberId)!;
  const assignments = Object.fromEntries(results.map((r, i) => [r.memberId, `a-${i}`]));
  const syncs = results.map((r) => new PendingSync(h, syncRequest(r.memberId, gen, r === leader ? assignments : {})));
  for (const s of syncs) if (s.result?.errorCode !== 0) throw new Error('sync failed');
  return results.map((r) => r.memberId);
}

t.test('a first join gets MEMBER_ID_REQUIRED (v4+), then joins, leads and syncs to Stable', async (t) => {
  const h = harness();
  const first = new PendingJoin(h, joinRequest());
  t.equal(first.result?.errorCode, ErrorCode.MEMBER_ID_REQUIRED);
  t.match(first.result?.memberId, /^client-uuid1$/);
  const join = new PendingJoin(h, joinRequest({ memberId: first.result!.memberId }));
  t.equal(join.result?.errorCode, 0);
  t.equal(join.result?.generationId, 1);
  t.equal(join.result?.leader, 'client-uuid1');
  t.equal(join.result?.protocolName, 'range');
  t.same(
    join.result?.members.map((m) => m.memberId),
    ['client-uuid1'],
  );
  t.equal(h.coordinator.store.groups.get('g')?.state, 'CompletingRebalance');
  const sync = new PendingSync(h, syncRequest('client-uuid1', 1, { 'client-uuid1': 'mine' }));
  t.equal(sync.result?.errorCode, 0);
  t.equal(sync.result?.assignment.toString(), 'mine');
  t.equal(h.coordinator.store.groups.get('g')?.state, 'Stable');
  t.equal(h.coordinator.membership.heartbeat('g', 1, 'client-uuid1', null, h.clock.now()), 0);
});

t.test('JoinGroup v0-3 joins at once without MEMBER_ID_REQUIRED', async (t) => {
  const h = harness();
  const join = new PendingJoin(h, joinRequest({ apiVersion: 3 }));
  t.equal(join.result?.errorCode, 0);
  t.equal(join.result?.generationId, 1);
});

t.test('bad joins get Kafka error codes and leave the group untouched', async (t) => {
  const h = harness({ maxGroupSize: 2 });
  t.equal(new PendingJoin(h, joinRequest({ groupId: '' })).result?.errorCode, ErrorCode.INVALID_GROUP_ID);
  t.equal(
    new PendingJoin(h, joinRequest({ groupId: 'x'.repeat(40000) })).result?.errorCode,
    ErrorCode.INVALID_GROUP_ID,
  );
  t.equal(
    new PendingJoin(h, joinRequest({ sessionTimeoutMs: 10 })).result?.errorCode,
    ErrorCode.INVALID_SESSION_TIMEOUT,
  );
  t.equal(
    new PendingJoin(h, joinRequest({ sessionTimeoutMs: 99_999_999 })).result?.errorCode,
    ErrorCode.INVALID_SESSION_TIMEOUT,
  );
  t.equal(new PendingJoin(h, joinRequest({ memberId: 'ghost' })).result?.errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
  t.equal(
    new PendingJoin(h, joinRequest({ protocolType: '' })).result?.errorCode,
    ErrorCode.INCONSISTENT_GROUP_PROTOCOL,
  );
  t.equal(new PendingJoin(h, joinRequest({ protocols: [] })).result?.errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
  const [a, b] = stableGroup(h, 2);
  const group = h.coordinator.store.groups.get('g')!;
  const before = { state: group.state, generation: group.generationId };
  t.equal(
    new PendingJoin(h, joinRequest({ protocolType: 'connect' })).result?.errorCode,
    ErrorCode.INCONSISTENT_GROUP_PROTOCOL,
  );
  t.equal(
    new PendingJoin(h, joinRequest({ protocols: protocols('roundrobin') })).result?.errorCode,
    ErrorCode.INCONSISTENT_GROUP_PROTOCOL,
  );
  t.equal(new PendingJoin(h, joinRequest()).result?.errorCode, ErrorCode.GROUP_MAX_SIZE_REACHED, 'group.max.size');
  t.same({ state: group.state, generation: group.generationId }, before);
  // Stale generations and unknown members on Heartbeat and SyncGroup.
  t.equal(h.coordinator.membership.heartbeat('g', 0, a!, null, h.clock.now()), ErrorCode.ILLEGAL_GENERATION);
  t.equal(h.coordinator.membership.heartbeat('g', 1, 'nobody', null, h.clock.now()), ErrorCode.UNKNOWN_MEMBER_ID);
  t.equal(h.coordinator.membership.heartbeat('nogroup', 1, a!, null, h.clock.now()), ErrorCode.UNKNOWN_MEMBER_ID);
  t.equal(h.coordinator.membership.heartbeat('', 1, a!, null, h.clock.now()), ErrorCode.INVALID_GROUP_ID);
  t.equal(new PendingSync(h, syncRequest(b!, 99)).result?.errorCode, ErrorCode.ILLEGAL_GENERATION);
  t.equal(new PendingSync(h, syncRequest('nobody', group.generationId)).result?.errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
  t.equal(
    new PendingSync(h, syncRequest(b!, group.generationId, {}, { protocolName: 'other' })).result?.errorCode,
    ErrorCode.INCONSISTENT_GROUP_PROTOCOL,
  );
  t.same({ state: group.state, generation: group.generationId }, before);
  t.equal(h.coordinator.membership.heartbeat('g', group.generationId, b!, null, h.clock.now()), 0);
});

t.test('protocol selection: the protocol all members support, most voted', async (t) => {
  const h = harness();
  const a = joinNew(h, { protocols: protocols('roundrobin', 'range', 'sticky') });
  const aId = a.result!.memberId;
  const b = joinNew(h, { protocols: protocols('range', 'sticky') });
  const c = joinNew(h, { protocols: protocols('sticky', 'range') });
  t.equal(b.result, null, 'b waits for a to rejoin');
  new PendingJoin(h, joinRequest({ memberId: aId, protocols: protocols('roundrobin', 'range', 'sticky') }));
  t.equal(b.result?.protocolName, 'range', 'range: candidates range+sticky; votes a->range, b->range, c->sticky');
  t.equal(c.result?.generationId, 2);
});

t.test('a member that stops heartbeating is evicted after its session timeout', async (t) => {
  const h = harness();
  const [a, b] = stableGroup(h, 2);
  const group = h.coordinator.store.groups.get('g')!;
  const gen = group.generationId;
  for (let i = 0; i < 2; i++) {
    h.advance(4_000);
    t.equal(h.coordinator.membership.heartbeat('g', gen, a!, null, h.clock.now()), 0, 'a keeps heartbeating');
  }
  h.advance(1_999);
  t.ok(group.members.has(b!), 'b still there just before its session ends');
  h.advance(1);
  t.notOk(group.members.has(b!), 'b evicted after 10 s without heartbeats');
  t.equal(group.state, 'PreparingRebalance');
  t.equal(h.coordinator.membership.heartbeat('g', gen, a!, null, h.clock.now()), ErrorCode.REBALANCE_IN_PROGRESS);
  const rejoin = new PendingJoin(h, joinRequest({ memberId: a! }));
  t.equal(rejoin.result?.generationId, gen + 1);
  t.same(
    rejoin.result?.members.map((m) => m.memberId),
    [a],
  );
});

t.test('a slow joiner is dropped after the rebalance timeout', async (t) => {
  const h = harness();
  const [a, b] = stableGroup(h, 2);
  const group = h.coordinator.store.groups.get('g')!;
  const aRejoin = new PendingJoin(h, joinRequest({ memberId: a! }));
  t.equal(group.state, 'PreparingRebalance');
  t.equal(aRejoin.result, null);
  // b heartbeats (so its session never expires) but never rejoins.
  for (let elapsed = 0; elapsed < 30_000; elapsed += 5_000) {
    t.equal(
      h.coordinator.membership.heartbeat('g', group.generationId, b!, null, h.clock.now()),
      ErrorCode.REBALANCE_IN_PROGRESS,
    );
    h.advance(5_000);
  }
  t.equal(aRejoin.result?.errorCode, 0, 'completed at the rebalance timeout');
  t.same(
    aRejoin.result?.members.map((m) => m.memberId),
    [a],
  );
  t.notOk(group.members.has(b!));
  t.equal(
    h.coordinator.membership.heartbeat('g', group.generationId, b!, null, h.clock.now()),
    ErrorCode.UNKNOWN_MEMBER_ID,
  );
});

t.test('a member that never sends SyncGroup is removed after the rebalance timeout', async (t) => {
  const h = harness();
  const a = joinNew(h);
  const aId = a.result!.memberId;
  const b = joinNew(h);
  new PendingJoin(h, joinRequest({ memberId: aId }));
  const bId = b.result!.memberId;
  const sync = new PendingSync(h, syncRequest(bId, 2));
  t.equal(sync.result, null, 'follower waits for the leader');
  h.advance(30_000);
  t.equal(sync.result?.errorCode, ErrorCode.REBALANCE_IN_PROGRESS, 'the waiting follower is told to rejoin');
  t.notOk(h.coordinator.store.groups.get('g')!.members.has(aId), 'the leader that never synced is gone');
});

t.test('a static member that restarts rejoins without a rebalance and keeps its assignment', async (t) => {
  const h = harness();
  const a = new PendingJoin(h, joinRequest({ groupInstanceId: 'inst-a' }));
  t.equal(a.result?.errorCode, 0, 'static members skip MEMBER_ID_REQUIRED');
  const aId = a.result!.memberId;
  const b = joinNew(h);
  new PendingJoin(h, joinRequest({ memberId: aId, groupInstanceId: 'inst-a' }));
  const bId = b.result!.memberId;
  new PendingSync(h, syncRequest(bId, 2));
  const leaderSync = new PendingSync(
    h,
    syncRequest(aId, 2, { [aId]: 'pa', [bId]: 'pb' }, { groupInstanceId: 'inst-a' }),
  );
  t.equal(leaderSync.result?.assignment.toString(), 'pa');
  const group = h.coordinator.store.groups.get('g')!;
  t.equal(group.state, 'Stable');

  // b (follower) is static-less; a restarts: it comes back with no member id.
  const restarted = new PendingJoin(h, joinRequest({ groupInstanceId: 'inst-a', apiVersion: 9 }));
  t.equal(restarted.result?.errorCode, 0);
  t.equal(restarted.result?.generationId, 2, 'same generation: no rebalance');
  t.not(restarted.result?.memberId, aId, 'a new member id');
  t.equal(restarted.result?.skipAssignment, true, 'the leader need not assign again (v9)');
  t.equal(group.state, 'Stable');
  const newId = restarted.result!.memberId;
  t.equal(
    new PendingSync(h, syncRequest(newId, 2, {}, { groupInstanceId: 'inst-a' })).result?.assignment.toString(),
    'pa',
    'assignment kept',
  );
  t.equal(
    h.coordinator.membership.heartbeat('g', 2, aId, 'inst-a', h.clock.now()),
    ErrorCode.FENCED_INSTANCE_ID,
    'the old incarnation is fenced',
  );
  t.equal(h.coordinator.membership.heartbeat('g', 2, bId, null, h.clock.now()), 0, 'b saw no rebalance');
});

t.test('the initial delayed join waits, extended as members arrive, up to the rebalance timeout', async (t) => {
  const h = harness({ initialRebalanceDelayMs: 3_000 });
  const a = joinNew(h, { rebalanceTimeoutMs: 7_000 });
  h.advance(2_000);
  const b = joinNew(h, { rebalanceTimeoutMs: 7_000 });
  h.advance(1_000);
  t.equal(a.result, null, 'a new member arrived in the first delay: extended');
  h.advance(2_000);
  const c = joinNew(h, { rebalanceTimeoutMs: 7_000 });
  h.advance(1_000);
  t.equal(a.result, null, 'extended again');
  h.advance(1_000);
  t.equal(a.result?.generationId, 1, 'completed when the rebalance timeout was used up');
  t.equal(b.result?.generationId, 1);
  t.equal(c.result?.generationId, 1);
  t.equal(a.result?.members.length, 3);
});

t.test('LeaveGroup: batched members, unknown members and fenced instances', async (t) => {
  const h = harness();
  const [a, b, c] = stableGroup(h, 3);
  const group = h.coordinator.store.groups.get('g')!;
  const r = h.coordinator.membership.leave(
    'g',
    [
      { memberId: a!, groupInstanceId: null },
      { memberId: 'ghost', groupInstanceId: null },
      { memberId: '', groupInstanceId: 'no-such-instance' },
    ],
    h.clock.now(),
  );
  t.equal(r.errorCode, 0);
  t.same(
    r.members.map((m) => m.errorCode),
    [0, ErrorCode.UNKNOWN_MEMBER_ID, ErrorCode.UNKNOWN_MEMBER_ID],
  );
  t.equal(group.state, 'PreparingRebalance');
  t.equal(
    h.coordinator.membership.leave('nogroup', [{ memberId: a!, groupInstanceId: null }], h.clock.now()).errorCode,
    ErrorCode.UNKNOWN_MEMBER_ID,
  );
  h.coordinator.membership.leave(
    'g',
    [
      { memberId: b!, groupInstanceId: null },
      { memberId: c!, groupInstanceId: null },
    ],
    h.clock.now(),
  );
  t.equal(group.state, 'Empty', 'the last leave completes the rebalance with no members');
});

t.test('cooperative rebalancing: two rebalances in a row, assignments pass through untouched', async (t) => {
  // The coordinator is protocol-agnostic; this is the sequence kafkajs/librdkafka drive with "cooperative-sticky".
  const h = harness();
  const coop = protocols('cooperative-sticky');
  const a = joinNew(h, { protocols: coop });
  const aId = a.result!.memberId;
  new PendingSync(h, syncRequest(aId, 1, { [aId]: 'p0,p1,p2,p3' }));
  const b = joinNew(h, { protocols: coop });
  const aRejoin = new PendingJoin(h, joinRequest({ memberId: aId, protocols: protocols('cooperative-sticky') }));
  t.equal(aRejoin.result?.generationId, 2);
  const bId = b.result!.memberId;
  // Generation 2: the leader revokes p2,p3 from a but gives them to nobody yet.
  new PendingSync(h, syncRequest(bId, 2));
  const s2 = new PendingSync(h, syncRequest(aId, 2, { [aId]: 'p0,p1', [bId]: '' }));
  t.equal(s2.result?.assignment.toString(), 'p0,p1');
  // a keeps consuming p0,p1 and commits during the second rebalance it starts.
  const aAgain = new PendingJoin(
    h,
    joinRequest({ memberId: aId, protocols: [{ name: 'cooperative-sticky', metadata: Buffer.from('owned p0,p1') }] }),
  );
  t.equal(h.coordinator.membership.heartbeat('g', 2, bId, null, h.clock.now()), ErrorCode.REBALANCE_IN_PROGRESS);
  const bAgain = new PendingJoin(h, joinRequest({ memberId: bId, protocols: coop }));
  t.equal(aAgain.result?.generationId, 3);
  t.equal(bAgain.result?.generationId, 3);
  t.equal(
    aAgain.result?.members.find((m) => m.memberId === aId)?.metadata.toString(),
    'owned p0,p1',
    'owned partitions reach the leader',
  );
  const bSync = new PendingSync(h, syncRequest(bId, 3));
  new PendingSync(h, syncRequest(aId, 3, { [aId]: 'p0,p1', [bId]: 'p2,p3' }));
  t.equal(bSync.result?.assignment.toString(), 'p2,p3');
  t.equal(h.coordinator.store.groups.get('g')?.state, 'Stable');
});

t.test('a member rejoining while CompletingRebalance with the same metadata gets the current generation', async (t) => {
  const h = harness();
  const a = joinNew(h);
  const again = new PendingJoin(h, joinRequest({ memberId: a.result!.memberId }));
  t.equal(again.result?.generationId, 1);
  t.equal(again.result?.members.length, 1, 'the leader gets the members again');
  t.equal(h.coordinator.store.groups.get('g')?.state, 'CompletingRebalance');
});

t.test('members told MEMBER_ID_REQUIRED that never come back do not hold up a rebalance forever', async (t) => {
  const h = harness();
  const [a] = stableGroup(h, 1);
  const ghost = new PendingJoin(h, joinRequest());
  t.equal(ghost.result?.errorCode, ErrorCode.MEMBER_ID_REQUIRED);
  const rejoin = new PendingJoin(h, joinRequest({ memberId: a! }));
  t.equal(rejoin.result, null, 'waits for the pending member');
  h.advance(10_000);
  t.equal(rejoin.result?.generationId, 2, 'pending member expired after its session timeout');
});

t.test('a join with rebalance timeout 0 (kafkajs low-level joinGroup) still gets to sync', async (t) => {
  const h = harness();
  const a = joinNew(h, { rebalanceTimeoutMs: 0 });
  const aId = a.result!.memberId;
  t.equal(a.result?.errorCode, 0, 'joined');
  h.advance(1);
  const sync = new PendingSync(h, syncRequest(aId, a.result!.generationId, { [aId]: 'pa' }));
  t.equal(sync.result?.errorCode, 0, 'the SyncGroup that follows is accepted');
  t.equal(sync.result?.assignment.toString(), 'pa');
});
