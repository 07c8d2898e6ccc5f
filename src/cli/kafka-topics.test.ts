/**
 * kafka-topics.sh's other actions as processes (bin/kafka/kafka-topics.sh) against a broker on
 * 127.0.0.1: --create with partitions, configs and a replica assignment, --describe with a regular
 * expression and --topics-with-overrides, --alter --partitions (checked with kafkajs), --delete
 * (--if-exists), and the mistakes: --config with --alter, a partition count that is not a number.
 * --describe --topic-id: the topic of that id as by name, an unknown id, a malformed one.
 */
import t from 'tap';
import { Kafka, logLevel } from 'kafkajs';
import { brokerFor } from '../../test/helpers/broker.js';
import { CLI_SKIP } from '../../test/helpers/cli.js';
import { kafkaTool } from '../../test/helpers/kafka-tools.js';

t.test('kafka-topics: partitions, configs, regex describe, alter, delete', { skip: CLI_SKIP }, async (t) => {
  t.setTimeout(90_000);
  const broker = await brokerFor(t);
  const b = broker.bootstrap;
  const created = await kafkaTool('kafka-topics', [
    '--create',
    '--topic',
    'orders.v1',
    '--partitions',
    '3',
    '--replication-factor',
    '1',
    '--config',
    'retention.ms=3600000',
    '--config',
    'cleanup.policy=compact',
    '--bootstrap-server',
    b,
  ]);
  t.equal(created.code, 0, created.stderr);
  t.match(
    created.stdout,
    /^WARNING: Due to limitations in metric names, topics with a period \('.'\) or underscore \('_'\) could collide.*\nCreated topic orders.v1.\n$/,
  );
  await kafkaTool('kafka-topics', [
    '--create',
    '--topic',
    'payments',
    '--replica-assignment',
    '1,1',
    '--bootstrap-server',
    b,
  ]);
  const d = await kafkaTool('kafka-topics', ['--describe', '--topic', 'orders.*', '--bootstrap-server', b]);
  const lines = d.stdout.trimEnd().split('\n');
  t.equal(lines.length, 4, 'a topic line and three partition lines');
  t.match(
    lines[0],
    /\tPartitionCount: 3\tReplicationFactor: 1\tConfigs: (.*,)?cleanup.policy=compact,(.*,)?retention.ms=3600000/,
  );
  t.same(
    lines.slice(1).map((l) => /Partition: (\d+)/.exec(l)?.[1]),
    ['0', '1', '2'],
  );
  const both = await kafkaTool('kafka-topics', ['--describe', '--bootstrap-server', b, '--exclude-internal']);
  t.match(both.stdout, /^Topic: orders.v1\t[^]*\nTopic: payments\tTopicId: \S+\tPartitionCount: 2\t/m);
  const overrides = await kafkaTool('kafka-topics', [
    '--describe',
    '--topics-with-overrides',
    '--bootstrap-server',
    b,
    '--exclude-internal',
  ]);
  t.match(overrides.stdout, /^Topic: orders.v1/);
  t.notMatch(overrides.stdout, /\tPartition: /, '--topics-with-overrides prints no partitions');
  t.notMatch(overrides.stdout, /payments/, 'a topic without overrides is left out');
  const altered = await kafkaTool('kafka-topics', [
    '--alter',
    '--topic',
    'orders.v1',
    '--partitions',
    '5',
    '--bootstrap-server',
    b,
  ]);
  t.equal(altered.code, 0, altered.stdout + altered.stderr);
  const kafka = new Kafka({ brokers: [b], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  const meta = await admin.fetchTopicMetadata({ topics: ['orders.v1'] });
  t.equal(meta.topics[0]?.partitions.length, 5, 'kafkajs sees the new partition count');
  const alterConfig = await kafkaTool('kafka-topics', [
    '--alter',
    '--topic',
    'orders.v1',
    '--partitions',
    '6',
    '--config',
    'x=y',
    '--bootstrap-server',
    b,
  ]);
  t.equal(alterConfig.code, 1);
  t.match(
    alterConfig.stderr,
    /^Option combination "\[bootstrap-server, config\]" can't be used with option "\[alter\]"/,
  );
  const deleted = await kafkaTool('kafka-topics', ['--delete', '--topic', 'orders.v1', '--bootstrap-server', b]);
  t.equal(deleted.code, 0, deleted.stdout);
  t.notOk((await admin.listTopics()).includes('orders.v1'), 'the topic is gone');
  const deleteMissing = await kafkaTool('kafka-topics', [
    '--delete',
    '--topic',
    'orders.v1',
    '--if-exists',
    '--bootstrap-server',
    b,
  ]);
  t.equal(deleteMissing.code, 0, '--if-exists: nothing to delete is no error');
  const badPartitions = await kafkaTool('kafka-topics', [
    '--create',
    '--topic',
    'z',
    '--partitions',
    'three',
    '--bootstrap-server',
    b,
  ]);
  t.equal(badPartitions.code, 1);
  t.equal(
    badPartitions.stderr,
    "Cannot parse argument 'three' of option partitions\njoptsimple.OptionArgumentConversionException: Cannot parse argument 'three' of option partitions\n",
  );
});

t.test('kafka-topics --describe --topic-id: by id, an unknown id, a malformed one', { skip: CLI_SKIP }, async (t) => {
  t.setTimeout(60_000);
  const broker = await brokerFor(t);
  const b = broker.bootstrap;
  const created = await kafkaTool('kafka-topics', ['--create', '--topic', 'by-id', '--bootstrap-server', b]);
  t.equal(created.code, 0, created.stderr);
  const id = broker.broker.controller.image.topicsByName.get('by-id')!.topicId;
  const byName = await kafkaTool('kafka-topics', ['--describe', '--topic', 'by-id', '--bootstrap-server', b]);
  const byId = await kafkaTool('kafka-topics', ['--describe', '--topic-id', id, '--bootstrap-server', b]);
  t.equal(byId.code, 0, byId.stderr);
  t.equal(byId.stdout, byName.stdout, 'the same description as by name');
  t.match(byId.stdout, new RegExp(`^Topic: by-id\\tTopicId: ${id}\\t`));
  const unknown = await kafkaTool('kafka-topics', [
    '--describe',
    '--topic-id',
    'AAAAAAAAAAAAAAAAAAAAAB',
    '--bootstrap-server',
    b,
  ]);
  t.equal(unknown.code, 1);
  t.equal(
    unknown.stdout,
    "Error while executing topic command : TopicId 'AAAAAAAAAAAAAAAAAAAAAB' does not exist as expected\n",
  );
  const ifExists = await kafkaTool('kafka-topics', [
    '--describe',
    '--topic-id',
    'AAAAAAAAAAAAAAAAAAAAAB',
    '--if-exists',
    '--bootstrap-server',
    b,
  ]);
  t.same([ifExists.code, ifExists.stdout], [0, ''], '--if-exists: nothing, exit 0');
  const malformed = await kafkaTool('kafka-topics', ['--describe', '--topic-id', 'xyz', '--bootstrap-server', b]);
  t.equal(malformed.code, 1);
  t.match(
    malformed.stdout,
    /Input string `xyz` decoded as 2 bytes, which is not equal to the expected 16 bytes of a base64-encoded UUID/,
  );
});
