/**
 * Split mode, as Kafka runs it in production: three controller-only processes (process.roles=controller,
 * a CONTROLLER listener alone, the metadata quorum) and three broker-only processes (process.roles=broker,
 * a PLAINTEXT listener alone, controller.quorum.voters naming the controllers, or for one of them
 * controller.quorum.bootstrap.servers). The brokers register with
 * the quorum over the controller listener, learn the partitions from the metadata log, lead and follow.
 * A topic with three replicas and min.insync.replicas=2 takes an idempotent acks=-1 kafkajs stream while
 * the partition's leader (a broker) is killed with SIGKILL, then the active controller; every
 * acknowledged record is read back exactly once, in order, from the surviving brokers.
 * Also: a controller-only node serves no client API (ApiVersions lists none of Produce, Fetch's client
 * path or Metadata; a Metadata request closes the connection, as Kafka's disabled APIs do) and is not
 * among the brokers clients see.
 */
import t, { type Test } from 'tap';
import { Kafka, logLevel } from 'kafkajs';
import type { ClusterNode } from '../../test/helpers/process-cluster.js';
import { RESTART_DEADLINE_MS, startReplicatedTopic } from '../../test/helpers/replicated-topic.js';
import { rawClient } from '../../test/helpers/raw-client.js';
import { ApiVersionsApi } from '../../protocol/generated/messages/18-api-versions.js';
import { MetadataApi } from '../../protocol/generated/messages/03-metadata.js';

const TOPIC = 'split-stream';
const BATCHES = 40;
const PER_BATCH = 10;
const KILL_LEADER_AFTER = 10;
const KILL_CONTROLLER_AFTER = 25;

async function controllerRefusesClientApis(t: Test, controller: ClusterNode): Promise<void> {
  const client = await rawClient(controller.port);
  try {
    const versions = await client.call(ApiVersionsApi, 3, {
      clientSoftwareName: 'split-test',
      clientSoftwareVersion: '1',
    });
    const keys = new Set(versions.apiKeys.map((k) => k.apiKey));
    t.notOk(keys.has(0) || keys.has(3), 'ApiVersions on a controller lists neither Produce nor Metadata');
    t.ok(keys.has(62) && keys.has(63), 'but lists BrokerRegistration and BrokerHeartbeat');
    client.send(
      client.frame(
        MetadataApi,
        9,
        {
          topics: null,
          allowAutoTopicCreation: false,
          includeClusterAuthorizedOperations: false,
          includeTopicAuthorizedOperations: false,
        },
        7,
      ),
    );
    await client.closed;
    t.pass('a Metadata request to a controller closes the connection');
  } finally {
    client.close();
  }
}

// Six processes starting at once on a loaded 2-core machine: a generous bound for the file, not tap's 120 s.
t.setTimeout(300_000);

t.test('split mode: three controllers, three brokers, kill -9 of a leader and of the active controller', async (t) => {
  const { cluster, quorum, brokers, kafka, partitions } = await startReplicatedTopic(t, {
    clientId: 'split-mode-processes',
    topic: TOPIC,
    partitions: 1,
    client: { retry: { retries: 30, initialRetryTime: 100, maxRetryTime: 1000 } },
    // Broker 6 finds the controllers through controller.quorum.bootstrap.servers, 4 and 5 through the voters.
    start: (c) => c.startSplitRegistered(3, 3, [6]),
  });
  t.ok(
    cluster.controllers.some((c) => c.id === quorum.leaderId),
    `a controller-only node leads the quorum (${quorum.leaderId})`,
  );
  const registered = await cluster.metadata(brokers[0]!, []);
  t.same(
    registered?.brokers.map((b) => b.nodeId).sort(),
    brokers.map((b) => b.id),
    'clients see the three brokers, no controller',
  );
  await controllerRefusesClientApis(t, cluster.controllers[0]!);
  const partitionOn = async (node: ClusterNode) => (await partitions(node))?.[0];
  const initial = await cluster.waitFor('the ISR of three', 20000, async () => {
    const p = await partitionOn(brokers[0]!);
    return p && p.leaderId > 0 && p.isrNodes.length === 3 && p;
  });
  t.same([...initial.replicaNodes].sort(), [4, 5, 6], `replicas on the brokers, leader ${initial.leaderId}`);

  const producer = kafka.producer({ allowAutoTopicCreation: false, idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  t.teardown(() => producer.disconnect());
  const leader = brokers.find((n) => n.id === initial.leaderId)!;
  const acked: string[] = [];
  let killedController: ClusterNode | null = null;
  const ackDelays: string[] = [];
  for (let b = 0; b < BATCHES; b++) {
    const messages = Array.from({ length: PER_BATCH }, (_, i) => ({ value: `r-${b * PER_BATCH + i}` }));
    const sending = producer.send({ topic: TOPIC, acks: -1, messages });
    const sentAt = Date.now();
    if (b === KILL_LEADER_AFTER) cluster.kill(leader);
    if (b === KILL_CONTROLLER_AFTER) {
      const live = cluster.controllers.filter((c) => c.process !== null);
      const active = await cluster.agreedLeader(live);
      killedController = cluster.controllers.find((c) => c.id === active?.leaderId) ?? null;
      if (killedController) cluster.kill(killedController);
    }
    await sending;
    if (b === KILL_LEADER_AFTER || b === KILL_CONTROLLER_AFTER) ackDelays.push(`${Date.now() - sentAt} ms`);
    acked.push(...messages.map((m) => m.value));
  }
  t.comment(`ack of the batch sent at the leader's kill: ${ackDelays[0]}; at the controller's kill: ${ackDelays[1]}`);
  t.ok(killedController, `the active controller (${killedController?.id}) was killed mid-stream`);
  t.equal(acked.length, BATCHES * PER_BATCH, `all ${acked.length} records acknowledged across both kills`);

  const survivors = brokers.filter((n) => n !== leader);
  const after = await partitionOn(survivors[0]!);
  t.not(after?.leaderId, leader.id, `a new partition leader (${after?.leaderId}) from the ISR`);
  const liveControllers = cluster.controllers.filter((c) => c !== killedController);
  const newQuorum = await cluster.waitFor('a new active controller', 15000, () =>
    cluster.agreedLeader(liveControllers, killedController?.id ?? -1),
  );
  t.pass(`controller ${newQuorum.leaderId} leads epoch ${newQuorum.leaderEpoch}`);

  const consumer = new Kafka({
    clientId: 'split-mode-read',
    brokers: survivors.map((n) => `127.0.0.1:${n.port}`),
    logLevel: logLevel.NOTHING,
    retry: { retries: 30, initialRetryTime: 100, maxRetryTime: 1000 },
  }).consumer({ groupId: 'split-mode-check' });
  await consumer.connect();
  t.teardown(() => consumer.disconnect());
  await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
  const read: string[] = [];
  await consumer.run({ eachMessage: async ({ message }) => void read.push(message.value?.toString() ?? '') });
  const deadline = Date.now() + 30000;
  while (read.length < acked.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  await consumer.stop();
  t.same(read, acked, 'every acknowledged record read back exactly once, in order, from the survivors');

  cluster.spawn(leader);
  const healed = await cluster.waitFor('the killed broker back in the ISR', RESTART_DEADLINE_MS, async () => {
    const p = await partitionOn(survivors[0]!);
    return p && p.isrNodes.length === 3 && p;
  });
  t.same([...healed.isrNodes].sort(), [4, 5, 6], 'the ISR is three again after the broker restarts');
});
