/**
 * bootstrap.servers as Kafka's clients check it when a tool creates them (ClientUtils'
 * parseAndValidateAddresses): a host that does not resolve is warned about and left out, a tool given
 * no resolvable host stops at once with "No resolvable bootstrap urls given in bootstrap.servers"
 * (it used to retry the name until its timeout), an entry that is not host:port is an invalid url.
 * bin/kafka/<tool>.sh as processes; the resolvable case produces and reads back through a broker on
 * 127.0.0.1, checked with kafkajs.
 */
import t from 'tap';
import { CLI_SKIP } from '../../test/helpers/cli.js';
import { brokerWithAdmin, kafkaTool } from '../../test/helpers/kafka-tools.js';

const NO_HOST = 'no-such-host.invalid';
const WARN = (entry: string, host: string): RegExp =>
  new RegExp(
    `^\\[\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d,\\d{3}\\] WARN Couldn't resolve server ${entry.replace(/\./g, '\\.')} from bootstrap\\.servers as DNS resolution failed for ${host.replace(/\./g, '\\.')} \\(org\\.apache\\.kafka\\.clients\\.ClientUtils\\)$`,
  );
const CAUSE =
  'Caused by: org.apache.kafka.common.config.ConfigException: No resolvable bootstrap urls given in bootstrap.servers';

t.test('a host that does not resolve: each tool stops at once', { skip: CLI_SKIP }, async (t) => {
  const b = `${NO_HOST}:9092`;
  const started = Date.now();
  const topics = await kafkaTool('kafka-topics', ['--list', '--bootstrap-server', b]);
  t.equal(topics.code, 1, 'kafka-topics: exit 1');
  t.equal(topics.stdout, '');
  const lines = topics.stderr.split('\n');
  t.match(lines[0], WARN(b, NO_HOST));
  t.same(lines.slice(1), [
    'Failed to create new KafkaAdminClient',
    'org.apache.kafka.common.KafkaException: Failed to create new KafkaAdminClient',
    CAUSE,
    '',
  ]);

  const producer = await kafkaTool('kafka-console-producer', ['--bootstrap-server', b, '--topic', 't'], 'a\n');
  t.equal(producer.code, 1, 'console producer: exit 1');
  t.same(producer.stderr.split('\n').slice(1), [
    'org.apache.kafka.common.KafkaException: Failed to construct kafka producer',
    CAUSE,
    '',
  ]);

  const consumer = await kafkaTool('kafka-console-consumer', ['--bootstrap-server', b, '--topic', 't']);
  t.equal(consumer.code, 1, 'console consumer: exit 1');
  const consumerLines = consumer.stderr.split('\n');
  t.match(
    consumerLines[1],
    /\] ERROR Unknown error when running consumer: {2}\(org\.apache\.kafka\.tools\.consumer\.ConsoleConsumer\)$/,
  );
  t.same(consumerLines.slice(2), [
    'org.apache.kafka.common.KafkaException: Failed to construct kafka consumer',
    CAUSE,
    '',
  ]);

  const groups = await kafkaTool('kafka-consumer-groups', ['--bootstrap-server', b, '--list']);
  t.equal(groups.code, 0, 'kafka-consumer-groups: exit 0, as ConsumerGroupCommand');
  t.equal(
    groups.stdout,
    '\nError: Executing consumer group command failed due to Failed to create new KafkaAdminClient\n',
  );

  const configs = await kafkaTool('kafka-configs', ['--bootstrap-server', b, '--describe', '--entity-type', 'brokers']);
  t.equal(configs.code, 1, 'kafka-configs: exit 1');
  t.equal(
    configs.stderr.split('\n')[1],
    `Error while executing config command with args '--bootstrap-server ${b} --describe --entity-type brokers'`,
  );
  // Five tools, each given up at once: far below one tool's 60 s default.api.timeout.ms.
  t.ok(Date.now() - started < 30_000, `all five done in ${Date.now() - started} ms`);
});

t.test('an entry that is not host:port, a port that does not fit', { skip: CLI_SKIP }, async (t) => {
  const noPort = await kafkaTool('kafka-topics', ['--list', '--bootstrap-server', 'localhost']);
  t.equal(noPort.code, 1);
  t.match(
    noPort.stderr,
    /\nCaused by: org\.apache\.kafka\.common\.config\.ConfigException: Invalid url in bootstrap\.servers: localhost\n$/,
  );
  // The console producer checks its server list first (ToolsUtils.validatePortOrDie): usage, exit 1.
  const producer = await kafkaTool('kafka-console-producer', ['--bootstrap-server', 'localhost', '--topic', 't'], '');
  t.equal(producer.code, 1);
  t.match(producer.stderr, /^Please provide valid host:port like host1:9091,host2:9092\n \nOption/);
  const bigPort = await kafkaTool('kafka-topics', ['--list', '--bootstrap-server', 'localhost:99999']);
  t.equal(bigPort.code, 1);
  t.match(bigPort.stderr, /Invalid port in bootstrap\.servers: localhost:99999\n$/);
});

t.test('one resolvable entry is enough: a warning for the other', { skip: CLI_SKIP }, async (t) => {
  const { b, kafka } = await brokerWithAdmin(t);
  const both = `${NO_HOST}:9092,${b}`;
  const produced = await kafkaTool('kafka-console-producer', ['--bootstrap-server', both, '--topic', 'boot'], 'one\n');
  t.equal(produced.code, 0, produced.stderr);
  t.match(produced.stderr.split('\n')[0], WARN(`${NO_HOST}:9092`, NO_HOST));
  const consumer = kafka.consumer({ groupId: 'boot-check' });
  await consumer.connect();
  t.teardown(() => consumer.disconnect());
  await consumer.subscribe({ topic: 'boot', fromBeginning: true });
  const value = await new Promise<string>((resolve) => {
    void consumer.run({ eachMessage: async ({ message }) => resolve(message.value?.toString() ?? '') });
  });
  t.equal(value, 'one');
});
