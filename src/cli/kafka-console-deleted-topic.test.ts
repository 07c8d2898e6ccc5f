/**
 * kafka-console-consumer.sh reading a topic that is deleted under it, as users delete a topic while a
 * consumer still runs: Kafka's consumer does not fail (its FetchCollector logs "Received unknown topic
 * or partition error in fetch for partition t-0" at WARN and asks for new metadata) and polls on, so
 * the tool ends only at --timeout-ms (or a signal), counting what it printed. Gregor's tool stopped at
 * once with "ERROR Unknown error when running consumer ... Fetch t-0: UNKNOWN_TOPIC_OR_PARTITION",
 * exit 1, and "Processed a total of 0 messages" after printing one.
 */
import t from 'tap';
import { CLI_SKIP } from '../../test/helpers/cli.js';
import { brokerWithAdmin, startKafkaTool } from '../../test/helpers/kafka-tools.js';
import { pollUntil } from '../../test/helpers/poll.js';

t.test('a console consumer whose topic is deleted while it reads', { skip: CLI_SKIP }, async (t) => {
  const { b, kafka, admin } = await brokerWithAdmin(t);
  await admin.createTopics({ topics: [{ topic: 'deleted-later', numPartitions: 1 }], waitForLeaders: true });
  const producer = kafka.producer();
  await producer.connect();
  t.teardown(() => producer.disconnect());
  await producer.send({ topic: 'deleted-later', messages: [{ value: 'before the delete' }] });

  const consumer = startKafkaTool('kafka-console-consumer', [
    '--bootstrap-server', b, '--topic', 'deleted-later', '--group', 'reader', '--from-beginning',
    '--timeout-ms', '8000',
  ]); // prettier-ignore
  t.teardown(() => consumer.stop('SIGKILL'));
  await pollUntil('the consumer printed the record', 30_000, async () =>
    consumer.output().stdout.includes('before the delete\n') ? true : null,
  );
  await admin.deleteTopics({ topics: ['deleted-later'] });
  await pollUntil('the consumer warned of the deleted partition', 30_000, async () =>
    /WARN \[Consumer clientId=console-consumer, groupId=reader\] Received unknown topic (or partition|ID) error in fetch for partition deleted-later-0 \(org\.apache\.kafka\.clients\.consumer\.internals\.FetchCollector\)/.test(
      consumer.output().stderr,
    )
      ? true
      : null,
  );
  const code = await consumer.exited;
  const { stdout, stderr } = consumer.output();
  t.equal(code, 0, stderr);
  t.notMatch(stderr, /Unknown error when running consumer/);
  t.match(stderr, /Processed a total of 1 messages/);
  t.equal(stdout, 'before the delete\n');
});
