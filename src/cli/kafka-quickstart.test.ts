/**
 * Kafka's quickstart, word for word, with the files bin/kafka/kafka-*.sh run as processes against
 * a broker on 127.0.0.1: kafka-topics.sh --create / --describe (Kafka 3.9's describe format),
 * kafka-console-producer.sh reading stdin lines, kafka-console-consumer.sh --from-beginning until
 * Ctrl-C (SIGINT) with "Processed a total of N messages"; then the user mistakes (a missing
 * --topic, a topic that exists, an unknown option) with Kafka's messages and exit codes.
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import { brokerFor } from '../../test/helpers/broker.js';
import { CLI_SKIP } from '../../test/helpers/cli.js';
import { KAFKA_BIN, kafkaTool, TOOL_ENV } from '../../test/helpers/kafka-tools.js';

t.test('the Kafka quickstart against Gregor', { skip: CLI_SKIP }, async (t) => {
  t.setTimeout(90_000);
  const broker = await brokerFor(t);
  const b = broker.bootstrap;

  const created = await kafkaTool('kafka-topics', [
    '--create',
    '--topic',
    'quickstart-events',
    '--bootstrap-server',
    b,
  ]);
  t.equal(created.code, 0, created.stderr);
  t.equal(created.stdout, 'Created topic quickstart-events.\n');

  const described = await kafkaTool('kafka-topics', [
    '--describe',
    '--topic',
    'quickstart-events',
    '--bootstrap-server',
    b,
  ]);
  t.equal(described.code, 0, described.stderr);
  const lines = described.stdout.split('\n');
  t.match(
    lines[0],
    /^Topic: quickstart-events\tTopicId: [A-Za-z0-9_-]{22}\tPartitionCount: 1\tReplicationFactor: 1\tConfigs: /,
  );
  t.match(
    lines[1],
    /^\tTopic: quickstart-events\tPartition: 0\tLeader: \d+\tReplicas: \d+\tIsr: \d+\tElr: (N\/A|[\d,]*)\tLastKnownElr: (N\/A|[\d,]*)$/,
  );
  t.equal(lines.length, 3, 'one topic line, one partition line, the final newline');

  const produced = await kafkaTool(
    'kafka-console-producer',
    ['--topic', 'quickstart-events', '--bootstrap-server', b],
    'This is my first event\nThis is my second event\n',
  );
  t.equal(produced.code, 0, produced.stderr);
  t.equal(produced.stdout, '', 'no prompt when stdin is not a terminal');

  // The consumer runs until Ctrl-C, as in the quickstart.
  const consumer = spawn(
    `${KAFKA_BIN}kafka-console-consumer.sh`,
    ['--topic', 'quickstart-events', '--from-beginning', '--bootstrap-server', b],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...TOOL_ENV },
    },
  );
  let out = '';
  let err = '';
  consumer.stdout.on('data', (d: Buffer) => (out += d.toString()));
  consumer.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => consumer.on('exit', (code) => resolve(code)));
  const deadline = Date.now() + 30_000;
  while (!out.includes('This is my second event\n') && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 50));
  consumer.kill('SIGINT');
  const code = await exited;
  t.equal(out, 'This is my first event\nThis is my second event\n');
  t.match(err, /Processed a total of 2 messages\n$/);
  t.equal(code, 130, 'Ctrl-C: 128 + SIGINT, as the JVM exits');

  const listed = await kafkaTool('kafka-topics', ['--list', '--bootstrap-server', b]);
  t.equal(
    listed.stdout,
    '__consumer_offsets\nquickstart-events\n',
    'the topic is listed, and __consumer_offsets: the console consumer joined a generated group, as in Kafka',
  );

  // Mistakes: Kafka's messages and exit codes.
  const again = await kafkaTool('kafka-topics', ['--create', '--topic', 'quickstart-events', '--bootstrap-server', b]);
  t.equal(again.code, 1);
  t.equal(again.stdout, "Error while executing topic command : Topic 'quickstart-events' already exists.\n");
  const quiet = await kafkaTool('kafka-topics', [
    '--create',
    '--if-not-exists',
    '--topic',
    'quickstart-events',
    '--bootstrap-server',
    b,
  ]);
  t.equal(quiet.code, 0, '--if-not-exists: an existing topic is no error');
  t.equal(quiet.stdout, '');
  const noTopic = await kafkaTool('kafka-topics', ['--create', '--bootstrap-server', b]);
  t.equal(noTopic.code, 1);
  t.match(noTopic.stderr, /^Missing required argument "\[topic\]"\nOption +Description\n/);
  const unknown = await kafkaTool('kafka-topics', ['--list', '--zookeeper', 'localhost:2181']);
  t.equal(unknown.code, 1);
  t.equal(
    unknown.stderr,
    'zookeeper is not a recognized option\njoptsimple.UnrecognizedOptionException: zookeeper is not a recognized option\n',
  );
  const noAction = await kafkaTool('kafka-topics', ['--bootstrap-server', b]);
  t.equal(noAction.code, 1);
  t.match(
    noAction.stderr,
    /^Command must include exactly one action: --list, --describe, --create, --alter or --delete\n/,
  );
  const missing = await kafkaTool('kafka-topics', ['--describe', '--topic', 'nope', '--bootstrap-server', b]);
  t.equal(missing.code, 1);
  t.equal(missing.stdout, "Error while executing topic command : Topic 'Optional[nope]' does not exist as expected\n");
  const consumerNoTopic = await kafkaTool('kafka-console-consumer', ['--bootstrap-server', b]);
  t.equal(consumerNoTopic.code, 1);
  t.match(consumerNoTopic.stderr, /^Exactly one of --include\/--topic is required. \n/);
  const producerNoTopic = await kafkaTool('kafka-console-producer', ['--bootstrap-server', b], '');
  t.equal(producerNoTopic.code, 1);
  t.match(producerNoTopic.stderr, /^Missing required argument "\[topic\]"/);
  const producerBad = await kafkaTool(
    'kafka-console-producer',
    ['--topic', 'x', '--bootstrap-server', b, '--no-such'],
    '',
  );
  t.equal(producerBad.code, 1);
  t.match(producerBad.stderr, /^no-such is not a recognized option\n/);
});
