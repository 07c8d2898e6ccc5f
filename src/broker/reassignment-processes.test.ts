/**
 * Partition reassignment across three real processes (combined broker+controller nodes), driven by
 * kafkajs' admin:
 * - a topic with one replica on node 1 and 400 acknowledged records is reassigned to nodes 2 and 3
 *   (alterPartitionReassignments); they fetch, catch up and join the ISR, the controller completes it
 *   (listPartitionReassignments empty, replicas and ISR [2, 3], a new leader) and node 1 deletes its
 *   copy; node 1 is killed and every record is read back from the new leader, which takes more; a
 *   second topic, trimmed to offset 60 by DeleteRecords, moves in the same request to node 2, whose
 *   new replica starts at the leader's log start (OFFSET_OUT_OF_RANGE, then from 60);
 * - a reassignment to a stopped node (SIGSTOP) stays in flight (listed with its adding and removing
 *   replicas) until it is cancelled (AlterPartitionReassignments with null replicas): the partition
 *   is back on its original replica, keeps its records and takes writes; the stopped node, resumed,
 *   keeps no copy.
 */
import t, { type Test } from 'tap';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { AlterPartitionReassignmentsApi } from '../../protocol/generated/messages/45-alter-partition-reassignments.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { FAST_QUORUM_SETTINGS, ProcessCluster, type ClusterNode } from '../../test/helpers/process-cluster.js';
import { hostsPartitionFolder, listOffset, readAll } from '../../test/helpers/partition-reads.js';

const SETTINGS = {
  ...FAST_QUORUM_SETTINGS,
  'broker.session.timeout.ms': '2000',
  'replica.lag.time.max.ms': '3000',
  'replica.fetch.wait.max.ms': '100',
  'replica.fetch.backoff.ms': '100',
};

/** Starts three nodes and waits (generously: the machine may be loaded) for a quorum leader and three brokers. */
async function startCluster(t: Test): Promise<{ cluster: ProcessCluster; controllerId: number }> {
  const cluster = new ProcessCluster(SETTINGS);
  t.teardown(() => cluster.stop());
  await cluster.start(3);
  const view = await cluster.waitFor('a leader', 60000, () => cluster.agreedLeader(cluster.nodes), 200);
  await cluster.waitFor(
    'three registered brokers',
    60000,
    async () => (await cluster.metadata(cluster.nodes[0]!, []))?.brokers.length === 3,
    200,
  );
  return { cluster, controllerId: view.leaderId };
}

async function connect(t: Test, nodes: ClusterNode[]): Promise<{ kafka: Kafka; admin: Admin }> {
  const kafka = new Kafka({
    clientId: 'reassignment-processes',
    brokers: nodes.map((n) => `127.0.0.1:${n.port}`),
    logLevel: logLevel.NOTHING,
    retry: { retries: 30, initialRetryTime: 100, maxRetryTime: 1000 },
  });
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  return { kafka, admin };
}

async function produceValues(kafka: Kafka, topic: string, values: string[]): Promise<void> {
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    for (let i = 0; i < values.length; i += 50)
      await producer.send({ topic, acks: -1, messages: values.slice(i, i + 50).map((value) => ({ value })) });
  } finally {
    await producer.disconnect();
  }
}

async function moveAndKill(t: Test, cluster: ProcessCluster): Promise<void> {
  const [a, b, c] = cluster.nodes as [ClusterNode, ClusterNode, ClusterNode];
  const { kafka, admin } = await connect(t, cluster.nodes);
  const topic = 'moved';
  await admin.createTopics({ topics: [{ topic, replicaAssignment: [{ partition: 0, replicas: [a.id] }] }] });
  const partitionOn = async (node: ClusterNode) => (await cluster.metadata(node, [topic]))?.topics[0]?.partitions[0];
  await cluster.waitFor('the topic on every node', 20000, async () => (await partitionOn(c))?.leaderId === a.id);
  const before = Array.from({ length: 400 }, (_, i) => `before-${i}`);
  await produceValues(kafka, topic, before);
  t.ok(hostsPartitionFolder(a, topic), 'node 1 holds the partition');
  // A second topic, trimmed by DeleteRecords first: its new replica starts at the leader's log start.
  const trimmed = 'moved-trimmed';
  await admin.createTopics({ topics: [{ topic: trimmed, replicaAssignment: [{ partition: 0, replicas: [a.id] }] }] });
  await cluster.waitFor('the second topic', 20000, async () => {
    const p = (await cluster.metadata(c, [trimmed]))?.topics[0]?.partitions[0];
    return p?.leaderId === a.id;
  });
  const trimmedValues = Array.from({ length: 100 }, (_, i) => `t-${i}`);
  await produceValues(kafka, trimmed, trimmedValues);
  await admin.fetchTopicMetadata({ topics: [trimmed] });
  await admin.deleteTopicRecords({ topic: trimmed, partitions: [{ partition: 0, offset: '60' }] });

  await admin.alterPartitionReassignments({
    topics: [
      { topic, partitionAssignment: [{ partition: 0, replicas: [b.id, c.id] }] },
      { topic: trimmed, partitionAssignment: [{ partition: 0, replicas: [b.id] }] },
    ],
  });
  const started = Date.now();
  await cluster.waitFor('no reassignment in flight', 30000, async () => {
    const listed = await admin.listPartitionReassignments({});
    return listed.topics.length === 0;
  });
  const moved = await cluster.waitFor('replicas [2, 3] on every node', 20000, async () => {
    const views = await Promise.all(cluster.nodes.map(partitionOn));
    const first = views[0];
    const same = views.every(
      (v) => v && first && v.leaderId === first.leaderId && v.replicaNodes.join() === first.replicaNodes.join(),
    );
    return same && first && first.replicaNodes.join() === `${b.id},${c.id}` && first;
  });
  t.pass(`reassignment completed in ${Date.now() - started} ms`);
  t.same([...moved.isrNodes].sort(), [b.id, c.id], 'the ISR is the new replicas');
  t.ok([b.id, c.id].includes(moved.leaderId), `the new leader is ${moved.leaderId}`);
  await cluster.waitFor('node 1 to delete its copy', 20000, async () => !hostsPartitionFolder(a, topic));
  t.pass('node 1 deleted its copy of the partition');
  t.ok(hostsPartitionFolder(b, topic) && hostsPartitionFolder(c, topic), 'nodes 2 and 3 hold it');

  const trimmedOnB = await cluster.waitFor('the trimmed topic on node 2', 20000, async () => {
    const p = (await cluster.metadata(b, [trimmed]))?.topics[0]?.partitions[0];
    return p?.leaderId === b.id && p.replicaNodes.join() === String(b.id);
  });
  t.ok(trimmedOnB, 'the trimmed topic moved to node 2');
  t.equal(await listOffset(cluster, b, trimmed, 'earliest'), 60, 'its new replica starts at the log start, 60');
  t.same(await readAll(cluster, b, trimmed, 60), trimmedValues.slice(60), 'with every record from there');

  cluster.kill(a);
  const leader = cluster.nodes.find((n) => n.id === moved.leaderId)!;
  const read = await cluster.waitFor('every record from the new leader', 20000, () => readAll(cluster, leader, topic));
  t.same(read, before, 'every acknowledged record is on the new replicas, in order');

  const survivors = await connect(t, [b, c]);
  const after = Array.from({ length: 100 }, (_, i) => `after-${i}`);
  await produceValues(survivors.kafka, topic, after);
  const follower = leader === b ? c : b;
  const all = await cluster.waitFor('the later records', 20000, async () => {
    const values = await readAll(cluster, leader, topic);
    return values && values.length === before.length + after.length && values;
  });
  t.same(all, [...before, ...after], 'the moved partition takes writes with node 1 gone');
  t.ok(hostsPartitionFolder(follower, topic), `node ${follower.id} follows`);
}

async function cancelInFlight(t: Test, cluster: ProcessCluster, controllerId: number): Promise<void> {
  // The stopped node must not be the active controller (the cancel goes through it).
  const others = cluster.nodes.filter((n) => n.id !== controllerId);
  const stopped = others[0]!;
  const home = cluster.nodes.find((n) => n !== stopped)!;
  const { kafka, admin } = await connect(
    t,
    cluster.nodes.filter((n) => n !== stopped),
  );
  const topic = 'cancelled';
  await admin.createTopics({ topics: [{ topic, replicaAssignment: [{ partition: 0, replicas: [home.id] }] }] });
  const partitionOn = async (node: ClusterNode) => (await cluster.metadata(node, [topic]))?.topics[0]?.partitions[0];
  await cluster.waitFor('the topic', 20000, async () => (await partitionOn(home))?.leaderId === home.id);
  const values = Array.from({ length: 200 }, (_, i) => `v-${i}`);
  await produceValues(kafka, topic, values);

  stopped.process?.kill('SIGSTOP');
  t.teardown(() => stopped.process?.kill('SIGCONT'));
  await admin.alterPartitionReassignments({
    topics: [{ topic, partitionAssignment: [{ partition: 0, replicas: [stopped.id] }] }],
  });
  const listed = await admin.listPartitionReassignments({ topics: [{ topic, partitions: [0] }] });
  t.same(
    listed.topics,
    [
      {
        name: topic,
        partitions: [
          { partition: 0, replicas: [stopped.id, home.id], addingReplicas: [stopped.id], removingReplicas: [home.id] },
        ],
      },
    ],
    'in flight: the target, then the replica being removed',
  );
  const allListed = await admin.listPartitionReassignments({});
  t.equal(allListed.topics.length, 1, 'listed among all topics too');

  const cancel = await cluster.call(home, AlterPartitionReassignmentsApi, 0, {
    timeoutMs: 10000,
    allowReplicationFactorChange: true,
    topics: [{ name: topic, partitions: [{ partitionIndex: 0, replicas: null }] }],
  });
  t.same(
    [cancel.errorCode, cancel.responses[0]?.partitions[0]?.errorCode],
    [ErrorCode.NONE, ErrorCode.NONE],
    'cancelled',
  );
  const again = await cluster.call(home, AlterPartitionReassignmentsApi, 0, {
    timeoutMs: 10000,
    allowReplicationFactorChange: true,
    topics: [{ name: topic, partitions: [{ partitionIndex: 0, replicas: null }] }],
  });
  t.equal(
    again.responses[0]?.partitions[0]?.errorCode,
    ErrorCode.NO_REASSIGNMENT_IN_PROGRESS,
    'nothing left to cancel',
  );
  t.same((await admin.listPartitionReassignments({})).topics, [], 'nothing in flight');
  const reverted = await cluster.waitFor('the original replica', 10000, async () => {
    const p = await partitionOn(home);
    return p && p.replicaNodes.join() === String(home.id) && p;
  });
  t.same([reverted.leaderId, reverted.isrNodes], [home.id, [home.id]], 'led by the original replica alone');
  const more = ['after-cancel-1', 'after-cancel-2'];
  await produceValues(kafka, topic, more);
  const read = await cluster.waitFor('the records', 10000, () => readAll(cluster, home, topic));
  t.same(read, [...values, ...more], 'every record is still there and the partition takes writes');

  stopped.process?.kill('SIGCONT');
  await cluster.waitFor(
    'the resumed node to catch up',
    20000,
    async () => (await partitionOn(stopped))?.replicaNodes.join() === String(home.id),
  );
  t.notOk(hostsPartitionFolder(stopped, topic), 'the resumed node keeps no copy');
  await cluster.waitFor(
    'the resumed node unfenced',
    30000,
    async () => (await cluster.metadata(home, []))?.brokers.length === 3,
    200,
  );
}

// Real processes on a possibly loaded 2-core machine: a file bound well above tap's 240 s (a node can take
// tens of seconds to start), so that a slow run finishes instead of being cut short.
t.setTimeout(600_000);

t.test('reassignments on three processes', async (t) => {
  t.setTimeout(400_000);
  const { cluster, controllerId } = await startCluster(t);
  await t.test('a reassignment in flight is listed and cancelled back to the original replica', (t) =>
    cancelInFlight(t, cluster, controllerId),
  );
  await t.test('a partition moves from node 1 to nodes 2 and 3 and survives the loss of node 1', (t) =>
    moveAndKill(t, cluster),
  );
});
