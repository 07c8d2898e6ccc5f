/**
 * initial.broker.registration.timeout.ms, as Kafka's BrokerLifecycleManager: a broker-only node whose
 * controller.quorum.voters points at a port where no controller listens (a typical mistake) does not
 * wait silently forever; it logs that no active controller was found there and exits with code 1 once
 * the timeout has passed ("Shutting down because we were unable to register with the controller
 * quorum"). Real processes started from Kafka-style server.properties after kafka-storage format: one
 * controller, the misdirected broker and a broker pointed at the right port, which registers and is
 * the only broker kafkajs sees.
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
  formatStorage,
  kraftProperties,
  startWithProperties,
  writeProperties,
  type KraftProcess,
} from '../../test/helpers/kraft-properties.js';

const CLUSTER_ID = 'MkU3OEVBNTcwNTJENDM2Qg';

t.test(
  'a broker that finds no controller at its voters exits after initial.broker.registration.timeout.ms',
  { skip: CLI_SKIP },
  async (t) => {
    const root = mkdtempSync(join(tmpdir(), 'gregor-registration-timeout-'));
    const running: KraftProcess[] = [];
    t.teardown(async () => {
      await Promise.all(running.map((p) => p.stop('SIGKILL')));
      rmSync(root, { recursive: true, force: true });
    });
    const [controllerPort, wrongPort, lostPort, goodPort] = [
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
    ];
    const fast = { 'controller.quorum.election.timeout.ms': '300', 'broker.heartbeat.interval.ms': '200' };
    const controller = writeProperties(root, 'controller.properties', kraftProperties({
    nodeId: 1, roles: 'controller', controllerPort, voters: `1@127.0.0.1:${controllerPort}`, logDir: join(root, 'c1'), extra: fast,
  })); // prettier-ignore
    const lost = writeProperties(root, 'lost-broker.properties', kraftProperties({
    nodeId: 2, roles: 'broker', brokerPort: lostPort, voters: `1@127.0.0.1:${wrongPort}`, logDir: join(root, 'b2'),
    extra: { ...fast, 'initial.broker.registration.timeout.ms': '3000' },
  })); // prettier-ignore
    const good = writeProperties(root, 'broker.properties', kraftProperties({
    nodeId: 3, roles: 'broker', brokerPort: goodPort, voters: `1@127.0.0.1:${controllerPort}`, logDir: join(root, 'b3'),
    extra: { ...fast, 'initial.broker.registration.timeout.ms': '3000' },
  })); // prettier-ignore
    for (const file of [controller, lost, good]) await formatStorage(file, CLUSTER_ID);

    const controllerNode = startWithProperties(controller);
    running.push(controllerNode);
    await controllerNode.waitForOutput(/"to":"leader"/, 60_000);
    const lostNode = startWithProperties(lost);
    const goodNode = startWithProperties(good);
    running.push(lostNode, goodNode);

    const started = Date.now();
    const code = await exitWithin(lostNode, 30_000);
    t.equal(code, 1, 'the misdirected broker exits with code 1');
    t.ok(Date.now() - started >= 2500, 'not before the timeout');
    t.match(
      lostNode.output(),
      `gregor: Shutting down because we were unable to register with the controller quorum: no active controller was found at controller.quorum.voters=1@127.0.0.1:${wrongPort} within initial.broker.registration.timeout.ms=3000`,
      'it says why on stderr, naming the setting and its value',
    );

    await goodNode.waitForOutput(/caught up with the metadata log and unfenced/, 60_000);
    t.equal(
      await exitWithin(goodNode, 4000),
      'running',
      'the broker pointed at the controller registered and keeps running',
    );
    const admin = new Kafka({ brokers: [`127.0.0.1:${goodPort}`], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      const cluster = await admin.describeCluster();
      t.same(
        cluster.brokers.map((b) => b.nodeId),
        [3],
        'kafkajs sees the registered broker only',
      );
    } finally {
      await admin.disconnect();
    }
    t.equal(await goodNode.stop('SIGTERM'), 0);
    t.equal(await controllerNode.stop('SIGTERM'), 0);
  },
);
