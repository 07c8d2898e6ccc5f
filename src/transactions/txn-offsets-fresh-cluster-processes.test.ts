/**
 * The kafkajs suite's `Broker > TxnOffsetCommit request` on a fresh cluster of three real processes,
 * with raw frames in the suite's order: FindCoordinator for the transactional id (retried while
 * COORDINATOR_NOT_AVAILABLE, as the suite retries), InitProducerId and AddPartitionsToTxn on the
 * transaction coordinator, AddOffsetsToTxn for a group before `__consumer_offsets` exists, then
 * FindCoordinator for the group and TxnOffsetCommit on the node it names, then EndTxn.
 *
 * Regressions: AddOffsetsToTxn answered COORDINATOR_NOT_AVAILABLE while `__consumer_offsets` did not
 * exist yet (Kafka adds the group's partition by `offsets.topic.num.partitions` without the topic), and
 * the node FindCoordinator named refused TxnOffsetCommit with NOT_COORDINATOR. Several rounds with new
 * ids follow the first: the group's coordinator must serve it from the first request on.
 */
import t from 'tap';
import { Kafka, logLevel } from 'kafkajs';
import { FAST_QUORUM_SETTINGS, ProcessCluster, type ClusterNode } from '../../test/helpers/process-cluster.js';
import { rawClient, type RawClient } from '../../test/helpers/raw-client.js';
import {
  FindCoordinatorApi,
  defaultFindCoordinatorRequest,
} from '../../protocol/generated/messages/10-find-coordinator.js';
import {
  InitProducerIdApi,
  defaultInitProducerIdRequest,
} from '../../protocol/generated/messages/22-init-producer-id.js';
import { AddPartitionsToTxnApi } from '../../protocol/generated/messages/24-add-partitions-to-txn.js';
import { AddOffsetsToTxnApi } from '../../protocol/generated/messages/25-add-offsets-to-txn.js';
import {
  TxnOffsetCommitApi,
  defaultTxnOffsetCommitRequest,
} from '../../protocol/generated/messages/28-txn-offset-commit.js';
import { EndTxnApi } from '../../protocol/generated/messages/26-end-txn.js';
import { OffsetFetchApi, defaultOffsetFetchRequest } from '../../protocol/generated/messages/09-offset-fetch.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { TRANSACTION_STATE_TOPIC } from '../broker/internal-topics.js';
import { partitionForTransactionalId } from './txn-log.js';

const TOPIC = 'txn-offsets-topic';
const ROUNDS = 4;
const TXN_PARTITIONS = 10;

t.test('TxnOffsetCommit on the group coordinator FindCoordinator names, from a fresh cluster', async (t) => {
  t.setTimeout(240_000);
  const cluster = new ProcessCluster({
    ...FAST_QUORUM_SETTINGS,
    'offsets.topic.num.partitions': '10',
    'transaction.state.log.num.partitions': String(TXN_PARTITIONS),
  });
  t.teardown(() => cluster.stop());
  await cluster.startRegistered(3);
  const [seedNode] = cluster.nodes as [ClusterNode, ...ClusterNode[]];
  const clients: RawClient[] = [];
  t.teardown(() => clients.forEach((c) => c.close()));
  const byId = new Map<number, RawClient>();
  const clientOf = async (nodeId: number): Promise<RawClient> => {
    let c = byId.get(nodeId);
    if (!c) {
      const node = cluster.nodes.find((n) => n.id === nodeId)!;
      c = await rawClient(node.port);
      clients.push(c);
      byId.set(nodeId, c);
    }
    return c;
  };
  const seed = await clientOf(seedNode.id);

  const admin = new Kafka({
    clientId: 'txn-offsets-setup',
    brokers: [`127.0.0.1:${seedNode.port}`],
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  await admin.createTopics({
    topics: [{ topic: TOPIC, numPartitions: 4, replicationFactor: 2 }],
    waitForLeaders: true,
  });

  // As the suite's findBrokerForGroupId: FindCoordinator retried only while COORDINATOR_NOT_AVAILABLE.
  const findCoordinator = (key: string, keyType: number): Promise<number> =>
    cluster.waitFor(
      `a coordinator for ${key}`,
      30_000,
      async () => {
        const r = await seed.call(FindCoordinatorApi, 3, { ...defaultFindCoordinatorRequest(), key, keyType });
        if (r.errorCode === ErrorCode.COORDINATOR_NOT_AVAILABLE) return null;
        t.equal(r.errorCode, ErrorCode.NONE, `FindCoordinator ${key}`);
        return r.nodeId;
      },
      100,
    );

  // `__transaction_state` first; then a transactional id whose coordinator is not the active controller
  // (the controller creates `__consumer_offsets` in place; any other node only starts its creation).
  await findCoordinator('txn-offsets-probe', 1);
  const controllerId = (await cluster.describeQuorum(seedNode))!.leaderId;
  const txnLeaders = await cluster.waitFor('the leaders of __transaction_state', 30_000, async () => {
    const topic = (await cluster.metadata(seedNode, [TRANSACTION_STATE_TOPIC]))?.topics[0];
    const leaders = new Map((topic?.partitions ?? []).map((p) => [p.partitionIndex, p.leaderId]));
    return leaders.size === TXN_PARTITIONS && [...leaders.values()].every((l) => l >= 0) && leaders;
  });
  const awayFromController = (round: number): string => {
    for (let k = 0; k < 100; k++) {
      const id = `txn-offsets-${round}-${k}`;
      if (txnLeaders.get(partitionForTransactionalId(id, TXN_PARTITIONS)) !== controllerId) return id;
    }
    throw new Error('every candidate transactional id is coordinated by the controller');
  };

  for (let round = 0; round < ROUNDS; round++) {
    const transactionalId = awayFromController(round);
    const groupId = `txn-offsets-group-${round}`;
    const txnNode = await findCoordinator(transactionalId, 1);
    const txn = await clientOf(txnNode);
    const init = await txn.call(InitProducerIdApi, 1, {
      ...defaultInitProducerIdRequest(),
      transactionalId,
      transactionTimeoutMs: 30_000,
    });
    t.equal(init.errorCode, ErrorCode.NONE, `round ${round}: InitProducerId on node ${txnNode}`);
    if (round === 0) t.not(txnNode, controllerId, 'the transaction coordinator is not the active controller');
    const producer = { producerId: init.producerId, producerEpoch: init.producerEpoch };
    const added = await txn.call(AddPartitionsToTxnApi, 1, {
      transactions: [],
      v3AndBelowTransactionalId: transactionalId,
      v3AndBelowProducerId: producer.producerId,
      v3AndBelowProducerEpoch: producer.producerEpoch,
      v3AndBelowTopics: [{ name: TOPIC, partitions: [0, 1] }],
    });
    t.same(
      added.resultsByTopicV3AndBelow.flatMap((r) => r.resultsByPartition.map((p) => p.partitionErrorCode)),
      [0, 0],
      `round ${round}: AddPartitionsToTxn`,
    );
    const offsets = await txn.call(AddOffsetsToTxnApi, 1, { transactionalId, ...producer, groupId });
    t.equal(offsets.errorCode, ErrorCode.NONE, `round ${round}: AddOffsetsToTxn (no wait for __consumer_offsets)`);

    const groupNode = await findCoordinator(groupId, 0);
    const group = await clientOf(groupNode);
    const commit = await group.call(TxnOffsetCommitApi, 1, {
      ...defaultTxnOffsetCommitRequest(),
      transactionalId,
      groupId,
      ...producer,
      topics: [
        {
          name: TOPIC,
          partitions: [0, 1].map((partitionIndex) => ({
            partitionIndex,
            committedOffset: BigInt(10 + round),
            committedLeaderEpoch: -1,
            committedMetadata: null,
          })),
        },
      ],
    });
    t.same(
      commit.topics.flatMap((x) => x.partitions.map((p) => p.errorCode)),
      [0, 0],
      `round ${round}: TxnOffsetCommit on node ${groupNode}, the group coordinator FindCoordinator named`,
    );
    const ended = await txn.call(EndTxnApi, 1, { transactionalId, ...producer, committed: true });
    t.equal(ended.errorCode, ErrorCode.NONE, `round ${round}: EndTxn commit`);
    const committed = await cluster.waitFor(
      `round ${round}: the committed offsets`,
      30_000,
      async () => {
        const r = await group.call(OffsetFetchApi, 1, {
          ...defaultOffsetFetchRequest(),
          groupId,
          topics: [{ name: TOPIC, partitionIndexes: [0, 1] }],
        });
        const values = r.topics.flatMap((x) => x.partitions.map((p) => Number(p.committedOffset)));
        return values.every((v) => v === 10 + round) && values;
      },
      100,
    );
    t.same(committed, [10 + round, 10 + round], `round ${round}: OffsetFetch reads the transaction's offsets`);
  }
});
