import t from 'tap';
import { startBroker } from '../index.js';
import { ConfigError } from '../common/config.js';

t.test('a listener whose security protocol is not served refuses start-up, naming the listener and protocol', async (t) => {
  for (const protocol of ['SASL_PLAINTEXT', 'SASL_SSL']) {
    await t.rejects(
      startBroker({ config: { listeners: `${protocol}://127.0.0.1:0` } }),
      { name: 'ConfigError', message: new RegExp(`listener ${protocol} uses security protocol ${protocol}`) },
      protocol,
    );
  }
  await t.rejects(
    startBroker({ config: { listeners: 'PLAINTEXT://127.0.0.1:0,EXTERNAL://127.0.0.1:0', 'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,EXTERNAL:SASL_SSL' } }),
    { message: /listener EXTERNAL uses security protocol SASL_SSL/ },
    'a mapped name',
  );
  await t.rejects(startBroker({ config: { listeners: 'WEIRD://127.0.0.1:0' } }), ConfigError, 'an unmapped listener name');
});
