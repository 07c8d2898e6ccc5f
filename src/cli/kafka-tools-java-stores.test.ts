/**
 * Kafka's tools (bin/kafka/*.sh) with a client.properties written as Kafka's security docs write
 * it for the Java client: `ssl.truststore.location` / `.password` (a PKCS12 store, with or without
 * `ssl.truststore.type`) and a PKCS12 `ssl.keystore.location` with `ssl.keystore.password` and
 * `ssl.key.password` for mTLS, against a broker whose SSL listener requires client certificates.
 * kafkajs (over mTLS with PEM files) sees what the tool created. A JKS trust store made by keytool
 * works too (when keytool is installed; test/fixtures/jks has committed ones). A wrong store password
 * is refused, naming the setting.
 */
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { brokerFor } from '../../test/helpers/broker.js';
import { CLI_SKIP } from '../../test/helpers/cli.js';
import { makeTestCerts, opensslAvailable } from '../../test/helpers/certs.js';
import { hasCommand } from '../../test/helpers/external.js';
import { kafkaTool } from '../../test/helpers/kafka-tools.js';

const skip = CLI_SKIP || (opensslAvailable() ? false : 'openssl is not installed');

t.test('client.properties with PKCS12 trust and key stores and their passwords (mTLS)', { skip }, async (t) => {
  t.setTimeout(120_000);
  const c = makeTestCerts();
  t.teardown(() => c.cleanup());
  const running = await brokerFor(t, {
    config: {
      listeners: 'SSL://127.0.0.1:0',
      'listener.security.protocol.map': 'SSL:SSL',
      'ssl.keystore.type': 'PKCS12',
      'ssl.keystore.location': c.serverP12,
      'ssl.keystore.password': c.storePassword,
      'ssl.truststore.type': 'PKCS12',
      'ssl.truststore.location': c.truststoreP12,
      'ssl.truststore.password': c.storePassword,
      'ssl.client.auth': 'required',
    },
  });
  const clientP12 = join(c.dir, 'client.keystore.p12');
  execFileSync('openssl', [
    'pkcs12',
    '-export',
    '-in',
    c.clientCertFile,
    '-inkey',
    c.clientKeyFile,
    '-passout',
    'pass:client-pw',
    '-out',
    clientP12,
  ]);
  const props = (name: string, lines: string[]): string => {
    const path = join(c.dir, name);
    writeFileSync(path, ['security.protocol=SSL', ...lines, ''].join('\n'));
    return path;
  };
  const keystore = [
    `ssl.keystore.location=${clientP12}`,
    'ssl.keystore.password=client-pw',
    'ssl.key.password=client-pw',
  ];
  const typed = props('typed.properties', [
    `ssl.truststore.location=${c.truststoreP12}`,
    `ssl.truststore.password=${c.storePassword}`,
    'ssl.truststore.type=PKCS12',
    ...keystore,
    'ssl.keystore.type=PKCS12',
  ]);
  // Kafka's default store type is JKS, whose Java reader takes PKCS12 files too: no type given.
  const untyped = props('untyped.properties', [
    `ssl.truststore.location=${c.truststoreP12}`,
    `ssl.truststore.password=${c.storePassword}`,
    ...keystore,
  ]);
  const b = running.bootstrap;
  const created = await kafkaTool('kafka-topics', [
    '--bootstrap-server',
    b,
    '--command-config',
    typed,
    '--create',
    '--topic',
    'java-stores',
  ]);
  t.equal(created.stdout, 'Created topic java-stores.\n', created.stderr);
  const listed = await kafkaTool('kafka-topics', ['--bootstrap-server', b, '--command-config', untyped, '--list']);
  t.equal(listed.stdout, 'java-stores\n', listed.stderr);

  const kafka = new Kafka({
    brokers: [b],
    ssl: {
      ca: [c.caPem],
      servername: 'localhost',
      cert: readFileSync(c.clientCertFile, 'utf8'),
      key: readFileSync(c.clientKeyFile, 'utf8'),
    },
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  t.same(await admin.listTopics(), ['java-stores'], 'kafkajs sees the topic the tool created');
  await admin.disconnect();

  const wrongPassword = props('wrong.properties', [
    `ssl.truststore.location=${c.truststoreP12}`,
    `ssl.truststore.password=${c.storePassword}`,
    `ssl.keystore.location=${clientP12}`,
    'ssl.keystore.password=not-it',
  ]);
  const refused = await kafkaTool('kafka-topics', [
    '--bootstrap-server',
    b,
    '--command-config',
    wrongPassword,
    '--list',
  ]);
  t.equal(refused.code, 1);
  t.match(refused.stderr, /Failed to load SSL keystore .*client\.keystore\.p12 of type PKCS12/);
  const noKeystore = props('no-keystore.properties', [
    `ssl.truststore.location=${c.truststoreP12}`,
    `ssl.truststore.password=${c.storePassword}`,
  ]);
  const noCertificate = await kafkaTool('kafka-topics', [
    '--bootstrap-server',
    b,
    '--command-config',
    noKeystore,
    '--list',
  ]);
  t.equal(noCertificate.code, 1, 'without a client certificate the broker refuses the tool');

  if (hasCommand('keytool')) {
    const jks = join(c.dir, 'truststore.jks');
    execFileSync('keytool', [
      '-importcert',
      '-noprompt',
      '-alias',
      'ca',
      '-file',
      c.caFile,
      '-keystore',
      jks,
      '-storetype',
      'JKS',
      '-storepass',
      'changeit',
    ]);
    const jksProps = props('jks.properties', [
      `ssl.truststore.location=${jks}`,
      'ssl.truststore.password=changeit',
      ...keystore,
    ]);
    const jksListed = await kafkaTool('kafka-topics', [
      '--bootstrap-server',
      b,
      '--command-config',
      jksProps,
      '--list',
    ]);
    t.equal(jksListed.stdout, 'java-stores\n', `a JKS trust store made by keytool: ${jksListed.stderr}`);
  }
});
