/**
 * librdkafka members (python3-confluent-kafka) when members fail or restart:
 *  - a member is killed (SIGKILL, no LeaveGroup): its session expires, the others take
 *    its partitions, nothing is lost; only a message it printed but had not committed
 *    yet can be seen twice (at most one per partition it owned);
 *  - static membership (KIP-345, group.instance.id): a member closes (static members
 *    send no LeaveGroup) and comes back under the same instance id within its session:
 *    no rebalance (the other member's assignment never changes) and it gets its old
 *    partitions back; when it stays away, its session expiry hands them over.
 * Skips when the module is not installed.
 */
import t from 'tap';
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
} from './groups-members.js';

const script = fileURLToPath(new URL('./groups_member.py', import.meta.url));
const available = hasPythonModule('confluent_kafka');
const PARTITIONS = 6;
const skip = available ? false : 'python3-confluent-kafka is not installed';

t.test('a killed librdkafka member is expired; the others take over and nothing is lost', { skip }, async (t) => {
  const running = await brokerFor(t, { config: { 'group.min.session.timeout.ms': 1000 } });
  createTopic(running, 'crash', { partitions: PARTITIONS });
  const members: GroupMember[] = [];
  t.teardown(() => members.forEach((m) => m.kill()));
  const state = () => describeMembers(members);
  for (const name of ['a', 'b', 'c'])
    members.push(
      startJsonMember(name, DEBIAN_PYTHON, [script, running.bootstrap, 'g-crash', 'crash', 'range', '2000']),
    );
  await waitFor(() => balanced(members, PARTITIONS), 30_000, 'three members sharing six partitions', state);
  await produceSpread(
    running.bootstrap,
    'crash',
    Array.from({ length: 60 }, (_, i) => `a${i}`),
    PARTITIONS,
  );
  await waitFor(() => consumptionCounts(members).size >= 60, 20_000, 'first 60 consumed', state);

  const victim = members[2]!;
  const victimPartitions = victim.assignment.length;
  victim.kill();
  await waitFor(() => victim.exited, 5_000, 'the kill');
  await waitFor(() => balanced(members, PARTITIONS), 30_000, 'the two survivors sharing six partitions', state);
  await produceSpread(
    running.bootstrap,
    'crash',
    Array.from({ length: 60 }, (_, i) => `b${i}`),
    PARTITIONS,
  );
  await waitFor(() => consumptionCounts(members).size >= 120, 20_000, 'all 120 consumed', state);

  const counts = consumptionCounts(members);
  t.equal(counts.size, 120, 'nothing lost');
  const twice = [...counts].filter(([, n]) => n > 1);
  t.ok(twice.length <= victimPartitions, `at most one redelivery per partition the victim owned (${twice.length})`);
  await waitFor(async () => (await committedAndLag(running.bootstrap, 'g-crash', 'crash')).lag === 0, 10_000, 'lag 0');
  await Promise.all(members.slice(0, 2).map((m) => m.stop()));
});

t.test('a static librdkafka member restarts without a rebalance', { skip }, async (t) => {
  const running = await brokerFor(t, { config: { 'group.min.session.timeout.ms': 1000 } });
  createTopic(running, 'static', { partitions: PARTITIONS });
  const start = (name: string) =>
    startJsonMember(name, DEBIAN_PYTHON, [
      script,
      running.bootstrap,
      'g-static',
      'static',
      'range',
      '4000',
      `instance-${name}`,
    ]);
  const members: GroupMember[] = [start('a'), start('b')];
  t.teardown(() => members.forEach((m) => m.kill()));
  const state = () => describeMembers(members);
  await waitFor(() => balanced(members, PARTITIONS), 30_000, 'two static members sharing six partitions', state);
  const [a, b] = members as [GroupMember, GroupMember];
  const aBefore = a.history.length;
  const bPartitions = b.assignment;

  await b.stop();
  const again = start('b');
  members.push(again);
  await waitFor(() => again.assignment.length > 0, 20_000, 'b back', state);
  t.same(again.assignment, bPartitions, 'b got its old partitions back');
  await produceSpread(
    running.bootstrap,
    'static',
    Array.from({ length: 30 }, (_, i) => `s${i}`),
    PARTITIONS,
  );
  await waitFor(() => consumptionCounts(members).size >= 30, 20_000, '30 consumed', state);
  t.equal(a.history.length, aBefore, 'a saw no rebalance while b restarted');

  // b closes and stays away: only its session expiry (4 s) hands its partitions to a.
  await again.stop();
  await waitFor(() => a.assignment.length === PARTITIONS, 20_000, 'a owning everything after b expired', state);
  t.pass('the static member expired');
  await a.stop();
});
