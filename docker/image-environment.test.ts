/**
 * The image's environment, as the apache/kafka 3.9 image reads its own (docker/resources/common-scripts
 * configureDefaults and configure, KafkaDockerWrapper): no KAFKA_* setting at all gives the defaults and
 * the image's default CLUSTER_ID, saying so; some KAFKA_* settings replace the defaults entirely, so a
 * setting Kafka cannot do without stops the container (exit 1) with Kafka's message; KAFKA_LISTENERS is
 * derived from KAFKA_ADVERTISED_LISTENERS (hosts 0.0.0.0); a controller-only node refuses an advertised
 * listener; a log dir formatted before keeps its cluster id. Before, the image filled each missing
 * variable with its own default (a container with only KAFKA_NUM_PARTITIONS started a broker) and a
 * container without CLUSTER_ID got a random cluster id. kafkajs checks the brokers that start. Skips,
 * saying why, when no Docker engine answers.
 */
import t from 'tap';
import { Kafka, logLevel } from 'kafkajs';
import { TEST_IMAGE, dockerUnavailable, ensureImage, freePort } from '../test/helpers/docker.js';
import { DEBIAN_PYTHON, hasPythonModule, run } from '../test/helpers/external.js';
import { kafkajsRoundTrip } from '../test/helpers/kafka-round-trip.js';

const unavailable = hasPythonModule('confluent_kafka') ? dockerUnavailable() : 'no python3-confluent-kafka';
if (unavailable === null) t.setTimeout(1_800_000);

const KAFKA_DEFAULT_CLUSTER_ID = '5L6g3nShT-eMCtK--X86sw';

function envArgs(env: Record<string, string>): string[] {
  return Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
}

/** Runs the image with `env` and waits for it to stop; its exit code and everything it printed. */
async function runToExit(env: Record<string, string>): Promise<{ code: number; output: string }> {
  const started = await run('docker', ['run', '-d', ...envArgs(env), TEST_IMAGE], { timeoutMs: 60_000 });
  if (started.code !== 0) throw new Error(started.stderr);
  const id = started.stdout.trim();
  try {
    const waited = await run('docker', ['wait', id], { timeoutMs: 60_000 });
    const logs = await run('docker', ['logs', id], { timeoutMs: 30_000 });
    return { code: Number(waited.stdout.trim()), output: logs.stdout + logs.stderr };
  } finally {
    await run('docker', ['rm', '-f', '-v', id], { timeoutMs: 60_000 });
  }
}

/** Starts a container publishing `port` on the same host port; its id. */
async function startPublished(t: Tap.Test, port: number, args: string[]): Promise<string> {
  const started = await run('docker', ['run', '-d', '-p', `127.0.0.1:${port}:${port}`, ...args], {
    timeoutMs: 60_000,
  });
  t.equal(started.code, 0, started.stderr);
  const id = started.stdout.trim();
  t.teardown(() => run('docker', ['rm', '-f', '-v', id], { timeoutMs: 60_000 }));
  return id;
}

async function clusterId(bootstrap: string): Promise<string> {
  const kafka = new Kafka({ brokers: [bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 15 } });
  const admin = kafka.admin();
  await admin.connect();
  try {
    return (await admin.describeCluster()).clusterId;
  } finally {
    await admin.disconnect();
  }
}

t.test('the image reads its environment as apache/kafka does', { skip: unavailable ?? false }, async (t) => {
  await ensureImage(TEST_IMAGE);

  t.test('no KAFKA_* setting: the defaults, and the default CLUSTER_ID, said so', async (t) => {
    // The defaults advertise localhost:9092, which a host port other than 9092 does not reach: the
    // metadata librdkafka gets on its bootstrap connection is enough here.
    const port = await freePort();
    const started = await run('docker', ['run', '-d', '-p', `127.0.0.1:${port}:9092`, TEST_IMAGE], {
      timeoutMs: 60_000,
    });
    t.equal(started.code, 0, started.stderr);
    const id = started.stdout.trim();
    t.teardown(() => run('docker', ['rm', '-f', '-v', id], { timeoutMs: 60_000 }));
    const script = [
      'import json, sys',
      'from confluent_kafka.admin import AdminClient',
      `md = AdminClient({"bootstrap.servers": "127.0.0.1:${port}"}).list_topics(timeout=60)`,
      'print(json.dumps({"cluster_id": md.cluster_id, "brokers": [str(b) for b in md.brokers.values()]}))',
    ].join('\n');
    const listed = await run(DEBIAN_PYTHON, ['-c', script], { timeoutMs: 90_000 });
    t.equal(listed.code, 0, listed.code === 0 ? 'librdkafka read the metadata' : listed.stderr);
    const metadata = JSON.parse(listed.stdout) as { cluster_id: string; brokers: string[] };
    t.equal(metadata.cluster_id, KAFKA_DEFAULT_CLUSTER_ID, "the apache/kafka image's default cluster id");
    t.same(metadata.brokers, ['localhost:9092/1'], 'node 1 advertised as localhost:9092');
    const logs = await run('docker', ['logs', id], { timeoutMs: 30_000 });
    t.match(logs.stdout, `CLUSTER_ID not set. Setting it to default value: "${KAFKA_DEFAULT_CLUSTER_ID}"`);
  });

  t.test("some KAFKA_* settings replace the defaults: the missing ones stop it with Kafka's message", async (t) => {
    const cases: { env: Record<string, string>; message: RegExp }[] = [
      { env: { KAFKA_NUM_PARTITIONS: '3' }, message: /^Missing required configuration `zookeeper\.connect` which has no default value\./m },
      { env: { KAFKA_PROCESS_ROLES: 'broker,controller' }, message: /^Missing configuration `node\.id` which is required when `process\.roles` is defined/m },
      {
        env: { KAFKA_PROCESS_ROLES: 'broker,controller', KAFKA_NODE_ID: '1' },
        message: /^If using process\.roles, either controller\.quorum\.bootstrap\.servers must contain/m,
      },
      {
        env: { KAFKA_PROCESS_ROLES: 'broker', KAFKA_NODE_ID: '2', KAFKA_CONTROLLER_QUORUM_VOTERS: '1@c:9093' },
        message: /^controller\.listener\.names must contain at least one value when running KRaft with just the broker role$/m,
      },
      {
        env: { KAFKA_PROCESS_ROLES: 'controller', KAFKA_ADVERTISED_LISTENERS: 'PLAINTEXT://localhost:9092' },
        message: /^KAFKA_ADVERTISED_LISTENERS is not supported on a KRaft controller\.$/m,
      },
    ]; // prettier-ignore
    for (const { env, message } of cases) {
      const { code, output } = await runToExit(env);
      t.equal(code, 1, `${JSON.stringify(env)}: exit code`);
      t.match(output, message, JSON.stringify(env));
      t.match(output, /Running in KRaft mode|zookeeper/);
    }
  });

  t.test('KAFKA_LISTENERS is KAFKA_ADVERTISED_LISTENERS on 0.0.0.0; a formatted dir keeps its id', async (t) => {
    const port = await freePort();
    const env = {
      KAFKA_PROCESS_ROLES: 'broker,controller',
      KAFKA_NODE_ID: '1',
      KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9093',
      KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
      KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
      KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://localhost:${port},CONTROLLER://localhost:9093`,
      KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
    };
    const volume = `gregor-env-test-${process.pid}`;
    t.teardown(() => run('docker', ['volume', 'rm', '-f', volume], { timeoutMs: 60_000 }));
    const first = await startPublished(t, port, [
      '-v', `${volume}:/var/lib/gregor/data`, ...envArgs({ ...env, CLUSTER_ID: 'formatted-before-0000001' }), TEST_IMAGE,
    ]); // prettier-ignore
    t.same(await kafkajsRoundTrip(`127.0.0.1:${port}`, 'derived'), ['v0', 'v1', 'v2', 'v3', 'v4']);
    await run('docker', ['rm', '-f', first], { timeoutMs: 60_000 });
    const second = await startPublished(t, port, ['-v', `${volume}:/var/lib/gregor/data`, ...envArgs(env), TEST_IMAGE]);
    t.equal(await clusterId(`127.0.0.1:${port}`), 'formatted-before-0000001', 'the stored cluster id, not the default');
    const logs = await run('docker', ['logs', second], { timeoutMs: 30_000 });
    t.match(logs.stdout, 'CLUSTER_ID not set. Setting it to default value');
  });
});
