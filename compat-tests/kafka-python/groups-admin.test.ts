/**
 * A group's members, assignments, committed offsets and lag as admin tools see them:
 * two librdkafka members (python3-confluent-kafka, range) consume and commit, then
 * kafka-python's KafkaAdminClient (list/describe groups, list offsets), librdkafka's
 * AdminClient.list_groups and kafkajs admin (describeGroups, fetchOffsets) are compared
 * with what the members themselves reported; after they leave and more messages
 * arrive, the group is Empty and the lag is exactly the new messages. Skips when the
 * python modules are not installed.
 */
import t from 'tap';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import { brokerFor } from '../../test/helpers/broker.js';
import { createTopic } from '../../test/helpers/topics.js';
import { DEBIAN_PYTHON, hasPythonModule, run } from '../../test/helpers/external.js';
import {
  balanced,
  committedAndLag,
  consumptionCounts,
  describeMembers,
  produceSpread,
  startJsonMember,
  waitFor,
  type GroupMember,
} from '../librdkafka/groups-members.js';

const adminScript = fileURLToPath(new URL('./groups_admin.py', import.meta.url));
const memberScript = fileURLToPath(new URL('../librdkafka/groups_member.py', import.meta.url));
const available = hasPythonModule('kafka') && hasPythonModule('confluent_kafka');
const PARTITIONS = 4;
const GROUP = 'g-admin-views';
const TOPIC = 'admin-views';

interface AdminView {
  listed: string[][];
  described: {
    error_code: number;
    state: string;
    protocol_type: string;
    protocol: string;
    members: Array<{ client_id: string; client_host: string; partitions: number[] }>;
  };
  offsets: Record<string, number>;
  librdkafka?: Array<{ id: string; state: string; protocol_type: string; protocol: string; members: number }>;
}

async function adminView(bootstrap: string): Promise<AdminView> {
  const result = await run(DEBIAN_PYTHON, [adminScript, bootstrap, GROUP], { timeoutMs: 30_000 });
  if (result.code !== 0) throw new Error(result.stderr.slice(-2000));
  return JSON.parse(result.stdout) as AdminView;
}

/** ConsumerProtocolAssignment: int16 version, [topic: int16 string, [int32 partition]]. */
function assignedPartitions(assignment: Buffer): number[] {
  const partitions: number[] = [];
  let at = 2;
  const topics = assignment.readInt32BE(at);
  at += 4;
  for (let i = 0; i < topics; i++) {
    at += 2 + assignment.readInt16BE(at);
    const n = assignment.readInt32BE(at);
    at += 4;
    for (let j = 0; j < n; j++, at += 4) partitions.push(assignment.readInt32BE(at));
  }
  return partitions.sort((a, b) => a - b);
}

t.test(
  'admin tools see members, assignments, offsets and lag',
  { skip: available ? false : 'python3-kafka or python3-confluent-kafka is not installed' },
  async (t) => {
    const running = await brokerFor(t, { config: { 'group.min.session.timeout.ms': 1000 } });
    createTopic(running, TOPIC, { partitions: PARTITIONS });
    await produceSpread(
      running.bootstrap,
      TOPIC,
      Array.from({ length: 40 }, (_, i) => `m${i}`),
      PARTITIONS,
    );
    const members: GroupMember[] = [];
    t.teardown(() => members.forEach((m) => m.kill()));
    const state = () => describeMembers(members);
    for (const name of ['a', 'b'])
      members.push(
        startJsonMember(name, DEBIAN_PYTHON, [memberScript, running.bootstrap, GROUP, TOPIC, 'range', '6000']),
      );
    await waitFor(
      () => balanced(members, PARTITIONS) && consumptionCounts(members).size === 40,
      30_000,
      'two members consumed all 40',
      state,
    );
    await waitFor(
      async () => (await committedAndLag(running.bootstrap, GROUP, TOPIC)).committed === 40,
      10_000,
      'offsets committed',
    );
    const reported = members.map((m) => m.assignment).sort((x, y) => x[0]! - y[0]!);

    const view = await adminView(running.bootstrap);
    t.same(view.listed, [[GROUP, 'consumer']], 'kafka-python lists the group with its protocol type');
    t.same(
      {
        error: view.described.error_code,
        state: view.described.state,
        type: view.described.protocol_type,
        protocol: view.described.protocol,
      },
      { error: 0, state: 'Stable', type: 'consumer', protocol: 'range' },
      'kafka-python describes the group',
    );
    t.same(
      view.described.members.map((m) => m.partitions),
      reported,
      'kafka-python decodes the assignments the members report',
    );
    t.ok(
      view.described.members.every((m) => m.client_id === 'rdkafka' && m.client_host.includes('127.0.0.1')),
      'client id and host',
    );
    t.same(view.offsets, { 0: 10, 1: 10, 2: 10, 3: 10 }, 'kafka-python lists the committed offsets');
    t.same(
      view.librdkafka,
      [{ id: GROUP, state: 'Stable', protocol_type: 'consumer', protocol: 'range', members: 2 }],
      'librdkafka list_groups',
    );

    const admin = new Kafka({
      clientId: 'admin-views',
      brokers: [running.bootstrap],
      logLevel: logLevel.NOTHING,
    }).admin();
    await admin.connect();
    t.teardown(() => admin.disconnect());
    const described = (await admin.describeGroups([GROUP])).groups[0]!;
    t.same(
      described.members.map((m) => assignedPartitions(m.memberAssignment)).sort((x, y) => x[0]! - y[0]!),
      reported,
      'kafkajs describeGroups shows the same assignments',
    );

    // Both leave; 8 more messages (2 per partition) make the lag.
    await Promise.all(members.map((m) => m.stop()));
    await produceSpread(
      running.bootstrap,
      TOPIC,
      Array.from({ length: 8 }, (_, i) => `n${i}`),
      PARTITIONS,
    );
    const [offsets] = await admin.fetchOffsets({ groupId: GROUP, topics: [TOPIC] });
    const ends = await admin.fetchTopicOffsets(TOPIC);
    const lagByPartition = ends
      .map((e) => ({
        partition: e.partition,
        lag: Number(e.high) - Number(offsets!.partitions.find((p) => p.partition === e.partition)!.offset),
      }))
      .sort((a, b) => a.partition - b.partition);
    t.same(
      lagByPartition,
      [0, 1, 2, 3].map((partition) => ({ partition, lag: 2 })),
      'kafkajs: lag of 2 on each partition',
    );
    const after = await adminView(running.bootstrap);
    t.equal(after.described.state, 'Empty', 'the group is Empty once both left');
    t.same(after.described.members, []);
    t.same(after.offsets, { 0: 10, 1: 10, 2: 10, 3: 10 }, 'committed offsets are kept');
    t.same(after.librdkafka?.[0]?.state, 'Empty');
  },
);
