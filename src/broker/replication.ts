/**
 * Wires replication into a broker process: follower fetchers (src/broker/replica-fetcher.ts) over
 * connections to the other brokers' inter-broker listeners (addresses from the metadata image), the
 * leader's ISR upkeep (src/broker/isr-manager.ts) with AlterPartition sent to the active controller
 * (or applied here when this node is it), and the periodic ISR shrink check. Follows every hosted
 * partition's state changes from the replica manager. A follower's producer state is dropped, so
 * that on becoming leader it is rebuilt from the replicated log (idempotent producers carry on).
 * `num.replica.fetchers` is the broker's dynamic value when one is set (this broker's, else the
 * cluster default), else the static one; a dynamic change resizes the fetcher pool at once.
 * The other brokers are reached at their endpoint of the inter-broker listener (a broker without
 * one is unreachable) over the transport given (TLS and SASL as that listener needs).
 */
import { FetchApi } from '../../protocol/generated/messages/01-fetch.js';
import { AlterPartitionApi } from '../../protocol/generated/messages/56-alter-partition.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import type { BrokerConfig } from '../common/config.js';
import type { Clock } from '../common/clock.js';
import { schedulerFor, type Scheduler, type Timer } from '../common/scheduler.js';
import type { Transport } from '../common/transport.js';
import type { Logger } from '../common/logger.js';
import { PeerClient, type PeerAddress } from '../controller/peer-client.js';
import { applyAlterPartition } from '../controller/alter-partition.js';
import type { MetadataQuorum } from '../controller/metadata-quorum.js';
import type { MetadataController } from '../metadata/controller.js';
import { scheduleOn } from './delayed-fetch.js';
import { IsrManager } from './isr-manager.js';
import { forgetProducerState } from './producer-state-registry.js';
import type { Partition } from './partition.js';
import { REPLICA_FETCH_VERSION, ReplicaFetcherManager } from './replica-fetcher.js';
import type { ReplicaManager } from './replica-manager.js';

/** The Fetch version followers send: diverging epochs, topics by name. */
const ALTER_PARTITION_VERSION = 3;
const NUM_REPLICA_FETCHERS = 'num.replica.fetchers';
/** ConfigResource type of a broker. */
const BROKER = 4;

export interface ReplicationOptions {
  nodeId: number;
  config: BrokerConfig;
  clock: Clock;
  logger: Logger;
  controller: MetadataController;
  quorum: MetadataQuorum;
  replicas: ReplicaManager;
  /** Timers; defaults to the clock's own when it is a Scheduler, else Node's. */
  scheduler?: Scheduler;
  /** How the other brokers are reached; defaults to TCP sockets. */
  transport?: Transport;
  /** The inter-broker listener (node-links.ts); default: inter.broker.listener.name, else PLAINTEXT. */
  interBrokerListenerName?: string;
}

/** One connection per other broker, to the address its registration gives, reopened when that changes. */
class BrokerConnections {
  private readonly clients = new Map<number, { address: string; client: PeerClient }>();

  constructor(
    private readonly controller: MetadataController,
    private readonly listenerName: string,
    private readonly clock: Clock,
    private readonly timeoutMs: number,
    private readonly transport: Transport | undefined,
  ) {}

  client(brokerId: number): PeerClient | null {
    const broker = this.controller.image.brokers.get(brokerId);
    if (!broker) return null;
    const endpoint = broker.endpoints.find((e) => e.name === this.listenerName);
    if (!endpoint) return null;
    const address = `${endpoint.host}:${endpoint.port}`;
    const known = this.clients.get(brokerId);
    if (known && known.address === address) return known.client;
    known?.client.close();
    const peers = new Map<number, PeerAddress>([[brokerId, { host: endpoint.host, port: endpoint.port }]]);
    const client = new PeerClient(peers, {
      clock: this.clock,
      ...(this.transport ? { transport: this.transport } : {}),
      clientId: 'replica-fetcher',
      requestTimeoutMs: this.timeoutMs,
      reconnectBackoffMs: 200,
    });
    this.clients.set(brokerId, { address, client });
    return client;
  }

  close(): void {
    for (const { client } of this.clients.values()) client.close();
    this.clients.clear();
  }
}

export class Replication {
  private readonly connections: BrokerConnections;
  private readonly fetchers: ReplicaFetcherManager;
  private readonly isr: IsrManager;
  private shrinkTimer: Timer | null = null;
  private readonly scheduler: Scheduler;
  /** The leader epoch each partition was last seen leading at (-1: following), for producer state. */
  private readonly producerStateEpochs = new WeakMap<Partition, number>();

  constructor(private readonly options: ReplicationOptions) {
    const { config, controller, quorum, nodeId, logger } = options;
    const clock = schedulerFor(options.clock, options.scheduler);
    this.scheduler = clock;
    const maxWaitMs = config.int('replica.fetch.wait.max.ms');
    this.connections = new BrokerConnections(
      controller,
      options.interBrokerListenerName ?? (config.raw('inter.broker.listener.name') ?? 'PLAINTEXT').toUpperCase(),
      clock,
      maxWaitMs + config.int('request.timeout.ms'),
      options.transport,
    );
    this.fetchers = new ReplicaFetcherManager({
      brokerId: nodeId,
      brokerEpoch: () => quorum.brokerEpoch(),
      transport: (leaderId, request) => {
        const client = this.connections.client(leaderId);
        if (!client) return Promise.reject(new Error(`broker ${leaderId} has no known address`));
        return client.request(
          leaderId,
          FetchApi,
          REPLICA_FETCH_VERSION,
          request,
          maxWaitMs + config.int('request.timeout.ms'),
        );
      },
      schedule: scheduleOn(clock),
      maxWaitMs,
      minBytes: config.int('replica.fetch.min.bytes'),
      maxBytes: config.int('replica.fetch.max.bytes'),
      responseMaxBytes: config.int('replica.fetch.response.max.bytes'),
      backoffMs: config.int('replica.fetch.backoff.ms'),
      numFetchers: this.numReplicaFetchers(),
      logger,
    });
    this.isr = new IsrManager({
      brokerId: nodeId,
      brokerEpoch: () => quorum.brokerEpoch(),
      aliveBrokerEpoch: (id) => {
        const broker = controller.image.brokers.get(id);
        return broker && !broker.fenced ? broker.brokerEpoch : undefined;
      },
      send: async (request) => {
        if (controller.isActive()) return applyAlterPartition(controller, request, ALTER_PARTITION_VERSION);
        const leader = quorum.node.leaderId();
        const peers = quorum.node.peers;
        if (leader < 0 || !peers?.knows(leader))
          return { throttleTimeMs: 0, errorCode: ErrorCode.NOT_CONTROLLER, topics: [] };
        return peers.request(leader, AlterPartitionApi, ALTER_PARTITION_VERSION, request);
      },
      now: () => clock.now(),
      replicaLagTimeMaxMs: config.int('replica.lag.time.max.ms'),
      isEligible: (id) => {
        const broker = controller.image.brokers.get(id);
        return broker !== undefined && !broker.fenced && !broker.inControlledShutdown;
      },
      logger,
    });
  }

  /** `num.replica.fetchers` in force: this broker's dynamic value, the cluster default, the static one. */
  private numReplicaFetchers(): number {
    const { controller, nodeId, config } = this.options;
    const dynamic =
      controller.image.brokerConfigs.get(String(nodeId))?.get(NUM_REPLICA_FETCHERS) ??
      controller.image.brokerConfigs.get('')?.get(NUM_REPLICA_FETCHERS);
    const parsed = dynamic === undefined ? NaN : Number.parseInt(dynamic, 10);
    return Number.isInteger(parsed) && parsed >= 1 ? parsed : config.int(NUM_REPLICA_FETCHERS);
  }

  /** Follows every hosted partition's state from now on, and the ones hosted already. */
  start(): void {
    const { replicas } = this.options;
    this.options.controller.onChange((change) => {
      if (change.kind === 'config-changed' && change.name === NUM_REPLICA_FETCHERS && change.resourceType === BROKER)
        this.fetchers.resize(this.numReplicaFetchers());
    });
    this.fetchers.resize(this.numReplicaFetchers());
    replicas.onPartitionState((partition, removed) => {
      if (removed) {
        this.fetchers.remove(partition);
        this.isr.forget(partition);
        return;
      }
      this.attachIsrManager(partition);
      this.forgetStaleProducerState(partition);
      this.fetchers.update(partition);
    });
    for (const partition of replicas.all()) {
      this.attachIsrManager(partition);
      this.forgetStaleProducerState(partition);
      this.fetchers.update(partition);
    }
    const lagMs = this.options.config.int('replica.lag.time.max.ms');
    this.shrinkTimer = this.scheduler.every(Math.max(10, Math.floor(lagMs / 2)), () => {
      for (const partition of replicas.all()) this.isr.maybeShrink(partition);
    });
  }

  /** The ISR manager hears of the partition's follower fetches and says which joining followers hold its high watermark. */
  private attachIsrManager(partition: Partition): void {
    partition.followerFetchListener ??= (p, replicaId) => this.isr.maybeExpand(p, replicaId);
    partition.joiningFollowerHolds ??= (p, replicaId, position) => this.isr.holdsHighWatermark(p, replicaId, position);
  }

  /**
   * A follower does not keep producer state up (its fetcher appends without it), so state built
   * while following (a fetch's LSO, DescribeProducers) would be stale: it is dropped on every
   * leadership or leader-epoch change and rebuilt from the replicated log on first use.
   */
  private forgetStaleProducerState(partition: Partition): void {
    const epoch = partition.isLeader() ? partition.leaderEpoch : -1;
    if (epoch < 0 || this.producerStateEpochs.get(partition) !== epoch) forgetProducerState(partition);
    this.producerStateEpochs.set(partition, epoch);
  }

  stop(): void {
    this.shrinkTimer?.cancel();
    this.shrinkTimer = null;
    this.fetchers.close();
    this.connections.close();
  }
}
