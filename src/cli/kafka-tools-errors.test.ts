/**
 * The mistakes operators make with Kafka's admin tools (bin/kafka/<tool>.sh as processes against a
 * broker on 127.0.0.1), and what Kafka 3.9's tools print for them: the Java exception's class and
 * message where Kafka prints an exception (TopicCommand's log4j line, ConfigCommand's and
 * ConsumerGroupCommand's ExecutionException, the mainNoExit of the Java tools), and their exit codes.
 * An active group is a kafkajs consumer.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { CLI_SKIP } from '../../test/helpers/cli.js';
import { brokerWithAdmin, kafkaTool } from '../../test/helpers/kafka-tools.js';

const LOG4J = /^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}\] ERROR /;

t.test('kafka-topics: the exception of each mistake, as TopicCommand logs it', { skip: CLI_SKIP }, async (t) => {
  t.setTimeout(60_000);
  const { b } = await brokerWithAdmin(t);
  const topics = (...args: string[]) => kafkaTool('kafka-topics', [...args, '--bootstrap-server', b]);
  t.equal((await topics('--create', '--topic', 'x')).code, 0);

  const cases: Array<[string[], string, string]> = [
    [['--create', '--topic', 'x'], 'org.apache.kafka.common.errors.TopicExistsException', "Topic 'x' already exists."],
    [
      ['--describe', '--topic', 'nope'],
      'java.lang.IllegalArgumentException',
      "Topic 'Optional[nope]' does not exist as expected",
    ],
    [
      ['--create', '--topic', 'y', '--partitions', '0'],
      'java.lang.IllegalArgumentException',
      'The partitions must be greater than 0',
    ],
    [
      ['--create', '--topic', 'y', '--replication-factor', '3'],
      'org.apache.kafka.common.errors.InvalidReplicationFactorException',
      'Unable to replicate the partition 3 time(s): The target replication factor of 3 cannot be reached because only 1 broker(s) are registered.',
    ],
    [
      ['--create', '--topic', 'y', '--config', 'no.such.config=1'],
      'org.apache.kafka.common.errors.InvalidConfigurationException',
      'Unknown topic config name: no.such.config',
    ],
  ];
  for (const [args, javaClass, message] of cases) {
    const r = await topics(...args);
    t.equal(r.code, 1, args.join(' '));
    t.equal(r.stdout, `Error while executing topic command : ${message}\n`);
    const lines = r.stderr.split('\n');
    t.match(lines[0], LOG4J);
    t.equal(lines[0]!.replace(LOG4J, ''), `${javaClass}: ${message}`);
    t.same(lines.slice(1), [' (org.apache.kafka.tools.TopicCommand)', '']);
  }

  const noServer = await kafkaTool('kafka-topics', ['--create', '--topic', 'y']);
  t.equal(noServer.code, 1);
  t.equal(
    noServer.stderr,
    '--bootstrap-server must be specified\njava.lang.IllegalArgumentException: --bootstrap-server must be specified\n',
  );
  const zookeeper = await kafkaTool('kafka-topics', ['--list', '--zookeeper', 'localhost:2181']);
  t.equal(zookeeper.code, 1);
  t.equal(
    zookeeper.stderr,
    'zookeeper is not a recognized option\njoptsimple.UnrecognizedOptionException: zookeeper is not a recognized option\n',
  );
});

t.test('kafka-configs: a failed call is its ExecutionException', { skip: CLI_SKIP }, async (t) => {
  t.setTimeout(60_000);
  const { b, admin } = await brokerWithAdmin(t);
  await admin.createTopics({ topics: [{ topic: 'x' }] });
  const args = [
    '--bootstrap-server',
    b,
    '--alter',
    '--entity-type',
    'topics',
    '--entity-name',
    'x',
    '--add-config',
    'no.such=1',
  ];
  const unknown = await kafkaTool('kafka-configs', args);
  t.equal(unknown.code, 1);
  t.equal(
    unknown.stderr,
    `Error while executing config command with args '${args.join(' ')}'\n` +
      'java.util.concurrent.ExecutionException: org.apache.kafka.common.errors.InvalidConfigurationException: Unknown topic config name: no.such\n',
  );
  const describeArgs = ['--bootstrap-server', b, '--describe', '--entity-type', 'topics', '--entity-name', 'nope'];
  const missing = await kafkaTool('kafka-configs', describeArgs);
  t.equal(missing.code, 1);
  t.equal(missing.stdout, 'Dynamic configs for topic nope are:\n');
  t.equal(
    missing.stderr,
    `Error while executing config command with args '${describeArgs.join(' ')}'\n` +
      'java.util.concurrent.ExecutionException: org.apache.kafka.common.errors.UnknownTopicOrPartitionException: This server does not host this topic-partition.\n',
  );
});

t.test(
  'kafka-consumer-groups, kafka-delete-records, kafka-leader-election: the mistakes',
  { skip: CLI_SKIP },
  async (t) => {
    t.setTimeout(90_000);
    const { b, admin, kafka } = await brokerWithAdmin(t);
    await admin.createTopics({ topics: [{ topic: 'x' }], waitForLeaders: true });
    const consumer = kafka.consumer({ groupId: 'active' });
    await consumer.connect();
    t.teardown(() => consumer.disconnect());
    await consumer.subscribe({ topic: 'x', fromBeginning: true });
    const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
    void consumer.run({ eachMessage: async () => undefined });
    await joined;
    const groups = (...args: string[]) => kafkaTool('kafka-consumer-groups', [...args, '--bootstrap-server', b]);

    const described = await groups('--describe', '--group', 'nope');
    t.equal(described.code, 0);
    t.equal(described.stdout, "\nError: Consumer group 'nope' does not exist.\n");

    const deleted = await groups('--delete', '--group', 'active', '--group', 'nope');
    t.equal(deleted.code, 0);
    t.equal(
      deleted.stdout.split('\n').sort().join('\n'),
      [
        '',
        '',
        'Error: Deletion of some consumer groups failed:',
        "* Group 'active' could not be deleted due to: java.util.concurrent.ExecutionException: org.apache.kafka.common.errors.GroupNotEmptyException: The group is not empty.",
        "* Group 'nope' could not be deleted due to: java.util.concurrent.ExecutionException: org.apache.kafka.common.errors.GroupIdNotFoundException: The group id does not exist.",
      ]
        .sort()
        .join('\n'),
    );

    const reset = await groups('--reset-offsets', '--group', 'active', '--topic', 'x', '--to-earliest', '--execute');
    t.equal(reset.code, 0);
    t.equal(
      reset.stdout,
      "\nError: Assignments can only be reset if the group 'active' is inactive, but the current state is Stable.\n\n" +
        `${'GROUP'.padEnd(30)} ${'TOPIC'.padEnd(30)} ${'PARTITION'.padEnd(10)} ${'NEW-OFFSET'.padEnd(15)}\n`,
    );
    const resetMissing = await groups(
      '--reset-offsets',
      '--group',
      'idle',
      '--topic',
      'nope',
      '--to-earliest',
      '--execute',
    );
    t.equal(resetMissing.code, 0);
    t.equal(
      resetMissing.stdout,
      '\nError: Executing consumer group command failed due to java.util.concurrent.ExecutionException: org.apache.kafka.common.errors.UnknownTopicOrPartitionException: This server does not host this topic-partition.\n',
    );

    const dir = mkdtempSync(join(tmpdir(), 'gregor-tool-errors-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const noFile = join(dir, 'offsets.json');
    const records = await kafkaTool('kafka-delete-records', ['--bootstrap-server', b, '--offset-json-file', noFile]);
    t.equal(records.code, 1);
    t.equal(records.stderr, `${noFile}\njava.nio.file.NoSuchFileException: ${noFile}\n`);

    const election = await kafkaTool('kafka-leader-election', [
      '--bootstrap-server',
      b,
      '--election-type',
      'PREFERRED',
      '--topic',
      'nope',
      '--partition',
      '0',
    ]);
    t.equal(election.code, 1);
    t.equal(
      election.stderr,
      '1 replica(s) could not be elected\norg.apache.kafka.server.common.AdminCommandFailedException: 1 replica(s) could not be elected\n',
    );
  },
);
