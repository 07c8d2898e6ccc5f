/**
 * Node-to-node connections over SASL_SSL, with real processes: three combined nodes whose
 * controller listener (Raft, registration, heartbeats, forwarding) and inter-broker listener
 * (replica fetches) are SASL_SSL with PLAIN, the brokers logging in as User:broker, which is the
 * authorizer's only super user (the PLAINTEXT client listener's User:ANONYMOUS has DESCRIBE and
 * CREATE on the cluster, not CLUSTER_ACTION, so a replica fetch only passes as User:broker).
 * acks=all writes to a topic with min.insync.replicas=3 succeed (every follower fetches over
 * TLS+SASL), the controller leader is killed and another takes over, writes go on, and the killed
 * node comes back. A second cluster whose node 3 has a wrong inter-broker password: it registers
 * (its controller login is right) but cannot fetch; it logs why, and acks=all gets
 * NOT_ENOUGH_REPLICAS as the ISR cannot grow to 3.
 */
import t from 'tap';
import { Kafka, logLevel, type AclEntry, type Admin, type Producer } from 'kafkajs';
import { AclOperation, PatternType, PermissionType, ResourceType } from '../metadata/acl-types.js';
import {
  FAST_QUORUM_SETTINGS,
  freePort,
  ProcessCluster,
  type ClusterNode,
} from '../../test/helpers/process-cluster.js';
import { makeTestCerts, opensslAvailable, type TestCerts } from '../../test/helpers/certs.js';

const haveOpenssl = opensslAvailable();
const certs: TestCerts | null = haveOpenssl ? makeTestCerts() : null;
t.teardown(() => certs?.cleanup());

const PLAIN = 'org.apache.kafka.common.security.plain.PlainLoginModule';
const jaas = (password: string): string =>
  `${PLAIN} required username="broker" password="${password}" user_broker="broker-secret";`;

function secureCluster(interBrokerPassword: (node: ClusterNode) => string): {
  cluster: ProcessCluster;
  internalPorts: Map<number, number>;
} {
  const c = certs!;
  const cluster = new ProcessCluster({
    ...FAST_QUORUM_SETTINGS,
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,INTERNAL:SASL_SSL,CONTROLLER:SASL_SSL',
    'inter.broker.listener.name': 'INTERNAL',
    'sasl.mechanism.inter.broker.protocol': 'PLAIN',
    'sasl.mechanism.controller.protocol': 'PLAIN',
    'sasl.enabled.mechanisms': 'PLAIN',
    'ssl.keystore.type': 'PEM',
    'ssl.keystore.location': c.serverPemStore,
    'ssl.truststore.type': 'PEM',
    'ssl.truststore.location': c.caFile,
    'listener.name.controller.plain.sasl.jaas.config': jaas('broker-secret'),
    'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
    'super.users': 'User:broker',
    'allow.everyone.if.no.acl.found': 'true',
    'offsets.topic.replication.factor': '1',
    'transaction.state.log.replication.factor': '1',
  });
  const internalPorts = new Map<number, number>();
  cluster.perNode = (node) => ({
    listeners: `PLAINTEXT://127.0.0.1:${node.port},INTERNAL://127.0.0.1:${internalPorts.get(node.id)},CONTROLLER://127.0.0.1:${node.controllerPort}`,
    'advertised.listeners': `PLAINTEXT://127.0.0.1:${node.port},INTERNAL://127.0.0.1:${internalPorts.get(node.id)}`,
    'listener.name.internal.plain.sasl.jaas.config': jaas(interBrokerPassword(node)),
  });
  return { cluster, internalPorts };
}

/** Picks each node's INTERNAL port before the processes start. */
function internalPortsFor(ports: Map<number, number>): (nodes: ClusterNode[]) => Promise<void> {
  return async (nodes) => {
    for (const n of nodes) ports.set(n.id, await freePort());
  };
}

function kafkaOn(nodes: ClusterNode[]): Kafka {
  return new Kafka({
    clientId: 'node-links-test',
    brokers: nodes.map((n) => `127.0.0.1:${n.port}`),
    logLevel: logLevel.NOTHING,
    retry: { retries: 8, initialRetryTime: 100, maxRetryTime: 1000 },
  });
}

/** User:ANONYMOUS (the PLAINTEXT clients) may describe the cluster and create topics; nothing more on it. */
async function grantClients(admin: Admin): Promise<void> {
  await admin.createAcls({
    acl: [AclOperation.DESCRIBE, AclOperation.CREATE].map(
      (operation) =>
        ({
          resourceType: ResourceType.CLUSTER,
          resourceName: 'kafka-cluster',
          resourcePatternType: PatternType.LITERAL,
          principal: 'User:ANONYMOUS',
          host: '*',
          operation,
          permissionType: PermissionType.ALLOW,
        }) as unknown as AclEntry,
    ),
  });
}

async function produceAll(producer: Producer, topic: string, value: string): Promise<void> {
  await producer.send({ topic, acks: -1, messages: [{ value }] });
}

t.test(
  'three nodes replicate and fail over with SASL_SSL controller and inter-broker listeners',
  { skip: haveOpenssl ? false : 'openssl is not installed' },
  async (t) => {
    t.setTimeout(240_000);
    const { cluster, internalPorts } = secureCluster(() => 'broker-secret');
    t.teardown(() => cluster.stop());
    const first = await cluster.startRegistered(3, internalPortsFor(internalPorts));
    const kafka = kafkaOn(cluster.nodes);
    const admin = kafka.admin();
    await admin.connect();
    t.teardown(() => admin.disconnect());
    await grantClients(admin);
    await admin.createTopics({
      topics: [
        {
          topic: 'secure',
          numPartitions: 1,
          replicationFactor: 3,
          configEntries: [{ name: 'min.insync.replicas', value: '3' }],
        },
      ],
      waitForLeaders: true,
    });
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    t.teardown(() => producer.disconnect());
    // The ISR reaches 3 only once both followers fetch over SASL_SSL as User:broker.
    await cluster.waitFor('acks=all with three in-sync replicas', 60000, async () =>
      produceAll(producer, 'secure', 'one').then(
        () => true,
        () => false,
      ),
    );
    t.pass('acks=all with min.insync.replicas=3 succeeded');

    const leader = cluster.nodes.find((n) => n.id === first.leaderId)!;
    cluster.kill(leader);
    const survivors = cluster.nodes.filter((n) => n !== leader);
    const next = await cluster.waitFor('a new controller leader', 60000, () =>
      cluster.agreedLeader(survivors, leader.id),
    );
    t.not(next.leaderId, leader.id, `node ${next.leaderId} leads the quorum after node ${leader.id} was killed`);
    await admin.createTopics({
      topics: [{ topic: 'after-failover', numPartitions: 1, replicationFactor: 2 }],
      waitForLeaders: true,
    });
    const survivorKafka = kafkaOn(survivors);
    const survivorProducer = survivorKafka.producer({ allowAutoTopicCreation: false });
    await survivorProducer.connect();
    t.teardown(() => survivorProducer.disconnect());
    await cluster.waitFor('acks=all after the failover', 60000, async () =>
      produceAll(survivorProducer, 'after-failover', 'two').then(
        () => true,
        () => false,
      ),
    );
    t.pass('a topic created and written with acks=all after the controller failover');

    cluster.spawn(leader);
    await cluster.waitFor('the killed node back in sync', 90000, async () =>
      produceAll(producer, 'secure', 'three').then(
        () => true,
        () => false,
      ),
    );
    t.pass('the restarted node rejoined: acks=all with three in-sync replicas again');
  },
);

t.test(
  'a broker with a wrong inter-broker password cannot join the ISR',
  { skip: haveOpenssl ? false : 'openssl is not installed' },
  async (t) => {
    t.setTimeout(180_000);
    const { cluster, internalPorts } = secureCluster((node) => (node.id === 3 ? 'not-the-password' : 'broker-secret'));
    cluster.captureStdout = true;
    t.teardown(() => cluster.stop());
    await cluster.startRegistered(3, internalPortsFor(internalPorts));
    const kafka = kafkaOn(cluster.nodes.slice(0, 2));
    const admin = kafka.admin();
    await admin.connect();
    t.teardown(() => admin.disconnect());
    await grantClients(admin);
    // Node 3 leads nothing, so its fetches are the only ones that must authenticate with its password.
    await admin.createTopics({
      topics: [
        {
          topic: 'needs-three',
          replicaAssignment: [{ partition: 0, replicas: [1, 2, 3] }],
          configEntries: [{ name: 'min.insync.replicas', value: '3' }],
        },
      ],
      waitForLeaders: true,
    });
    const node3 = cluster.nodes[2]!;
    const line = await cluster.waitFor('node 3 logs its refused inter-broker login', 60000, async () =>
      node3.lines.find((l) => l.includes('could not authenticate') && l.includes('inter-broker')),
    );
    t.match(line, /SASL_AUTHENTICATION_FAILED/, `node 3 says why: ${line.slice(0, 300)}`);
    const producer = kafka.producer({ allowAutoTopicCreation: false, retry: { retries: 0 } });
    await producer.connect();
    t.teardown(() => producer.disconnect());
    const error = await producer.send({ topic: 'needs-three', acks: -1, messages: [{ value: 'x' }] }).then(
      () => null,
      (err: unknown) => err as { type?: string; message?: string; cause?: { type?: string } },
    );
    // kafkajs wraps the broker's error; its message is kafkajs' text for NOT_ENOUGH_REPLICAS (19).
    t.match(
      `${error?.type ?? ''} ${error?.cause?.type ?? ''} ${error?.message ?? ''}`,
      /NOT_ENOUGH_REPLICAS|fewer in-sync replicas than required/,
      'acks=all is refused: the ISR lacks node 3',
    );
  },
);
