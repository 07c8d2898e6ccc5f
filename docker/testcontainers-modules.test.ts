/**
 * Gregor's image started as the Testcontainers Kafka modules of Java, Go and Python start Kafka's
 * images, reproduced step by step with the docker CLI (none of these languages' registries is reachable
 * here); kafkajs then produces and consumes through the published port. Each set-up below is what the
 * module's source does to the container (the mirrors of github.com/testcontainers, read 2026-12-04):
 * - Java org.testcontainers.kafka.KafkaContainer (apache/kafka), testcontainers-java
 *   modules/kafka/src/main/java/org/testcontainers/kafka/KafkaContainer.java and KafkaHelper.java
 *   (deb78e1): KafkaHelper.envVars(), port 9092, the image's entry point kept and the command
 *   `sh -c "while [ ! -f /tmp/testcontainers_start.sh ]; do sleep 0.1; done; /tmp/testcontainers_start.sh"`;
 *   once started it copies /tmp/testcontainers_start.sh (0777: `#!/bin/bash`, export
 *   KAFKA_ADVERTISED_LISTENERS=PLAINTEXT://<host>:<port>,BROKER://<hostname>:9093, /etc/kafka/docker/run)
 *   and waits for a log line matching `.*Transitioning from RECOVERY to RUNNING.*`.
 *   withListener("kafka:19092") adds the listener TC-0://kafka:19092 and the network alias kafka.
 * - Java org.testcontainers.kafka.ConfluentKafkaContainer (confluentinc/cp-kafka), ConfluentKafkaContainer.java:
 *   the same, running /etc/confluent/docker/run.
 * - Go, testcontainers-go modules/kafka/kafka.go (5dec9dd): its env (KAFKA_REST_BOOTSTRAP_SERVERS
 *   included), port 9093, entry point `sh`, command `-c "while [ ! -f /usr/sbin/testcontainers_start.sh ];
 *   do sleep 0.1; done; bash /usr/sbin/testcontainers_start.sh"`; then /usr/sbin/testcontainers_start.sh
 *   (0755: sources /etc/confluent/docker/bash-config, exports KAFKA_ADVERTISED_LISTENERS, deletes the
 *   ZooKeeper lines of /etc/confluent/docker/configure, appends `kafka-storage format --ignore-formatted
 *   -t "$(kafka-storage random-uuid)" -c /etc/kafka/kafka.properties` to it, empties ensure, runs
 *   configure and launch); waits for `.*Transitioning from RECOVERY to RUNNING.*` (regexp).
 * - Python testcontainers.community.kafka.KafkaContainer, testcontainers-python
 *   src/testcontainers/community/kafka/__init__.py (c958e40), with_kraft(): its env, port 9093, the
 *   command `sh -c "while [ ! -f /tc-start.sh ]; do sleep 0.1; done; sh /tc-start.sh"`, then /tc-start.sh
 *   (tar defaults: 0644, root) with the KRaft boot command (sed on configure, appended `kafka-storage
 *   format --ignore-formatted -t <cluster id>`), KAFKA_ADVERTISED_LISTENERS with `$(hostname -i)`,
 *   bash-config, configure, launch; waits for `.*Kafka Server started.*`. Without with_kraft() it starts a
 *   ZooKeeper and exports KAFKA_ZOOKEEPER_CONNECT: refused, the output naming the setting.
 * Skips, saying why, when no Docker engine answers.
 */
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { TEST_IMAGE, dockerUnavailable, ensureImage, waitFor } from '../test/helpers/docker.js';
import { kafkajsRoundTrip } from '../test/helpers/kafka-round-trip.js';

const unavailable = dockerUnavailable();
if (unavailable === null) t.setTimeout(1_800_000);

interface Started {
  readonly host: string;
  readonly port: number;
  readonly hostname: string;
}

interface ModuleSetup {
  readonly exposedPort: number;
  readonly env: Record<string, string>;
  readonly entrypoint?: string;
  readonly command: string[];
  readonly scriptPath: string;
  readonly scriptMode: number;
  readonly script: (started: Started) => string;
  readonly readyLine: RegExp;
  /** A user-defined network and the container's alias on it (withNetwork, withNetworkAliases). */
  readonly network?: { name: string; alias: string };
}

function docker(args: string[], input?: Buffer): string {
  const result = spawnSync('docker', args, { input, encoding: 'buffer', timeout: 60_000 });
  if (result.status !== 0) throw new Error(`docker ${args[0]} failed: ${String(result.stderr)}`);
  return String(result.stdout).trim();
}

/** A tar of one file at `path` (no folder entries, owner root), as the modules send it to `/`. */
function tarOf(path: string, content: string, mode: number): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'tc-script-'));
  try {
    const relative = path.replace(/^\//, '');
    mkdirSync(join(dir, dirname(relative)), { recursive: true });
    writeFileSync(join(dir, relative), content, { mode });
    const tar = spawnSync('tar', ['-C', dir, '--owner=0', '--group=0', '-cf', '-', relative], { encoding: 'buffer' });
    if (tar.status !== 0) throw new Error(`tar failed: ${String(tar.stderr)}`);
    return tar.stdout;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs the container, copies the start script once it runs, as the module does; returns its id and address. */
function startAsModule(setup: ModuleSetup): { id: string; started: Started } {
  const envArgs = Object.entries(setup.env).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
  const entrypoint = setup.entrypoint ? ['--entrypoint', setup.entrypoint] : [];
  const network = setup.network ? ['--network', setup.network.name, '--network-alias', setup.network.alias] : [];
  const id = docker([
    'run',
    '-d',
    '-p',
    `127.0.0.1::${setup.exposedPort}`,
    ...envArgs,
    ...network,
    ...entrypoint,
    TEST_IMAGE,
    ...setup.command,
  ]);
  const mapped = docker(['port', id, `${setup.exposedPort}/tcp`]).split('\n')[0]!;
  const started = {
    host: 'localhost',
    port: Number(mapped.slice(mapped.lastIndexOf(':') + 1)),
    hostname: docker(['inspect', '-f', '{{.Config.Hostname}}', id]),
  };
  docker(['cp', '-', `${id}:/`], tarOf(setup.scriptPath, setup.script(started), setup.scriptMode));
  return { id, started };
}

const logsOf = (id: string): string => {
  const result = spawnSync('docker', ['logs', id], { encoding: 'utf8' });
  return `${result.stdout}${result.stderr}`;
};
const running = (id: string): boolean => docker(['inspect', '-f', '{{.State.Running}}', id]) === 'true';

const KAFKA_HELPER_ENV: Record<string, string> = {
  CLUSTER_ID: '4L6g3nShT-eMCtK--X86sw',
  KAFKA_LISTENERS: 'PLAINTEXT://0.0.0.0:9092,BROKER://0.0.0.0:9093,CONTROLLER://0.0.0.0:9094',
  KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'BROKER:PLAINTEXT,PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
  KAFKA_INTER_BROKER_LISTENER_NAME: 'BROKER',
  KAFKA_PROCESS_ROLES: 'broker,controller',
  KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
  KAFKA_NODE_ID: '1',
  KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9094',
  KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
  KAFKA_OFFSETS_TOPIC_NUM_PARTITIONS: '1',
  KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
  KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
  KAFKA_LOG_FLUSH_INTERVAL_MESSAGES: '9223372036854775807',
  KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
};
const JAVA_STARTER = '/tmp/testcontainers_start.sh';
const javaSetup = (run: string): ModuleSetup => ({
  exposedPort: 9092,
  env: KAFKA_HELPER_ENV,
  command: ['sh', '-c', `while [ ! -f ${JAVA_STARTER} ]; do sleep 0.1; done; ${JAVA_STARTER}`],
  scriptPath: JAVA_STARTER,
  scriptMode: 0o777,
  script: ({ host, port, hostname }) =>
    `#!/bin/bash\nexport KAFKA_ADVERTISED_LISTENERS=PLAINTEXT://${host}:${port},BROKER://${hostname}:9093\n${run} \n`,
  readyLine: /Transitioning from RECOVERY to RUNNING/,
});

/**
 * KafkaContainer.withListener("kafka:19092") on a network: KafkaHelper.resolveListeners adds the listener
 * TC-0://kafka:19092 (protocol TC-0:PLAINTEXT) and the network alias kafka; containerIsStarting advertises it.
 */
const javaWithListener = (network: string): ModuleSetup => {
  const plain = javaSetup('/etc/kafka/docker/run');
  return {
    ...plain,
    env: {
      ...plain.env,
      KAFKA_LISTENERS: `${plain.env.KAFKA_LISTENERS},TC-0://kafka:19092`,
      KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: `${plain.env.KAFKA_LISTENER_SECURITY_PROTOCOL_MAP},TC-0:PLAINTEXT`,
    },
    script: (started) => plain.script(started).replace(':9093\n', ':9093,TC-0://kafka:19092\n'),
    network: { name: network, alias: 'kafka' },
  };
};

const GO_STARTER = '/usr/sbin/testcontainers_start.sh';
const goSetup: ModuleSetup = {
  exposedPort: 9093,
  env: {
    KAFKA_LISTENERS: 'PLAINTEXT://0.0.0.0:9093,BROKER://0.0.0.0:9092,CONTROLLER://0.0.0.0:9094',
    KAFKA_REST_BOOTSTRAP_SERVERS: 'PLAINTEXT://0.0.0.0:9093,BROKER://0.0.0.0:9092,CONTROLLER://0.0.0.0:9094',
    KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'BROKER:PLAINTEXT,PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    KAFKA_INTER_BROKER_LISTENER_NAME: 'BROKER',
    KAFKA_BROKER_ID: '1',
    KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
    KAFKA_OFFSETS_TOPIC_NUM_PARTITIONS: '1',
    KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
    KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
    KAFKA_LOG_FLUSH_INTERVAL_MESSAGES: '9223372036854775807',
    KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
    KAFKA_NODE_ID: '1',
    KAFKA_PROCESS_ROLES: 'broker,controller',
    KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
    KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9094',
  },
  entrypoint: 'sh',
  command: ['-c', `while [ ! -f ${GO_STARTER} ]; do sleep 0.1; done; bash ${GO_STARTER}`],
  scriptPath: GO_STARTER,
  scriptMode: 0o755,
  script: ({ host, port, hostname }) =>
    [
      '#!/bin/bash',
      'source /etc/confluent/docker/bash-config',
      `export KAFKA_ADVERTISED_LISTENERS=PLAINTEXT://${host}:${port},BROKER://${hostname}:9092`,
      'echo Starting Kafka KRaft mode',
      "sed -i '/KAFKA_ZOOKEEPER_CONNECT/d' /etc/confluent/docker/configure",
      `echo 'kafka-storage format --ignore-formatted -t "$(kafka-storage random-uuid)" -c /etc/kafka/kafka.properties' >> /etc/confluent/docker/configure`,
      "echo '' > /etc/confluent/docker/ensure",
      '/etc/confluent/docker/configure',
      '/etc/confluent/docker/launch',
    ].join('\n'),
  readyLine: /Transitioning from RECOVERY to RUNNING/,
};

const PYTHON_STARTER = '/tc-start.sh';
const PYTHON_CLUSTER_ID = 'MkU3OEVBNTcwNTJENDM2Qk';
const pythonSetup = (kraft: boolean): ModuleSetup => ({
  exposedPort: 9093,
  env: {
    KAFKA_LISTENERS: `PLAINTEXT://0.0.0.0:9093,BROKER://0.0.0.0:9092${kraft ? ',CONTROLLER://0.0.0.0:9094' : ''}`,
    KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: `BROKER:PLAINTEXT,PLAINTEXT:PLAINTEXT${kraft ? ',CONTROLLER:PLAINTEXT' : ''}`,
    KAFKA_INTER_BROKER_LISTENER_NAME: 'BROKER',
    KAFKA_BROKER_ID: '1',
    KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
    KAFKA_OFFSETS_TOPIC_NUM_PARTITIONS: '1',
    KAFKA_LOG_FLUSH_INTERVAL_MESSAGES: '10000000',
    KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
    ...(kraft
      ? {
          CLUSTER_ID: PYTHON_CLUSTER_ID,
          KAFKA_NODE_ID: '1',
          KAFKA_PROCESS_ROLES: 'broker,controller',
          KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9094',
          KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
        }
      : {}),
  },
  command: ['sh', '-c', `while [ ! -f ${PYTHON_STARTER} ]; do sleep 0.1; done; sh ${PYTHON_STARTER}`],
  scriptPath: PYTHON_STARTER,
  scriptMode: 0o644,
  script: ({ host, port }) =>
    [
      '#!/bin/bash',
      ...(kraft
        ? [
            "    sed -i '/KAFKA_ZOOKEEPER_CONNECT/d' /etc/confluent/docker/configure",
            `    echo 'kafka-storage format --ignore-formatted -t ${PYTHON_CLUSTER_ID} -c /etc/kafka/kafka.properties' >> /etc/confluent/docker/configure`,
          ]
        : [
            "echo 'clientPort=2181' > zookeeper.properties",
            "echo 'dataDir=/var/lib/zookeeper/data' >> zookeeper.properties",
            "echo 'dataLogDir=/var/lib/zookeeper/log' >> zookeeper.properties",
            'zookeeper-server-start zookeeper.properties &',
            "export KAFKA_ZOOKEEPER_CONNECT='localhost:2181'",
          ]),
      `export KAFKA_ADVERTISED_LISTENERS=PLAINTEXT://${host}:${port},BROKER://$(hostname -i):9092`,
      '. /etc/confluent/docker/bash-config',
      '/etc/confluent/docker/configure',
      '/etc/confluent/docker/launch',
    ].join('\n'),
  readyLine: kraft ? /Kafka Server started/ : /\[KafkaServer id=\d+\] started/,
});

t.test(
  'Testcontainers Kafka modules of Java, Go and Python',
  { skip: unavailable ?? false, timeout: 1_800_000 },
  async (t) => {
    await ensureImage(TEST_IMAGE);
    const cases: Array<{ name: string; setup: ModuleSetup; formats: boolean }> = [
      {
        name: 'Java org.testcontainers.kafka.KafkaContainer',
        setup: javaSetup('/etc/kafka/docker/run'),
        formats: false,
      },
      { name: 'Java ConfluentKafkaContainer', setup: javaSetup('/etc/confluent/docker/run'), formats: false },
      { name: 'Go kafka.Run', setup: goSetup, formats: true },
      { name: 'Python KafkaContainer().with_kraft()', setup: pythonSetup(true), formats: true },
    ];
    for (const { name, setup, formats } of cases) {
      t.test(name, { timeout: 180_000 }, async (t) => {
        const began = Date.now();
        const { id, started } = startAsModule(setup);
        t.teardown(() => void spawnSync('docker', ['rm', '-f', '-v', id], { stdio: 'ignore' }));
        // The module waits for its line; a container that stopped will never print it.
        const ready = async (): Promise<boolean> => setup.readyLine.test(logsOf(id));
        await waitFor(`${setup.readyLine} or a stop`, async () => (await ready()) || !running(id), 120_000);
        if (!(await ready())) return t.fail(`no ${setup.readyLine} in the output:\n${logsOf(id).slice(-3000)}`);
        t.comment(`docker run to the ready line: ${Date.now() - began} ms`);
        const values = await kafkajsRoundTrip(`${started.host}:${started.port}`, `tc-${name.replace(/\W+/g, '-')}`);
        t.same(values, ['v0', 'v1', 'v2', 'v3', 'v4'], 'kafkajs consumed what it produced');
        if (formats) t.match(logsOf(id), /Formatting/, 'the appended `kafka-storage format` ran');
      });
    }

    t.test('Java KafkaContainer.withListener("kafka:19092") on a network', { timeout: 180_000 }, async (t) => {
      const network = `gregor-tc-${process.pid}`;
      docker(['network', 'create', network]);
      t.teardown(() => void spawnSync('docker', ['network', 'rm', network], { stdio: 'ignore' }));
      const setup = javaWithListener(network);
      const { id, started } = startAsModule(setup);
      t.teardown(() => void spawnSync('docker', ['rm', '-f', '-v', id], { stdio: 'ignore' }));
      await waitFor('the ready line or a stop', async () => setup.readyLine.test(logsOf(id)) || !running(id), 120_000);
      t.match(logsOf(id), setup.readyLine, 'ready');
      const values = await kafkajsRoundTrip(`${started.host}:${started.port}`, 'tc-with-listener');
      t.same(values, ['v0', 'v1', 'v2', 'v3', 'v4'], 'kafkajs consumed what it produced');
      // Another container of the network reaches the broker at kafka:19092 (the image runs the tool given).
      const listed = docker([
        'run',
        '--rm',
        '--network',
        network,
        TEST_IMAGE,
        'kafka-topics.sh',
        '--bootstrap-server',
        'kafka:19092',
        '--list',
      ]);
      t.ok(
        listed.split('\n').includes('tc-with-listener'),
        `kafka-topics.sh through TC-0://kafka:19092 lists the topic: ${listed}`,
      );
    });

    t.test(
      'Python KafkaContainer() in ZooKeeper mode is refused, naming the setting',
      { timeout: 120_000 },
      async (t) => {
        const { id } = startAsModule(pythonSetup(false));
        t.teardown(() => void spawnSync('docker', ['rm', '-f', '-v', id], { stdio: 'ignore' }));
        await waitFor('the container to stop', async () => !running(id), 60_000);
        t.not(docker(['inspect', '-f', '{{.State.ExitCode}}', id]), '0', 'exits with an error');
        const logs = logsOf(id);
        t.match(logs, /KAFKA_ZOOKEEPER_CONNECT=localhost:2181 asks for ZooKeeper mode/, 'the output names the setting');
        t.notMatch(logs, /Kafka Server started|\[KafkaServer id=\d+\] started/, 'no ready line');
      },
    );
  },
);
