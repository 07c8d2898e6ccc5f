/**
 * The apache/kafka image's isolated SSL cluster example (its docker/examples cluster/isolated/ssl
 * compose file, Kafka 3.9) with Gregor's image: three controller-only nodes and three broker-only
 * nodes whose client and inter-broker listeners are SSL with mTLS required, stores (keytool JKS,
 * test/fixtures/jks) and passwords named by KAFKA_SSL_*_FILENAME / _CREDENTIALS in /etc/kafka/secrets,
 * the settings as the example gives them (KAFKA_SECURITY_PROTOCOL included, a setting Kafka's broker
 * does not know). kafkajs with the client certificate creates a topic with three replicas and
 * min.insync.replicas=2, produces with acks=all and reads everything back. Skips, saying why, when no
 * Docker engine or compose answers.
 */
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { DOCKER_ENV, TEST_IMAGE, dockerUnavailable, ensureImage, freePort } from '../test/helpers/docker.js';
import { hasCommand, run } from '../test/helpers/external.js';
import { consumeValues } from '../test/helpers/kafka-round-trip.js';
import { pollUntil } from '../test/helpers/poll.js';
import { jksClientTls, jksSecretsDir } from '../test/helpers/jks-fixtures.js';

function composeCommand(): string[] | null {
  if (spawnSync('docker', ['compose', 'version'], { stdio: 'ignore' }).status === 0) return ['docker', 'compose'];
  return hasCommand('docker-compose') ? ['docker-compose'] : null;
}

const unavailable = dockerUnavailable();
const compose = unavailable === null ? composeCommand() : null;
const skip = unavailable ?? (compose ? false : 'neither `docker compose` nor `docker-compose` is installed');
if (skip === false) t.setTimeout(1_800_000);

const COMMON = {
  KAFKA_CONTROLLER_QUORUM_VOTERS: "'1@controller-1:29092,2@controller-2:29092,3@controller-3:29092'",
  KAFKA_CONTROLLER_LISTENER_NAMES: "'CONTROLLER'",
  CLUSTER_ID: "'4L6g3nShT-eMCtK--X86sw'",
  KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
  KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
  KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
  KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
  KAFKA_LOG_DIRS: "'/tmp/kraft-combined-logs'",
};

function controller(id: number): string {
  const env = {
    KAFKA_NODE_ID: String(id),
    KAFKA_PROCESS_ROLES: "'controller'",
    KAFKA_INTER_BROKER_LISTENER_NAME: "'PLAINTEXT'",
    KAFKA_LISTENERS: "'CONTROLLER://:29092'",
    ...COMMON,
  };
  return service(`controller-${id}`, env, []);
}

function broker(index: number, port: number): string {
  const env = {
    KAFKA_NODE_ID: String(index + 3),
    KAFKA_PROCESS_ROLES: "'broker'",
    KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: "'SSL:SSL,CONTROLLER:PLAINTEXT,SSL-INTERNAL:SSL'",
    KAFKA_LISTENERS: "'SSL-INTERNAL://:19093,SSL://:9093'",
    KAFKA_INTER_BROKER_LISTENER_NAME: "'SSL-INTERNAL'",
    KAFKA_SECURITY_PROTOCOL: 'SSL',
    KAFKA_ADVERTISED_LISTENERS: `SSL-INTERNAL://kafka-${index}:19093,SSL://localhost:${port}`,
    ...COMMON,
    KAFKA_SSL_KEYSTORE_FILENAME: "'kafka01.keystore.jks'",
    KAFKA_SSL_KEYSTORE_CREDENTIALS: "'kafka_keystore_creds'",
    KAFKA_SSL_KEY_CREDENTIALS: "'kafka_ssl_key_creds'",
    KAFKA_SSL_TRUSTSTORE_FILENAME: "'kafka.truststore.jks'",
    KAFKA_SSL_TRUSTSTORE_CREDENTIALS: "'kafka_truststore_creds'",
    KAFKA_SSL_CLIENT_AUTH: "'required'",
    KAFKA_SSL_ENDPOINT_IDENTIFICATION_ALGORITHM: '""',
  };
  const extra = [
    `    hostname: kafka-${index}`,
    '    ports:',
    `      - 127.0.0.1:${port}:9093`,
    '    volumes:',
    '      - ./secrets:/etc/kafka/secrets',
    '    depends_on:',
    '      - controller-1',
    '      - controller-2',
    '      - controller-3',
  ];
  return service(`kafka-${index}`, env, extra);
}

function service(name: string, env: Record<string, string>, extra: string[]): string {
  return [
    `  ${name}:`,
    '    image: ${IMAGE}',
    ...extra,
    '    environment:',
    ...Object.entries(env).map(([k, v]) => `      ${k}: ${v}`),
  ].join('\n');
}

t.test("apache/kafka's isolated SSL cluster example: 3 controllers, 3 SSL brokers", { skip }, async (t) => {
  await ensureImage(TEST_IMAGE);
  const dir = mkdtempSync(join(tmpdir(), 'gregor-apache-cluster-'));
  const secrets = join(dir, 'secrets');
  mkdirSync(secrets);
  jksSecretsDir(secrets);
  chmodSync(dir, 0o755);
  const ports = [await freePort(), await freePort(), await freePort()];
  const file = join(dir, 'docker-compose.yml');
  writeFileSync(
    file,
    ["version: '2'", 'services:', ...[1, 2, 3].map(controller), ...ports.map((p, i) => broker(i + 1, p)), ''].join(
      '\n',
    ),
  );
  const project = `gregor-apache-cluster-${process.pid}`;
  const [command, ...prefix] = compose!;
  const composeRun = (args: string[]) =>
    run(command!, [...prefix, '-p', project, '-f', file, ...args], {
      env: { ...DOCKER_ENV, IMAGE: TEST_IMAGE },
      timeoutMs: 180_000,
    });
  t.teardown(async () => {
    await composeRun(['down', '-v', '-t', '5']);
    rmSync(dir, { recursive: true, force: true });
  });
  const up = await composeRun(['up', '-d', '--no-build']);
  t.equal(up.code, 0, up.code === 0 ? 'compose up' : up.stderr);

  const kafka = new Kafka({
    brokers: ports.map((p) => `localhost:${p}`),
    ssl: jksClientTls(),
    logLevel: logLevel.NOTHING,
    retry: { retries: 5, initialRetryTime: 200 },
  });
  const admin = kafka.admin();
  t.teardown(() => admin.disconnect());
  await pollUntil('three brokers registered', 180_000, async () => {
    await admin.connect();
    return (await admin.describeCluster()).brokers.length === 3;
  });
  await admin.createTopics({
    topics: [
      {
        topic: 'example',
        numPartitions: 3,
        replicationFactor: 3,
        configEntries: [{ name: 'min.insync.replicas', value: '2' }],
      },
    ],
    waitForLeaders: true,
  });
  const producer = kafka.producer();
  await producer.connect();
  const values = Array.from({ length: 30 }, (_, i) => `m${i}`);
  await producer.send({ topic: 'example', acks: -1, messages: values.map((value) => ({ value })) });
  await producer.disconnect();
  const read = await consumeValues(kafka, 'example', 'example-g', values.length, 60_000);
  t.same([...read].sort(), [...values].sort(), 'every acknowledged record read back');
  const metadata = await admin.fetchTopicMetadata({ topics: ['example'] });
  t.ok(
    metadata.topics[0]!.partitions.every((p) => p.isr.length === 3),
    'every partition has three in-sync replicas (replication over the SSL-INTERNAL listener)',
  );
});
