/**
 * The Docker image on a real engine: started through the Testcontainers module
 * (gregor/testcontainers) and through docker/compose.yml, each driven by kafkajs through
 * the published port (and kcat, when installed, for compose); the entry point
 * (docker/image/docker-entrypoint.sh): a command runs instead of the broker, gregor start's
 * options reach it. Skips, saying why, when no Docker engine answers. Builds the image
 * (TEST_IMAGE) first when it is missing.
 */
import t, { type Test } from 'tap';
import kafkajs from 'kafkajs';
import { spawnSync } from 'node:child_process';
import { GregorContainer } from '../src/testcontainers/index.js';
import {
  DOCKER_ENV,
  REPO_ROOT,
  TEST_IMAGE,
  closeEngineRequests,
  dockerUnavailable,
  ensureImage,
  freePort,
  singleNodeEnvArgs,
  waitFor,
} from '../test/helpers/docker.js';
import { hasCommand, run } from '../test/helpers/external.js';
import { kafkajsRoundTrip } from '../test/helpers/kafka-round-trip.js';

const { Kafka, logLevel } = kafkajs;
const unavailable = dockerUnavailable();
process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
// Building the image the first time (npm ci and native addons inside) takes minutes on a busy machine.
if (unavailable === null) t.setTimeout(1_800_000);
// Requests testcontainers left open to the engine kept this process alive for minutes now and then.
t.teardown(closeEngineRequests);

async function roundTrip(
  t: Test,
  bootstrap: string,
  topic: string,
): Promise<{ clusterId: string; partitions: number }> {
  t.same(await kafkajsRoundTrip(bootstrap, topic), ['v0', 'v1', 'v2', 'v3', 'v4'], 'consumed what was produced');
  const admin = new Kafka({ brokers: [bootstrap], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  const cluster = await admin.describeCluster();
  const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
  await admin.disconnect();
  return { clusterId: cluster.clusterId, partitions: metadata.topics[0]!.partitions.length };
}

t.test('Docker image', { skip: unavailable ?? false, timeout: 1_800_000 }, async (t) => {
  await ensureImage(TEST_IMAGE);

  t.test('through the Testcontainers module', { timeout: 180_000 }, async (t) => {
    const started = Date.now();
    const container = await new GregorContainer(TEST_IMAGE)
      .withClusterId('tc-cluster-id-00000001')
      .withConfig('num.partitions', 3)
      .start();
    t.teardown(() => container.stop());
    t.comment(`start to ready (/readyz 200): ${Date.now() - started} ms`);
    const { clusterId, partitions } = await roundTrip(t, container.getBootstrapServers(), 'tc-orders');
    t.equal(clusterId, 'tc-cluster-id-00000001', 'CLUSTER_ID is the cluster id');
    t.equal(partitions, 3, 'withConfig reached the broker (num.partitions of an auto-created topic)');
    const ready = await fetch(`${container.getMetricsUrl()}/readyz`);
    t.equal(ready.status, 200);
    const metrics = await (await fetch(`${container.getMetricsUrl()}/metrics`)).text();
    t.match(metrics, /kafka_server_brokertopicmetrics_messagesin_total\{topic="tc-orders"\} 5/);
    const user = await container.exec(['node', '-e', 'process.stdout.write(String(process.getuid()))']);
    t.equal(user.output.trim(), '10001', 'runs as a non-root user');
    // Kafka's tools where the apache/kafka image has them (no shell in the image: node launchers).
    // The module's container listens inside on the port it advertises (localhost:<mapped port>).
    const topics = await container.exec([
      '/opt/kafka/bin/kafka-topics.sh',
      '--list',
      '--bootstrap-server',
      container.getBootstrapServers(),
    ]);
    t.equal(topics.exitCode, 0, topics.output);
    t.ok(topics.output.split('\n').includes('tc-orders'), '/opt/kafka/bin/kafka-topics.sh --list names the topic');
  });

  t.test('the entry point: a command runs instead, options go to gregor start', { timeout: 120_000 }, async (t) => {
    const version = await run('docker', ['run', '--rm', TEST_IMAGE, 'kafka-topics.sh', '--version'], {
      timeoutMs: 60_000,
    });
    t.equal(version.code, 0, version.stderr);
    t.match(version.stdout, /^3\.9\.0/, '`docker run <image> kafka-topics.sh --version` runs the tool');
    const port = await freePort();
    const started = await run(
      'docker',
      [
        'run',
        '-d',
        '-p',
        `127.0.0.1:${port}:9092`,
        ...singleNodeEnvArgs(port),
        TEST_IMAGE,
        '--override',
        'num.partitions=4',
      ],
      { timeoutMs: 60_000 },
    );
    t.equal(started.code, 0, started.stderr);
    const id = started.stdout.trim();
    t.teardown(() => run('docker', ['rm', '-f', '-v', id], { timeoutMs: 60_000 }));
    const kafka = new Kafka({
      brokers: [`127.0.0.1:${port}`],
      logLevel: logLevel.NOTHING,
      retry: { retries: 10, initialRetryTime: 100 },
    });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'entry-point-override', messages: [{ value: 'x' }] });
    await producer.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    const metadata = await admin.fetchTopicMetadata({ topics: ['entry-point-override'] });
    await admin.disconnect();
    t.equal(
      metadata.topics[0]!.partitions.length,
      4,
      '`docker run <image> --override num.partitions=4` reached the broker',
    );
    const pid1 = await run('docker', ['exec', id, 'cat', '/proc/1/cmdline'], { timeoutMs: 30_000 });
    t.equal(pid1.stdout.split('\0')[0], 'node', 'the broker is PID 1 (the entry point execs node)');
  });

  const compose =
    spawnSync('docker', ['compose', 'version'], { stdio: 'ignore' }).status === 0
      ? ['docker', 'compose']
      : hasCommand('docker-compose')
        ? ['docker-compose']
        : null;
  t.test(
    'through docker/compose.yml',
    { skip: compose ? false : 'neither `docker compose` nor `docker-compose` is installed', timeout: 180_000 },
    async (t) => {
      const [command, ...prefix] = compose!;
      const port = await freePort();
      const metricsPort = await freePort();
      const project = `gregor-test-${process.pid}`;
      const env = {
        ...DOCKER_ENV,
        GREGOR_IMAGE: TEST_IMAGE,
        GREGOR_PORT: String(port),
        GREGOR_METRICS_PORT: String(metricsPort),
      };
      const composeRun = (args: string[]) =>
        run(command!, [...prefix, '-p', project, '-f', `${REPO_ROOT}docker/compose.yml`, ...args], {
          env,
          timeoutMs: 120_000,
        });
      const up = await composeRun(['up', '-d', '--no-build']);
      t.teardown(async () => {
        await composeRun(['down', '-v', '-t', '5']);
      });
      t.equal(up.code, 0, up.code === 0 ? 'compose up' : up.stderr);
      await waitFor(
        '/readyz',
        async () => (await fetch(`http://127.0.0.1:${metricsPort}/readyz`)).status === 200,
        60_000,
      );
      const { clusterId } = await roundTrip(t, `127.0.0.1:${port}`, 'compose-orders');
      t.equal(clusterId, 'MkU3OEVBNTcwNTJENDM2Qk', 'the CLUSTER_ID of compose.yml');
      // As the apache/kafka image's users type it (localhost:9092 by default): the broker listens inside
      // on the port it advertises, which the tool reaches after the bootstrap's metadata, as Kafka's.
      const listed = await composeRun([
        'exec',
        '-T',
        'kafka',
        '/opt/kafka/bin/kafka-topics.sh',
        '--list',
        '--bootstrap-server',
        `localhost:${port}`,
      ]);
      t.equal(listed.code, 0, listed.stderr);
      t.ok(
        listed.stdout.split('\n').includes('compose-orders'),
        'kafka-topics.sh --list in the container names the topic',
      );
      if (hasCommand('kcat')) {
        const produced = await run('kcat', ['-b', `127.0.0.1:${port}`, '-P', '-t', 'compose-kcat', '-K', ':'], {
          input: 'a:1\nb:2\nc:3\n',
        });
        t.equal(produced.code, 0, produced.stderr);
        const consumed = await run('kcat', [
          '-b',
          `127.0.0.1:${port}`,
          '-C',
          '-t',
          'compose-kcat',
          '-e',
          '-q',
          '-f',
          '%k=%s\n',
        ]);
        t.same(consumed.stdout.trim().split('\n'), ['a=1', 'b=2', 'c=3'], 'kcat round trip');
      } else t.comment('kcat is not installed: the kcat round trip is skipped');
    },
  );
});
