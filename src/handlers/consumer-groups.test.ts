import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brokerFor } from '../../test/helpers/broker.js';
import { rawClient, type RawClient } from '../../test/helpers/raw-client.js';
import { createTopic } from '../../test/helpers/topics.js';
import { startBroker } from '../index.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { ApiVersionsApi, defaultApiVersionsRequest } from '../../protocol/generated/messages/18-api-versions.js';
import {
  ConsumerGroupHeartbeatApi,
  defaultConsumerGroupHeartbeatRequest,
  type ConsumerGroupHeartbeatRequest,
} from '../../protocol/generated/messages/68-consumer-group-heartbeat.js';
import { ConsumerGroupDescribeApi } from '../../protocol/generated/messages/69-consumer-group-describe.js';
import { ListGroupsApi, defaultListGroupsRequest } from '../../protocol/generated/messages/16-list-groups.js';
import { OffsetCommitApi, defaultOffsetCommitRequest } from '../../protocol/generated/messages/08-offset-commit.js';
import { OffsetFetchApi, defaultOffsetFetchRequest } from '../../protocol/generated/messages/09-offset-fetch.js';
import { JoinGroupApi, defaultJoinGroupRequest } from '../../protocol/generated/messages/11-join-group.js';
import { DescribeGroupsApi } from '../../protocol/generated/messages/15-describe-groups.js';

const beat = (c: RawClient, over: Partial<ConsumerGroupHeartbeatRequest>) =>
  c.call(ConsumerGroupHeartbeatApi, 0, {
    ...defaultConsumerGroupHeartbeatRequest(),
    groupId: 'cg',
    rebalanceTimeoutMs: 30000,
    subscribedTopicNames: ['orders'],
    topicPartitions: [],
    ...over,
  });

const commit = (c: RawClient, memberId: string, epoch: number) =>
  c.call(OffsetCommitApi, 9, {
    ...defaultOffsetCommitRequest(),
    groupId: 'cg',
    generationIdOrMemberEpoch: epoch,
    memberId,
    topics: [
      {
        name: 'orders',
        topicId: 'AAAAAAAAAAAAAAAAAAAAAA',
        partitions: [
          {
            partitionIndex: 0,
            committedOffset: 3n,
            committedLeaderEpoch: -1,
            commitTimestamp: -1n,
            committedMetadata: null,
          },
        ],
      },
    ],
  });

t.test('ApiVersions advertises ConsumerGroupHeartbeat and ConsumerGroupDescribe v0-1 (Kafka 4.0)', async (t) => {
  const running = await brokerFor(t);
  const c = await rawClient(running.port);
  const r = await c.call(ApiVersionsApi, 3, {
    ...defaultApiVersionsRequest(),
    clientSoftwareName: 't',
    clientSoftwareVersion: '1',
  });
  t.same(
    r.apiKeys.find((k) => k.apiKey === 68),
    { apiKey: 68, minVersion: 0, maxVersion: 1 },
  );
  t.same(
    r.apiKeys.find((k) => k.apiKey === 69),
    { apiKey: 69, minVersion: 0, maxVersion: 1 },
  );
  c.close();
});

t.test(
  'two members over the wire: join, revoke, describe, list, commit by member epoch, classic join refused',
  async (t) => {
    const running = await brokerFor(t);
    const topicId = createTopic(running, 'orders', { partitions: 4 });
    const c = await rawClient(running.port);
    const a = await beat(c, {});
    t.equal(a.errorCode, 0);
    t.equal(a.memberEpoch, 1);
    t.equal(a.heartbeatIntervalMs, 5000);
    t.same(a.assignment, { topicPartitions: [{ topicId, partitions: [0, 1, 2, 3] }] });
    const b = await beat(c, { serverAssignor: 'range' });
    t.equal(b.memberEpoch, 2);
    t.same(b.assignment, { topicPartitions: [] });
    const revoke = await beat(c, {
      memberId: a.memberId!,
      memberEpoch: 1,
      rebalanceTimeoutMs: -1,
      subscribedTopicNames: null,
      topicPartitions: [{ topicId, partitions: [0, 1, 2, 3] }],
    });
    t.equal(revoke.memberEpoch, 1, 'a revokes first, at its epoch');
    const kept = revoke.assignment!.topicPartitions[0]!.partitions;
    t.equal(kept.length, 2);
    const acked = await beat(c, {
      memberId: a.memberId!,
      memberEpoch: 1,
      rebalanceTimeoutMs: -1,
      subscribedTopicNames: null,
      topicPartitions: [{ topicId, partitions: kept }],
    });
    t.equal(acked.memberEpoch, 2);
    const gained = await beat(c, {
      memberId: b.memberId!,
      memberEpoch: 2,
      rebalanceTimeoutMs: -1,
      subscribedTopicNames: null,
      topicPartitions: [],
    });
    t.equal(gained.assignment!.topicPartitions[0]!.partitions.length, 2);

    const d = await c.call(ConsumerGroupDescribeApi, 0, {
      groupIds: ['cg', 'none'],
      includeAuthorizedOperations: false,
    });
    const g = d.groups[0]!;
    t.equal(g.errorCode, 0);
    t.equal(g.groupState, 'Stable');
    t.equal(g.groupEpoch, 2);
    t.equal(g.assignmentEpoch, 2);
    t.equal(g.assignorName, 'range', 'the assignor one member asked for');
    t.equal(g.members.length, 2);
    t.equal(g.members[0]!.assignment.topicPartitions[0]!.topicName, 'orders');
    t.equal(g.members[0]!.clientId, 'raw-test');
    t.equal(d.groups[1]!.errorCode, ErrorCode.GROUP_ID_NOT_FOUND);

    const list = await c.call(ListGroupsApi, 5, { ...defaultListGroupsRequest(), typesFilter: ['consumer'] });
    t.same(list.groups, [{ groupId: 'cg', protocolType: 'consumer', groupState: 'Stable', groupType: 'consumer' }]);
    const described = await c.call(DescribeGroupsApi, 5, { groups: ['cg'], includeAuthorizedOperations: false });
    t.equal(described.groups[0]!.groupState, 'Dead', 'DescribeGroups before v6 sees no classic group, as Kafka');
    const v6 = await c.call(DescribeGroupsApi, 6, {
      groups: ['cg', 'no-such-group'],
      includeAuthorizedOperations: false,
    });
    t.same(
      v6.groups.map((g) => [g.errorCode, g.errorMessage]),
      [
        [ErrorCode.GROUP_ID_NOT_FOUND, 'Group cg is not a classic group.'],
        [ErrorCode.GROUP_ID_NOT_FOUND, 'Group no-such-group not found.'],
      ],
      'DescribeGroups v6 (Kafka 4.0, KIP-1043): GROUP_ID_NOT_FOUND with the message',
    );

    t.equal((await commit(c, a.memberId!, 2)).topics[0]!.partitions[0]!.errorCode, 0);
    t.equal((await commit(c, a.memberId!, 1)).topics[0]!.partitions[0]!.errorCode, ErrorCode.STALE_MEMBER_EPOCH);
    t.equal((await commit(c, 'ghost', 2)).topics[0]!.partitions[0]!.errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
    const fetched = await c.call(OffsetFetchApi, 9, {
      ...defaultOffsetFetchRequest(),
      groups: [
        { groupId: 'cg', memberId: a.memberId!, memberEpoch: 2, topics: null },
        { groupId: 'cg', memberId: a.memberId!, memberEpoch: 1, topics: null },
      ],
    });
    t.equal(fetched.groups[0]!.topics[0]!.partitions[0]!.committedOffset, 3n);
    t.equal(fetched.groups[1]!.errorCode, ErrorCode.STALE_MEMBER_EPOCH);

    const join = await c.call(JoinGroupApi, 5, {
      ...defaultJoinGroupRequest(),
      groupId: 'cg',
      sessionTimeoutMs: 10000,
      rebalanceTimeoutMs: 10000,
      protocolType: 'consumer',
      protocols: [{ name: 'range', metadata: Buffer.alloc(0) }],
    });
    t.equal(join.errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    t.equal((await beat(c, { serverAssignor: 'cooperative-sticky' })).errorCode, ErrorCode.UNSUPPORTED_ASSIGNOR);
    t.equal((await beat(c, { memberId: a.memberId!, memberEpoch: -1 })).memberEpoch, -1);
    c.close();
  },
);

t.test('a restart on the same data dir keeps the group; members that do not return expire', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'gregor-kip848-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const first = await startBroker({ dataDir });
  createTopic(first, 'orders', { partitions: 2 });
  let c = await rawClient(first.port);
  const a = await beat(c, {});
  t.equal(a.memberEpoch, 1);
  c.close();
  await first.stop();
  const second = await startBroker({ dataDir });
  t.teardown(() => second.stop());
  c = await rawClient(second.port);
  const d = await c.call(ConsumerGroupDescribeApi, 0, { groupIds: ['cg'], includeAuthorizedOperations: false });
  t.equal(d.groups[0]!.groupState, 'Stable');
  t.equal(d.groups[0]!.members[0]!.memberId, a.memberId);
  const again = await beat(c, {
    memberId: a.memberId!,
    memberEpoch: 1,
    rebalanceTimeoutMs: -1,
    subscribedTopicNames: null,
    topicPartitions: null,
  });
  t.equal(again.errorCode, 0, 'the member carries on after the restart');
  t.equal(again.memberEpoch, 1);
  c.close();
});

t.test(
  'v1 over the wire: client-generated member ids, regex subscriptions, INVALID_REGULAR_EXPRESSION, MemberType',
  async (t) => {
    const running = await brokerFor(t);
    createTopic(running, 'orders-eu', { partitions: 2 });
    createTopic(running, 'orders-us', { partitions: 2 });
    createTopic(running, 'payments', { partitions: 2 });
    const c = await rawClient(running.port);
    t.teardown(() => c.close());
    const beat1 = (over: Partial<ConsumerGroupHeartbeatRequest>) =>
      c.call(ConsumerGroupHeartbeatApi, 1, {
        ...defaultConsumerGroupHeartbeatRequest(),
        groupId: 'rx',
        rebalanceTimeoutMs: 30000,
        subscribedTopicNames: null,
        topicPartitions: [],
        ...over,
      });
    const noId = await beat1({ memberId: '', subscribedTopicRegex: 'orders-.*' });
    t.equal(noId.errorCode, ErrorCode.INVALID_REQUEST, "v1: the member id is the client's");
    t.equal(noId.errorMessage, "MemberId can't be empty.");
    const bad = await beat1({ memberId: 'client-made-id', subscribedTopicRegex: 'orders-(' });
    t.equal(bad.errorCode, ErrorCode.INVALID_REGULAR_EXPRESSION);
    t.match(bad.errorMessage, /^SubscribedTopicRegex `orders-\(` is not a valid regular expression: /);
    const lookahead = await beat1({ memberId: 'client-made-id', subscribedTopicRegex: '(?=orders).*' });
    t.equal(lookahead.errorCode, ErrorCode.INVALID_REGULAR_EXPRESSION, 'RE2 has no look-ahead');
    const neither = await beat1({ memberId: 'client-made-id' });
    t.equal(neither.errorCode, ErrorCode.INVALID_REQUEST, 'names or regex on join');

    const joined = await beat1({ memberId: 'client-made-id', subscribedTopicRegex: 'orders-.*' });
    t.equal(joined.errorCode, 0);
    t.equal(joined.memberId, 'client-made-id', "the coordinator keeps the client's id");
    t.equal(joined.memberEpoch, 1);
    const assigned = (joined.assignment?.topicPartitions ?? []).map((tp) => [
      running.broker.controller.image.topicsById.get(tp.topicId)?.name,
      [...tp.partitions].sort(),
    ]);
    t.same(
      assigned.sort(),
      [
        ['orders-eu', [0, 1]],
        ['orders-us', [0, 1]],
      ],
      'the topics the regex matches, whole names only',
    );

    // a topic created later that matches joins the subscription on a later heartbeat
    createTopic(running, 'orders-ap', { partitions: 1 });
    const owned = joined.assignment!.topicPartitions;
    const later = await beat1({
      memberId: 'client-made-id',
      memberEpoch: 1,
      rebalanceTimeoutMs: -1,
      topicPartitions: owned,
    });
    t.equal(later.errorCode, 0);
    t.equal(later.memberEpoch, 2, 'a new matching topic bumps the epoch');
    t.equal(later.assignment?.topicPartitions.length, 3);

    const d1 = await c.call(ConsumerGroupDescribeApi, 1, { groupIds: ['rx'], includeAuthorizedOperations: false });
    const member = d1.groups[0]!.members[0]!;
    t.equal(member.subscribedTopicRegex, 'orders-.*');
    t.equal(member.memberType, 1, 'v1: a consumer-protocol member');
    const d0 = await c.call(ConsumerGroupDescribeApi, 0, { groupIds: ['rx'], includeAuthorizedOperations: false });
    t.equal(d0.groups[0]!.members[0]!.memberId, 'client-made-id', 'v0 still served');
    const v0 = await c.call(ConsumerGroupHeartbeatApi, 0, {
      ...defaultConsumerGroupHeartbeatRequest(),
      groupId: 'v0g',
      rebalanceTimeoutMs: 30000,
      subscribedTopicNames: ['payments'],
      topicPartitions: [],
    });
    t.equal(v0.errorCode, 0);
    t.ok((v0.memberId ?? '').length > 0, 'v0: the broker still assigns the id');
  },
);
