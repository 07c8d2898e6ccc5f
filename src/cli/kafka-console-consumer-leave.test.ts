/**
 * A console consumer of a group that times out (--timeout-ms) while its first JoinGroup still waits
 * for the rebalance (group.initial.rebalance.delay.ms, Kafka's default 3 s, longer than the timeout)
 * leaves the group as Kafka's consumer close() does (LeaveGroup with the member id the coordinator
 * gave it): the group is empty at once, so kafka-consumer-groups --reset-offsets and --delete work
 * right after. Gregor left the member behind until its session timed out (45 s), the group stuck in a
 * rebalance.
 */
import t from 'tap';
import { CLI_SKIP } from '../../test/helpers/cli.js';
import { brokerWithAdmin, kafkaTool } from '../../test/helpers/kafka-tools.js';

t.test('timed out while joining: the consumer leaves the group', { skip: CLI_SKIP }, async (t) => {
  t.setTimeout(60_000);
  const { b, admin } = await brokerWithAdmin(t, { config: { 'group.initial.rebalance.delay.ms': 3000 } });
  await admin.createTopics({ topics: [{ topic: 'events' }], waitForLeaders: true });
  const consumed = await kafkaTool('kafka-console-consumer', [
    '--bootstrap-server',
    b,
    '--topic',
    'events',
    '--group',
    'g1',
    '--from-beginning',
    '--timeout-ms',
    '1000',
  ]);
  t.equal(consumed.code, 0);
  t.match(consumed.stderr, 'org.apache.kafka.common.errors.TimeoutException');
  const [group] = (await admin.describeGroups(['g1'])).groups;
  t.equal(group?.members.length, 0, 'no member left behind');
  t.equal(group?.state, 'Empty');
  const deleted = await kafkaTool('kafka-consumer-groups', ['--bootstrap-server', b, '--delete', '--group', 'g1']);
  t.equal(deleted.code, 0);
  t.match(deleted.stdout, "Deletion of requested consumer groups ('g1') was successful.");
});
