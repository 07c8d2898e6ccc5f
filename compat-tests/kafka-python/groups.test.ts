/**
 * kafka-python's group consumer (Debian's python3-kafka 2.0.2): KafkaConsumer(group_id=...)
 * members with the range and roundrobin assignors join, split the partitions, commit
 * after processing, one leaves and the other takes over, each message consumed once;
 * then a mixed group where a kafka-python member and a librdkafka member
 * (python3-confluent-kafka) share partitions under the same "range" protocol. Skips
 * when the modules are not installed.
 */
import t, { type Test } from 'tap';
import { fileURLToPath } from 'node:url';
import { brokerFor } from '../../test/helpers/broker.js';
import { createTopic } from '../../test/helpers/topics.js';
import { DEBIAN_PYTHON, hasPythonModule } from '../../test/helpers/external.js';
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

const kafkaPythonScript = fileURLToPath(new URL('./groups_member.py', import.meta.url));
const confluentScript = fileURLToPath(new URL('../librdkafka/groups_member.py', import.meta.url));
const hasKafkaPython = hasPythonModule('kafka');
const hasConfluent = hasPythonModule('confluent_kafka');
const PARTITIONS = 4;

/** Two members join, consume, one leaves, the other takes over; every message once, lag 0. */
async function leaveAndTakeOver(
  t: Test,
  start: (name: string, bootstrap: string, group: string, topic: string) => GroupMember,
  name: string,
): Promise<void> {
  const running = await brokerFor(t, { config: { 'group.min.session.timeout.ms': 1000 } });
  const topic = `kp-${name}`;
  const group = `g-kp-${name}`;
  createTopic(running, topic, { partitions: PARTITIONS });
  const members: GroupMember[] = [];
  t.teardown(() => members.forEach((m) => m.kill()));
  const state = () => describeMembers(members);
  members.push(start('a', running.bootstrap, group, topic));
  members.push(start('b', running.bootstrap, group, topic));
  await waitFor(() => balanced(members, PARTITIONS), 30_000, 'two members sharing four partitions', state);
  t.ok(
    members.every((m) => m.assignment.length === 2),
    `two partitions each: ${state()}`,
  );

  await produceSpread(
    running.bootstrap,
    topic,
    Array.from({ length: 40 }, (_, i) => `a${i}`),
    PARTITIONS,
  );
  await waitFor(() => consumptionCounts(members).size >= 40, 20_000, 'first 40 consumed', state);
  t.ok(
    members.every((m) => m.messages.length > 0),
    'both members consumed',
  );

  await Promise.all([
    members[1]!.stop(),
    produceSpread(
      running.bootstrap,
      topic,
      Array.from({ length: 40 }, (_, i) => `b${i}`),
      PARTITIONS,
    ),
  ]);
  await waitFor(() => members[0]!.assignment.length === PARTITIONS, 30_000, 'a owning all partitions', state);
  await waitFor(() => consumptionCounts(members).size >= 80, 20_000, 'all 80 consumed', state);

  const counts = consumptionCounts(members);
  t.equal(counts.size, 80, 'every message consumed');
  t.same(
    [...counts].filter(([, n]) => n > 1),
    [],
    'no message consumed twice',
  );
  t.same(
    members.flatMap((m) => m.errors),
    [],
    'no commit errors',
  );
  t.same(await committedAndLag(running.bootstrap, group, topic), { committed: 80, lag: 0 }, 'committed offsets, lag 0');
  await members[0]!.stop();
}

for (const strategy of ['range', 'roundrobin']) {
  t.test(
    `kafka-python ${strategy}: two members, one leaves, each message once`,
    { skip: hasKafkaPython ? false : 'python3-kafka is not installed' },
    (t) =>
      leaveAndTakeOver(
        t,
        (name, bootstrap, group, topic) =>
          startJsonMember(name, DEBIAN_PYTHON, [kafkaPythonScript, bootstrap, group, topic, strategy, '6000']),
        strategy,
      ),
  );
}

t.test(
  'kafka-python and librdkafka members share one range group',
  { skip: hasKafkaPython && hasConfluent ? false : 'python3-kafka or python3-confluent-kafka is not installed' },
  (t) =>
    leaveAndTakeOver(
      t,
      (name, bootstrap, group, topic) =>
        name === 'a'
          ? startJsonMember('kafka-python', DEBIAN_PYTHON, [
              kafkaPythonScript,
              bootstrap,
              group,
              topic,
              'range',
              '6000',
            ])
          : startJsonMember('librdkafka', DEBIAN_PYTHON, [confluentScript, bootstrap, group, topic, 'range', '6000']),
      'mixed',
    ),
);
