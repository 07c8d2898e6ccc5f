/**
 * `ssl.client.auth` on SASL_SSL listeners, as Kafka's ChannelBuilders applies it: the broker-wide
 * setting is for SSL listeners only; a SASL_SSL listener asks for client certificates only with
 * `listener.name.<listener>.ssl.client.auth`. kcat (librdkafka) and kafkajs log in with SASL/PLAIN
 * and no certificate; on the SSL listener the same broker-wide `required` refuses them.
 */
import t from 'tap';
import { Kafka, logLevel } from 'kafkajs';
import { brokerFor } from '../../../test/helpers/broker.js';
import { makeTestCerts, opensslAvailable } from '../../../test/helpers/certs.js';
import { hasCommand, run } from '../../../test/helpers/external.js';

const PLAIN_JAAS = 'org.apache.kafka.common.security.plain.PlainLoginModule required user_alice="alice-secret";';
const skip = !opensslAvailable() ? 'openssl is not installed' : hasCommand('kcat') ? false : 'kcat is not installed';

t.test(
  'broker-wide ssl.client.auth=required leaves SASL_SSL listeners without client certificates',
  { skip },
  async (t) => {
    const c = makeTestCerts();
    t.teardown(() => c.cleanup());
    const common = {
      'listener.security.protocol.map': 'SSL:SSL,SASL_SSL:SASL_SSL,EXTERNAL:SASL_SSL',
      'inter.broker.listener.name': 'SSL',
      'ssl.keystore.type': 'PEM',
      'ssl.keystore.location': c.serverPemStore,
      'ssl.truststore.type': 'PEM',
      'ssl.truststore.location': c.caFile,
      'ssl.client.auth': 'required',
      'sasl.enabled.mechanisms': 'PLAIN',
      'listener.name.sasl_ssl.plain.sasl.jaas.config': PLAIN_JAAS,
      'listener.name.external.plain.sasl.jaas.config': PLAIN_JAAS,
      // EXTERNAL asks for certificates on its own, as Kafka's docs say to.
      'listener.name.external.ssl.client.auth': 'required',
    };
    const running = await brokerFor(t, {
      config: { listeners: 'SSL://127.0.0.1:0,SASL_SSL://127.0.0.1:0,EXTERNAL://127.0.0.1:0', ...common },
    });
    const port = (name: string): number => running.broker.bound.find((b) => b.name === name)!.port;
    const kcat = (listener: string, protocol: string, extra: string[] = []): ReturnType<typeof run> =>
      run(
        'kcat',
        [
          '-b',
          `127.0.0.1:${port(listener)}`,
          '-X',
          `security.protocol=${protocol}`,
          '-X',
          `ssl.ca.location=${c.caFile}`,
          ...extra,
          '-L',
          '-m',
          '5',
        ],
        { timeoutMs: 30_000 },
      );
    const plain = ['-X', 'sasl.mechanisms=PLAIN', '-X', 'sasl.username=alice', '-X', 'sasl.password=alice-secret'];

    const saslSsl = await kcat('SASL_SSL', 'SASL_SSL', plain);
    t.equal(saslSsl.code, 0, `kcat over SASL_SSL without a certificate: ${saslSsl.stderr}`);
    const kafka = new Kafka({
      brokers: [`127.0.0.1:${port('SASL_SSL')}`],
      ssl: { ca: [c.caPem], servername: 'localhost' },
      sasl: { mechanism: 'plain', username: 'alice', password: 'alice-secret' },
      logLevel: logLevel.NOTHING,
      retry: { retries: 0 },
    });
    const admin = kafka.admin();
    await admin.connect();
    t.same(await admin.listTopics(), [], 'kafkajs over SASL_SSL without a certificate');
    await admin.disconnect();

    t.not((await kcat('SSL', 'SSL')).code, 0, 'the SSL listener requires a certificate');
    t.not((await kcat('EXTERNAL', 'SASL_SSL', plain)).code, 0, 'listener.name.external.ssl.client.auth=required');
    const withCert = await kcat('EXTERNAL', 'SASL_SSL', [
      ...plain,
      '-X',
      `ssl.certificate.location=${c.clientCertFile}`,
      '-X',
      `ssl.key.location=${c.clientKeyFile}`,
    ]);
    t.equal(withCert.code, 0, `with a certificate: ${withCert.stderr}`);
  },
);
