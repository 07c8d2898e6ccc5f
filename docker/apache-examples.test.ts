/**
 * The apache/kafka image's single-node examples (its docker/examples compose files, Kafka 3.9) with
 * Gregor's image, as `docker run` gives their settings. ssl: key and trust stores named by KAFKA_SSL_KEYSTORE_FILENAME / _TRUSTSTORE_FILENAME in a
 * volume at /etc/kafka/secrets, passwords in the files KAFKA_SSL_*_CREDENTIALS name, mTLS required, an
 * SSL inter-broker listener. The stores are keytool's JKS (test/fixtures/jks). kafkajs with the client
 * certificate produces and consumes from the host; a missing credentials variable stops the container
 * with the image's message. Gregor's image ignored these variables (unknown settings) and stopped with
 * "TLS needs a key store". file-input: a server.properties mounted at /mnt/shared/config is the
 * base, the KAFKA_* environment wins over its lines (process.roles=broker in the file,
 * broker,controller in the environment), and the image's defaults are not used; kafkajs reaches both
 * its PLAINTEXT_HOST and its SSL listener. Gregor's image ignored the mounted file. Skips, saying why,
 * when no Docker engine answers.
 */
import t from 'tap';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { TEST_IMAGE, dockerUnavailable, ensureImage, freePort } from '../test/helpers/docker.js';
import { run } from '../test/helpers/external.js';
import { consumeValues, createProduceConsume } from '../test/helpers/kafka-round-trip.js';
import { JKS, jksClientTls, jksSecretsDir } from '../test/helpers/jks-fixtures.js';

const unavailable = dockerUnavailable();
if (unavailable === null) t.setTimeout(1_800_000);

function exampleEnvironment(port: number): Record<string, string> {
  return {
    KAFKA_NODE_ID: '1',
    KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'SSL:SSL,CONTROLLER:PLAINTEXT,SSL-INTERNAL:SSL',
    KAFKA_ADVERTISED_LISTENERS: `SSL://localhost:${port},SSL-INTERNAL://broker:19093`,
    KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
    KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
    KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
    KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
    KAFKA_PROCESS_ROLES: 'broker,controller',
    KAFKA_CONTROLLER_QUORUM_VOTERS: '1@broker:29093',
    KAFKA_LISTENERS: `SSL://:${port},CONTROLLER://:29093,SSL-INTERNAL://:19093`,
    KAFKA_INTER_BROKER_LISTENER_NAME: 'SSL-INTERNAL',
    KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
    KAFKA_LOG_DIRS: '/tmp/kraft-combined-logs',
    CLUSTER_ID: '4L6g3nShT-eMCtK--X86sw',
    KAFKA_SSL_KEYSTORE_FILENAME: 'kafka01.keystore.jks',
    KAFKA_SSL_KEYSTORE_CREDENTIALS: 'kafka_keystore_creds',
    KAFKA_SSL_KEY_CREDENTIALS: 'kafka_ssl_key_creds',
    KAFKA_SSL_TRUSTSTORE_FILENAME: 'kafka.truststore.jks',
    KAFKA_SSL_TRUSTSTORE_CREDENTIALS: 'kafka_truststore_creds',
    KAFKA_SSL_CLIENT_AUTH: 'required',
    KAFKA_SSL_ENDPOINT_IDENTIFICATION_ALGORITHM: '',
  };
}

function dockerRunArgs(secrets: string, port: number, env: Record<string, string>): string[] {
  return [
    'run',
    '-d',
    '--hostname',
    'broker',
    '-p',
    `127.0.0.1:${port}:${port}`,
    '-v',
    `${secrets}:/etc/kafka/secrets:ro`,
    ...Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]),
    TEST_IMAGE,
  ];
}

t.test(
  "apache/kafka's SSL example: stores and passwords from /etc/kafka/secrets",
  { skip: unavailable ?? false, timeout: 600_000 },
  async (t) => {
    await ensureImage(TEST_IMAGE);
    const secrets = jksSecretsDir();
    t.teardown(() => rmSync(secrets, { recursive: true, force: true }));
    const port = await freePort();
    const started = await run('docker', dockerRunArgs(secrets, port, exampleEnvironment(port)), {
      timeoutMs: 60_000,
    });
    t.equal(started.code, 0, started.stderr);
    const id = started.stdout.trim();
    t.teardown(() => run('docker', ['rm', '-f', '-v', id], { timeoutMs: 60_000 }));

    const kafka = new Kafka({
      brokers: [`localhost:${port}`],
      ssl: jksClientTls(),
      logLevel: logLevel.NOTHING,
      retry: { retries: 12, initialRetryTime: 200 },
    });
    t.same(await createProduceConsume(kafka, 'ssl-example', ['one', 'two']), ['one', 'two']);

    const noCertificate = new Kafka({
      brokers: [`localhost:${port}`],
      ssl: { ca: [JKS.caPem] },
      logLevel: logLevel.NOTHING,
      retry: { retries: 0 },
    }).admin();
    await t.rejects(noCertificate.connect(), 'ssl.client.auth=required: a client without a certificate is refused');

    const logs = await run('docker', ['logs', id], { timeoutMs: 30_000 });
    t.match(logs.stdout + logs.stderr, /SSL is enabled\./);
    t.notMatch(logs.stdout + logs.stderr, /ssl\.keystore\.filename/, 'no leftover variable warned as a setting');
  },
);

t.test(
  'a missing credentials variable stops the container with the image message',
  { skip: unavailable ?? false, timeout: 300_000 },
  async (t) => {
    await ensureImage(TEST_IMAGE);
    const secrets = jksSecretsDir();
    t.teardown(() => rmSync(secrets, { recursive: true, force: true }));
    const port = await freePort();
    const env = exampleEnvironment(port);
    delete env.KAFKA_SSL_KEY_CREDENTIALS;
    const args = dockerRunArgs(secrets, port, env).filter((a) => a !== '-d');
    const result = await run('docker', ['run', '--rm', ...args.slice(1)], { timeoutMs: 120_000 });
    t.equal(result.code, 1);
    t.match(result.stdout, /KAFKA_SSL_KEY_CREDENTIALS environment variable not set/);
  },
);

t.test(
  "apache/kafka's file-input example: a server.properties mounted at /mnt/shared/config, the environment over it",
  { skip: unavailable ?? false, timeout: 600_000 },
  async (t) => {
    await ensureImage(TEST_IMAGE);
    const secrets = jksSecretsDir();
    const config = mkdtempSync(join(tmpdir(), 'gregor-file-input-'));
    t.teardown(() => {
      rmSync(secrets, { recursive: true, force: true });
      rmSync(config, { recursive: true, force: true });
    });
    const [plainPort, sslPort] = [await freePort(), await freePort()];
    writeFileSync(
      join(config, 'server.properties'),
      [
        `advertised.listeners=PLAINTEXT_HOST://localhost:${plainPort},SSL://localhost:${sslPort},PLAINTEXT://broker:19092`,
        'controller.listener.names=CONTROLLER',
        'group.initial.rebalance.delay.ms=0',
        'inter.broker.listener.name=PLAINTEXT',
        'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,SSL:SSL,CONTROLLER:PLAINTEXT,PLAINTEXT_HOST:PLAINTEXT',
        'log.dirs=/tmp/kraft-combined-logs',
        'offsets.topic.replication.factor=1',
        'process.roles=broker',
        'ssl.client.auth=required',
        'ssl.key.password=server-secret',
        'ssl.keystore.location=/etc/kafka/secrets/kafka01.keystore.jks',
        'ssl.keystore.password=server-secret',
        'ssl.truststore.location=/etc/kafka/secrets/kafka.truststore.jks',
        'ssl.truststore.password=trust-secret',
        'transaction.state.log.min.isr=1',
        'transaction.state.log.replication.factor=1',
        '',
      ].join('\n'),
    );
    chmodSync(config, 0o755);
    const started = await run(
      'docker',
      [
        'run',
        '-d',
        '--hostname',
        'broker',
        '-p',
        `127.0.0.1:${plainPort}:${plainPort}`,
        '-p',
        `127.0.0.1:${sslPort}:${sslPort}`,
        '-v',
        `${secrets}:/etc/kafka/secrets:ro`,
        '-v',
        `${config}:/mnt/shared/config:ro`,
        '-e',
        'CLUSTER_ID=4L6g3nShT-eMCtK--X86sw',
        '-e',
        'KAFKA_NODE_ID=1',
        '-e',
        'KAFKA_CONTROLLER_QUORUM_VOTERS=1@broker:29093',
        '-e',
        `KAFKA_LISTENERS=PLAINTEXT_HOST://:${plainPort},SSL://:${sslPort},CONTROLLER://:29093,PLAINTEXT://:19092`,
        '-e',
        'KAFKA_PROCESS_ROLES=broker,controller',
        TEST_IMAGE,
      ],
      { timeoutMs: 60_000 },
    );
    t.equal(started.code, 0, started.stderr);
    const id = started.stdout.trim();
    t.teardown(() => run('docker', ['rm', '-f', '-v', id], { timeoutMs: 60_000 }));

    const plain = new Kafka({
      brokers: [`localhost:${plainPort}`],
      logLevel: logLevel.NOTHING,
      retry: { retries: 12, initialRetryTime: 200 },
    });
    const admin = plain.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'file-input' }], waitForLeaders: true });
    const cluster = await admin.describeCluster();
    await admin.disconnect();
    t.same(
      cluster.brokers.map((b) => `${b.host}:${b.port}`),
      [`localhost:${plainPort}`],
      "advertised.listeners from the mounted file (not the image's localhost:9092 default)",
    );
    const producer = plain.producer();
    await producer.connect();
    await producer.send({ topic: 'file-input', messages: [{ value: 'from the file' }] });
    await producer.disconnect();
    const overTls = new Kafka({
      brokers: [`localhost:${sslPort}`],
      ssl: jksClientTls(),
      logLevel: logLevel.NOTHING,
      retry: { retries: 5, initialRetryTime: 200 },
    });
    t.same(await consumeValues(overTls, 'file-input', 'file-input-g', 1, 60_000), ['from the file'], 'read over mTLS');
  },
);
