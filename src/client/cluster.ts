/**
 * Gregor's client view of a cluster: bootstrap servers, one connection per broker,
 * cached metadata, and routing to partition leaders and group coordinators, with
 * retries (bounded in count and time) when leadership or coordinators move
 * (NOT_LEADER_OR_FOLLOWER, NOT_COORDINATOR, LEADER_NOT_AVAILABLE, ...). Speaks only the
 * Kafka protocol, so it works against any Kafka-compatible cluster.
 */
import type { ApiDefinition } from '../../protocol/generated/api-definition.js';
import {
  MetadataApi,
  defaultMetadataRequest,
  type MetadataResponse,
} from '../../protocol/generated/messages/03-metadata.js';
import {
  FindCoordinatorApi,
  defaultFindCoordinatorRequest,
} from '../../protocol/generated/messages/10-find-coordinator.js';
import { BrokerConnection } from './connection.js';
import {
  DescribeClusterApi,
  defaultDescribeClusterRequest,
} from '../../protocol/generated/messages/60-describe-cluster.js';
import { AsyncLocalStorage } from 'node:async_hooks';
import { AdminCallTimeoutError, BrokerUnreachableError, KafkaClientError, TlsHandshakeError } from './errors.js';
import type { ClientSecurity } from './security.js';

export interface ClusterOptions {
  bootstrap: string[];
  /**
   * The bootstrap servers are controllers (Kafka's bootstrap.controllers, KIP-919, the tools'
   * --bootstrap-controller): the nodes are learnt with DescribeCluster (endpoint type CONTROLLER),
   * which lists the quorum's controllers and names the active one, instead of Metadata.
   */
  bootstrapControllers?: boolean;
  /**
   * Keep using the bootstrap servers after the advertised brokers (not as Kafka's clients): for the
   * web console inside a broker, which reaches it through its own listener whatever it advertises
   * (a container's published port, say).
   */
  keepBootstrap?: boolean;
  clientId?: string;
  connectTimeoutMs?: number;
  requestTimeoutMs?: number;
  /** How many times a retriable failure is tried again (when apiTimeoutMs is not set). */
  retries?: number;
  /**
   * A call's time budget, as Kafka's admin client's default.api.timeout.ms: a retriable failure
   * (no broker reachable, a moved leader or coordinator) is tried again until this many ms have
   * passed since the call began, then fails with AdminCallTimeoutError. Replaces `retries`.
   */
  apiTimeoutMs?: number;
  /** The first backoff between tries (retry.backoff.ms, default 100), doubling up to retryBackoffMaxMs (1000). */
  retryBackoffMs?: number;
  retryBackoffMaxMs?: number;
  /**
   * A topic the broker does not know is final (Kafka's admin client completes a call with
   * UnknownTopicOrPartitionException at once), not retried as a producer or consumer waits for it.
   */
  unknownTopicIsFinal?: boolean;
  /** TLS and SASL settings for every connection (PLAINTEXT when absent). */
  security?: ClientSecurity;
  /**
   * Told of every connection attempt that made no connection (refused, unreachable, timed out), with the
   * node's id as Kafka's clients number it: a bootstrap server -1, -2, ... in the order given.
   */
  onConnectFailure?: (failure: ConnectFailure) => void;
  /** Told of a metadata answer that names topics with an error (LEADER_NOT_AVAILABLE while one is created, ...). */
  onMetadataIssues?: (correlationId: number, issues: ReadonlyArray<{ topic: string; errorCode: number }>) => void;
}

export interface ConnectFailure {
  nodeId: number;
  host: string;
  port: number;
  /** The IP tried, when known. */
  resolvedAddress?: string;
  /** One of the bootstrap servers (not a broker learnt from metadata). */
  bootstrap: boolean;
}

export interface BrokerAddress {
  nodeId: number;
  host: string;
  port: number;
  rack: string | null;
}

export const COORDINATOR_GROUP = 0;
export const COORDINATOR_TRANSACTION = 1;

/** Errors after which refreshing metadata or the coordinator and trying again may help. */
const ROUTING_ERRORS = new Set([5, 6, 14, 15, 16, 41, 74, 75]);

/** UNKNOWN_TOPIC_OR_PARTITION and UNKNOWN_TOPIC_ID. */
const UNKNOWN_TOPIC = new Set([3, 100]);

/** The deadline of the call in progress, so that a call made inside another keeps the outer budget. */
const callDeadline = new AsyncLocalStorage<number>();

export class Cluster {
  private readonly connections = new Map<string, Promise<BrokerConnection>>();
  private readonly opened = new Map<string, BrokerConnection>();
  private brokers = new Map<number, BrokerAddress>();
  readonly clientId: string;
  private readonly retries: number;

  constructor(private readonly options: ClusterOptions) {
    if (options.bootstrap.length === 0) throw new Error('no bootstrap server given');
    this.clientId = options.clientId ?? 'gregor-cli';
    this.retries = options.retries ?? 5;
  }

  /** Parses `host:port[,host:port]`; IPv6 hosts in brackets. */
  static parseBootstrap(value: string): string[] {
    return value
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0);
  }

  /**
   * A connection to any broker as the cluster's metadata advertises them, asked of a bootstrap server
   * first when not known yet: Kafka 3.9's clients use the bootstrap servers for metadata only, and
   * never go back to them (metadata.recovery.strategy=none). So advertised.listeners a client cannot
   * reach fail Gregor's tools as they fail Kafka's: "Timed out waiting for a node assignment" once the
   * call's budget is spent.
   */
  async any(): Promise<BrokerConnection> {
    // With bootstrap controllers every call asks which controller is active (its own answer after a
    // NOT_CONTROLLER, say) and goes there, as Kafka's admin client sends to the active controller.
    if (this.options.bootstrapControllers === true) {
      const node = this.brokers.get(await this.controllers());
      if (node) return this.connect(`${node.host}:${node.port}`);
    } else if (this.brokers.size === 0 && this.options.keepBootstrap !== true) await this.metadata([]);
    return this.anyKnown();
  }

  /** DescribeCluster's endpoint type for this client: CONTROLLER (2) with bootstrap controllers, else BROKER (1). */
  get endpointType(): number {
    return this.options.bootstrapControllers === true ? 2 : 1;
  }

  /**
   * The quorum's controllers, as Kafka's admin client learns them from bootstrap controllers
   * (DescribeCluster v1+ with endpoint type CONTROLLER); a broker's MISMATCHED_ENDPOINT_TYPE is final.
   */
  private async controllers(): Promise<number> {
    const connection = await this.anyKnown();
    const request = { ...defaultDescribeClusterRequest(), endpointType: 2 };
    const version = connection.versionFor(DescribeClusterApi as ApiDefinition<unknown, unknown>);
    const response = await connection.send(DescribeClusterApi, request, version >= 1 ? version : -1);
    if (response.errorCode !== 0)
      throw new KafkaClientError(response.errorCode, 'DescribeCluster', response.errorMessage);
    this.brokers = new Map(
      response.brokers.map((b) => [b.brokerId, { nodeId: b.brokerId, host: b.host, port: b.port, rack: b.rack }]),
    );
    return response.controllerId;
  }

  /** The advertised brokers when known, else (or after them, with keepBootstrap) the bootstrap servers. */
  private async anyKnown(): Promise<BrokerConnection> {
    let last: unknown = null;
    const advertised = [...this.brokers.values()].map((b) => `${b.host}:${b.port}`);
    const candidates =
      this.options.keepBootstrap === true
        ? advertised.concat(this.options.bootstrap)
        : advertised.length > 0
          ? advertised
          : this.options.bootstrap;
    // As Kafka's leastLoadedNode, a node this client already has a ready connection to comes first (the
    // one that answered the bootstrap Metadata, say): an unreachable or stalled one is tried last.
    const ready = (address: string): boolean => {
      const open = this.opened.get(address);
      return open !== undefined && !open.isClosed;
    };
    for (const node of [...candidates.filter(ready), ...candidates.filter((a) => !ready(a))]) {
      try {
        return await this.connect(node);
      } catch (err) {
        last = err;
      }
    }
    throw last instanceof Error ? last : new BrokerUnreachableError('no bootstrap server answered');
  }

  async toNode(nodeId: number): Promise<BrokerConnection> {
    let broker = this.brokers.get(nodeId);
    if (!broker) {
      await this.metadata([]);
      broker = this.brokers.get(nodeId);
    }
    if (!broker) throw new KafkaClientError(5, `broker ${nodeId}`, 'not in the cluster metadata');
    return this.connect(`${broker.host}:${broker.port}`);
  }

  /**
   * Metadata for the given topics (all when null). A producer, and a consumer group's leader with
   * allow.auto.create.topics, ask the broker to auto-create a missing topic (`autoCreate`, as the
   * Java clients do; the broker decides with auto.create.topics.enable); the other tools never create one.
   */
  async metadata(topics: string[] | null, autoCreate = false): Promise<MetadataResponse> {
    const connection = await this.anyKnown();
    const request = defaultMetadataRequest();
    request.topics = topics === null ? null : topics.map((name) => ({ topicId: 'AAAAAAAAAAAAAAAAAAAAAA', name }));
    request.allowAutoTopicCreation = autoCreate;
    const correlationId = connection.nextCorrelationId;
    const response = await connection.send(MetadataApi, request);
    const issues = response.topics
      .filter((t) => t.errorCode !== 0)
      .map((t) => ({ topic: t.name ?? '', errorCode: t.errorCode }));
    if (issues.length > 0) this.options.onMetadataIssues?.(correlationId, issues);
    this.brokers = new Map(
      response.brokers.map((b) => [b.nodeId, { nodeId: b.nodeId, host: b.host, port: b.port, rack: b.rack }]),
    );
    return response;
  }

  get knownBrokers(): BrokerAddress[] {
    return [...this.brokers.values()].sort((a, b) => a.nodeId - b.nodeId);
  }

  /**
   * The node leading each partition of a topic (fails if the topic does not exist; with
   * `autoCreate` the broker may create it, and a retry then finds it).
   */
  async leaders(topic: string, autoCreate = false): Promise<Map<number, number>> {
    const response = await this.metadata([topic], autoCreate);
    const entry = response.topics[0];
    if (!entry) throw new KafkaClientError(3, `topic ${topic}`);
    if (entry.errorCode !== 0) throw new KafkaClientError(entry.errorCode, `topic ${topic}`);
    return new Map(entry.partitions.map((p) => [p.partitionIndex, p.leaderId]));
  }

  /** The node coordinating a group (keyType 0) or a transactional id (1). */
  async coordinator(key: string, keyType = COORDINATOR_GROUP): Promise<BrokerConnection> {
    const node = await this.coordinatorNode(key, keyType);
    return this.connect(`${node.host}:${node.port}`);
  }

  /** Where the coordinator of a group (keyType 0) or a transactional id (1) is. */
  async coordinatorNode(key: string, keyType = COORDINATOR_GROUP): Promise<BrokerAddress> {
    return this.withRetries(`FindCoordinator ${key}`, async () => {
      const connection = await this.any();
      const version = connection.versionFor(FindCoordinatorApi as ApiDefinition<unknown, unknown>);
      const request = defaultFindCoordinatorRequest();
      request.keyType = version >= 1 ? keyType : 0;
      if (version >= 4) request.coordinatorKeys = [key];
      else request.key = key;
      const response = await connection.send(FindCoordinatorApi, request, version);
      const answer = version >= 4 ? response.coordinators[0] : response;
      if (!answer) throw new KafkaClientError(15, `FindCoordinator ${key}`);
      if (answer.errorCode !== 0)
        throw new KafkaClientError(answer.errorCode, `FindCoordinator ${key}`, answer.errorMessage);
      const node = { nodeId: answer.nodeId, host: answer.host, port: answer.port, rack: null };
      this.brokers.set(answer.nodeId, node);
      return node;
    });
  }

  /**
   * Runs `attempt`, retrying on retriable Kafka errors and lost connections with a growing
   * backoff: until the call's time budget (apiTimeoutMs) is spent when one is set, else at most
   * `retries` times. `what` names the call in a timeout's message. `budgetMs` replaces apiTimeoutMs
   * for this call (a producer's max.block.ms or what is left of its delivery.timeout.ms).
   */
  async withRetries<T>(what: string, attempt: () => Promise<T>, budgetMs?: number): Promise<T> {
    const budget = budgetMs ?? this.options.apiTimeoutMs;
    if (budget === undefined) return this.retryCounted(attempt);
    const outer = callDeadline.getStore();
    const deadline = Math.min(outer ?? Infinity, Date.now() + budget);
    return callDeadline.run(deadline, () => this.retryUntil(what, deadline, attempt));
  }

  private async retryCounted<T>(attempt: () => Promise<T>): Promise<T> {
    for (let tries = 0; ; tries++) {
      try {
        return await attempt();
      } catch (err) {
        if (!isRetriable(err) || tries >= this.retries) throw err;
        await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 100 * 2 ** tries)));
      }
    }
  }

  private async retryUntil<T>(what: string, deadline: number, attempt: () => Promise<T>): Promise<T> {
    const first = this.options.retryBackoffMs ?? 100;
    const max = this.options.retryBackoffMaxMs ?? 1000;
    for (let tries = 1; ; tries++) {
      try {
        return await attempt();
      } catch (err) {
        if (!isRetriable(err) || err instanceof AdminCallTimeoutError) throw err;
        if (this.options.unknownTopicIsFinal && err instanceof KafkaClientError && UNKNOWN_TOPIC.has(err.code))
          throw err;
        const left = deadline - Date.now();
        if (left <= 0) throw new AdminCallTimeoutError(what, deadline, tries, err);
        const backoff = Math.min(max, first * 2 ** (tries - 1), left);
        await new Promise((resolve) => setTimeout(resolve, backoff));
        if (Date.now() >= deadline) throw new AdminCallTimeoutError(what, deadline, tries, err);
      }
    }
  }

  close(): void {
    for (const pending of this.connections.values())
      void pending.then(
        (c) => c.close(),
        () => undefined,
      );
    this.connections.clear();
    this.opened.clear();
  }

  private connect(address: string): Promise<BrokerConnection> {
    const existing = this.connections.get(address);
    const open = this.opened.get(address);
    if (existing && !(open && open.isClosed)) return existing;
    this.opened.delete(address);
    const colon = address.lastIndexOf(':');
    const host = address.slice(0, colon).replace(/^\[|\]$/g, '');
    const port = Number(address.slice(colon + 1));
    if (colon <= 0 || !Number.isInteger(port) || port <= 0 || port > 65535) {
      return Promise.reject(new Error(`"${address}" is not host:port`));
    }
    const opening = BrokerConnection.open({
      host,
      port,
      clientId: this.clientId,
      connectTimeoutMs: this.options.connectTimeoutMs ?? 5_000,
      requestTimeoutMs: this.options.requestTimeoutMs ?? 30_000,
      ...(this.options.security ? { security: this.options.security } : {}),
    });
    this.connections.set(address, opening);
    opening.then(
      (c) => this.opened.set(address, c),
      (err: unknown) => {
        this.connections.delete(address);
        if (err instanceof BrokerUnreachableError && err.notConnected)
          this.reportConnectFailure(address, host, port, err);
      },
    );
    return opening;
  }

  private reportConnectFailure(address: string, host: string, port: number, err: BrokerUnreachableError): void {
    const report = this.options.onConnectFailure;
    if (!report) return;
    const broker = [...this.brokers.values()].find((b) => `${b.host}:${b.port}` === address);
    const index = this.options.bootstrap.indexOf(address);
    if (!broker && index < 0) return;
    const nodeId = broker ? broker.nodeId : -(index + 1);
    const resolvedAddress = err.notConnected?.resolvedAddress;
    report({ nodeId, host, port, bootstrap: !broker, ...(resolvedAddress !== undefined ? { resolvedAddress } : {}) });
  }
}

function isRetriable(err: unknown): boolean {
  return (
    (err instanceof BrokerUnreachableError && !(err instanceof TlsHandshakeError)) ||
    (err instanceof KafkaClientError && (err.retriable || ROUTING_ERRORS.has(err.code)))
  );
}
