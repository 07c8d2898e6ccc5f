/**
 * kafka-producer-perf-test's producer is idempotent, as Kafka 3.9's (the Java producer's
 * enable.idempotence=true by default since 3.0): `--producer-props enable.idempotence=true` is accepted,
 * the batches carry a producer id and sequences (kafka-transactions.sh describe-producers lists it),
 * acks other than all turn it off without a word, and enable.idempotence=true with acks=1 is refused
 * with ProducerConfig's ConfigException. Gregor refused enable.idempotence=true.
 */
import t from 'tap';
import { CLI_SKIP } from '../../test/helpers/cli.js';
import { brokerWithAdmin, kafkaTool, describeProducerRows } from '../../test/helpers/kafka-tools.js';

t.test('kafka-producer-perf-test is an idempotent producer, as Kafka 3.9', { skip: CLI_SKIP }, async (t) => {
  t.setTimeout(90_000);
  const { b, admin } = await brokerWithAdmin(t);
  const topics = ['perf-given', 'perf-default', 'perf-acks1', 'perf-refused'];
  await admin.createTopics({ topics: topics.map((topic) => ({ topic })), waitForLeaders: true });
  const perf = (topic: string, props: string[]) =>
    kafkaTool('kafka-producer-perf-test', [
      '--topic',
      topic,
      '--num-records',
      '2000',
      '--record-size',
      '100',
      '--throughput',
      '-1',
      '--producer-props',
      `bootstrap.servers=${b}`,
      ...props,
    ]);
  const ends = async (topic: string) => (await admin.fetchTopicOffsets(topic)).map((o) => o.high);

  const given = await perf('perf-given', ['enable.idempotence=true']);
  t.equal(given.code, 0, given.stderr);
  t.match(given.stdout, /2000 records sent/);
  t.match(
    (await describeProducerRows(b, 'perf-given'))[0],
    [/^\d+$/, '0', /^-?\d+$/, '1999'],
    'one producer, sequences 0-1999',
  );
  t.same(await ends('perf-given'), ['2000']);

  const byDefault = await perf('perf-default', []);
  t.equal(byDefault.code, 0, byDefault.stderr);
  t.equal((await describeProducerRows(b, 'perf-default')).length, 1, 'idempotent without being asked');

  const acksOne = await perf('perf-acks1', ['acks=1']);
  t.equal(acksOne.code, 0, acksOne.stderr);
  t.same(await describeProducerRows(b, 'perf-acks1'), [], 'acks=1 turns idempotence off without a word');

  const refused = await perf('perf-refused', ['acks=1', 'enable.idempotence=true']);
  t.equal(refused.code, 1);
  t.match(
    refused.stderr,
    'org.apache.kafka.common.config.ConfigException: Must set acks to all in order to use the idempotent producer. Otherwise we cannot guarantee idempotence.',
  );
  t.same(await ends('perf-refused'), ['0'], 'nothing written');
});
