/**
 * kafka-consumer-groups --delete-offsets as Kafka 3.9's ConsumerGroupService.deleteOffsets prints it:
 * a group still subscribed to the topic gets "Error: Encounter some partition level error, see the
 * follow-up details:" (the call's all() fails with the first partition's error; before, Gregor said
 * "Request succeed"), and each row shows the exception its future failed with as ExecutionException's
 * message, class and text ("Error: :org.apache.kafka.common.errors.GroupSubscribedToTopicException:
 * Deleting offsets of a topic is forbidden while the consumer group is actively subscribed to it.").
 * A group-level error (no such group) fails every partition asked for, one row each (before: none).
 * The group is a kafkajs consumer; the tool runs in-process.
 */
import t from 'tap';
import { gregorInProcess } from '../../test/helpers/cli-in-process.js';
import { brokerWithAdmin } from '../../test/helpers/kafka-tools.js';

const row = (topic: string, partition: string, status: string): string =>
  `\n${topic.padEnd(30)} ${partition.padEnd(15)} ${status.padEnd(15)}`;
const HEADER = row('TOPIC', 'PARTITION', 'STATUS');
const SUBSCRIBED =
  'Error: :org.apache.kafka.common.errors.GroupSubscribedToTopicException: Deleting offsets of a topic is forbidden while the consumer group is actively subscribed to it.';

t.test('--delete-offsets on an active group, an unknown group and an unknown topic', async (t) => {
  const { b, kafka, admin } = await brokerWithAdmin(t);
  await admin.createTopics({ topics: [{ topic: 'events', numPartitions: 2 }], waitForLeaders: true });
  const consumer = kafka.consumer({ groupId: 'active' });
  await consumer.connect();
  t.teardown(() => consumer.disconnect());
  await consumer.subscribe({ topic: 'events', fromBeginning: true });
  const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
  void consumer.run({ eachMessage: async () => undefined });
  await joined;
  const tool = (group: string, ...topics: string[]): Promise<{ code: number; stdout: string }> =>
    gregorInProcess([
      'kafka-consumer-groups',
      '--bootstrap-server',
      b,
      '--delete-offsets',
      '--group',
      group,
      ...topics.flatMap((topic) => ['--topic', topic]),
    ]);

  const active = await tool('active', 'events', 'nosuch');
  t.equal(active.code, 0);
  t.equal(
    active.stdout,
    '\nError: Encounter some partition level error, see the follow-up details:\n' +
      HEADER +
      row('events', '0', SUBSCRIBED) +
      row('events', '1', SUBSCRIBED) +
      row(
        'nosuch',
        'Not Provided',
        'Error: :org.apache.kafka.common.errors.UnknownTopicOrPartitionException: This server does not host this topic-partition.',
      ) +
      '\n',
  );

  const missing = await tool('nogroup', 'events:1');
  t.equal(
    missing.stdout,
    "\nError: 'nogroup' does not exist.\n" +
      HEADER +
      row(
        'events',
        '1',
        'Error: :org.apache.kafka.common.errors.GroupIdNotFoundException: The group id does not exist.',
      ) +
      '\n',
  );

  await consumer.disconnect();
  await admin.setOffsets({ groupId: 'active', topic: 'events', partitions: [{ partition: 0, offset: '0' }] });
  const done = await tool('active', 'events:0');
  t.equal(
    done.stdout,
    'Request succeed for deleting offsets with topic events:0 group active\n' +
      HEADER +
      row('events', '0', 'Successful') +
      '\n',
  );
});
