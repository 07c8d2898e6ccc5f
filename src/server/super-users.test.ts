/**
 * super.users as Kafka's StandardAuthorizer reads it: entries split on `;` and trimmed, each a
 * principal `Type:name` (an entry without a colon, say `admin`, stops start-up as Kafka's
 * SecurityUtils.parseKafkaPrincipal does; without an authorizer the setting is not read). kafkajs
 * logs in with SASL/PLAIN as a super user listed with spaces around it.
 */
import t from 'tap';
import { Kafka, logLevel } from 'kafkajs';
import { startBroker } from '../index.js';
import { brokerFor } from '../../test/helpers/broker.js';

const STANDARD = 'org.apache.kafka.metadata.authorizer.StandardAuthorizer';
const PLAIN_JAAS =
  'org.apache.kafka.common.security.plain.PlainLoginModule required username="broker" password="broker-secret" user_broker="broker-secret" user_admin="admin-secret" user_bob="bob-secret";';

t.test('super.users: a principal without a type stops start-up; spaces around entries are trimmed', async (t) => {
  await t.rejects(
    startBroker({
      storage: 'memory',
      config: {
        listeners: 'PLAINTEXT://127.0.0.1:0',
        'authorizer.class.name': STANDARD,
        'super.users': 'User:alice;admin',
      },
    }),
    { message: /super.users: expected a string in format principalType:principalName but got admin/ },
  );
  const noAuthorizer = await brokerFor(t, { config: { listeners: 'PLAINTEXT://127.0.0.1:0', 'super.users': 'admin' } });
  t.ok(noAuthorizer.port > 0, 'without an authorizer super.users is not read, as on Kafka');

  const running = await brokerFor(t, {
    config: {
      listeners: 'SASL_PLAINTEXT://127.0.0.1:0',
      'listener.security.protocol.map': 'SASL_PLAINTEXT:SASL_PLAINTEXT',
      'inter.broker.listener.name': 'SASL_PLAINTEXT',
      'sasl.enabled.mechanisms': 'PLAIN',
      'sasl.mechanism.inter.broker.protocol': 'PLAIN',
      'listener.name.sasl_plaintext.plain.sasl.jaas.config': PLAIN_JAAS,
      'authorizer.class.name': STANDARD,
      'super.users': ' User:admin ; User:broker ',
    },
  });
  const as = (username: string): Kafka =>
    new Kafka({
      brokers: [running.bootstrap],
      sasl: { mechanism: 'plain', username, password: `${username}-secret` },
      logLevel: logLevel.NOTHING,
      retry: { retries: 0 },
    });
  const admin = as('admin').admin();
  await admin.connect();
  t.equal(await admin.createTopics({ topics: [{ topic: 'made-by-admin' }] }), true, 'User:admin is a super user');
  await admin.disconnect();
  const bob = as('bob').admin();
  await bob.connect();
  await t.rejects(bob.createTopics({ topics: [{ topic: 'made-by-bob' }] }), 'User:bob is not');
  await bob.disconnect();
});
