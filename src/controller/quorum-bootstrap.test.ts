/**
 * controller.quorum.bootstrap.servers: the host:port list is parsed as Kafka parses it; a controller
 * given it without controller.quorum.voters (a dynamic quorum) is refused at start-up; a broker-only
 * node given it alone learns the voters from DescribeQuorum v2 and joins the quorum as an observer
 * (in this process, on real sockets: one controller-only node, one broker-only node). The standalone
 * case of Kafka 3.9's quickstart (`config/kraft/reconfig-server.properties`, bootstrap servers naming
 * only the node's own controller listener) is its quorum's only voter; kafkajs round-trips on it.
 */
import t from 'tap';
import { startBroker, type RunningBroker } from '../index.js';
import { freePort } from '../../test/helpers/process-cluster.js';
import {
  parseBootstrapServers,
  refuseDynamicQuorum,
  votersFromDescribeQuorum,
  withStandaloneQuorum,
} from './quorum-bootstrap.js';
import { BrokerConfig } from '../common/config.js';
import { Kafka, logLevel } from 'kafkajs';
import {
  defaultDescribeQuorumResponse,
  type DescribeQuorumResponse,
} from '../../protocol/generated/messages/55-describe-quorum.js';

t.test('parseBootstrapServers', async (t) => {
  t.same(parseBootstrapServers(['127.0.0.1:9093', ' [::1]:9094 ', '']), [
    { host: '127.0.0.1', port: 9093 },
    { host: '::1', port: 9094 },
  ]);
  t.throws(() => parseBootstrapServers(['1@127.0.0.1:9093']), { message: /is not of the form host:port/ });
  t.throws(() => parseBootstrapServers(['localhost']), { message: /is not of the form host:port/ });
  t.throws(() => parseBootstrapServers(['localhost:0']), { message: /is not of the form host:port/ });
});

t.test('a controller with bootstrap servers and no voters is refused', async (t) => {
  t.throws(() => refuseDynamicQuorum(['controller'], 0, 3), { message: /dynamic quorum \(KIP-853\)/ });
  t.throws(() => refuseDynamicQuorum(['broker', 'controller'], 0, 1), { message: /set controller.quorum.voters/ });
  t.doesNotThrow(() => refuseDynamicQuorum(['controller'], 3, 3), 'with voters the bootstrap servers are redundant');
  t.doesNotThrow(() => refuseDynamicQuorum(['broker'], 0, 3), 'a broker finds the voters through them');
  await t.rejects(
    startBroker({
      storage: 'memory',
      config: {
        'process.roles': 'controller',
        'controller.quorum.bootstrap.servers': '127.0.0.1:1',
        listeners: 'CONTROLLER://127.0.0.1:0',
      },
    }),
    { message: /dynamic quorum/ },
    'start-up fails instead of forming a quorum of one',
  );
});

t.test("Kafka's standalone quickstart config makes the node its quorum's only voter", async (t) => {
  // The settings of Kafka 3.9's config/kraft/reconfig-server.properties that matter here.
  const quickstart = {
    'process.roles': 'broker,controller',
    'node.id': 1,
    'controller.quorum.bootstrap.servers': 'localhost:9093',
    listeners: 'PLAINTEXT://:9092,CONTROLLER://:9093',
    'controller.listener.names': 'CONTROLLER',
  };
  t.same(withStandaloneQuorum(new BrokerConfig(quickstart)).list('controller.quorum.voters'), ['1@localhost:9093']);
  const unchanged = (config: Record<string, string | number>, why: string) =>
    t.same(withStandaloneQuorum(new BrokerConfig(config)).list('controller.quorum.voters'), [], why);
  unchanged(
    { ...quickstart, 'controller.quorum.bootstrap.servers': 'localhost:9093,other:9093' },
    'another node named',
  );
  unchanged({ ...quickstart, 'controller.quorum.bootstrap.servers': 'localhost:9094' }, 'not its own port');
  unchanged({ ...quickstart, 'process.roles': 'broker', listeners: 'PLAINTEXT://:9092' }, 'a broker-only node');
  t.same(
    withStandaloneQuorum(new BrokerConfig({ ...quickstart, 'controller.quorum.voters': '1@h:1' })).list(
      'controller.quorum.voters',
    ),
    ['1@h:1'],
    'configured voters win',
  );

  const port = await freePort();
  const controllerPort = await freePort();
  const broker = await startBroker({
    storage: 'memory',
    config: {
      ...quickstart,
      'controller.quorum.bootstrap.servers': `localhost:${controllerPort}`,
      listeners: `PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
      'offsets.topic.replication.factor': 1,
    },
  });
  t.teardown(() => broker.stop());
  const kafka = new Kafka({ brokers: [`127.0.0.1:${port}`], logLevel: logLevel.NOTHING });
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic: 'quickstart-events', messages: [{ value: 'hello' }] });
  await producer.disconnect();
  const admin = kafka.admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets('quickstart-events');
  await admin.disconnect();
  t.equal(offsets[0]?.high, '1', 'a record round-trips on the standalone node');
});

t.test('votersFromDescribeQuorum takes the voters at the controller listener', async (t) => {
  const response: DescribeQuorumResponse = {
    ...defaultDescribeQuorumResponse(),
    nodes: [
      {
        nodeId: 1,
        listeners: [
          { name: 'OTHER', host: 'a', port: 1 },
          { name: 'CONTROLLER', host: 'b', port: 2 },
        ],
      },
      { nodeId: 2, listeners: [{ name: 'X', host: 'c', port: 3 }] },
    ],
  };
  t.same(
    [...votersFromDescribeQuorum(response, 'CONTROLLER')!],
    [
      [1, { host: 'b', port: 2 }],
      [2, { host: 'c', port: 3 }],
    ],
  );
  t.equal(votersFromDescribeQuorum({ ...response, nodes: [] }, 'CONTROLLER'), null, 'v0-1 answers name no nodes');
  t.equal(votersFromDescribeQuorum({ ...response, errorCode: 35 }, 'CONTROLLER'), null);
});

t.test('a broker-only node with bootstrap servers alone joins the quorum', async (t) => {
  const controllerPort = await freePort();
  const running: RunningBroker[] = [];
  t.teardown(async () => {
    for (const r of running.reverse()) await r.stop();
  });
  const common = {
    'cluster.id': 'bootstrap-test-cluster',
    'broker.heartbeat.interval.ms': 100,
    'controller.quorum.request.timeout.ms': 800,
  };
  // The broker first: it waits for the controller to answer.
  const brokerStarting = startBroker({
    storage: 'memory',
    config: {
      ...common,
      'node.id': 2,
      'process.roles': 'broker',
      'controller.quorum.bootstrap.servers': `127.0.0.1:${controllerPort}`,
    },
  });
  await new Promise((r) => setTimeout(r, 300));
  running.push(
    await startBroker({
      storage: 'memory',
      config: {
        ...common,
        'node.id': 1,
        'process.roles': 'controller',
        'controller.quorum.voters': `1@127.0.0.1:${controllerPort}`,
        listeners: `CONTROLLER://127.0.0.1:${controllerPort}`,
      },
    }),
  );
  const broker = await brokerStarting;
  running.push(broker);
  t.same([...broker.broker.quorum.voters.keys()], [1], 'the voters came from DescribeQuorum');
  const deadline = Date.now() + 15000;
  while (Date.now() < deadline && broker.broker.controller.liveBrokerIds().join() !== '2')
    await new Promise((r) => setTimeout(r, 50));
  t.same(broker.broker.controller.liveBrokerIds(), [2], 'the broker registered and is unfenced');
  t.equal(broker.broker.quorum.node.leaderId(), 1, 'it follows the controller');
});

t.test('bootstrap servers that name a broker listener find no controller, as on Kafka', async (t) => {
  const [controllerPort, brokerPort] = [await freePort(), await freePort()];
  const running: RunningBroker[] = [];
  t.teardown(async () => {
    for (const r of running.reverse()) await r.stop();
  });
  const common = { 'cluster.id': 'bootstrap-mistake-cluster', 'broker.heartbeat.interval.ms': 100 };
  const voters = `1@127.0.0.1:${controllerPort}`;
  running.push(
    await startBroker({
      storage: 'memory',
      config: { ...common, 'node.id': 1, 'process.roles': 'controller', 'controller.quorum.voters': voters, listeners: `CONTROLLER://127.0.0.1:${controllerPort}` },
    }),
  ); // prettier-ignore
  running.push(
    await startBroker({
      storage: 'memory',
      config: { ...common, 'node.id': 2, 'process.roles': 'broker', 'controller.quorum.voters': voters, listeners: `PLAINTEXT://127.0.0.1:${brokerPort}` },
    }),
  ); // prettier-ignore
  // The mistake: the broker's client listener given as a controller bootstrap server. It answers
  // DescribeQuorum (forwarded), but Kafka's broker finds the leader with a metadata-log Fetch, which
  // a broker listener does not serve, and gives up at initial.broker.registration.timeout.ms.
  const started = Date.now();
  await t.rejects(
    startBroker({
      storage: 'memory',
      config: {
        ...common,
        'node.id': 3,
        'process.roles': 'broker',
        'controller.quorum.bootstrap.servers': `127.0.0.1:${brokerPort}`,
        'initial.broker.registration.timeout.ms': 1500,
      },
    }),
    {
      message: `Shutting down because we were unable to register with the controller quorum: no active controller was found at controller.quorum.bootstrap.servers=127.0.0.1:${brokerPort} within initial.broker.registration.timeout.ms=1500`,
    },
  );
  t.ok(Date.now() - started >= 1400, 'not before the timeout');
  t.same(running[0]!.broker.controller.liveBrokerIds(), [2], 'only the broker that named the controller registered');
});
