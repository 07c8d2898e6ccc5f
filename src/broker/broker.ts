/**
 * The broker process: loads config, recovers logs, replays the metadata log, opens the
 * listeners (only after recovery), registers itself in the metadata, and serves. Both
 * the CLI and the embedded `startBroker` use this class.
 */
import { createServer, type Server } from 'node:net';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { randomUuid } from '../../protocol/primitives/uuid.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import type { BrokerConfig } from '../common/config.js';
import { SystemClock, type Clock } from '../common/clock.js';
import type { Logger } from '../common/logger.js';
import { MetadataController } from '../metadata/controller.js';
import { MemoryMetadataLog, type MetadataLogStore } from '../metadata/metadata-log.js';
import { MetadataQuorum } from '../controller/metadata-quorum.js';
import { Dispatcher } from '../server/dispatcher.js';
import { Connection } from '../server/connection.js';
import { parseListeners, protocolMap, SECURITY_PROTOCOL_ID, type ListenerSpec } from '../server/listeners.js';
import { HANDLERS } from '../handlers/table.js';
import { CONTROLLER_API_VERSIONS } from '../handlers/controller-table.js';
import { CreateTopicsApi, defaultCreateTopicsRequest, defaultCreateTopicsRequestCreatableTopic } from '../../protocol/generated/messages/19-create-topics.js';
import { ReplicaManager } from './replica-manager.js';
import { Replication } from './replication.js';
import { GroupCoordinatorService } from '../groups/service.js';
import type { PartitionLogFactory } from './partition-log.js';
import { DiskLogFactory } from './disk-log.js';
import type { AdvertisedListener, BrokerServices } from './services.js';
import { createDataPathServices } from './data-path.js';
import { overlayDynamicConfigs } from '../admin/config-describe.js';
import { ConfigResourceType } from '../metadata/image.js';
import { TransactionService } from '../transactions/service.js';

export interface BrokerOptions {
  config: BrokerConfig;
  log: Logger;
  clock?: Clock;
  /** Where partition logs live; defaults to the on-disk storage under log.dirs. */
  logFactory?: PartitionLogFactory;
  /** Keep metadata in memory only (embedded, throwaway brokers). */
  ephemeralMetadata?: boolean;
}

export interface BoundListener {
  name: string;
  host: string;
  port: number;
  securityProtocol: string;
}

export class Broker {
  readonly config: BrokerConfig;
  readonly nodeId: number;
  readonly clock: Clock;
  private readonly log: Logger;
  private servers: Array<{ spec: ListenerSpec; server: Server }> = [];
  private connections = new Set<Connection>();
  private nextConnectionId = 1;
  private metadataLog!: MetadataLogStore;
  controller!: MetadataController;
  /** The KRaft metadata quorum: the metadata log is replicated and committed through Raft. */
  quorum!: MetadataQuorum;
  replicas!: ReplicaManager;
  groups!: GroupCoordinatorService;
  transactions!: TransactionService;
  services!: BrokerServices;
  clusterId = '';
  bound: BoundListener[] = [];

  constructor(private readonly options: BrokerOptions) {
    this.config = options.config;
    this.nodeId = options.config.nodeId();
    this.clock = options.clock ?? new SystemClock();
    this.log = options.log;
  }

  private dataDir(): string {
    return resolve(this.config.explicit('metadata.log.dir') ?? this.config.logDirs()[0]!);
  }

  /** Reads or writes meta.properties (cluster.id, node.id), as `kafka-storage format` would. */
  private loadClusterId(): string {
    const configured = this.config.explicit('cluster.id') ?? process.env.CLUSTER_ID;
    if (this.options.ephemeralMetadata) return configured ?? randomUuid(randomBytes);
    const dir = this.dataDir();
    mkdirSync(dir, { recursive: true });
    const path = join(dir, 'meta.properties');
    if (existsSync(path)) {
      const m = /cluster\.id=(.*)/.exec(readFileSync(path, 'utf8'));
      if (m) return m[1]!.trim();
    }
    const id = configured ?? randomUuid(randomBytes);
    writeFileSync(path, `#\n#Written by Gregor\nnode.id=${this.nodeId}\nversion=1\ncluster.id=${id}\n`);
    return id;
  }

  async start(): Promise<void> {
    const started = Date.now();
    this.clusterId = this.loadClusterId();
    for (const dir of this.config.logDirs()) mkdirSync(resolve(dir), { recursive: true });
    // The metadata log is the Raft log now; the controller's own log store stays empty.
    this.metadataLog = new MemoryMetadataLog();
    this.controller = new MetadataController(this.metadataLog);

    // Log recovery happens here, before any listener opens.
    const logFactory = this.options.logFactory ?? new DiskLogFactory(this.config, this.clock, this.config.logDirs().map((d) => resolve(d)));
    this.replicas = new ReplicaManager(this.nodeId, logFactory);
    // The image is empty until the quorum replays the metadata log: every partition reaches
    // the replica manager through this listener, on start as later.
    this.controller.onChange((change) => this.replicas.onMetadataChange(change));
    // Built after the listener above: opening the quorum restores the latest metadata snapshot.
    this.quorum = new MetadataQuorum({
      config: this.config,
      nodeId: this.nodeId,
      clusterId: this.clusterId,
      dataDir: this.options.ephemeralMetadata ? undefined : this.dataDir(),
      controller: this.controller,
      clock: this.clock,
      logger: this.log,
    });
    this.quorum.start(); // a lone voter is leader now and has applied the committed log
    this.groups = new GroupCoordinatorService({ config: this.config, controller: this.controller, replicas: this.replicas, clock: this.clock, log: this.log });
    this.groups.start();
    this.transactions = new TransactionService({
      config: this.config,
      nodeId: this.nodeId,
      controller: this.controller,
      replicas: this.replicas,
      groups: this.groups,
      clock: this.clock,
      log: this.log,
    });
    this.transactions.start();
    this.transactions.remoteProducerIds = () => this.quorum.allocateProducerIds();

    const listeners = parseListeners(this.config.list('listeners'), protocolMap(this.config));
    for (const spec of listeners) await this.listen(spec);
    this.quorum.startBroker(() => this.registrationEndpoints());
    this.replication = new Replication({ nodeId: this.nodeId, config: this.config, clock: this.clock, logger: this.log, controller: this.controller, quorum: this.quorum, replicas: this.replicas });
    this.replication.start();
    this.services = this.buildServices();
    this.log.info(
      { nodeId: this.nodeId, clusterId: this.clusterId, listeners: this.bound.map((l) => `${l.name}://${l.host}:${l.port}`), ms: Date.now() - started },
      'Gregor broker started',
    );
  }

  private listen(spec: ListenerSpec): Promise<void> {
    const server = createServer((socket) => this.accept(spec, socket));
    return new Promise((resolveListen, reject) => {
      server.once('error', reject);
      server.listen({ host: spec.host === '' ? '0.0.0.0' : spec.host, port: spec.port }, () => {
        server.off('error', reject);
        const address = server.address();
        const port = typeof address === 'object' && address ? address.port : spec.port;
        this.servers.push({ spec, server });
        this.bound.push({ name: spec.name, host: spec.host === '' ? '127.0.0.1' : spec.host, port, securityProtocol: spec.securityProtocol });
        resolveListen();
      });
    });
  }

  private accept(spec: ListenerSpec, socket: import('node:net').Socket): void {
    if (!this.services) {
      socket.destroy();
      return;
    }
    const connection = new Connection(
      socket,
      {
        connectionId: this.nextConnectionId++,
        listenerName: spec.name,
        clientHost: socket.remoteAddress ?? '',
        clientPort: socket.remotePort ?? 0,
      },
      this.dispatcher!,
      {
        maxRequestBytes: this.config.int('socket.request.max.bytes'),
        maxInFlight: this.config.int('queued.max.requests'),
        idleMs: this.config.int('connections.max.idle.ms'),
      },
      this.log,
      (c) => this.connections.delete(c),
    );
    this.connections.add(connection);
  }

  private dispatcher: Dispatcher | null = null;
  private replication: Replication | null = null;

  /** Listeners as clients should see them: advertised.listeners, else the bound ones, minus controller listeners. */
  advertisedListeners(): AdvertisedListener[] {
    const controllerNames = new Set(this.config.list('controller.listener.names').map((n) => n.toUpperCase()));
    const advertised = this.config.list('advertised.listeners');
    const specs = advertised.length > 0 ? parseListeners(advertised, protocolMap(this.config)) : [];
    return this.bound
      .filter((b) => !controllerNames.has(b.name) || this.bound.length === 1)
      .map((b) => {
        const adv = specs.find((s) => s.name === b.name);
        const host = adv ? adv.host : b.host === '0.0.0.0' ? '127.0.0.1' : b.host;
        const port = adv && adv.port !== 0 ? adv.port : b.port;
        return { name: b.name, host, port, securityProtocol: b.securityProtocol };
      });
  }

  private registrationEndpoints(): Array<{ name: string; host: string; port: number; securityProtocol: number }> {
    return this.advertisedListeners().map((l) => ({
      name: l.name,
      host: l.host,
      port: l.port,
      securityProtocol: SECURITY_PROTOCOL_ID[l.securityProtocol] ?? 0,
    }));
  }

  private buildServices(): BrokerServices {
    const apiVersions = HANDLERS.map((h) => ({ apiKey: h.apiKey, minVersion: h.minVersion, maxVersion: h.maxVersion })).sort(
      (a, b) => a.apiKey - b.apiKey,
    );
    const controllerListeners = new Set(this.config.list('controller.listener.names').map((n) => n.toUpperCase()));
    const staticConfig = this.config;
    // The effective config is rebuilt lazily, on the first read after a change to this broker's
    // or the cluster-default dynamic configs: a burst of ConfigRecords costs one rebuild, not one each.
    let effectiveConfig: BrokerConfig | null = null;
    const ownName = String(this.nodeId);
    this.controller.onChange((change) => {
      if (change.kind !== 'config-changed' || change.resourceType !== ConfigResourceType.BROKER) return;
      if (change.resourceName === '' || change.resourceName === ownName) effectiveConfig = null;
    });
    const image = () => this.controller.image;
    const nodeId = this.nodeId;
    const services: BrokerServices = {
      get config() {
        return (effectiveConfig ??= overlayDynamicConfigs(staticConfig, image(), nodeId));
      },
      staticConfig,
      nodeId: this.nodeId,
      clusterId: this.clusterId,
      advertisedListeners: this.advertisedListeners(),
      controller: this.controller,
      replicas: this.replicas,
      groups: this.groups,
      apiVersions: (listenerName) => (listenerName !== undefined && controllerListeners.has(listenerName) ? CONTROLLER_API_VERSIONS : apiVersions),
      transactions: this.transactions,
      dataPath: createDataPathServices({
        maxFetchSessions: this.config.int('max.incremental.fetch.session.cache.slots'),
        producerStateCheck: this.transactions.hooks.check,
        producerAppended: this.transactions.hooks.appended,
      }),
      autoCreateTopic: (name) => {
        if (!this.controller.isActive()) {
          this.forwardAutoCreate(name);
          return ErrorCode.LEADER_NOT_AVAILABLE;
        }
        const result = this.controller.createTopic({
          name,
          numPartitions: this.config.int('num.partitions'),
          replicationFactor: Math.min(this.config.int('default.replication.factor'), Math.max(1, this.controller.liveBrokerIds().length)),
        });
        if (!result.ok) return result.error.errorCode;
        this.controller.commit(result.records);
        // A quorum of one has applied it; a larger one commits it shortly (clients retry).
        return this.controller.image.topicsByName.has(name) ? 0 : ErrorCode.LEADER_NOT_AVAILABLE;
      },
      quorum: this.quorum.node,
      brokerHeartbeats: this.quorum.heartbeats,
      quorumVoters: this.quorum.voters,
      forwarder: this.quorum.forwarder,
    };
    this.dispatcher = new Dispatcher(services, this.clock, this.log);
    return services;
  }

  private readonly autoCreating = new Set<string>();

  /** Auto-creation on a node that is not the active controller: a CreateTopics forwarded to it (clients retry Metadata meanwhile). */
  private forwardAutoCreate(name: string): void {
    if (this.autoCreating.has(name)) return;
    this.autoCreating.add(name);
    const topic = { ...defaultCreateTopicsRequestCreatableTopic(), name, numPartitions: -1, replicationFactor: -1 };
    this.quorum.forwarder
      .send(CreateTopicsApi, 7, { ...defaultCreateTopicsRequest(), topics: [topic], timeoutMs: 30000 })
      .catch((err: unknown) => this.log.debug({ err, topic: name }, 'forwarded auto-creation failed'))
      .finally(() => this.autoCreating.delete(name));
  }

  /** Stops accepting, closes connections, flushes logs and closes the metadata log. */
  async stop(): Promise<void> {
    const closed = Promise.all(this.servers.map(({ server }) => new Promise<void>((r) => server.close(() => r()))));
    this.services?.dataPath.fetchPurgatory.close();
    this.services?.dataPath.producePurgatory.close();
    for (const c of this.connections) c.close('shutdown');
    this.connections.clear();
    await closed;
    this.replication?.stop();
    this.transactions?.stop();
    this.groups?.stop();
    this.quorum?.stop();
    this.replicas?.close();
    this.metadataLog?.close();
    this.log.info({ nodeId: this.nodeId }, 'Gregor broker stopped');
  }
}
