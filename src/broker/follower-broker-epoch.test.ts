/**
 * KIP-903 on three in-process nodes: followers send their broker epoch in Fetch (v15+ ReplicaState),
 * the leader keeps it with their positions and refuses a fetch whose epoch is older than the
 * follower's registration (NOT_LEADER_OR_FOLLOWER, nothing recorded), as Kafka's
 * Replica.updateFetchStateOrThrow. The ISR still forms: the leader's AlterPartition carries the
 * followers' epochs and the controller checks them against their registrations.
 */
import t from 'tap';
import { Kafka, logLevel } from 'kafkajs';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import {
  FetchApi,
  defaultFetchRequest,
  defaultFetchRequestFetchPartition,
} from '../../protocol/generated/messages/01-fetch.js';
import { eventually, threeNodeCluster } from '../../test/helpers/in-process-cluster.js';
import { rawClient } from '../../test/helpers/raw-client.js';

t.test('a fetch with a stale broker epoch is refused; current epochs make the ISR', async (t) => {
  const nodes = await threeNodeCluster(t, { 'replica.fetch.wait.max.ms': 100 });
  const kafka = new Kafka({ clientId: 'broker-epoch', brokers: [nodes[0]!.bootstrap], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  await admin.createTopics({ topics: [{ topic: 'epochs', numPartitions: 1, replicationFactor: 3 }] });
  const producer = kafka.producer();
  await producer.connect();
  t.teardown(() => producer.disconnect());
  await producer.send({ topic: 'epochs', acks: -1, messages: [{ value: 'a' }, { value: 'b' }] });

  const image = () => nodes[0]!.broker.controller.image;
  const state = await eventually('the ISR holds all three replicas', 20000, () => {
    const p = image().topicsByName.get('epochs')?.partitions.get(0);
    return p && p.isr.length === 3 ? p : null;
  });
  const leader = nodes.find((n) => n.broker.nodeId === state.leader)!;
  // A broker epoch is the offset of its registration, so one broker may hold epoch 0, below which no
  // stale epoch exists (-1 means "not given"): take a follower registered later.
  const followerId = state.replicas.find(
    (r) => r !== state.leader && (image().brokers.get(r)?.brokerEpoch ?? 0n) > 0n,
  )!;
  const registered = image().brokers.get(followerId)!.brokerEpoch!;
  // The leader checks against its own metadata image, which may trail node 0's by a heartbeat:
  // Kafka's getAliveBrokerEpoch knows only unfenced brokers, so wait until the leader sees this one so.
  await eventually("the leader's image has the follower unfenced at its registration", 10000, () => {
    const seen = leader.broker.controller.image.brokers.get(followerId);
    return seen && !seen.fenced && seen.brokerEpoch === registered ? true : null;
  });
  const partition = leader.broker.replicas.get('epochs', 0)!;
  await eventually("the real follower's fetches carry its broker epoch", 10000, () =>
    partition.followerPosition(followerId)?.brokerEpoch === registered ? true : null,
  );

  const client = await rawClient(leader.port);
  t.teardown(() => client.close());
  const topicId = image().topicsByName.get('epochs')!.topicId;
  const fetchAs = async (replicaEpoch: bigint) => {
    const response = await client.call(FetchApi, 15, {
      ...defaultFetchRequest(),
      replicaState: { replicaId: followerId, replicaEpoch },
      maxWaitMs: 0,
      topics: [
        {
          topic: '',
          topicId,
          partitions: [
            {
              ...defaultFetchRequestFetchPartition(),
              partition: 0,
              currentLeaderEpoch: state.leaderEpoch,
              fetchOffset: 0n,
              partitionMaxBytes: 1 << 20,
            },
          ],
        },
      ],
    });
    return response.responses[0]?.partitions[0]?.errorCode;
  };
  t.equal(
    await fetchAs(registered - 1n),
    ErrorCode.NOT_LEADER_OR_FOLLOWER,
    'an epoch older than the registration: NOT_LEADER_OR_FOLLOWER',
  );
  t.not(partition.followerPosition(followerId)?.logEndOffset, 0, 'the stale fetch moved nothing');
  t.equal(await fetchAs(-1n), ErrorCode.NONE, 'no epoch (-1): not checked');
  t.equal(await fetchAs(registered), ErrorCode.NONE, 'the current epoch: served');
});
