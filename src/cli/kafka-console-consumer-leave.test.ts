/**
 * kafka-console-consumer.sh --group g --timeout-ms N, with no record coming: Kafka 3.9's ConsoleConsumer
 * ends with a TimeoutException and closes its consumer, which commits and sends LeaveGroup, so the
 * group is Empty at once and kafka-consumer-groups.sh --reset-offsets may run right after. Gregor's left
 * the member in the group until its session timed out (45 s) when the deadline fell during a fetch.
 */
import t from 'tap';
import { CLI_SKIP } from '../../test/helpers/cli.js';
import { brokerWithAdmin, kafkaTool } from '../../test/helpers/kafka-tools.js';

t.test('a console consumer that times out leaves its group', { skip: CLI_SKIP }, async (t) => {
  t.setTimeout(90_000);
  const { b, admin } = await brokerWithAdmin(t);
  await admin.createTopics({ topics: [{ topic: 'quiet', numPartitions: 1 }] });
  for (const timeoutMs of ['4000', '4250']) {
    const group = `leaver-${timeoutMs}`;
    const consumed = await kafkaTool('kafka-console-consumer', [
      '--bootstrap-server',
      b,
      '--topic',
      'quiet',
      '--group',
      group,
      '--timeout-ms',
      timeoutMs,
    ]);
    t.equal(consumed.code, 0, consumed.stderr);
    t.match(consumed.stderr, /TimeoutException\nProcessed a total of 0 messages\n$/);
    const described = await admin.describeGroups([group]);
    t.equal(described.groups[0]?.state, 'Empty', `group ${group} is empty once the tool ended`);
    t.equal(described.groups[0]?.members.length, 0);
    const reset = await kafkaTool('kafka-consumer-groups', [
      '--bootstrap-server',
      b,
      '--reset-offsets',
      '--group',
      group,
      '--topic',
      'quiet',
      '--to-earliest',
      '--execute',
    ]);
    t.equal(reset.code, 0, reset.stderr);
    t.match(reset.stdout, new RegExp(`${group} +quiet +0 +0 *\\n`), reset.stdout);
  }
});
