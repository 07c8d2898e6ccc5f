/**
 * `gregor/testcontainers`: Gregor's image as a Testcontainers module (testcontainers 11.x,
 * a peer dependency to install beside gregor).
 *
 *   import { GregorContainer } from 'gregor/testcontainers';
 *   const gregor = await new GregorContainer('gregor:latest').withClusterId('abc').start();
 *   const kafka = new Kafka({ brokers: [gregor.getBootstrapServers()] });
 *   ...
 *   await gregor.stop();
 *
 * Clients outside the container reach it at host:port of a host port chosen before start,
 * which the container also listens on and advertises (Kafka clients connect to the
 * advertised address, so it must be the mapped one). The container is ready when /readyz
 * answers 200. Configs are Kafka's names, passed as the image's KAFKA_* variables.
 * Left out: a listener for other containers on a shared network.
 */
import {
  AbstractStartedContainer,
  GenericContainer,
  getContainerRuntimeClient,
  RandomPortGenerator,
  Wait,
  type StartedTestContainer,
} from 'testcontainers';

export const GREGOR_IMAGE = 'gregor:latest';
export const GREGOR_METRICS_PORT = 9644;

/** `log.retention.ms` -> `KAFKA_LOG_RETENTION_MS`, the apache/kafka image's mapping reversed. */
export function kafkaEnvName(config: string): string {
  let out = 'KAFKA_';
  for (const ch of config) out += ch === '.' ? '_' : ch === '_' ? '__' : ch === '-' ? '___' : ch.toUpperCase();
  return out;
}

export class GregorContainer extends GenericContainer {
  private clusterId: string | null = null;
  private readonly configs = new Map<string, string>();
  private nodeId = 1;

  constructor(image: string = GREGOR_IMAGE) {
    super(image);
    this.withWaitStrategy(Wait.forHttp('/readyz', GREGOR_METRICS_PORT).forStatusCode(200)).withStartupTimeout(60_000);
  }

  /** The cluster id (CLUSTER_ID, as the apache/kafka image takes it); else that image's default, 5L6g3nShT-eMCtK--X86sw. */
  withClusterId(clusterId: string): this {
    this.clusterId = clusterId;
    return this;
  }

  /** The node id (node.id, and the voter id of its one-node KRaft quorum). */
  withNodeId(nodeId: number): this {
    this.nodeId = nodeId;
    return this;
  }

  /** A broker config by its Kafka name, e.g. withConfig('num.partitions', 3). */
  withConfig(name: string, value: string | number | boolean): this {
    this.configs.set(name, String(value));
    return this;
  }

  withConfigs(configs: Record<string, string | number | boolean>): this {
    for (const [name, value] of Object.entries(configs)) this.withConfig(name, value);
    return this;
  }

  /** KRaft combined mode (broker and controller) is what the image runs; kept for KafkaContainer users. */
  withKraft(): this {
    return this;
  }

  override async start(): Promise<StartedGregorContainer> {
    const host = (await getContainerRuntimeClient()).info.containerRuntime.host;
    const port = await new RandomPortGenerator().generatePort();
    // Every setting a KRaft node needs: as in the apache/kafka image, KAFKA_* settings replace the
    // image's defaults rather than add to them.
    const environment: Record<string, string> = {
      KAFKA_PROCESS_ROLES: 'broker,controller',
      KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
      KAFKA_NODE_ID: String(this.nodeId),
      KAFKA_CONTROLLER_QUORUM_VOTERS: `${this.nodeId}@localhost:9093`,
      KAFKA_LISTENERS: `PLAINTEXT://0.0.0.0:${port},CONTROLLER://0.0.0.0:9093`,
      KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://${host}:${port}`,
      KAFKA_METRICS_LISTENER: `http://0.0.0.0:${GREGOR_METRICS_PORT}`,
      KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
      KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
    };
    if (this.clusterId !== null) environment.CLUSTER_ID = this.clusterId;
    for (const [name, value] of this.configs) environment[kafkaEnvName(name)] = value;
    this.withEnvironment(environment).withExposedPorts({ container: port, host: port }, GREGOR_METRICS_PORT);
    return new StartedGregorContainer(await super.start(), host, port);
  }
}

export class StartedGregorContainer extends AbstractStartedContainer {
  constructor(
    started: StartedTestContainer,
    private readonly host: string,
    private readonly kafkaPort: number,
  ) {
    super(started);
  }

  /** host:port for clients' bootstrap servers. */
  getBootstrapServers(): string {
    return `${this.host}:${this.kafkaPort}`;
  }

  /** The base URL of /metrics, /livez and /readyz. */
  getMetricsUrl(): string {
    return `http://${this.getHost()}:${this.getMappedPort(GREGOR_METRICS_PORT)}`;
  }
}
