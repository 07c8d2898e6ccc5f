/**
 * The log start offset on every replica, across three real processes: a topic with three replicas
 * and small segments, 300 records acknowledged with acks=-1 (kafkajs), then
 * - DeleteRecords (kafkajs `admin.deleteTopicRecords`) up to offset 150 on the leader: the followers
 *   take the leader's log start from their fetches and delete their segments below it before the
 *   answer (it waits for the low watermark); the leader is
 *   killed and the follower that takes over answers ListOffsets earliest with 150, serves the records
 *   from there, and holds no segment wholly below it;
 * - retention (`retention.ms` lowered through kafkajs' alterConfigs) after the killed node is back:
 *   every replica drops its old segments; the leader is killed again and the new one answers
 *   ListOffsets earliest with the log start the old leader had, with no segment wholly below it.
 */
import t from 'tap';
import { Kafka, logLevel, type ConfigResourceTypes } from 'kafkajs';
import { FAST_QUORUM_SETTINGS, ProcessCluster, type ClusterNode } from '../../test/helpers/process-cluster.js';
import { listOffset, readAll, segmentBases } from '../../test/helpers/partition-reads.js';

const TOPIC = 'trimmed';
/** kafkajs' ConfigResourceTypes.TOPIC (its enum is a type only under ESM imports). */
const TOPIC_RESOURCE = 2 as ConfigResourceTypes;
const RECORDS = 300;
const DELETE_BEFORE = 150;

/** Nothing wholly below `logStart` is left: the first segment starts at or below it, the next one above it. */
function trimmedTo(bases: number[], logStart: number): boolean {
  return bases.length > 0 && bases[0]! > 0 && bases[0]! <= logStart && (bases[1] === undefined || bases[1] > logStart);
}

// Real processes on a possibly loaded 2-core machine: a file bound well above tap's 240 s (a node can take
// tens of seconds to start), so that a slow run finishes instead of being cut short.
t.setTimeout(600_000);

t.test('DeleteRecords and retention move the log start offset on every replica', async (t) => {
  t.setTimeout(400_000);
  const cluster = new ProcessCluster({
    ...FAST_QUORUM_SETTINGS,
    'broker.session.timeout.ms': '2000',
    'replica.lag.time.max.ms': '3000',
    'replica.fetch.wait.max.ms': '100',
    'replica.fetch.backoff.ms': '100',
    'log.retention.check.interval.ms': '1000',
  });
  t.teardown(() => cluster.stop());
  await cluster.start(3);
  await cluster.waitFor('a leader', 60000, () => cluster.agreedLeader(cluster.nodes), 200);
  await cluster.waitFor(
    'three registered brokers',
    60000,
    async () => (await cluster.metadata(cluster.nodes[0]!, []))?.brokers.length === 3,
    200,
  );
  const kafka = new Kafka({
    clientId: 'log-start-processes',
    brokers: cluster.nodes.map((n) => `127.0.0.1:${n.port}`),
    logLevel: logLevel.NOTHING,
    retry: { retries: 30, initialRetryTime: 100, maxRetryTime: 1000 },
  });
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  await admin.createTopics({
    topics: [
      {
        topic: TOPIC,
        numPartitions: 1,
        replicationFactor: 3,
        configEntries: [
          { name: 'min.insync.replicas', value: '2' },
          { name: 'segment.bytes', value: '1024' },
        ],
      },
    ],
  });
  const partitionOn = async (node: ClusterNode) => (await cluster.metadata(node, [TOPIC]))?.topics[0]?.partitions[0];
  await cluster.waitFor(
    'the ISR of three',
    30000,
    async () => (await partitionOn(cluster.nodes[0]!))?.isrNodes.length === 3,
  );
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  t.teardown(() => producer.disconnect());
  const values = Array.from({ length: RECORDS }, (_, i) => `record-${String(i).padStart(4, '0')}-${'x'.repeat(40)}`);
  for (let i = 0; i < RECORDS; i += 10)
    await producer.send({ topic: TOPIC, acks: -1, messages: values.slice(i, i + 10).map((value) => ({ value })) });
  const first = await cluster.waitFor('the ISR of three', 30000, async () => {
    const p = await partitionOn(cluster.nodes[0]!);
    return p && p.isrNodes.length === 3 && p;
  });
  const leader = cluster.nodes.find((n) => n.id === first.leaderId)!;
  const followers = cluster.nodes.filter((n) => n !== leader);
  t.ok(
    followers.every((f) => segmentBases(f, TOPIC).length > 3),
    'the followers hold several segments',
  );

  // kafkajs' admin finds the leader only for topics its metadata holds.
  await admin.fetchTopicMetadata({ topics: [TOPIC] });
  await admin.deleteTopicRecords({ topic: TOPIC, partitions: [{ partition: 0, offset: String(DELETE_BEFORE) }] });
  t.equal(await listOffset(cluster, leader, TOPIC, 'earliest'), DELETE_BEFORE, 'the leader starts at 150');
  // DeleteRecords answers once every live follower reported the new log start (the low watermark).
  t.ok(
    followers.every((f) => trimmedTo(segmentBases(f, TOPIC), DELETE_BEFORE)),
    'when DeleteRecords answers, the followers have deleted their segments below 150',
  );
  t.pass(`followers' segments: ${followers.map((f) => segmentBases(f, TOPIC).slice(0, 2).join(',')).join(' / ')}`);

  cluster.kill(leader);
  const second = await cluster.waitFor('a new leader', 30000, async () => {
    const p = await partitionOn(followers[0]!);
    return p && p.leaderId >= 0 && p.leaderId !== leader.id && p;
  });
  const newLeader = cluster.nodes.find((n) => n.id === second.leaderId)!;
  const earliest = await cluster.waitFor('ListOffsets earliest', 20000, () =>
    listOffset(cluster, newLeader, TOPIC, 'earliest'),
  );
  t.equal(earliest, DELETE_BEFORE, 'the new leader answers ListOffsets earliest with 150');
  t.ok(trimmedTo(segmentBases(newLeader, TOPIC), DELETE_BEFORE), 'and holds no segment wholly below it');
  const read = await cluster.waitFor('the records', 20000, () => readAll(cluster, newLeader, TOPIC, DELETE_BEFORE));
  t.same(read, values.slice(DELETE_BEFORE), 'it serves every record from 150 on');

  // Retention: the killed node comes back, then every replica drops its old segments.
  cluster.spawn(leader);
  await cluster.waitFor(
    'the ISR of three again',
    60000,
    async () => (await partitionOn(newLeader))?.isrNodes.length === 3,
    200,
  );
  await admin.alterConfigs({
    validateOnly: false,
    resources: [{ type: TOPIC_RESOURCE, name: TOPIC, configEntries: [{ name: 'retention.ms', value: '1000' }] }],
  });
  const retained = await cluster.waitFor('retention on the leader', 30000, async () => {
    const start = await listOffset(cluster, newLeader, TOPIC, 'earliest');
    return start !== null && start > DELETE_BEFORE && start;
  });
  const others = cluster.nodes.filter((n) => n !== newLeader);
  await cluster.waitFor('retention on the followers', 30000, async () =>
    others.every((f) => trimmedTo(segmentBases(f, TOPIC), retained)),
  );
  t.pass(`retention moved the log start to ${retained} on every replica`);
  cluster.kill(newLeader);
  const third = await cluster.waitFor('another leader', 30000, async () => {
    const p = await partitionOn(others[0]!);
    return p && p.leaderId >= 0 && p.leaderId !== newLeader.id && p;
  });
  const lastLeader = cluster.nodes.find((n) => n.id === third.leaderId)!;
  const afterRetention = await cluster.waitFor('ListOffsets earliest', 20000, () =>
    listOffset(cluster, lastLeader, TOPIC, 'earliest'),
  );
  t.equal(afterRetention, retained, `node ${lastLeader.id} answers ListOffsets earliest with the retained log start`);
  t.ok(trimmedTo(segmentBases(lastLeader, TOPIC), retained), 'and holds no segment wholly below it');
});
