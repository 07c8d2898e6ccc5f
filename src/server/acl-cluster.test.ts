/**
 * The authorizer on three nodes: clients authenticate with SASL/PLAIN on one listener, the
 * brokers talk over a PLAINTEXT inter-broker listener as User:ANONYMOUS, which is a super user
 * (as a Kafka cluster with a PLAINTEXT inter-broker listener must be configured). A principal
 * with WRITE on a replicated topic gets acks=all writes committed (followers fetch with
 * CLUSTER_ACTION), and a transaction whose partitions are led by different nodes commits (the
 * coordinator's WriteTxnMarkers need CLUSTER_ACTION too). Without the super user the cluster does not
 * form, as on Kafka: the controllers refuse each other's Vote (CLUSTER_ACTION, checked as the controller
 * listener's principal), no leader is elected, no broker registers, and each node logs why at error
 * level (Kafka's Raft client stops the process instead; Gregor keeps retrying).
 */
import t, { type Test } from 'tap';
import { Kafka, logLevel } from 'kafkajs';
import type { Admin, AclOperationTypes, AclPermissionTypes, AclResourceTypes, ResourcePatternTypes } from 'kafkajs';
import pino from 'pino';
import { Writable } from 'node:stream';
import { eventually, threeNodeCluster, type ThreeNodeOptions } from '../../test/helpers/in-process-cluster.js';
import type { Logger } from '../common/logger.js';
import type { RunningBroker } from '../index.js';
import { STANDARD_AUTHORIZER_CLASS } from '../metadata/standard-authorizer.js';
import { AclOperation, PatternType, PermissionType, ResourceType } from '../metadata/acl-types.js';

const JAAS =
  'org.apache.kafka.common.security.plain.PlainLoginModule required user_admin="admin-pw" user_alice="alice-pw";';

const allow = (resourceType: number, resourceName: string, operation: number) => ({
  resourceType: resourceType as AclResourceTypes,
  resourceName,
  resourcePatternType: PatternType.LITERAL as ResourcePatternTypes,
  principal: 'User:alice',
  host: '*',
  operation: operation as AclOperationTypes,
  permissionType: PermissionType.ALLOW as AclPermissionTypes,
});

async function securedCluster(
  t: Test,
  superUsers: string,
  options: ThreeNodeOptions = {},
): Promise<{ nodes: RunningBroker[]; as: (user: string, only?: string[]) => Kafka }> {
  const nodes = await threeNodeCluster(
    t,
    {
      'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT',
      'inter.broker.listener.name': 'PLAINTEXT',
      'sasl.enabled.mechanisms': 'PLAIN',
      'listener.name.sasl_plaintext.plain.sasl.jaas.config': JAAS,
      'authorizer.class.name': STANDARD_AUTHORIZER_CLASS,
      'super.users': superUsers,
      'replica.fetch.wait.max.ms': 100,
      'transaction.state.log.replication.factor': 3,
      'transaction.state.log.min.isr': 2,
      'offsets.topic.replication.factor': 3,
    },
    'PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0',
    options,
  );
  const brokers = nodes.map((n) => `127.0.0.1:${n.broker.bound.find((b) => b.name === 'SASL_PLAINTEXT')!.port}`);
  const as = (user: string, only?: string[]) =>
    new Kafka({
      clientId: `acl-cluster-${user}`,
      brokers: only ?? brokers,
      sasl: { mechanism: 'plain', username: user, password: `${user}-pw` },
      logLevel: logLevel.NOTHING,
      retry: { retries: 8, initialRetryTime: 100 },
    });
  return { nodes, as };
}

async function ordersTopic(t: Test, admin: Admin): Promise<void> {
  await admin.connect();
  t.teardown(() => admin.disconnect());
  await admin.createTopics({
    topics: [
      {
        topic: 'orders',
        numPartitions: 3,
        replicationFactor: 3,
        configEntries: [{ name: 'min.insync.replicas', value: '2' }],
      },
    ],
    waitForLeaders: true,
  });
}

t.test('replication and transactions across three nodes under the StandardAuthorizer', async (t) => {
  t.setTimeout(120_000);
  const { nodes, as } = await securedCluster(t, 'User:admin;User:ANONYMOUS');
  const admin = as('admin').admin();
  await ordersTopic(t, admin);
  await admin.createAcls({
    acl: [
      allow(ResourceType.TOPIC, 'orders', AclOperation.WRITE),
      allow(ResourceType.TOPIC, 'orders', AclOperation.READ),
      allow(ResourceType.TRANSACTIONAL_ID, 'tx-cluster', AclOperation.WRITE),
    ],
  });
  const leaders = (await admin.fetchTopicMetadata({ topics: ['orders'] })).topics[0]!.partitions.map((p) => p.leader);
  t.equal(new Set(leaders).size, 3, `the three partitions are led by three nodes (${leaders.join(', ')})`);

  const alice = as('alice');
  const producer = alice.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  t.teardown(() => producer.disconnect());
  const acked = await producer.send({
    topic: 'orders',
    acks: -1,
    messages: [0, 1, 2].map((p) => ({ partition: p, value: `plain-${p}` })),
  });
  t.ok(
    acked.every((r) => r.errorCode === 0),
    'acks=all writes to three leaders are committed: the followers fetch as a super user',
  );
  await eventually('every follower caught up (ISR of 3, high watermark 1)', 20000, () =>
    nodes.every((n) =>
      [0, 1, 2].every(
        (p) => (n.broker.controller.image.topicsByName.get('orders')?.partitions.get(p)?.isr.length ?? 0) === 3,
      ),
    ),
  );

  const txn = alice.producer({ transactionalId: 'tx-cluster', idempotent: true, maxInFlightRequests: 1 });
  await txn.connect();
  t.teardown(() => txn.disconnect());
  const tx = await txn.transaction();
  await tx.send({ topic: 'orders', acks: -1, messages: [0, 1, 2].map((p) => ({ partition: p, value: `txn-${p}` })) });
  await tx.commit();
  t.pass('a transaction over partitions led by three nodes commits');

  const consumer = as('admin').consumer({ groupId: 'acl-cluster-check', readUncommitted: false });
  await consumer.connect();
  t.teardown(() => consumer.disconnect());
  await consumer.subscribe({ topic: 'orders', fromBeginning: true });
  const seen: string[] = [];
  const all = new Promise<void>((resolve) => {
    void consumer.run({
      eachMessage: async ({ message }) => {
        seen.push(String(message.value));
        if (seen.length === 6) resolve();
      },
    });
  });
  await all;
  t.same(seen.sort(), ['plain-0', 'plain-1', 'plain-2', 'txn-0', 'txn-1', 'txn-2'], 'read_committed sees all six');
});

t.test('nodes whose controller-listener principal lacks CLUSTER_ACTION do not form a cluster', async (t) => {
  t.setTimeout(120_000);
  // As on Kafka: the controllers check Vote, Fetch, BrokerRegistration, ... as the connection's
  // principal (User:ANONYMOUS on this PLAINTEXT controller listener), which is no super user here.
  const lines: Array<{ nodeId: number; line: Record<string, unknown> }> = [];
  const logger = (nodeId: number): Logger =>
    pino(
      { level: 'error' },
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          lines.push({ nodeId, line: JSON.parse(chunk.toString('utf8')) as Record<string, unknown> });
          done();
        },
      }),
    );
  const { nodes } = await securedCluster(t, 'User:admin', { noWait: true, logger });
  const refusal = await eventually('a node logs that its Vote was refused for want of CLUSTER_ACTION', 20000, () =>
    lines.find((l) => /refused Vote from node \d with CLUSTER_AUTHORIZATION_FAILED/.test(String(l.line['msg']))),
  );
  t.match(
    String(refusal.line['msg']),
    /needs CLUSTER_ACTION on the cluster: list it in super.users/,
    `the line names the cause and the fix (node ${refusal.nodeId})`,
  );
  t.equal(refusal.line['level'], 50, 'logged at error level');
  // Several election timeouts later still no leader, so no broker is registered or unfenced.
  const start = Date.now();
  await eventually('three seconds without a leader', 10000, () => Date.now() - start > 3000);
  t.ok(
    nodes.every((n) => n.broker.quorum.node.leaderId() < 0),
    'no node ever became leader: every Vote is refused',
  );
  t.ok(
    nodes.every((n) => n.broker.controller.image.brokers.size === 0),
    'no broker is registered (all stay fenced; client listeners do not serve)',
  );
  const perPeer = lines.filter((l) => l.nodeId === refusal.nodeId && /refused Vote/.test(String(l.line['msg'])));
  t.ok(perPeer.length <= 2, `the refusal is logged once a minute per peer, not per retry (${perPeer.length} lines)`);
});
