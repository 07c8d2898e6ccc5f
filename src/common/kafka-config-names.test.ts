/**
 * Every Kafka 3.9 broker config name (test/fixtures/kafka-3.9-broker-configs.txt) is known to
 * Gregor: implemented, accepted with no effect, or refused unless it has Kafka's default. None is
 * reported at start-up as "not known (ignored)". Also: every default in the table passes its own
 * validation, so a server.properties that writes the defaults out starts.
 */
import t from 'tap';
import { readFileSync } from 'node:fs';
import { BrokerConfig } from './config.js';
import { BROKER_CONFIGS } from './config-defs.js';
import { knownConfigName, startupProblem, validateBrokerConfig } from './config-validate.js';

const KAFKA_NAMES = readFileSync(new URL('../../test/fixtures/kafka-3.9-broker-configs.txt', import.meta.url), 'utf8')
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line !== '' && !line.startsWith('#'));

t.test('every Kafka 3.9 broker config name is known', async (t) => {
  t.ok(KAFKA_NAMES.length > 300, `${KAFKA_NAMES.length} names`);
  t.same(
    KAFKA_NAMES.filter((name) => knownConfigName(name) === null),
    [],
    'no Kafka 3.9 broker config is unknown',
  );
});

t.test('every default in the table passes its own validation', async (t) => {
  const bad = Object.entries(BROKER_CONFIGS)
    .filter(([, def]) => def.default !== null)
    .map(([name, def]) => startupProblem(name, def.default!, def))
    .filter((problem) => problem !== null);
  t.same(bad, []);
});

t.test('a server.properties setting no-effect knobs starts without an unknown-config warning', async (t) => {
  const config = new BrokerConfig({
    'num.replica.alter.log.dirs.threads': '2',
    'fetch.purgatory.purge.interval.requests': '500',
    'zookeeper.connect': 'localhost:2181',
    'offsets.load.buffer.size': '1048576',
    'metadata.max.retention.ms': '3600000',
    'sasl.kerberos.service.name': 'kafka',
    'replica.high.watermark.checkpoint.interval.ms': '1000',
  });
  t.same(validateBrokerConfig(config), []);
});

t.test('no-effect knobs keep Kafka ranges; refused and implemented ones check theirs', async (t) => {
  t.throws(() => validateBrokerConfig(new BrokerConfig({ 'group.coordinator.threads': '0' })), {
    message: 'invalid value for group.coordinator.threads: "0" (expected an integer ≥ 1)',
  });
  t.throws(() => validateBrokerConfig(new BrokerConfig({ 'group.share.delivery.count.limit': '11' })), {
    message: /group\.share\.delivery\.count\.limit.*between 2 and 10/,
  });
  t.throws(
    () =>
      validateBrokerConfig(
        new BrokerConfig({ 'listener.name.sasl_ssl.oauthbearer.sasl.server.callback.handler.class': 'com.example.X' }),
      ),
    { message: /sasl\.server\.callback\.handler\.class=com\.example\.X: Gregor cannot load Java classes/ },
  );
  t.throws(() => validateBrokerConfig(new BrokerConfig({ 'offsets.commit.required.acks': '1' })), {
    message: /offsets\.commit\.required\.acks.*other acks for offset commits is not implemented/,
  });
});
