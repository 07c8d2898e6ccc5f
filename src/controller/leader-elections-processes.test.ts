/**
 * Leader elections across three real processes: after a node is killed (kill -9) and comes back,
 * the partitions it is the preferred (first) replica of are led by others until
 * - ElectLeaders PREFERRED (key 43, sent to a node that forwards it to the active controller)
 *   moves them back: NONE for each, then ELECTION_NOT_NEEDED; while the node is down its
 *   partitions answer PREFERRED_LEADER_NOT_AVAILABLE, and UNCLEAN on a led partition
 *   ELECTION_NOT_NEEDED; kafkajs' admin sees the preferred leaders;
 * - or, with auto.leader.rebalance.enable and a 1 s leader.imbalance.check.interval.seconds, the
 *   active controller moves them back by itself.
 * While the node is down, Metadata and DescribeTopicPartitions list it as an offline replica.
 */
import t, { type Test } from 'tap';
import { Kafka, logLevel } from 'kafkajs';
import { FAST_QUORUM_SETTINGS, ProcessCluster, type ClusterNode } from '../../test/helpers/process-cluster.js';
import { ElectLeadersApi } from '../../protocol/generated/messages/43-elect-leaders.js';
import { DescribeTopicPartitionsApi } from '../../protocol/generated/messages/75-describe-topic-partitions.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { kafkaTool } from '../../test/helpers/kafka-tools.js';

const TOPIC = 'elections';
const SETTINGS = {
  ...FAST_QUORUM_SETTINGS,
  'broker.session.timeout.ms': '2000',
  'replica.lag.time.max.ms': '3000',
  'replica.fetch.wait.max.ms': '100',
  'replica.fetch.backoff.ms': '100',
};

interface View {
  partitionIndex: number;
  leaderId: number;
  replicaNodes: number[];
  isrNodes: number[];
  offlineReplicas: number[];
}

async function startWithTopic(
  t: Test,
  extra: Record<string, string>,
): Promise<{ cluster: ProcessCluster; view: (via: ClusterNode) => Promise<View[] | null> }> {
  const cluster = new ProcessCluster({ ...SETTINGS, ...extra });
  t.teardown(() => cluster.stop());
  await cluster.start(3);
  const all = cluster.nodes;
  await cluster.waitFor('a leader', 20000, () => cluster.agreedLeader(all));
  await cluster.waitFor(
    'three brokers',
    20000,
    async () => (await cluster.metadata(all[0]!, []))?.brokers.length === 3,
  );
  const kafka = new Kafka({
    clientId: 'elections',
    brokers: all.map((n) => `127.0.0.1:${n.port}`),
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 6, replicationFactor: 3 }] });
  await admin.disconnect();
  const view = async (via: ClusterNode) => (await cluster.metadata(via, [TOPIC]))?.topics[0]?.partitions ?? null;
  await cluster.waitFor('the ISR of three', 30000, async () => {
    const ps = await view(all[0]!);
    return ps && ps.length === 6 && ps.every((p) => p.isrNodes.length === 3);
  });
  return { cluster, view };
}

/** Kills node `victim`, restarts it and waits until it is back in every ISR. */
async function bounce(
  cluster: ProcessCluster,
  view: (via: ClusterNode) => Promise<View[] | null>,
  victim: ClusterNode,
) {
  const other = cluster.nodes.find((n) => n !== victim)!;
  cluster.kill(victim);
  await cluster.waitFor('no partition led by the killed node', 20000, async () => {
    const ps = await view(other);
    return ps && ps.every((p) => p.leaderId !== victim.id && p.leaderId >= 0);
  });
}

const preferredLed = (ps: View[] | null) => ps !== null && ps.every((p) => p.leaderId === p.replicaNodes[0]);

// Real processes on a possibly loaded 2-core machine: a file bound well above tap's 240 s (a node can take
// tens of seconds to start), so that a slow run finishes instead of being cut short.
t.setTimeout(600_000);

t.test('ElectLeaders PREFERRED moves leadership back to the first replica', async (t) => {
  const { cluster, view } = await startWithTopic(t, { 'auto.leader.rebalance.enable': 'false' });
  const all = cluster.nodes;
  const victim = all[0]!;
  const other = all[1]!;
  const theirs = ((await view(other)) ?? [])
    .filter((p) => p.replicaNodes[0] === victim.id)
    .map((p) => p.partitionIndex);
  t.ok(theirs.length > 0, `node ${victim.id} is the preferred leader of partitions ${theirs.join(',')}`);
  await bounce(cluster, view, victim);
  const elect = (type: number, partitions: number[] | null) =>
    cluster.call(other, ElectLeadersApi, 2, {
      electionType: type,
      topicPartitions: partitions === null ? null : [{ topic: TOPIC, partitions }],
      timeoutMs: 10000,
    });
  const whileDown = await elect(0, theirs);
  t.same(
    whileDown.replicaElectionResults[0]?.partitionResult.map((r) => r.errorCode),
    theirs.map(() => ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE),
    'the preferred replica is down: PREFERRED_LEADER_NOT_AVAILABLE',
  );
  t.same(
    whileDown.replicaElectionResults[0]?.partitionResult.map((r) => r.errorMessage),
    theirs.map(() => 'The preferred leader was not available.'),
    "with the error's own message, as Kafka's KRaft controller (not the ZooKeeper controller's strategy text)",
  );
  const tool = await kafkaTool('kafka-leader-election', [
    '--bootstrap-server',
    `127.0.0.1:${other.port}`,
    '--election-type',
    'preferred',
    '--topic',
    TOPIC,
    '--partition',
    String(theirs[0]),
  ]);
  t.equal(tool.code, 1, 'kafka-leader-election exits 1');
  t.match(
    tool.stdout,
    `Error completing leader election (PREFERRED) for partition: ${TOPIC}-${theirs[0]}: org.apache.kafka.common.errors.PreferredLeaderNotAvailableException: The preferred leader was not available.`,
    "the tool's line, as Kafka 3.9's",
  );
  const fencedView = await cluster.waitFor('the killed node fenced', 20000, async () => {
    const ps = await view(other);
    return ps && ps.every((p) => p.offlineReplicas.includes(victim.id)) && ps;
  });
  t.same(
    fencedView.map((p) => p.offlineReplicas),
    fencedView.map(() => [victim.id]),
    'Metadata: the killed node is an offline replica of every partition',
  );
  const described = await cluster.call(other, DescribeTopicPartitionsApi, 0, {
    topics: [{ name: TOPIC }],
    responsePartitionLimit: 100,
    cursor: null,
  });
  t.same(
    described.topics[0]?.partitions.map((p) => p.offlineReplicas),
    fencedView.map(() => [victim.id]),
    'DescribeTopicPartitions: the same offline replicas',
  );
  const unclean = await elect(1, [theirs[0]!]);
  t.equal(
    unclean.replicaElectionResults[0]?.partitionResult[0]?.errorCode,
    ErrorCode.ELECTION_NOT_NEEDED,
    'UNCLEAN on a led partition: ELECTION_NOT_NEEDED',
  );

  cluster.spawn(victim);
  await cluster.waitFor('the restarted node back in every ISR', 120_000, async () => {
    const ps = await view(other);
    return ps && ps.every((p) => p.isrNodes.length === 3);
  });
  const back = await view(other);
  t.notOk(preferredLed(back), 'without a rebalance, others still lead its partitions');
  t.ok(
    back?.every((p) => p.offlineReplicas.length === 0),
    'no offline replica once it is back',
  );
  const all1 = await elect(0, null);
  const moved = all1.replicaElectionResults.flatMap((r) => r.partitionResult);
  t.same(
    moved.map((r) => [r.partitionId, r.errorCode]).sort((a, b) => a[0]! - b[0]!),
    theirs.map((p) => [p, ErrorCode.NONE]),
    'an election for every partition: its partitions moved back (NONE), nothing else listed',
  );
  const kafka = new Kafka({
    clientId: 'elections-check',
    brokers: [`127.0.0.1:${other.port}`],
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  const seen = await cluster.waitFor('kafkajs sees the preferred leaders', 10000, async () => {
    const m = await admin.fetchTopicMetadata({ topics: [TOPIC] });
    const ps = m.topics[0]?.partitions ?? [];
    return ps.length === 6 && ps.every((p) => p.leader === p.replicas[0]) && ps;
  });
  t.equal(seen.length, 6, 'kafkajs admin: every partition led by its first replica');
  const again = await elect(0, theirs);
  t.same(
    again.replicaElectionResults[0]?.partitionResult.map((r) => r.errorCode),
    theirs.map(() => ErrorCode.ELECTION_NOT_NEEDED),
    'a second election: ELECTION_NOT_NEEDED',
  );
});

t.test('auto.leader.rebalance.enable moves leadership back after a node returns', async (t) => {
  const { cluster, view } = await startWithTopic(t, { 'leader.imbalance.check.interval.seconds': '1' });
  const [victim, other] = [cluster.nodes[0]!, cluster.nodes[1]!];
  await bounce(cluster, view, victim);
  cluster.spawn(victim);
  const started = Date.now();
  await cluster.waitFor('the preferred leaders back', 40000, async () => preferredLed(await view(other)));
  t.pass(`every partition led by its preferred replica again ${Date.now() - started} ms after the restart`);
});
