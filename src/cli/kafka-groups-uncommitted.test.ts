/**
 * kafka-consumer-groups.sh --describe of a member's partitions that have no committed offset, as
 * Kafka 3.9's ConsumerGroupCommand prints them: CURRENT-OFFSET and LAG "-", LOG-END-OFFSET the
 * partition's end offset (Gregor printed "-" there too). A console consumer without --group joins a
 * generated group and commits nothing; records are produced with kafkajs.
 */
import t from 'tap';
import { CLI_SKIP } from '../../test/helpers/cli.js';
import { brokerWithAdmin, kafkaTool, startKafkaTool } from '../../test/helpers/kafka-tools.js';

const lines = (text: string): string[] => text.split('\n').filter((l) => l !== '');

t.test('partitions without a committed offset show their log end offset', { skip: CLI_SKIP }, async (t) => {
  t.setTimeout(120_000);
  const { b, kafka, admin } = await brokerWithAdmin(t);
  await admin.createTopics({ topics: [{ topic: 'uncommitted', numPartitions: 2 }] });
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({
    topic: 'uncommitted',
    messages: [
      { value: 'a', partition: 0 },
      { value: 'b', partition: 1 },
      { value: 'c', partition: 1 },
    ],
  });
  await producer.disconnect();
  const consumer = startKafkaTool('kafka-console-consumer', [
    '--bootstrap-server',
    b,
    '--topic',
    'uncommitted',
    '--from-beginning',
  ]);
  t.teardown(() => consumer.stop('SIGKILL'));
  await consumer.waitForStdout((out) => lines(out).length === 3);
  const listed = await kafkaTool('kafka-consumer-groups', ['--bootstrap-server', b, '--list']);
  const group = lines(listed.stdout).find((g) => g.startsWith('console-consumer-'));
  t.ok(group, listed.stdout);
  const described = await kafkaTool('kafka-consumer-groups', [
    '--bootstrap-server',
    b,
    '--describe',
    '--group',
    group!,
  ]);
  t.equal(described.code, 0, described.stderr);
  const rows = lines(described.stdout)
    .slice(1)
    .map((l) => l.split(/\s+/).slice(1, 6));
  t.same(
    rows.sort((x, y) => Number(x[1]) - Number(y[1])),
    [
      ['uncommitted', '0', '-', '1', '-'],
      ['uncommitted', '1', '-', '2', '-'],
    ],
    'TOPIC PARTITION CURRENT-OFFSET LOG-END-OFFSET LAG',
  );
});
