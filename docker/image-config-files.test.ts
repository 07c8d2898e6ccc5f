/**
 * Kafka's config files in the image where apache/kafka 3.9's image has them: /opt/kafka/config/kraft/
 * server.properties (and reconfig-server.properties), producer.properties and consumer.properties.
 * A user reads them, or hands them to the tools in the container: the console producer with
 * --producer.config /opt/kafka/config/producer.properties writes to the container's broker, kafkajs
 * reads the record back through the published port. Before, /opt/kafka/config did not exist. Skips,
 * saying why, when no Docker engine answers.
 */
import t from 'tap';
import { Kafka, logLevel } from 'kafkajs';
import { TEST_IMAGE, dockerUnavailable, ensureImage, freePort, waitFor } from '../test/helpers/docker.js';
import { run } from '../test/helpers/external.js';

const unavailable = dockerUnavailable();
if (unavailable === null) t.setTimeout(1_800_000);

t.test("the image ships Kafka's config files under /opt/kafka/config", { skip: unavailable ?? false }, async (t) => {
  await ensureImage(TEST_IMAGE);
  const listed = await run(
    'docker',
    ['run', '--rm', TEST_IMAGE, 'sh', '-c', 'cd /opt/kafka/config && ls kraft/server.properties kraft/reconfig-server.properties producer.properties consumer.properties && cat kraft/server.properties'],
    { timeoutMs: 60_000 },
  );
  t.equal(listed.code, 0, listed.stderr);
  t.match(listed.stdout, /^process\.roles=broker,controller$/m, "Kafka's single-node settings");
  t.match(listed.stdout, /^log\.dirs=\/tmp\/kraft-combined-logs$/m);

  // On the host's network, so that the tools in the container and kafkajs on the host reach the same
  // advertised address.
  const port = await freePort();
  const controllerPort = await freePort();
  const metricsPort = await freePort();
  const env = {
    KAFKA_PROCESS_ROLES: 'broker,controller',
    KAFKA_NODE_ID: '1',
    KAFKA_CONTROLLER_QUORUM_VOTERS: `1@127.0.0.1:${controllerPort}`,
    KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
    KAFKA_LISTENERS: `PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://127.0.0.1:${port}`,
    KAFKA_METRICS_LISTENER: `http://127.0.0.1:${metricsPort}`,
  };
  const envArgs = Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
  const started = await run('docker', ['run', '-d', '--network', 'host', ...envArgs, TEST_IMAGE], { timeoutMs: 60_000 });
  t.equal(started.code, 0, started.stderr);
  const id = started.stdout.trim();
  t.teardown(() => run('docker', ['rm', '-f', '-v', id], { timeoutMs: 60_000 }));
  const kafka = new Kafka({ brokers: [`127.0.0.1:${port}`], logLevel: logLevel.NOTHING, retry: { retries: 15 } });
  const admin = kafka.admin();
  await waitFor('the broker', async () => (await admin.connect(), true), 60_000, 500);
  t.teardown(() => admin.disconnect());
  await admin.createTopics({ topics: [{ topic: 'from-config', numPartitions: 1 }], waitForLeaders: true });

  // As Kafka's console producer, --bootstrap-server is still required; the file adds its settings.
  const produced = await run(
    'docker',
    ['exec', '-i', id, '/opt/kafka/bin/kafka-console-producer.sh', '--bootstrap-server', `127.0.0.1:${port}`, '--topic', 'from-config', '--producer.config', '/opt/kafka/config/producer.properties'],
    { input: 'written with producer.properties\n', timeoutMs: 60_000 },
  );
  t.equal(produced.code, 0, produced.stderr);
  const consumer = kafka.consumer({ groupId: 'config-files-check' });
  await consumer.connect();
  t.teardown(() => consumer.disconnect());
  await consumer.subscribe({ topic: 'from-config', fromBeginning: true });
  const value = await new Promise<string>((resolve) => {
    void consumer.run({ eachMessage: async ({ message }) => resolve(message.value?.toString() ?? '') });
  });
  t.equal(value, 'written with producer.properties');
}); // prettier-ignore
