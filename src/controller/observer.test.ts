/**
 * A broker-only process (process.roles=broker) next to three voters, all in this process on real
 * sockets: it is an observer (not a voter), follows the active controller, replicates the committed
 * image, registers and is unfenced by its heartbeats, forwards admin requests (kafkajs bootstrapped
 * on it), and follows the new leader after the old one stops. process.roles is checked against the
 * voter list as Kafka checks it.
 */
import t from 'tap';
import { Kafka, logLevel } from 'kafkajs';
import { startBroker, type RunningBroker } from '../index.js';
import { freePort } from '../../test/helpers/process-cluster.js';
import { ConfigError } from '../common/config.js';
import { DescribeQuorumApi } from '../../protocol/generated/messages/55-describe-quorum.js';
import { rawClient } from '../../test/helpers/raw-client.js';
import { eventually } from '../../test/helpers/in-process-cluster.js';

const QUORUM = {
  'controller.quorum.election.timeout.ms': 400,
  'controller.quorum.fetch.timeout.ms': 800,
  'controller.quorum.election.backoff.max.ms': 300,
  'controller.quorum.request.timeout.ms': 800,
  'broker.heartbeat.interval.ms': 100,
  'broker.session.timeout.ms': 3000,
  'cluster.id': 'observer-test-cluster',
};

t.test('a broker-only process observes the quorum, registers and forwards', async (t) => {
  const ports = [await freePort(), await freePort(), await freePort()];
  const voters = ports.map((p, i) => `${i + 1}@127.0.0.1:${p}`).join(',');
  // Registered before t.testdir(): tap removes the test dir only after these teardowns have run.
  const running = new Set<RunningBroker>();
  t.teardown(async () => {
    for (const b of running) await b.stop();
  });
  const base = t.testdir();
  const dirs = [1, 2, 3, 4].map((i) => `${base}/node-${i}`);
  const voterNodes: RunningBroker[] = [];
  for (let i = 0; i < 3; i++) {
    voterNodes.push(
      await startBroker({
        dataDir: dirs[i],
        config: {
          ...QUORUM,
          'node.id': i + 1,
          listeners: `PLAINTEXT://127.0.0.1:0,CONTROLLER://127.0.0.1:${ports[i]}`,
          'controller.quorum.voters': voters,
        },
      }),
    );
  }
  const observer = await startBroker({
    dataDir: dirs[3],
    config: {
      ...QUORUM,
      'node.id': 4,
      'process.roles': 'broker',
      listeners: 'PLAINTEXT://127.0.0.1:0',
      'controller.quorum.voters': voters,
    },
  });
  for (const b of [...voterNodes, observer]) running.add(b);

  const quorumOf = (b: RunningBroker) => b.broker.quorum.node;
  t.ok(quorumOf(observer).observer, 'node 4 is an observer');
  t.notOk(quorumOf(voterNodes[0]!).observer, 'node 1 is a voter');
  const leaderId = await eventually('the observer follows a leader', 15000, () => {
    const ids = [...running].map((b) => quorumOf(b).leaderId());
    return ids.every((id) => id > 0 && id === ids[0]) && ids[0];
  });
  t.ok(leaderId >= 1 && leaderId <= 3, `everyone, the observer too, follows node ${leaderId}`);
  const leader = voterNodes[leaderId - 1]!;
  await eventually(
    'node 4 registered and unfenced',
    10000,
    () => leader.broker.controller.image.brokers.get(4)?.fenced === false,
  );
  t.pass('the observer registered with the active controller and is unfenced');

  const admin = new Kafka({
    clientId: 'observer-test',
    brokers: [observer.bootstrap],
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  t.equal(
    await admin.createTopics({ topics: [{ topic: 'observed', numPartitions: 2, replicationFactor: 1 }] }),
    true,
    'createTopics through the observer',
  );
  await eventually('the topic in the observer image', 5000, () =>
    observer.broker.controller.image.topicsByName.get('observed'),
  );
  t.ok(
    voterNodes.every((b) => b.broker.controller.image.topicsByName.has('observed')),
    'and in every voter image',
  );

  const raw = await rawClient(observer.port);
  const dq = await raw.call(DescribeQuorumApi, 1, {
    topics: [{ topicName: '__cluster_metadata', partitions: [{ partitionIndex: 0 }] }],
  });
  raw.close();
  const p = dq.topics[0]?.partitions[0];
  t.same(p?.currentVoters.map((v) => v.replicaId).sort(), [1, 2, 3], 'the observer is not a voter');
  t.equal(p?.leaderId, leaderId);
  const hw = Number(p?.highWatermark ?? -1n);
  await eventually(
    'the observer applied up to the leader high watermark',
    5000,
    () => quorumOf(observer).raft.appliedOffset() >= hw,
  );
  t.pass(`the observer applied the committed log up to ${hw}`);

  // Stop the leader: the observer finds the new one.
  await leader.stop();
  running.delete(leader);
  const survivors = voterNodes.filter((b) => b !== leader);
  const next = await eventually('a new leader the observer follows', 15000, () => {
    const ids = [...survivors, observer].map((b) => quorumOf(b).leaderId());
    return ids.every((id) => id > 0 && id !== leaderId && id === ids[0]) && ids[0];
  });
  t.not(next, leaderId, `the observer follows node ${next}`);
  t.equal(
    await admin.createTopics({ topics: [{ topic: 'observed-2', numPartitions: 1, replicationFactor: 1 }] }),
    true,
    'createTopics after the failover',
  );
  await eventually('the second topic in the observer image', 5000, () =>
    observer.broker.controller.image.topicsByName.get('observed-2'),
  );
  t.pass('the observer applied the new leader commits');
});

t.test('process.roles is checked against the voters', async (t) => {
  const port = await freePort();
  await t.rejects(
    startBroker({
      config: { 'node.id': 1, 'process.roles': 'broker', 'controller.quorum.voters': `1@127.0.0.1:${port}` },
    }),
    ConfigError,
    'a broker-only node in the voter list',
  );
  await t.rejects(
    startBroker({
      config: { 'node.id': 2, 'process.roles': 'broker,controller', 'controller.quorum.voters': `1@127.0.0.1:${port}` },
    }),
    /must be included in the set of voters/,
    'a controller outside the voter list',
  );
  await t.rejects(
    startBroker({ config: { 'node.id': 2, 'process.roles': 'broker' } }),
    ConfigError,
    'a broker-only node without voters',
  );
  const controllerOnly = await startBroker({
    config: {
      'node.id': 1,
      'process.roles': 'controller',
      'controller.quorum.voters': `1@127.0.0.1:${port}`,
      listeners: `CONTROLLER://127.0.0.1:${port}`,
    },
  });
  t.teardown(() => controllerOnly.stop());
  t.ok(controllerOnly.broker.quorum.node.isLeader(), 'a lone controller-only voter leads');
  t.equal(controllerOnly.broker.controller.image.brokers.size, 0, 'and does not register as a broker');
});
