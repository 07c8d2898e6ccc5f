/**
 * kafka-console-producer is an idempotent producer by default, as Kafka 3.9's (the Java producer's
 * enable.idempotence=true since 3.0): its batches carry a producer id and sequences, which
 * kafka-transactions.sh describe-producers lists. enable.idempotence=true is accepted; with acks other
 * than all it is refused with ProducerConfig's ConfigException when given and silently off when not.
 * Gregor refused enable.idempotence=true and wrote every batch without a producer id.
 */
import t from 'tap';
import { CLI_SKIP } from '../../test/helpers/cli.js';
import { brokerWithAdmin, kafkaTool, describeProducerRows } from '../../test/helpers/kafka-tools.js';

t.test('the console producer is idempotent by default, as Kafka 3.9', { skip: CLI_SKIP }, async (t) => {
  t.setTimeout(90_000);
  const { b, admin } = await brokerWithAdmin(t);
  const topics = ['idem-default', 'idem-given', 'idem-acks1', 'idem-refused'];
  await admin.createTopics({ topics: topics.map((topic) => ({ topic })), waitForLeaders: true });
  const produce = (topic: string, extra: string[], input: string) =>
    kafkaTool('kafka-console-producer', ['--bootstrap-server', b, '--topic', topic, ...extra], input);

  const byDefault = await produce('idem-default', [], 'a\nb\nc\n');
  t.equal(byDefault.code, 0, byDefault.stderr);
  t.equal(byDefault.stderr, '');
  const [first] = await describeProducerRows(b, 'idem-default');
  t.ok(first, 'one producer on the partition');
  t.match(first, [/^\d+$/, '0', /^-?\d+$/, '2'], 'its producer id, epoch 0, last sequence 2');

  const given = await produce('idem-given', ['--producer-property', 'enable.idempotence=true', '--sync'], 'x\ny\n');
  t.equal(given.code, 0, given.stderr);
  t.match(
    (await describeProducerRows(b, 'idem-given'))[0],
    [/^\d+$/, '0', /^-?\d+$/, '1'],
    'two batches, sequences 0 and 1',
  );

  const acksOne = await produce('idem-acks1', ['--request-required-acks', '1'], 'plain\n');
  t.equal(acksOne.code, 0, acksOne.stderr);
  t.same(await describeProducerRows(b, 'idem-acks1'), [], 'acks=1 turns idempotence off without a word');

  const refused = await produce(
    'idem-refused',
    ['--request-required-acks', '1', '--producer-property', 'enable.idempotence=true'],
    'never\n',
  );
  t.equal(refused.code, 1);
  t.match(
    refused.stderr,
    'org.apache.kafka.common.config.ConfigException: Must set acks to all in order to use the idempotent producer. Otherwise we cannot guarantee idempotence.',
  );
  const ends = await admin.fetchTopicOffsets('idem-refused');
  t.same(
    ends.map((e) => e.high),
    ['0'],
    'nothing written',
  );
  const all = await admin.fetchTopicOffsets('idem-default');
  t.same(
    all.map((e) => e.high),
    ['3'],
  );
});
