import t from 'tap';
import { BrokerConfig, configFromEnv, parseProperties } from './config.js';

t.test('KAFKA_* variables map as the apache/kafka image maps them', async (t) => {
  const env = configFromEnv({
    KAFKA_NODE_ID: '3',
    KAFKA_LOG_DIRS: '/var/lib/kafka',
    KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'A:PLAINTEXT',
    KAFKA_SOME__UNDERSCORE: 'x',
    KAFKA_WITH___DASH: 'y',
    KAFKA_VERSION: 'ignored',
    KAFKA_JMX_HOSTNAME: 'ignored',
    KAFKA_TOOLS_LOG4J_LOGLEVEL: 'ignored',
    PATH: '/bin',
  });
  t.same(Object.fromEntries(env), {
    'node.id': '3',
    'log.dirs': '/var/lib/kafka',
    'listener.security.protocol.map': 'A:PLAINTEXT',
    some_underscore: 'x',
    'with-dash': 'y',
  });
});

t.test('properties files: comments, separators and continuations', async (t) => {
  const props = parseProperties('# c\n! c\nnode.id=2\nlisteners : PLAINTEXT://a:1,\\\n  CONTROLLER://b:2\nempty=\n');
  t.equal(props.get('node.id'), '2');
  t.equal(props.get('listeners'), 'PLAINTEXT://a:1,CONTROLLER://b:2');
  t.equal(props.get('empty'), '');
});

t.test('defaults, then explicit values; ms beats minutes beats hours', async (t) => {
  const c = new BrokerConfig({ 'log.retention.minutes': 10 });
  t.equal(c.int('num.partitions'), 1, "Kafka's default");
  t.equal(c.millis('log.retention'), 600_000);
  t.equal(new BrokerConfig({ 'log.retention.ms': 5, 'log.retention.minutes': 10 }).millis('log.retention'), 5);
  t.equal(new BrokerConfig().millis('log.retention'), 168 * 3_600_000);
  t.equal(new BrokerConfig({ 'broker.id': 7 }).nodeId(), 7, 'broker.id is an alias of node.id');
  t.throws(() => new BrokerConfig({ 'num.partitions': 'x' }).int('num.partitions'), /not an integer/);
});
