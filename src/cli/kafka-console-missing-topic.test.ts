/**
 * kafka-console-consumer.sh started on a topic that does not exist yet, as users start it before
 * the producer: Kafka's consumer (allow.auto.create.topics=true by default) asks the broker to
 * auto-create it, joins its group with nothing assigned and reads what is then produced; with
 * allow.auto.create.topics=false it waits, and reads the topic once someone creates it (the group
 * rebalances when the topic appears); with --partition (assign) it auto-creates the topic and waits for a
 * partition not there yet. Gregor's tool stopped at once: "ERROR Unknown error when
 * running consumer: topic t: UNKNOWN_TOPIC_OR_PARTITION", exit 1.
 */
import t from 'tap';
import { CLI_SKIP } from '../../test/helpers/cli.js';
import { brokerWithAdmin, startKafkaTool } from '../../test/helpers/kafka-tools.js';
import { pollUntil } from '../../test/helpers/poll.js';

t.test('a console consumer started before its topic exists', { skip: CLI_SKIP }, async (t) => {
  const { b, kafka, admin } = await brokerWithAdmin(t);
  const producer = kafka.producer();
  await producer.connect();
  t.teardown(() => producer.disconnect());

  t.test('auto-created by the consumer, as the Java consumer asks', async (t) => {
    const consumer = startKafkaTool('kafka-console-consumer', [
      '--bootstrap-server', b, '--topic', 'made-by-consumer', '--group', 'early-1',
    ]); // prettier-ignore
    t.teardown(() => consumer.stop('SIGKILL'));
    await pollUntil('the consumer had the topic created', 30_000, async () =>
      (await admin.listTopics()).includes('made-by-consumer') ? true : null,
    );
    // The member has joined and reads from the end (auto.offset.reset=latest): produce until it prints.
    await pollUntil('the consumer printed a record', 30_000, async () => {
      await producer.send({ topic: 'made-by-consumer', messages: [{ value: 'hello' }] });
      return consumer.output().stdout.includes('hello\n') ? true : null;
    });
    t.equal(await consumer.stop('SIGTERM'), 143, consumer.output().stderr);
    t.notMatch(consumer.output().stderr, /ERROR/);
  });

  t.test('allow.auto.create.topics=false: it waits for the topic', async (t) => {
    const consumer = startKafkaTool('kafka-console-consumer', [
      '--bootstrap-server', b, '--topic', 'made-later', '--group', 'early-2', '--from-beginning',
      '--consumer-property', 'allow.auto.create.topics=false',
    ]); // prettier-ignore
    t.teardown(() => consumer.stop('SIGKILL'));
    const exitedEarly = await Promise.race([
      consumer.exited.then(() => true),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 3000)),
    ]);
    t.notOk(exitedEarly, `still waiting for the topic: ${consumer.output().stderr}`);
    t.notOk((await admin.listTopics()).includes('made-later'), 'the consumer created nothing');
    // Kafka's consumer warns of each metadata answer without the topic (its NetworkClient, WARN on stderr).
    t.match(
      consumer.output().stderr,
      /^\[[^\]]+\] WARN \[Consumer clientId=console-consumer, groupId=early-2\] The metadata response from the cluster reported a recoverable issue with correlation id \d+ : \{made-later=UNKNOWN_TOPIC_OR_PARTITION\} \(org\.apache\.kafka\.clients\.NetworkClient\)$/m,
    );
    await admin.createTopics({ topics: [{ topic: 'made-later', numPartitions: 2 }], waitForLeaders: true });
    await producer.send({
      topic: 'made-later',
      messages: [
        { value: 'one', partition: 0 },
        { value: 'two', partition: 1 },
      ],
    });
    await consumer.waitForStdout((out) => out.includes('one\n') && out.includes('two\n'), 30_000);
    t.equal(await consumer.stop('SIGTERM'), 143, consumer.output().stderr);
  });

  t.test('--partition: the topic is auto-created, a partition not there yet is waited for', async (t) => {
    // assign() in Kafka's ConsoleConsumer: the consumer's metadata request auto-creates the topic, and
    // a partition that does not exist yet is waited for. Gregor's tool stopped after the metadata
    // retries ("Partition ... does not exist", exit 1) and never asked for the topic to be created.
    const consumer = startKafkaTool('kafka-console-consumer', [
      '--bootstrap-server', b, '--topic', 'assigned-early', '--partition', '2', '--offset', 'earliest',
    ]); // prettier-ignore
    t.teardown(() => consumer.stop('SIGKILL'));
    await pollUntil('the consumer had the topic created', 30_000, async () =>
      (await admin.listTopics()).includes('assigned-early') ? true : null,
    );
    await admin.createPartitions({ topicPartitions: [{ topic: 'assigned-early', count: 3 }] });
    await pollUntil('partition 2 has a leader', 30_000, async () => {
      const [topic] = (await admin.fetchTopicMetadata({ topics: ['assigned-early'] })).topics;
      return topic?.partitions.some((p) => p.partitionId === 2 && p.leader >= 0) ? true : null;
    });
    await producer.send({ topic: 'assigned-early', messages: [{ value: 'on-two', partition: 2 }] });
    await consumer.waitForStdout((out) => out.includes('on-two\n'), 30_000);
    t.equal(await consumer.stop('SIGTERM'), 143, consumer.output().stderr);
    t.notMatch(consumer.output().stderr, /ERROR/);
  });
});
