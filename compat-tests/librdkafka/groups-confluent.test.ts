/**
 * librdkafka balanced consumers (Debian's python3-confluent-kafka 1.7.0 on librdkafka
 * 2.0.2) in one group, with the eager range and roundrobin assignors and the
 * incremental cooperative-sticky one: three member processes join and split six
 * partitions, one leaves (LeaveGroup) while messages keep coming, the other two take
 * its partitions over, and every message is consumed exactly once in the group since
 * each member commits synchronously after processing. Committed offsets and lag are
 * checked with kafkajs admin. Skips when the module is not installed.
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

for (const strategy of ['range', 'roundrobin', 'cooperative-sticky']) {
  t.test(
    `confluent-kafka ${strategy}: three members, one leaves, each message once`,
    { skip: available ? false : 'python3-confluent-kafka is not installed' },
    async (t) => {
      const running = await brokerFor(t, { config: { 'group.min.session.timeout.ms': 1000 } });
      const topic = `ck-${strategy}`;
      const group = `g-${strategy}`;
      createTopic(running, topic, { partitions: PARTITIONS });
      const members: GroupMember[] = [];
      t.teardown(() => members.forEach((m) => m.kill()));
      const state = () => describeMembers(members);
      for (const name of ['a', 'b', 'c']) {
        members.push(startJsonMember(name, DEBIAN_PYTHON, [script, running.bootstrap, group, topic, strategy, '6000']));
      }
      await waitFor(() => balanced(members, PARTITIONS), 30_000, 'three members sharing six partitions', state);
      t.ok(
        members.every((m) => m.assignment.length === 2),
        `two partitions each: ${state()}`,
      );

      const first = Array.from({ length: 60 }, (_, i) => `a${i}`);
      await produceSpread(running.bootstrap, topic, first, PARTITIONS);
      await waitFor(() => consumptionCounts(members).size >= 60, 20_000, 'first 60 consumed', state);
      t.ok(
        members.every((m) => m.messages.length > 0),
        'every member consumed',
      );

      // b leaves while more messages arrive; a and c take its partitions over.
      const leaving = members[1]!;
      const second = Array.from({ length: 60 }, (_, i) => `b${i}`);
      await Promise.all([leaving.stop(), produceSpread(running.bootstrap, topic, second, PARTITIONS)]);
      await waitFor(() => balanced(members, PARTITIONS), 30_000, 'two members sharing six partitions', state);
      const third = Array.from({ length: 60 }, (_, i) => `c${i}`);
      await produceSpread(running.bootstrap, topic, third, PARTITIONS);
      await waitFor(() => consumptionCounts(members).size >= 180, 30_000, 'all 180 consumed', state);

      const counts = consumptionCounts(members);
      t.equal(counts.size, 180, 'every message consumed');
      // A commit that races a rebalance is refused: REBALANCE_IN_PROGRESS while the group completes
      // it, ILLEGAL_GENERATION when it still carries the old generation once the new one exists
      // (Kafka's GroupCoordinator checks the generation first, as Gregor does; on a loaded machine a
      // member's synchronous commit can be that late). librdkafka then treats the partition as lost
      // and reads it again from its committed offset: at least once. So a message may be consumed
      // twice only on a partition where a commit was refused, at or after the first refused offset;
      // any other duplicate, or any other error, fails the test.
      const refused = members.flatMap((m) => m.refusedCommits);
      const raced = (e: string) => /REBALANCE_IN_PROGRESS|ILLEGAL_GENERATION/.test(e);
      const where = new Map(members.flatMap((m) => m.messages.map((msg) => [msg.value, msg] as const)));
      const excused = (value: string) => {
        const msg = where.get(value)!;
        return refused.some((r) => raced(r.error) && r.partition === msg.partition && r.offset <= msg.offset);
      };
      const duplicates = [...counts].filter(([value, n]) => n > 1 && !excused(value));
      t.same(duplicates, [], 'no message consumed twice but after a commit refused by a rebalance');
      const errors = members.flatMap((m) => m.errors).filter((e) => !/^commit_error: /.test(e) || !raced(e));
      t.same(errors, [], 'no commit or consume errors but commits racing a rebalance');
      await waitFor(
        async () => (await committedAndLag(running.bootstrap, group, topic)).committed === 180,
        10_000,
        'offsets committed',
      );
      t.same(
        await committedAndLag(running.bootstrap, group, topic),
        { committed: 180, lag: 0 },
        'committed offsets at the end, lag 0',
      );
      await Promise.all(members.map((m) => m.stop()));
    },
  );
}
