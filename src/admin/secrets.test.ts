/**
 * Secrets in broker configs, through kafkajs' describeConfigs: every PASSWORD-type config,
 * listener-prefixed ones included (static or set with AlterConfigs), and configs of unknown
 * type are described with a null value and isSensitive, as Kafka describes them; the
 * secrets appear nowhere in the response nor in the broker's debug log.
 */
import t from 'tap';
import { Writable } from 'node:stream';
import pino from 'pino';
import kafkajs from 'kafkajs';
import { brokerFor } from '../../test/helpers/broker.js';

const { ConfigResourceTypes, Kafka, logLevel } = kafkajs;
const JAAS =
  'org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="jaas-s3cret";';

t.test('password configs, prefixed or not, are masked in DescribeConfigs and absent from logs', async (t) => {
  let logged = '';
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      logged += chunk.toString();
      done();
    },
  });
  const { port } = await brokerFor(t, {
    logger: pino({ level: 'debug' }, sink),
    config: {
      'listener.name.plaintext.plain.sasl.jaas.config': JAAS,
      'listener.name.plaintext.ssl.keystore.password': 'ks-s3cret',
      'ssl.key.password': 'key-s3cret',
      'my.custom.setting': 'custom-s3cret',
    },
  });
  const admin = new Kafka({ brokers: [`127.0.0.1:${port}`], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());

  await admin.alterConfigs({
    validateOnly: false,
    resources: [
      {
        type: ConfigResourceTypes.BROKER,
        name: '1',
        configEntries: [{ name: 'listener.name.plaintext.scram-sha-256.sasl.jaas.config', value: 'dynamic-s3cret' }],
      },
    ],
  });

  const described = await admin.describeConfigs({
    includeSynonyms: true,
    resources: [{ type: ConfigResourceTypes.BROKER, name: '1' }],
  });
  const entries = described.resources[0]!.configEntries;
  const byName = new Map(entries.map((e) => [e.configName, e]));
  for (const name of [
    'listener.name.plaintext.plain.sasl.jaas.config',
    'listener.name.plaintext.ssl.keystore.password',
    'listener.name.plaintext.scram-sha-256.sasl.jaas.config',
    'ssl.key.password',
    'my.custom.setting',
  ]) {
    const entry = byName.get(name);
    t.ok(entry, `${name} is described`);
    t.equal(entry?.configValue, null, `${name}: value hidden`);
    t.equal(entry?.isSensitive, true, `${name}: sensitive`);
    for (const s of entry?.configSynonyms ?? [])
      t.equal(s.configValue, null, `${name}: synonym ${s.configName} hidden`);
  }
  t.equal(byName.get('num.partitions')?.isSensitive, false, 'ordinary configs are not sensitive');
  t.equal(byName.get('num.partitions')?.configValue, '1', 'and show their value');
  const json = JSON.stringify(described);
  t.notMatch(json, /s3cret/, 'no secret anywhere in the response');
  t.notMatch(logged, /s3cret/, 'no secret in the debug log');
});
