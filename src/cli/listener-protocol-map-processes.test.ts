/**
 * listener.security.protocol.map and the controller listener, as Kafka 3.9's KafkaConfig reads them
 * (effectiveListenerSecurityProtocolMap, validateValues), through real processes:
 * - three combined nodes configured only by the apache/kafka image's KAFKA_* variables, with
 *   controller.listener.names=KRAFT and no listener.security.protocol.map: Kafka maps the controller
 *   listener to PLAINTEXT by itself, so the cluster forms and kafkajs produces and reads back (Gregor
 *   refused to start: its default map named only CONTROLLER);
 * - a node whose explicit map leaves out its PLAINTEXT listener exits at once naming the listener and
 *   the setting (Gregor served it as PLAINTEXT anyway);
 * - a combined node of a three-voter quorum without a controller listener exits with Kafka's message
 *   (Gregor started a voter nobody could reach).
 */
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { CLI_SKIP } from '../../test/helpers/cli.js';
import { freePort } from '../../test/helpers/ports.js';
import {
  exitWithin,
  kafkaEnvironment,
  kraftProperties,
  startWithProperties,
  writeProperties,
  type KraftProcess,
} from '../../test/helpers/kraft-properties.js';

const CLUSTER_ID = 'Lm9uZ19saXZlX2thZmthXw';
const FAST = {
  'controller.quorum.election.timeout.ms': '500',
  'controller.quorum.fetch.timeout.ms': '1000',
  'broker.heartbeat.interval.ms': '200',
  'group.initial.rebalance.delay.ms': '0',
};

t.test(
  'KAFKA_* variables, controller listener KRAFT, no protocol map: the cluster forms as on Kafka',
  { skip: CLI_SKIP },
  async (t) => {
    const root = mkdtempSync(join(tmpdir(), 'gregor-protocol-map-'));
    const running: KraftProcess[] = [];
    t.teardown(async () => {
      await Promise.all(running.map((p) => p.stop('SIGKILL')));
      rmSync(root, { recursive: true, force: true });
    });
    const brokerPorts = [await freePort(), await freePort(), await freePort()];
    const controllerPorts = [await freePort(), await freePort(), await freePort()];
    const voters = controllerPorts.map((p, i) => `${i + 1}@127.0.0.1:${p}`).join(',');
    for (const [i, brokerPort] of brokerPorts.entries()) {
      const listeners = `PLAINTEXT://127.0.0.1:${brokerPort},KRAFT://127.0.0.1:${controllerPorts[i]}`;
      const env = kafkaEnvironment({
        'node.id': String(i + 1),
        'process.roles': 'broker,controller',
        'controller.quorum.voters': voters,
        listeners,
        'advertised.listeners': listeners,
        'controller.listener.names': 'KRAFT',
        'inter.broker.listener.name': 'PLAINTEXT',
        'log.dirs': join(root, `node-${i + 1}`),
        'cluster.id': CLUSTER_ID,
        'offsets.topic.replication.factor': '3',
        ...FAST,
      });
      running.push(startWithProperties(null, env));
    }
    for (const node of running) await node.waitForOutput(/caught up with the metadata log and unfenced/, 120_000);

    const kafka = new Kafka({ brokers: brokerPorts.map((p) => `127.0.0.1:${p}`), logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    const producer = kafka.producer();
    const consumer = kafka.consumer({ groupId: 'protocol-map-check' });
    await Promise.all([admin.connect(), producer.connect(), consumer.connect()]);
    try {
      t.same(
        (await admin.describeCluster()).brokers.map((b) => b.nodeId).sort(),
        [1, 2, 3],
        'three brokers registered',
      );
      await admin.createTopics({
        topics: [{ topic: 'mapped', numPartitions: 3, replicationFactor: 3 }],
        waitForLeaders: true,
      });
      const values = Array.from({ length: 30 }, (_, i) => `v${i}`);
      await producer.send({ topic: 'mapped', acks: -1, messages: values.map((value) => ({ value })) });
      const seen: string[] = [];
      await consumer.subscribe({ topic: 'mapped', fromBeginning: true });
      const all = new Promise<void>((resolve) => {
        void consumer.run({
          eachMessage: async ({ message }) => {
            seen.push(message.value?.toString() ?? '');
            if (seen.length === values.length) resolve();
          },
        });
      });
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([all, new Promise((r) => (timer = setTimeout(r, 60_000)))]);
      clearTimeout(timer);
      t.same(seen.sort(), [...values].sort(), 'every acknowledged record is read back');
    } finally {
      await Promise.all([consumer.disconnect(), producer.disconnect(), admin.disconnect()]);
    }
  },
);

t.test(
  'the mistakes Kafka refuses at start-up stop the node with one line naming the setting',
  { skip: CLI_SKIP },
  async (t) => {
    const root = mkdtempSync(join(tmpdir(), 'gregor-protocol-map-mistakes-'));
    const started: KraftProcess[] = [];
    t.teardown(async () => {
      await Promise.all(started.map((p) => p.stop('SIGKILL')));
      rmSync(root, { recursive: true, force: true });
    });
    const [brokerPort, controllerPort, otherA, otherB] = [
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
    ];
    const voters = `1@127.0.0.1:${controllerPort},2@127.0.0.1:${otherA},3@127.0.0.1:${otherB}`;
    const base = kraftProperties({
    nodeId: 1, roles: 'broker,controller', brokerPort, controllerPort, voters, logDir: join(root, 'node-1'),
    extra: { 'cluster.id': CLUSTER_ID },
  }); // prettier-ignore
    const cases: Array<{ what: string; entries: Record<string, string>; message: string }> = [
      {
        what: 'an explicit map without the PLAINTEXT listener',
        entries: { ...base, 'listener.security.protocol.map': 'CONTROLLER:PLAINTEXT' },
        message:
          'gregor: start-up failed: listener PLAINTEXT: no security protocol defined for it (add PLAINTEXT:<protocol> to listener.security.protocol.map)',
      },
      {
        what: 'a voter of three without a controller listener',
        entries: {
          ...base,
          listeners: `PLAINTEXT://127.0.0.1:${brokerPort}`,
          'advertised.listeners': `PLAINTEXT://127.0.0.1:${brokerPort}`,
        },
        message:
          "gregor: start-up failed: controller.listener.names must contain at least one value appearing in the 'listeners' configuration when running the KRaft controller role",
      },
    ];
    for (const { what, entries, message } of cases) {
      const node = startWithProperties(writeProperties(root, 'server.properties', entries));
      started.push(node);
      t.equal(await exitWithin(node, 30_000), 1, `${what}: exit code 1`);
      t.match(node.output(), message, `${what}: ${message}`);
    }
  },
);
