/**
 * Test support for node-to-node security across real processes: a ProcessCluster whose controller
 * listener and INTERNAL inter-broker listener are SASL_SSL with PLAIN (the brokers log in as
 * User:broker, the authorizer's only super user), kafkajs on the PLAINTEXT client listeners, and
 * the ACLs that let User:ANONYMOUS describe the cluster and create topics (not CLUSTER_ACTION).
 */
import { Kafka, logLevel, type AclEntry, type Admin, type Producer } from 'kafkajs';
import { AclOperation, PatternType, PermissionType, ResourceType } from '../../src/metadata/acl-types.js';
import { FAST_QUORUM_SETTINGS, freePort, ProcessCluster, type ClusterNode } from './process-cluster.js';
import { makeTestCerts, opensslAvailable, type TestCerts } from './certs.js';
export { makeTestCerts, opensslAvailable, type TestCerts };

const PLAIN = 'org.apache.kafka.common.security.plain.PlainLoginModule';
const jaas = (password: string): string =>
  `${PLAIN} required username="broker" password="${password}" user_broker="broker-secret";`;

export function secureCluster(
  certs: TestCerts,
  interBrokerPassword: (node: ClusterNode) => string,
): {
  cluster: ProcessCluster;
  internalPorts: Map<number, number>;
} {
  const c = certs;
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
export function internalPortsFor(ports: Map<number, number>): (nodes: ClusterNode[]) => Promise<void> {
  return async (nodes) => {
    for (const n of nodes) ports.set(n.id, await freePort());
  };
}

export function kafkaOn(nodes: ClusterNode[]): Kafka {
  return new Kafka({
    clientId: 'node-links-test',
    brokers: nodes.map((n) => `127.0.0.1:${n.port}`),
    logLevel: logLevel.NOTHING,
    retry: { retries: 8, initialRetryTime: 100, maxRetryTime: 1000 },
  });
}

/** User:ANONYMOUS (the PLAINTEXT clients) may describe the cluster and create topics; nothing more on it. */
export async function grantClients(admin: Admin): Promise<void> {
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

export async function produceAll(producer: Producer, topic: string, value: string): Promise<void> {
  await producer.send({ topic, acks: -1, messages: [{ value }] });
}
