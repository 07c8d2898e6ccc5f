import t from 'tap';
import { brokerFor } from '../../test/helpers/broker.js';
import { createTopic } from '../../test/helpers/topics.js';
import { rawClient } from '../../test/helpers/raw-client.js';
import { FindCoordinatorApi } from '../../protocol/generated/messages/10-find-coordinator.js';
import { JoinGroupApi } from '../../protocol/generated/messages/11-join-group.js';
import { OffsetCommitApi } from '../../protocol/generated/messages/08-offset-commit.js';
import { OffsetFetchApi } from '../../protocol/generated/messages/09-offset-fetch.js';
import { ListGroupsApi } from '../../protocol/generated/messages/16-list-groups.js';
import { CONSUMER_OFFSETS_TOPIC } from '../broker/internal-topics.js';
import { GroupCoordinatorService } from './service.js';

t.test('raw frames: FindCoordinator creates __consumer_offsets; every version of the group APIs answers', async (t) => {
  const running = await brokerFor(t, { config: { 'offsets.topic.num.partitions': 3 } });
  createTopic(running, 'topic', { partitions: 2 });
  const c = await rawClient(running.port);
  t.teardown(() => c.close());
  // As Kafka's KafkaApis.getCoordinator: the request that finds the topic missing starts its creation
  // and answers COORDINATOR_NOT_AVAILABLE (15), even on a quorum of one; the next finds it.
  const first = await c.call(FindCoordinatorApi, 0, { key: 'g', keyType: 0, coordinatorKeys: [] });
  t.equal(first.errorCode, 15, 'the first FindCoordinator: COORDINATOR_NOT_AVAILABLE');
  for (let v = 0; v <= 3; v++) {
    const r = await c.call(FindCoordinatorApi, v, { key: 'g', keyType: 0, coordinatorKeys: [] });
    t.equal(r.errorCode, 0, `FindCoordinator v${v}`);
    t.equal(r.port, running.port);
  }
  const firstTxn = await c.call(FindCoordinatorApi, 4, { key: '', keyType: 1, coordinatorKeys: ['tx1'] });
  t.equal(firstTxn.coordinators[0]!.errorCode, 15, 'the first transaction FindCoordinator: COORDINATOR_NOT_AVAILABLE');
  const batched = await c.call(FindCoordinatorApi, 4, { key: '', keyType: 1, coordinatorKeys: ['tx1', 'tx2'] });
  t.same(
    batched.coordinators.map((x) => [x.key, x.errorCode, x.port]),
    [
      ['tx1', 0, running.port],
      ['tx2', 0, running.port],
    ],
  );
  t.equal(
    (await c.call(FindCoordinatorApi, 6, { key: '', keyType: 7, coordinatorKeys: ['x'] })).coordinators[0]!.errorCode,
    42,
    'INVALID_REQUEST',
  );
  t.equal(running.broker.controller.image.topicsByName.get(CONSUMER_OFFSETS_TOPIC)?.partitions.size, 3);
  t.equal(
    running.broker.controller.image.topicsByName.get(CONSUMER_OFFSETS_TOPIC)?.configs.get('cleanup.policy'),
    'compact',
  );

  for (let v = 0; v <= 9; v++) {
    const r = await c.call(JoinGroupApi, v, {
      groupId: `join-v${v}`,
      sessionTimeoutMs: 10_000,
      rebalanceTimeoutMs: 10_000,
      memberId: '',
      groupInstanceId: null,
      protocolType: 'consumer',
      protocols: [{ name: 'range', metadata: Buffer.from('m') }],
      reason: null,
    });
    t.equal(r.errorCode, v >= 4 ? 79 : 0, `JoinGroup v${v}`);
  }
  for (let v = 0; v <= 9; v++) {
    const r = await c.call(OffsetCommitApi, v, {
      groupId: 'simple',
      generationIdOrMemberEpoch: -1,
      memberId: '',
      groupInstanceId: null,
      retentionTimeMs: -1n,
      topics: [
        {
          name: 'topic',
          topicId: 'AAAAAAAAAAAAAAAAAAAAAA',
          partitions: [
            {
              partitionIndex: 1,
              committedOffset: BigInt(v),
              committedLeaderEpoch: -1,
              commitTimestamp: -1n,
              committedMetadata: null,
            },
          ],
        },
      ],
    });
    t.equal(r.topics[0]!.partitions[0]!.errorCode, 0, `OffsetCommit v${v}`);
  }
  for (let v = 1; v <= 7; v++) {
    const r = await c.call(OffsetFetchApi, v, {
      groupId: 'simple',
      topics: [{ name: 'topic', partitionIndexes: [1] }],
      groups: [],
      requireStable: false,
    });
    t.equal(r.topics[0]!.partitions[0]!.committedOffset, 9n, `OffsetFetch v${v}`);
  }
  const multi = await c.call(OffsetFetchApi, 8, {
    groupId: '',
    topics: null,
    groups: [
      { groupId: 'simple', memberId: null, memberEpoch: -1, topics: null },
      { groupId: '', memberId: null, memberEpoch: -1, topics: null },
    ],
    requireStable: true,
  });
  t.equal(multi.groups[0]!.topics[0]!.partitions[0]!.committedOffset, 9n);
  t.equal(multi.groups[1]!.errorCode, 0, 'the empty group id is a group here, as on Kafka 3.9');
  const listed = await c.call(ListGroupsApi, 5, { statesFilter: ['Empty'], typesFilter: [] });
  t.ok(listed.groups.some((g) => g.groupId === 'simple' && g.groupState === 'Empty' && g.groupType === 'classic'));
});

t.test('the service writes record batches to __consumer_offsets and a new service replays them', async (t) => {
  const running = await brokerFor(t);
  createTopic(running, 'topic', { partitions: 2 });
  const { broker } = running;
  const groups = broker.groups;
  groups.ensureOffsetsTopic();
  groups.run((c, now) =>
    c.offsets.commit(
      {
        groupId: 'persisted',
        generationId: -1,
        memberId: '',
        groupInstanceId: null,
        retentionTimeMs: -1,
        topics: [
          {
            name: 'topic',
            partitions: [
              { partitionIndex: 0, committedOffset: 77n, committedLeaderEpoch: 2, committedMetadata: 'meta' },
            ],
          },
        ],
        apiVersion: 8,
      },
      now,
    ),
  );
  const log = broker.replicas.get(CONSUMER_OFFSETS_TOPIC, groups.coordinator.store.partitionFor('persisted'))!.log;
  t.equal(log.logEndOffset, 1, 'one record appended');
  // A second service over the same logs plays the broker after a restart.
  const again = new GroupCoordinatorService({
    config: broker.config,
    controller: broker.controller,
    replicas: broker.replicas,
    clock: broker.clock,
    log: { warn: () => undefined, info: () => undefined, error: () => undefined } as never,
  });
  again.start();
  t.teardown(() => again.stop());
  const c = again.coordinator.store.committed('persisted', 'topic', 0);
  t.equal(c?.offset, 77n);
  t.equal(c?.metadata, 'meta');
  t.equal(c?.leaderEpoch, 2);
});

t.test('an offset commit is answered when the ISR holds it, not at the local append', async (t) => {
  const running = await brokerFor(t);
  createTopic(running, 'topic', { partitions: 1 });
  const groups = running.broker.groups;
  t.equal(groups.coordinatorError('acked'), 0, 'coordinated here (a single node leads every partition)');
  const partition = running.broker.replicas.get(
    CONSUMER_OFFSETS_TOPIC,
    groups.coordinator.store.partitionFor('acked'),
  )!;
  // A second in-sync replica that has not fetched yet: the high watermark stays where it is.
  partition.state = { ...partition.state, replicas: [running.broker.nodeId, 99], isr: [running.broker.nodeId, 99] };
  const commit = (offset: bigint) =>
    groups.commit({
      groupId: 'acked',
      generationId: -1,
      memberId: '',
      groupInstanceId: null,
      retentionTimeMs: -1,
      topics: [
        {
          name: 'topic',
          partitions: [{ partitionIndex: 0, committedOffset: offset, committedLeaderEpoch: -1, committedMetadata: '' }],
        },
      ],
      apiVersion: 8,
    });
  let answered: number | null = null;
  const pending = commit(5n).then((topics) => (answered = topics[0]?.partitions[0]?.errorCode ?? -1));
  await new Promise((r) => setImmediate(r));
  await new Promise((r) => setImmediate(r));
  t.equal(partition.log.logEndOffset, 1, 'appended locally');
  t.equal(answered, null, 'but not answered: replica 99 does not hold it');
  partition.recordFollowerFetch(99, partition.log.logEndOffset, Date.now());
  await pending;
  t.equal(answered, 0, 'answered once the high watermark passed it');

  // Leadership moves away while a commit waits: NOT_COORDINATOR, and the group is no longer served here.
  const waiting = commit(6n);
  await new Promise((r) => setImmediate(r));
  partition.state = { ...partition.state, leader: 99, leaderEpoch: partition.leaderEpoch + 1 };
  running.broker.groups.partitions.onPartitionState(partition, false);
  t.equal((await waiting)[0]?.partitions[0]?.errorCode, 16, 'NOT_COORDINATOR');
  t.equal(groups.coordinatorError('acked'), 16, 'NOT_COORDINATOR for the group from now on');
});
