/**
 * The Gregor cluster the kafkajs suite expects, as its docker-compose file (docker-compose.2_4.yml)
 * describes it: host localhost; node ids 0, 1, 2; PLAINTEXT on 9092/9095/9098, SSL on
 * 9093/9096/9099, SASL_SSL on 9094/9097/9100; auto.create.topics.enable=true, num.partitions=2,
 * group.initial.rebalance.delay.ms=0; SASL users test/testtest (PLAIN) and testscram (SCRAM).
 *
 * The SSL and SASL_SSL listeners use the suite's own key (suite-security.ts) as a PEM key store;
 * SASL_SSL serves PLAIN (the users of testHelpers/kafka/server-jaas.conf) and SCRAM-SHA-256/512
 * (the user of scripts/createScramCredentials.sh, added with AlterUserScramCredentials once the
 * broker is up), or, for the suite's OAUTHBEARER pass (docker-compose.2_4_oauthbearer.yml), only
 * OAUTHBEARER with Kafka's unsecured validator (server-jaas_oauth.conf).
 *
 * CLUSTER_FEATURES is the default run: the compose file's three nodes (combined broker and
 * controller, one quorum, one cluster id) with both secure listeners; --brokers 1, --no-ssl and
 * --no-sasl trim it. brokerConfigs() is pure: it builds every node's Kafka-named configs.
 * startCluster() starts them in this process through the embedded API (src/index.ts of this
 * repository, or of another Gregor tree given with --gregor), all at once (a voter waits for
 * the others to form the quorum); stop() stops them one after another.
 *
 * The compose file's authorizer (ZooKeeper-mode kafka.security.auth.SimpleAclAuthorizer with
 * allow.everyone.if.no.acl.found=true, no super users) becomes KRaft Kafka's StandardAuthorizer with
 * the same setting: the PLAINTEXT inter-broker traffic (User:ANONYMOUS) is allowed because the cluster
 * resource has no ACL, as on the compose cluster. The OAUTHBEARER pass sets the compose file's
 * connections.max.reauth.ms (15 s) for the re-authentication tests.
 *
 * transaction.state.log.min.isr is left at Kafka's default (2), as the compose file leaves it; a single
 * node (the only voter) caps it at 1. The internal topics' factors are capped at the brokers started:
 * with fewer live brokers than the factor, Gregor (as Kafka) does not create the topic at all.
 */
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { RunningBroker, StartBrokerOptions } from '../../src/index.js';
import { createSuiteScramUser, SUITE_SCRAM_USER, suiteTlsFiles } from './suite-security.js';

export type StartBroker = (options: StartBrokerOptions) => Promise<RunningBroker>;

export interface ClusterFeatures {
  /** 3, as the suite's compose cluster; 1 for a quick single-node run. */
  brokers: 1 | 2 | 3;
  ssl: boolean;
  sasl: boolean;
  /** The suite's OAUTHBEARER pass: SASL_SSL serves only OAUTHBEARER (OAUTHBEARER_ENABLED=1). */
  oauthbearer?: boolean;
}

/** What Gregor supports now. */
export const CLUSTER_FEATURES: ClusterFeatures = { brokers: 3, ssl: true, sasl: true };

interface NodeLayout {
  nodeId: number;
  plaintext: number;
  ssl: number;
  sasl: number;
  controller: number;
}

/** The suite's compose cluster, node by node (ports before --port-offset). */
export const NODES: readonly NodeLayout[] = [
  { nodeId: 0, plaintext: 9092, ssl: 9093, sasl: 9094, controller: 19092 },
  { nodeId: 1, plaintext: 9095, ssl: 9096, sasl: 9097, controller: 19095 },
  { nodeId: 2, plaintext: 9098, ssl: 9099, sasl: 9100, controller: 19098 },
];

/** Broker configs common to every node, from the compose file. */
export const SUITE_CONFIG: Record<string, string | number | boolean> = {
  'auto.create.topics.enable': true,
  'num.partitions': 2,
  'delete.topic.enable': true,
  'group.initial.rebalance.delay.ms': 0,
  // the compose file's SimpleAclAuthorizer (ZooKeeper mode); KRaft Kafka's is the StandardAuthorizer
  'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
  'allow.everyone.if.no.acl.found': true,
};

/** KAFKA_CONNECTIONS_MAX_REAUTH_MS of docker-compose.2_4_oauthbearer.yml. */
export const OAUTHBEARER_REAUTH_MS = 15000;

export const SASL_USERS = {
  plain: { test: 'testtest', bob: 'bobbob', alice: 'alicealice' },
  scram: { user: 'testscram', sha256: 'testtestscram=256', sha512: 'testtestscram=512' },
};

/** The spec files of the suite's `test:group:oauthbearer` script (package.json). */
export const OAUTHBEARER_FILES = [
  'src/producer/index.spec.js',
  'src/broker/__tests__/connect.spec.js',
  'src/consumer/__tests__/connection.spec.js',
  'src/broker/__tests__/disconnect.spec.js',
  'src/admin/__tests__/connection.spec.js',
  'src/broker/__tests__/reauthenticate.spec.js',
];

/** The unsecured OAUTHBEARER login of server-jaas_oauth.conf (Kafka's development validator). */
export const OAUTHBEARER_JAAS =
  'org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required unsecuredLoginStringClaim_sub="admin";';

export interface TlsFiles {
  /** One PEM file with the private key and the certificate chain. */
  keystore: string;
}

export function brokerConfigs(
  features: ClusterFeatures,
  options: { portOffset: number; tls?: TlsFiles },
): Array<Record<string, string | number | boolean>> {
  const nodes = NODES.slice(0, features.brokers);
  const at = (port: number): number => port + options.portOffset;
  return nodes.map((node) => {
    const listeners = [`PLAINTEXT://127.0.0.1:${at(node.plaintext)}`];
    const advertised = [`PLAINTEXT://localhost:${at(node.plaintext)}`];
    const protocolMap = ['PLAINTEXT:PLAINTEXT'];
    const config: Record<string, string | number | boolean> = {
      ...SUITE_CONFIG,
      'node.id': node.nodeId,
      // the compose file says 2; a single node can only hold 1
      'default.replication.factor': Math.min(2, features.brokers),
      'offsets.topic.replication.factor': Math.min(3, features.brokers),
      'transaction.state.log.replication.factor': Math.min(3, features.brokers),
    };
    if (features.ssl) {
      listeners.push(`SSL://127.0.0.1:${at(node.ssl)}`);
      advertised.push(`SSL://localhost:${at(node.ssl)}`);
      protocolMap.push('SSL:SSL');
    }
    if (features.sasl) {
      listeners.push(`SASL_SSL://127.0.0.1:${at(node.sasl)}`);
      advertised.push(`SASL_SSL://localhost:${at(node.sasl)}`);
      protocolMap.push('SASL_SSL:SASL_SSL');
      if (features.oauthbearer === true) {
        config['sasl.enabled.mechanisms'] = 'OAUTHBEARER';
        config['listener.name.sasl_ssl.oauthbearer.sasl.jaas.config'] = OAUTHBEARER_JAAS;
        // the OAUTHBEARER compose file's KAFKA_CONNECTIONS_MAX_REAUTH_MS (KIP-368 re-authentication)
        config['connections.max.reauth.ms'] = OAUTHBEARER_REAUTH_MS;
      } else {
        config['sasl.enabled.mechanisms'] = 'PLAIN,SCRAM-SHA-256,SCRAM-SHA-512';
        config['listener.name.sasl_ssl.plain.sasl.jaas.config'] =
          'org.apache.kafka.common.security.plain.PlainLoginModule required username="test" password="testtest" ' +
          Object.entries(SASL_USERS.plain)
            .map(([user, password]) => `user_${user}="${password}"`)
            .join(' ') +
          ';';
        // server-jaas.conf's KafkaServer section also holds a ScramLoginModule entry: as on Kafka, every
        // enabled mechanism needs its login context.
        for (const mechanism of ['scram-sha-256', 'scram-sha-512'])
          config[`listener.name.sasl_ssl.${mechanism}.sasl.jaas.config`] =
            'org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="adminadmin";';
      }
    }
    if ((features.ssl || features.sasl) && options.tls) {
      config['ssl.keystore.type'] = 'PEM';
      config['ssl.keystore.location'] = options.tls.keystore;
    }
    if (features.brokers > 1) {
      listeners.push(`CONTROLLER://127.0.0.1:${at(node.controller)}`);
      protocolMap.push('CONTROLLER:PLAINTEXT');
      config['process.roles'] = 'broker,controller';
      config['controller.listener.names'] = 'CONTROLLER';
      config['inter.broker.listener.name'] = 'PLAINTEXT';
      // Every voter needs the same cluster id (a node would otherwise refuse to start).
      config['cluster.id'] = 'kafkajs-suite-cluster-00';
      config['controller.quorum.voters'] = nodes.map((n) => `${n.nodeId}@127.0.0.1:${at(n.controller)}`).join(',');
    }
    config.listeners = listeners.join(',');
    config['advertised.listeners'] = advertised.join(',');
    config['listener.security.protocol.map'] = protocolMap.join(',');
    return config;
  });
}

export function describeCluster(features: ClusterFeatures, portOffset: number): string {
  const nodes = NODES.slice(0, features.brokers);
  const parts = nodes.map((n) => {
    const ports = [`PLAINTEXT :${n.plaintext + portOffset}`];
    if (features.ssl) ports.push(`SSL :${n.ssl + portOffset}`);
    if (features.sasl)
      ports.push(`SASL_SSL :${n.sasl + portOffset}${features.oauthbearer === true ? ' (OAUTHBEARER only)' : ''}`);
    return `node ${n.nodeId} (${ports.join(', ')})`;
  });
  return `${nodes.length} Gregor broker${nodes.length > 1 ? 's' : ''} on localhost: ${parts.join('; ')}`;
}

export interface RunningCluster {
  brokers: RunningBroker[];
  stop(): Promise<void>;
}

/**
 * Runs `attempt` until it succeeds, for up to 60 s: the nodes of a quorum return from start() before
 * they are registered and unfenced, and until then their client listeners close new connections.
 */
async function untilServing(attempt: () => Promise<void>): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      return await attempt();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

export async function startCluster(
  features: ClusterFeatures,
  options: {
    portOffset: number;
    workDir: string;
    suiteRoot: string;
    logger: Logger;
    startBroker: StartBroker;
    log: (line: string) => void;
  },
): Promise<RunningCluster> {
  let tls: TlsFiles | undefined;
  if (features.ssl || features.sasl) {
    const files = suiteTlsFiles(options.suiteRoot, join(options.workDir, 'certs'));
    options.log(`TLS key store: ${files.origin}`);
    tls = { keystore: files.keystore };
  }
  const configs = brokerConfigs(features, { portOffset: options.portOffset, ...(tls ? { tls } : {}) });
  const started = await Promise.all(
    configs.map((config) => options.startBroker({ config, logger: options.logger.child({ node: config['node.id'] }) })),
  );
  if (features.sasl && features.oauthbearer !== true && started[0]) {
    await untilServing(() => createSuiteScramUser(started[0]!.bootstrap));
    options.log(`SCRAM user ${SUITE_SCRAM_USER.name} added (SCRAM-SHA-256, SCRAM-SHA-512)`);
  }
  return {
    brokers: started,
    // One node after another: stopped all at once, the nodes' controlled shutdowns race the loss of
    // the quorum's majority and the last one waits broker.session.timeout.ms (9 s) for an approval
    // that cannot come. In turn, each is approved while a majority is up, and the last stops at once.
    async stop() {
      for (const broker of started) await broker.stop();
    },
  };
}
