/**
 * JKS key and trust stores (Kafka's default `ssl.keystore.type` / `ssl.truststore.type`), from the
 * keytool-made stores in test/fixtures/jks (make.sh): the broker serves kafkajs over SSL with a JKS key
 * store whose type is not given, or given as PKCS12 (Java reads either format for either type); with
 * `ssl.client.auth=required` and a JKS trust store it takes a client certificate signed by the CA; a
 * wrong store password and a wrong key password stop start-up with Java's messages; Gregor's
 * kafka-topics connects with the Java client's JKS settings (a key password that differs from the
 * store's). Gregor refused every JKS store at start-up.
 */
import t, { type Test } from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel, type KafkaConfig } from 'kafkajs';
import { startBroker, type RunningBroker } from '../index.js';
import { brokerFor } from '../../test/helpers/broker.js';
import { kafkaTool } from '../../test/helpers/kafka-tools.js';
import { CLI_SKIP } from '../../test/helpers/cli.js';
import { JKS, jksClientTls } from '../../test/helpers/jks-fixtures.js';
import { createProduceConsume } from '../../test/helpers/kafka-round-trip.js';
import { principalToString } from './principal.js';

const SERVER_STORE = JKS.serverStore;
const CLIENT_STORE = JKS.clientStore;
const TRUST_STORE = JKS.trustStore;
const CA = JKS.caPem;

const serverStore = { 'ssl.keystore.location': SERVER_STORE, 'ssl.keystore.password': 'server-secret' };

function sslBroker(t: Test, extra: Record<string, string>): Promise<RunningBroker> {
  return brokerFor(t, { config: { listeners: 'SSL://127.0.0.1:0', ...serverStore, ...extra } });
}

async function roundTrip(t: Test, running: RunningBroker, ssl: KafkaConfig['ssl'], topic: string): Promise<void> {
  const kafka = new Kafka({
    brokers: [running.bootstrap],
    ssl,
    logLevel: logLevel.NOTHING,
    retry: { retries: 5, initialRetryTime: 100 },
  });
  const read = await createProduceConsume(kafka, topic, [`over ${topic}`]);
  t.same(read, [`over ${topic}`], `kafkajs produced and consumed over TLS (${topic})`);
}

t.test('a JKS key store serves TLS, whether its type is left to the default or named PKCS12', async (t) => {
  for (const [topic, type] of [
    ['jks-default-type', {}],
    ['jks-named-jks', { 'ssl.keystore.type': 'JKS' }],
    ['jks-named-pkcs12', { 'ssl.keystore.type': 'PKCS12' }],
  ] as const) {
    const running = await sslBroker(t, type);
    await roundTrip(t, running, { ca: [CA], servername: 'localhost' }, topic);
    await running.stop();
  }
});

t.test('start-up refuses a JKS store it cannot open, with Java messages', async (t) => {
  const base = { listeners: 'SSL://127.0.0.1:0', 'ssl.keystore.location': SERVER_STORE };
  await t.rejects(startBroker({ config: { ...base, 'ssl.keystore.password': 'wrong' } }), {
    message:
      /failed to load SSL keystore .*server.keystore.jks of type JKS: Keystore was tampered with, or password was incorrect/,
  });
  await t.rejects(
    startBroker({ config: { ...base, 'ssl.keystore.password': 'server-secret', 'ssl.key.password': 'wrong' } }),
    { message: /Cannot recover key \(alias broker\)/ },
  );
  await t.rejects(startBroker({ config: base }), {
    message: /SSL key store is specified, but key store password is not specified/,
  });
  await t.rejects(
    startBroker({
      config: { ...base, ...serverStore, 'ssl.truststore.location': TRUST_STORE, 'ssl.truststore.password': 'x' },
    }),
    { message: /ssl.truststore.location.*Keystore was tampered with, or password was incorrect/ },
  );
});

t.test(
  'ssl.client.auth=required with a JKS trust store: the CA-signed client certificate is the principal',
  async (t) => {
    const client = jksClientTls();
    const withAndWithout: Array<Record<string, string>> = [{ 'ssl.truststore.password': 'trust-secret' }, {}];
    for (const password of withAndWithout) {
      const running = await sslBroker(t, {
        'ssl.client.auth': 'required',
        'ssl.truststore.location': TRUST_STORE,
        ...password,
      });
      const topic = `mtls-${Object.keys(password).length}`;
      await roundTrip(t, running, { ...client, servername: 'localhost' }, topic);
      const kafka = new Kafka({
        brokers: [running.bootstrap],
        ssl: { ca: [CA] },
        logLevel: logLevel.NOTHING,
        retry: { retries: 0 },
      });
      const admin = kafka.admin();
      await t.rejects(admin.connect(), 'a client without a certificate is refused');
      await running.stop();
    }
    const running = await sslBroker(t, { 'ssl.client.auth': 'required', 'ssl.truststore.location': TRUST_STORE });
    const admin = new Kafka({
      brokers: [running.bootstrap],
      ssl: client,
      logLevel: logLevel.NOTHING,
    }).admin();
    await admin.connect();
    await admin.listTopics();
    t.ok(
      running.broker.openConnections().some((c) => principalToString(c.principal) === 'User:CN=gregor-jks-client'),
      "the client certificate's subject is the principal",
    );
    await admin.disconnect();
  },
);

t.test("Gregor's kafka-topics takes the Java client's JKS store settings", { skip: CLI_SKIP }, async (t) => {
  const running = await sslBroker(t, { 'ssl.client.auth': 'required', 'ssl.truststore.location': TRUST_STORE });
  const dir = t.testdir();
  const config = join(dir, 'client.properties');
  writeFileSync(
    config,
    [
      'security.protocol=SSL',
      `ssl.truststore.location=${TRUST_STORE}`,
      'ssl.truststore.password=trust-secret',
      `ssl.keystore.location=${CLIENT_STORE}`,
      'ssl.keystore.password=client-secret',
      'ssl.key.password=client-key-secret',
      '',
    ].join('\n'),
  );
  const args = ['--bootstrap-server', `localhost:${running.port}`, '--command-config', config];
  const created = await kafkaTool('kafka-topics', [...args, '--create', '--topic', 'over-jks']);
  t.equal(created.code, 0, created.stderr);
  t.equal(created.stdout, 'Created topic over-jks.\n');
  const listed = await kafkaTool('kafka-topics', [...args, '--list']);
  t.equal(listed.stdout, 'over-jks\n', listed.stderr);
  writeFileSync(
    config,
    readFileSync(config, 'utf8').replace('ssl.key.password=client-key-secret', 'ssl.key.password=nope'),
  );
  const refused = await kafkaTool('kafka-topics', [...args, '--list']);
  t.not(refused.code, 0);
  t.match(refused.stderr, /Failed to load SSL keystore .*client.keystore.jks of type JKS: Cannot recover key/);
});
