import t from 'tap';
import { BrokerConfig, ConfigError } from './config.js';
import { BROKER_CONFIGS } from './config-defs.js';
import { knownConfigName, startupProblem, unknownConfigsWarning, validateBrokerConfig } from './config-validate.js';
import { TOPIC_CONFIGS } from '../metadata/topic-configs.js';

const problemOf = (values: Record<string, string>): string | null => {
  try {
    validateBrokerConfig(new BrokerConfig(values));
    return null;
  } catch (err) {
    t.ok(err instanceof ConfigError, 'a ConfigError');
    return (err as Error).message;
  }
};

t.test('the bad values of issue #12 stop start-up with one clear message each', async (t) => {
  t.equal(problemOf({ 'num.partitions': 'abc' }), 'invalid value for num.partitions: "abc" (expected an integer ≥ 1)');
  t.equal(problemOf({ 'num.partitions': '0' }), 'invalid value for num.partitions: "0" (expected an integer ≥ 1)');
  // Kafka takes any negative retention time as unlimited; only 0 is refused.
  t.equal(problemOf({ 'log.retention.ms': '-5' }), null);
  t.equal(
    problemOf({ 'log.retention.ms': '0' }),
    'invalid value for log.retention.ms: "0" (log.retention.ms must be unlimited (-1) or, greater than or equal to 1)',
  );
  t.equal(
    problemOf({ 'message.max.bytes': 'abc' }),
    'invalid value for message.max.bytes: "abc" (expected an integer ≥ 0)',
  );
  t.equal(
    problemOf({ 'auto.create.topics.enable': 'maybe' }),
    'invalid value for auto.create.topics.enable: "maybe" (expected true or false)',
  );
  t.equal(
    problemOf({ 'log.segment.bytes': '10' }),
    'invalid value for log.segment.bytes: "10" (expected an integer ≥ 14)',
  );
  // Kafka's MetadataVersionValidator checks these, though they have no effect in KRaft.
  t.equal(
    problemOf({ 'inter.broker.protocol.version': '9.9' }),
    'invalid value for inter.broker.protocol.version: "9.9" (expected a Kafka version such as 3.9 or 3.0-IV1)',
  );
  t.equal(problemOf({ 'log.message.format.version': '2.8-IV1', 'inter.broker.protocol.version': '3.9.1' }), null);
  t.equal(problemOf({ 'node.id': '1', 'broker.id': '2' }), 'You must set `node.id` to the same value as `broker.id`.');
  t.equal(problemOf({ 'node.id': '2', 'broker.id': '2' }), null, 'the same id twice is fine');
  t.equal(problemOf({ 'node.id': 'abc' }), 'invalid value for node.id: "abc" (expected an integer ≥ 0)');
  t.equal(
    problemOf({ 'node.id': '2147483648' }),
    'invalid value for node.id: "2147483648" (expected an integer ≥ 0)',
    'beyond INT',
  );
  t.equal(
    problemOf({ 'log.cleanup.policy': 'delete,shred' }),
    'invalid value for log.cleanup.policy: "delete,shred" (expected a list of compact, delete)',
  );
  t.equal(
    problemOf({ 'log.message.timestamp.type': 'Now' }),
    'invalid value for log.message.timestamp.type: "Now" (expected one of CreateTime, LogAppendTime)',
  );
  t.equal(
    problemOf({ 'log.cleaner.min.cleanable.ratio': '2' }),
    'invalid value for log.cleaner.min.cleanable.ratio: "2" (expected a number between 0 and 1)',
  );
  t.equal(
    problemOf({ 'log.retention.hours': '0' }),
    'invalid value for log.retention.hours: "0" (log.retention.ms must be unlimited (-1) or, greater than or equal to 1)',
  );
});

t.test('the first bad value is the one reported', async (t) => {
  t.match(problemOf({ 'num.partitions': 'x', 'message.max.bytes': 'y' }), /num\.partitions/);
});

t.test('good values, Kafka spellings and every default pass', async (t) => {
  t.equal(
    problemOf({
      'num.partitions': '3',
      'auto.create.topics.enable': 'TRUE',
      'log.retention.ms': '-1',
      'log.segment.bytes': '14',
      'node.id': '0',
    }),
    null,
  );
  for (const [name, def] of Object.entries(BROKER_CONFIGS)) {
    if (def.default !== null) t.equal(startupProblem(name, def.default, def), null, `default of ${name}`);
  }
});

t.test('unknown keys are returned for one warning; listener overrides are known by their base config', async (t) => {
  const unknown = validateBrokerConfig(
    new BrokerConfig({
      'no.such.thing': '1',
      'share.coordinator.state.topic.replication.factor': '1',
      'listener.name.sasl_plaintext.plain.sasl.jaas.config': 'x',
      'listener.name.ssl.ssl.key.password': 'y',
    }),
  );
  t.same(unknown, ['no.such.thing', 'share.coordinator.state.topic.replication.factor']);
  t.equal(unknownConfigsWarning(unknown).split('\n').length, 1);
  t.equal(knownConfigName('listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config'), 'sasl.jaas.config');
  t.equal(knownConfigName('listener.name.external.ssl.keystore.password'), 'ssl.keystore.password');
  t.equal(knownConfigName('listener.name.external.nothing'), null);
  t.match(
    problemOf({ 'listener.name.x.message.max.bytes': 'big' }),
    /listener\.name\.x\.message\.max\.bytes: "big"/,
    'overrides are checked as their base',
  );
});

t.test('password values never appear in a message', async (t) => {
  const def = { ...BROKER_CONFIGS['sasl.jaas.config']!, validator: { expected: 'never', problem: () => 'no' } };
  t.equal(
    startupProblem('sasl.jaas.config', 'secret', def),
    'invalid value for sasl.jaas.config: (hidden) (expected never)',
  );
});

t.test('one table: every broker synonym of a topic config is in it, dynamic (but the format version)', async (t) => {
  for (const topicDef of Object.values(TOPIC_CONFIGS)) {
    const synonym = topicDef.brokerSynonym;
    if (synonym === null) continue;
    const def = BROKER_CONFIGS[synonym];
    t.ok(def, `${synonym} is in the table`);
    t.equal(def?.dynamic, synonym !== 'log.message.format.version', `${synonym} dynamic`);
    t.equal(def?.type, topicDef.kind, `${synonym} has its topic config's type`);
  }
});
