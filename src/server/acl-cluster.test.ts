/**
 * The authorizer on three nodes: clients authenticate with SASL/PLAIN on one listener, the
 * brokers talk over a PLAINTEXT inter-broker listener as User:ANONYMOUS, which is a super user
 * (as a Kafka cluster with a PLAINTEXT inter-broker listener must be configured). A principal
 * with WRITE on a replicated topic gets acks=all writes committed (followers fetch with
 * CLUSTER_ACTION), and a transaction whose partitions are led by different nodes commits (the
 * coordinator's WriteTxnMarkers need CLUSTER_ACTION too). Without the super user, the followers'
 * fetches are refused and acks=all writes are not acknowledged.
 */
import t, { type Test } from 'tap';
import { Kafka, logLevel } from 'kafkajs';
import type { Admin, AclOperationTypes, AclPermissionTypes, AclResourceTypes, ResourcePatternTypes } from 'kafkajs';
import { eventually, threeNodeCluster } from '../../test/helpers/in-process-cluster.js';
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

t.test('brokers without CLUSTER_ACTION cannot replicate: acks=all is refused, nothing claimed', async (t) => {
  t.setTimeout(120_000);
  const { nodes, as } = await securedCluster(t, 'User:admin');
  // The brokers' principal may not forward either (Envelope needs CLUSTER_ACTION): a CreateTopics sent to
  // a node that is not the active controller gets UNKNOWN_SERVER_ERROR, as Kafka's ForwardingManager
  // answers an envelope error, not a retriable code the client would retry forever.
  const controllerNode = nodes.find((n) => n.broker.quorum.node.isLeader())!;
  const follower = nodes.find((n) => n !== controllerNode)!;
  const saslPort = (n: RunningBroker) => n.broker.bound.find((b) => b.name === 'SASL_PLAINTEXT')!.port;
  const on = (n: RunningBroker) => as('admin', [`127.0.0.1:${saslPort(n)}`]);
  const viaFollower = on(follower).admin();
  await viaFollower.connect();
  t.teardown(() => viaFollower.disconnect());
  const forwarded = await viaFollower.createTopics({ topics: [{ topic: 'forwarded', numPartitions: 1 }] }).then(
    () => 'created',
    (e: Error & { errors?: Array<{ type?: string }> }) => e.errors?.[0]?.type ?? e.message,
  );
  // kafkajs names code -1 (UNKNOWN_SERVER_ERROR) UNKNOWN and does not retry it.
  t.equal(forwarded, 'UNKNOWN', 'a forwarded CreateTopics is refused with UNKNOWN_SERVER_ERROR');
  await ordersTopic(t, on(controllerNode).admin());
  const producer = as('admin').producer({
    allowAutoTopicCreation: false,
    retry: { retries: 2, initialRetryTime: 100 },
  });
  await producer.connect();
  t.teardown(() => producer.disconnect());
  const refused = await producer
    .send({ topic: 'orders', acks: -1, timeout: 3000, messages: [{ partition: 0, value: 'x' }] })
    .then(
      () => 'acknowledged',
      (e: Error) => e.message,
    );
  // kafkajs retries NOT_ENOUGH_REPLICAS, then reports it with Kafka's message for the code.
  t.match(refused, /fewer in-sync replicas|timed out/i, `the followers' fetches are refused: ${refused}`);
});
