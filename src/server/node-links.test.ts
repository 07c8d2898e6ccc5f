/**
 * The links a node reaches other nodes with (node-links.ts): Kafka's derivation of the inter-broker
 * listener, the node's own SASL login from the JAAS config, TLS from the listener's settings, and
 * a start-up refusal naming the setting for everything Gregor cannot speak. Then a real broker
 * with SASL_SSL controller and inter-broker listeners starts, and one with a missing login does not.
 */
import t from 'tap';
import { BrokerConfig } from '../common/config.js';
import { interBrokerListenerName, nodeLinks } from './node-links.js';
import { parseListeners, protocolMap } from './listeners.js';
import { startBroker } from '../index.js';
import { makeTestCerts, opensslAvailable, type TestCerts } from '../../test/helpers/certs.js';

const haveOpenssl = opensslAvailable();
const certs: TestCerts | null = haveOpenssl ? makeTestCerts() : null;
t.teardown(() => certs?.cleanup());

const PLAIN = 'org.apache.kafka.common.security.plain.PlainLoginModule';
const SCRAM = 'org.apache.kafka.common.security.scram.ScramLoginModule';

function linksOf(values: Record<string, string>, lone = false): ReturnType<typeof nodeLinks> {
  const config = new BrokerConfig({ 'process.roles': 'broker,controller', ...values });
  const listeners = parseListeners(config.list('listeners'), protocolMap(config));
  return nodeLinks(config, listeners, lone);
}

t.test('the inter-broker listener is derived as Kafka derives it', async (t) => {
  t.equal(
    interBrokerListenerName(new BrokerConfig({})),
    'PLAINTEXT',
    'security.inter.broker.protocol defaults to PLAINTEXT',
  );
  t.equal(interBrokerListenerName(new BrokerConfig({ 'security.inter.broker.protocol': 'SASL_SSL' })), 'SASL_SSL');
  t.equal(interBrokerListenerName(new BrokerConfig({ 'inter.broker.listener.name': 'internal' })), 'INTERNAL');
  t.throws(
    () =>
      interBrokerListenerName(
        new BrokerConfig({ 'inter.broker.listener.name': 'INTERNAL', 'security.inter.broker.protocol': 'SSL' }),
      ),
    { message: /Only one of inter.broker.listener.name and security.inter.broker.protocol/ },
  );
});

t.test('a node of a larger quorum without its inter-broker listener refuses to start', async (t) => {
  const values = {
    listeners: 'SASL_SSL://127.0.0.1:0,CONTROLLER://127.0.0.1:0',
    'listener.security.protocol.map': 'SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT',
  };
  t.throws(() => linksOf(values), { message: /inter.broker.listener.name must be a listener name.*SASL_SSL/ });
  const lone = linksOf(values, true);
  t.equal(lone.interBroker, null, 'a lone node may run without one');
  t.match(lone.interBrokerMissing, /inter.broker.listener.name/);
});

t.test('SASL links need a mechanism Gregor speaks and the node own login', async (t) => {
  const base = {
    listeners: 'INTERNAL://127.0.0.1:0,CONTROLLER://127.0.0.1:0',
    'listener.security.protocol.map': 'INTERNAL:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT',
    'inter.broker.listener.name': 'INTERNAL',
    'sasl.enabled.mechanisms': 'PLAIN,SCRAM-SHA-512',
  };
  t.throws(() => linksOf(base), {
    name: 'ConfigError',
    message: /sasl.mechanism.inter.broker.protocol=GSSAPI \(Kafka's default\) is not supported/,
  });
  t.throws(() => linksOf({ ...base, 'sasl.mechanism.inter.broker.protocol': 'OAUTHBEARER' }), {
    message: /sasl.mechanism.inter.broker.protocol=OAUTHBEARER is not supported/,
  });
  t.throws(() => linksOf({ ...base, 'sasl.mechanism.inter.broker.protocol': 'SCRAM-SHA-256' }), {
    message: /sasl.mechanism.inter.broker.protocol must be included in sasl.enabled.mechanisms/,
  });
  t.throws(() => linksOf({ ...base, 'sasl.mechanism.inter.broker.protocol': 'PLAIN' }), {
    message:
      /Could not find a 'KafkaServer' or 'internal.KafkaServer' entry.*set listener.name.internal.plain.sasl.jaas.config/,
  });
  t.throws(
    () =>
      linksOf({
        ...base,
        'sasl.mechanism.inter.broker.protocol': 'PLAIN',
        'sasl.jaas.config': `${PLAIN} required username="broker" password="s3cret";`,
      }),
    { message: /sasl.jaas.config is ignored by brokers/ },
    'the unprefixed sasl.jaas.config is not the inter-broker login, as on Kafka',
  );
  t.throws(
    () =>
      linksOf({
        ...base,
        'sasl.mechanism.inter.broker.protocol': 'PLAIN',
        'listener.name.internal.plain.sasl.jaas.config': `${PLAIN} required user_admin="x";`,
      }),
    { message: /must give this node's own login/ },
    'users alone are not a login',
  );
  const scram = linksOf({
    ...base,
    'sasl.mechanism.inter.broker.protocol': 'SCRAM-SHA-512',
    'listener.name.internal.scram-sha-512.sasl.jaas.config': `${SCRAM} required username="broker" password="s3cret";`,
  });
  t.same(scram.interBroker?.sasl, { mechanism: 'SCRAM-SHA-512', username: 'broker', password: 's3cret' });
  t.equal(scram.interBroker?.tls, null, 'SASL_PLAINTEXT: no TLS');
  t.equal(scram.controller.securityProtocol, 'PLAINTEXT');
  t.throws(
    () =>
      linksOf({
        listeners: 'PLAINTEXT://127.0.0.1:0,CONTROLLER://127.0.0.1:0',
        'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:SASL_PLAINTEXT',
        'sasl.enabled.mechanisms': 'PLAIN',
      }),
    { message: /sasl.mechanism.controller.protocol=GSSAPI/ },
    'the controller link too',
  );
});

t.test('TLS links take the listener trust store and the host name check', { skip: !certs }, async (t) => {
  const c = certs!;
  const links = linksOf({
    listeners: 'PLAINTEXT://127.0.0.1:0,SSL://127.0.0.1:0,CONTROLLER://127.0.0.1:0',
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,SSL:SSL,CONTROLLER:SSL',
    'security.inter.broker.protocol': 'SSL',
    'ssl.keystore.type': 'PEM',
    'ssl.keystore.location': c.serverPemStore,
    'ssl.truststore.type': 'PEM',
    'ssl.truststore.location': c.caFile,
    'listener.name.controller.ssl.endpoint.identification.algorithm': '',
  });
  t.equal(links.interBroker?.listenerName, 'SSL');
  t.ok(links.interBroker?.tls?.ca, 'trusts the listener trust store');
  t.ok(links.interBroker?.tls?.cert, 'shows its key store as client certificate');
  t.equal(links.interBroker?.tls?.checkServerIdentity, undefined, 'https: node checks the host name');
  t.type(links.controller.tls?.checkServerIdentity, 'function', 'an empty algorithm turns the check off');
  t.throws(
    () =>
      linksOf({
        listeners: 'PLAINTEXT://127.0.0.1:0,CONTROLLER://127.0.0.1:0',
        'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:SSL',
        'ssl.keystore.type': 'PEM',
        'ssl.keystore.location': c.serverPemStore,
        'ssl.endpoint.identification.algorithm': 'ldap',
      }),
    { message: /ssl.endpoint.identification.algorithm=ldap is not supported/ },
  );
});

t.test(
  'a broker with SASL_SSL controller and inter-broker listeners starts and serves',
  { skip: !certs },
  async (t) => {
    const c = certs!;
    const config = {
      'node.id': '1',
      'process.roles': 'broker,controller',
      listeners: 'PLAINTEXT://127.0.0.1:0,INTERNAL://127.0.0.1:0,CONTROLLER://127.0.0.1:0',
      'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,INTERNAL:SASL_SSL,CONTROLLER:SASL_SSL',
      'inter.broker.listener.name': 'INTERNAL',
      'sasl.enabled.mechanisms': 'PLAIN',
      'sasl.mechanism.inter.broker.protocol': 'PLAIN',
      'sasl.mechanism.controller.protocol': 'PLAIN',
      'ssl.keystore.type': 'PEM',
      'ssl.keystore.location': c.serverPemStore,
      'ssl.truststore.type': 'PEM',
      'ssl.truststore.location': c.caFile,
    };
    const login = `${PLAIN} required username="broker" password="pw" user_broker="pw";`;
    const jaas = (text: string): Record<string, string> => ({
      'listener.name.internal.plain.sasl.jaas.config': text,
      'listener.name.controller.plain.sasl.jaas.config': text,
    });
    await t.rejects(startBroker({ config: { ...config, ...jaas(`${PLAIN} required user_broker="pw";`) } }), {
      message: /listener.name.controller.plain.sasl.jaas.config must give this node's own login/,
    });
    const broker = await startBroker({ config: { ...config, ...jaas(login) } });
    t.teardown(() => broker.stop());
    t.ok(broker.broker.bound.some((l) => l.name === 'CONTROLLER' && l.securityProtocol === 'SASL_SSL'));
  },
);
