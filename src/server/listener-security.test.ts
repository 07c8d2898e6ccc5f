import t from 'tap';
import { startBroker } from '../index.js';

t.test('a listener whose security protocol is unknown refuses start-up, naming the listener', async (t) => {
  await t.rejects(
    startBroker({
      config: {
        listeners: 'PLAINTEXT://127.0.0.1:0,EXTERNAL://127.0.0.1:0',
        'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,EXTERNAL:KERBEROS',
      },
    }),
    { name: 'ConfigError', message: /listener EXTERNAL: no security protocol defined/ },
    'a protocol Kafka does not have',
  );
  await t.rejects(
    startBroker({ config: { listeners: 'WEIRD://127.0.0.1:0' } }),
    { name: 'ConfigError', message: /listener WEIRD/ },
    'an unmapped listener name',
  );
});

t.test('SSL and SASL listeners without their settings refuse start-up rather than serve plaintext', async (t) => {
  await t.rejects(startBroker({ config: { listeners: 'SSL://127.0.0.1:0' } }), {
    message: /listener SSL: TLS needs a key store/,
  });
  await t.rejects(startBroker({ config: { listeners: 'SASL_SSL://127.0.0.1:0' } }), {
    message: /listener SASL_SSL: TLS needs a key store/,
  });
  await t.rejects(startBroker({ config: { listeners: 'SASL_PLAINTEXT://127.0.0.1:0' } }), {
    message: /listener SASL_PLAINTEXT: SASL mechanism GSSAPI/,
  });
});

t.test('an SSL controller listener is spoken over TLS, so it needs its TLS settings', async (t) => {
  await t.rejects(
    startBroker({
      config: {
        listeners: 'PLAINTEXT://127.0.0.1:0,CONTROLLER://127.0.0.1:0',
        'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:SSL',
        'controller.listener.names': 'CONTROLLER',
      },
    }),
    { message: /listener CONTROLLER: TLS needs a key store/ },
  );
});
