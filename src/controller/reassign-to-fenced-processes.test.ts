/**
 * A reassignment whose target names a broker that is down (registered, fenced), as an operator moving
 * replicas onto a node being repaired does with kafkajs' admin: Kafka 3.9's controller checks a target
 * as it checks any manual assignment (validateManualPartitionAssignment: registered, fenced or not; no
 * broker twice), so the move is accepted, stays in flight with the down broker adding, and completes
 * when that broker comes back and joins the ISR. Gregor refused it (INVALID_REPLICA_ASSIGNMENT "which is
 * not registered") and answered with messages of its own; the answers' messages are Kafka's now
 * (checked on the wire: kafkajs drops them).
 */
import t from 'tap';
import { Kafka, logLevel } from 'kafkajs';
import { FAST_QUORUM_SETTINGS, ProcessCluster } from '../../test/helpers/process-cluster.js';
import { AlterPartitionReassignmentsApi } from '../../protocol/generated/messages/45-alter-partition-reassignments.js';

t.setTimeout(240_000);

t.test('a reassignment onto a fenced broker is accepted and completes when it returns', async (t) => {
  const cluster = new ProcessCluster({ ...FAST_QUORUM_SETTINGS, 'broker.session.timeout.ms': '4000' });
  t.teardown(() => cluster.stop());
  const quorum = await cluster.startRegistered(3);
  // Not the active controller: the kill closes its heartbeat connection and it is fenced at once.
  const victim = cluster.nodes.find((n) => n.id !== quorum.leaderId)!;
  const controller = cluster.nodes.find((n) => n.id === quorum.leaderId)!;
  const [a, b] = cluster.nodes.filter((n) => n !== victim);
  const kafka = new Kafka({
    clientId: 'reassign-to-fenced',
    brokers: [a!, b!].map((n) => `127.0.0.1:${n.port}`),
    logLevel: logLevel.NOTHING,
    retry: { retries: 10, initialRetryTime: 100, maxRetryTime: 1000 },
  });
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  await admin.createTopics({
    topics: [{ topic: 'moving', replicaAssignment: [{ partition: 0, replicas: [a!.id, b!.id] }] }],
    waitForLeaders: true,
  });
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  await producer.send({ topic: 'moving', acks: -1, messages: [{ value: 'kept' }] });
  await producer.disconnect();

  cluster.kill(victim);
  await cluster.waitFor('the killed broker fenced', 30_000, async () => {
    const brokers = (await cluster.metadata(a!, []))?.brokers;
    return brokers !== undefined && brokers.length === 2;
  });

  await admin.alterPartitionReassignments({
    topics: [{ topic: 'moving', partitionAssignment: [{ partition: 0, replicas: [a!.id, b!.id, victim.id] }] }],
  });
  const listed = await admin.listPartitionReassignments({ topics: [{ topic: 'moving', partitions: [0] }] });
  t.same(
    listed.topics.map((x) => x.partitions.map((p) => p.addingReplicas)),
    [[[victim.id]]],
    'in flight, the down broker adding',
  );

  const answer = await cluster.call(controller, AlterPartitionReassignmentsApi, 0, {
    timeoutMs: 10_000,
    allowReplicationFactorChange: true,
    topics: [
      {
        name: 'moving',
        partitions: [
          { partitionIndex: 0, replicas: [a!.id, 9] },
          { partitionIndex: 1, replicas: [a!.id, b!.id] },
        ],
      },
      { name: 'absent', partitions: [{ partitionIndex: 0, replicas: [a!.id] }] },
    ],
  });
  t.same(
    answer.responses.map((r) => r.partitions.map((p) => [p.errorCode, p.errorMessage])),
    [
      [
        [39, 'The manual partition assignment includes broker 9, but no such broker is registered.'],
        [3, 'Unable to find partition moving:1.'],
      ],
      [[3, 'Unable to find a topic named absent.']],
    ],
    "Kafka's codes and messages",
  );
  const twice = await cluster.call(controller, AlterPartitionReassignmentsApi, 0, {
    timeoutMs: 10_000,
    allowReplicationFactorChange: true,
    topics: [{ name: 'moving', partitions: [{ partitionIndex: 0, replicas: [b!.id, a!.id, b!.id] }] }],
  });
  t.same(
    twice.responses[0]?.partitions[0]?.errorMessage,
    `The manual partition assignment includes the broker ${b!.id} more than once.`,
    'a broker twice',
  );

  cluster.spawn(victim);
  await cluster.waitFor('the reassignment completed', 120_000, async () => {
    const p = (await cluster.metadata(a!, ['moving']))?.topics[0]?.partitions[0];
    return p !== undefined && p.replicaNodes.length === 3 && p.isrNodes.length === 3;
  });
  const after = await admin.listPartitionReassignments({});
  t.same(after.topics, [], 'nothing in flight any more');
  const offsets = await admin.fetchTopicOffsets('moving');
  t.equal(offsets[0]?.high, '1', 'the record is kept');
});
