/**
 * kcat balanced consumers (`kcat -G`, librdkafka 2.0.2) in one group: two members with
 * an eager assignor (roundrobin) and two with cooperative-sticky split four partitions;
 * one is stopped (SIGTERM: kcat closes the consumer, committing and leaving), the
 * other takes everything over and no message is lost or consumed twice, since kcat
 * auto-commits its consumed offsets on revocation and on close. Skips without kcat.
 */
import t from 'tap';
import { brokerFor } from '../../test/helpers/broker.js';
import { createTopic } from '../../test/helpers/topics.js';
import { hasCommand } from '../../test/helpers/external.js';
import {
  balanced,
  committedAndLag,
  consumptionCounts,
  describeMembers,
  produceSpread,
  startKcatMember,
  waitFor,
  type GroupMember,
} from './groups-members.js';

const available = hasCommand('kcat');
const PARTITIONS = 4;

for (const strategy of ['roundrobin', 'cooperative-sticky']) {
  t.test(
    `kcat -G ${strategy}: two members, one stops, each message once`,
    { skip: available ? false : 'kcat is not installed' },
    async (t) => {
      const running = await brokerFor(t, { config: { 'group.min.session.timeout.ms': 1000 } });
      const topic = `kcat-${strategy}`;
      const group = `g-kcat-${strategy}`;
      createTopic(running, topic, { partitions: PARTITIONS });
      const settings = [
        `partition.assignment.strategy=${strategy}`,
        'session.timeout.ms=6000',
        'heartbeat.interval.ms=100',
        'max.poll.interval.ms=20000',
        'auto.offset.reset=earliest',
        'auto.commit.interval.ms=200',
        'fetch.wait.max.ms=100',
        'topic.metadata.refresh.interval.ms=1000',
      ].flatMap((s) => ['-X', s]);
      const members: GroupMember[] = [];
      t.teardown(() => members.forEach((m) => m.kill()));
      const state = () => describeMembers(members);
      members.push(startKcatMember('a', running.bootstrap, group, topic, settings));
      members.push(startKcatMember('b', running.bootstrap, group, topic, settings));
      await waitFor(() => balanced(members, PARTITIONS), 30_000, 'two members sharing four partitions', state);

      const first = Array.from({ length: 40 }, (_, i) => `a${i}`);
      await produceSpread(running.bootstrap, topic, first, PARTITIONS);
      await waitFor(() => consumptionCounts(members).size >= 40, 20_000, 'first 40 consumed', state);
      t.ok(
        members.every((m) => m.messages.length > 0),
        'both members consumed',
      );

      await members[1]!.stop();
      await waitFor(() => members[0]!.assignment.length === PARTITIONS, 30_000, 'a owning all four partitions', state);
      const second = Array.from({ length: 40 }, (_, i) => `b${i}`);
      await produceSpread(running.bootstrap, topic, second, PARTITIONS);
      await waitFor(() => consumptionCounts(members).size >= 80, 20_000, 'all 80 consumed', state);

      const counts = consumptionCounts(members);
      t.equal(counts.size, 80, 'every message consumed');
      t.same(
        [...counts].filter(([, n]) => n > 1),
        [],
        'no message consumed twice',
      );
      await waitFor(
        async () => (await committedAndLag(running.bootstrap, group, topic)).committed === 80,
        10_000,
        'offsets auto-committed',
      );
      t.same(await committedAndLag(running.bootstrap, group, topic), { committed: 80, lag: 0 }, 'lag 0');
      await members[0]!.stop();
    },
  );
}
