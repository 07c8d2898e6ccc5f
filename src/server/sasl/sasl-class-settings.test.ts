import t from 'tap';
import { Writable } from 'node:stream';
import pino from 'pino';
import { Kafka, logLevel } from 'kafkajs';
import { startBroker } from '../../index.js';
import { brokerFor } from '../../../test/helpers/broker.js';

const PLAIN_JAAS = 'org.apache.kafka.common.security.plain.PlainLoginModule required user_alice="alice-secret";';
const OAUTH = 'org.apache.kafka.common.security.oauthbearer';
const base = {
  listeners: 'SASL_PLAINTEXT://127.0.0.1:0',
  'listener.security.protocol.map': 'SASL_PLAINTEXT:SASL_PLAINTEXT',
  'sasl.enabled.mechanisms': 'PLAIN',
  'listener.name.sasl_plaintext.plain.sasl.jaas.config': PLAIN_JAAS,
};

t.test('a SASL class Gregor cannot run stops start-up with a line naming the setting', async (t) => {
  for (const [key, value] of [
    ['listener.name.sasl_plaintext.plain.sasl.login.callback.handler.class', 'com.example.LoginCallbacks'],
    ['sasl.login.callback.handler.class', 'com.example.LoginCallbacks'],
    ['listener.name.sasl_plaintext.plain.sasl.server.callback.handler.class', 'com.example.PlainUsers'],
    [
      'listener.name.sasl_plaintext.plain.sasl.server.callback.handler.class',
      `${OAUTH}.OAuthBearerValidatorCallbackHandler`,
    ],
    ['sasl.server.callback.handler.class', 'com.example.PlainUsers'],
    [
      'listener.name.sasl_plaintext.oauthbearer.sasl.login.callback.handler.class',
      `${OAUTH}.OAuthBearerLoginCallbackHandler`,
    ],
    ['listener.name.sasl_plaintext.plain.sasl.login.class', 'com.example.Login'],
    ['sasl.login.class', 'com.example.Login'],
    ['sasl.client.callback.handler.class', 'com.example.ClientCallbacks'],
    ['listener.name.sasl_plaintext.sasl.client.callback.handler.class', 'com.example.ClientCallbacks'],
  ] as const) {
    await t.rejects(
      startBroker({ config: { ...base, [key]: value } }),
      {
        message: new RegExp(
          `^${key.replace(/\./g, '\\.')}=${value.replace(/\./g, '\\.')}: Gregor cannot load Java classes`,
        ),
      },
      `${key}=${value}`,
    );
  }
});

t.test(
  "Kafka's own classes where it reads them start, and kafkajs signs in; one Kafka ignores is logged",
  async (t) => {
    let text = '';
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        text += chunk.toString();
        done();
      },
    });
    const running = await brokerFor(t, {
      logger: pino({ level: 'info' }, sink),
      config: {
        ...base,
        'listener.name.sasl_plaintext.plain.sasl.server.callback.handler.class':
          'org.apache.kafka.common.security.plain.internals.PlainServerCallbackHandler',
        'listener.name.sasl_plaintext.plain.sasl.login.callback.handler.class':
          'org.apache.kafka.common.security.authenticator.AbstractLogin$DefaultLoginCallbackHandler',
        'listener.name.sasl_plaintext.oauthbearer.sasl.server.callback.handler.class': `${OAUTH}.OAuthBearerValidatorCallbackHandler`,
        'sasl.client.callback.handler.class':
          'org.apache.kafka.common.security.authenticator.SaslClientCallbackHandler',
        'sasl.server.callback.handler.class': `${OAUTH}.OAuthBearerValidatorCallbackHandler`,
      },
    });
    const admin = new Kafka({
      brokers: [`127.0.0.1:${running.port}`],
      sasl: { mechanism: 'plain', username: 'alice', password: 'alice-secret' },
      logLevel: logLevel.NOTHING,
    }).admin();
    await admin.connect();
    t.ok(Array.isArray(await admin.listTopics()), 'kafkajs signed in with SASL/PLAIN');
    await admin.disconnect();
    t.match(
      text,
      /sasl\.server\.callback\.handler\.class is ignored, as Kafka's brokers ignore it: they read sasl\.server\.callback\.handler\.class only per listener and mechanism/,
      'the unprefixed server callback handler is logged as ignored',
    );
  },
);
