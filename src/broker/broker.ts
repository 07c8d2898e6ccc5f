/**
 * The broker process: loads config, recovers logs, replays the metadata log, opens the
 * listeners (only after recovery), registers itself in the metadata, and serves. Both
 * the CLI and the embedded `startBroker` use this class.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { randomUuid } from '../../protocol/primitives/uuid.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { ConfigError, type BrokerConfig } from '../common/config.js';
import { applyStartupLevels, LogLevels } from '../common/log-levels.js';
import { SystemClock, type Clock } from '../common/clock.js';
import type { Logger } from '../common/logger.js';
import { MetadataController } from '../metadata/controller.js';
import { MemoryMetadataLog, type MetadataLogStore } from '../metadata/metadata-log.js';
import { MetadataQuorum } from '../controller/metadata-quorum.js';
import { Dispatcher, type ConnectionInfo } from '../server/dispatcher.js';
import { Connection } from '../server/connection.js';
import { listenerTls, type ListenerTls } from '../server/tls.js';
import { listenerSasl, type ListenerSasl } from '../server/sasl/listener-sasl.js';
import { SaslAuthenticator } from '../server/sasl/authenticator.js';
import type { ScramCredential, ScramMechanismName } from '../server/sasl/scram.js';
import { ANONYMOUS, type KafkaPrincipal } from '../server/principal.js';
import {
  assertListenersServable,
  parseListeners,
  protocolMap,
  SECURITY_PROTOCOL_ID,
  type ListenerSpec,
} from '../server/listeners.js';
import { HANDLERS } from '../handlers/table.js';
import { CONTROLLER_API_VERSIONS } from '../handlers/controller-table.js';
import {
  CreateTopicsApi,
  defaultCreateTopicsRequest,
  defaultCreateTopicsRequestCreatableTopic,
} from '../../protocol/generated/messages/19-create-topics.js';
import { ReplicaManager } from './replica-manager.js';
import { Replication } from './replication.js';
import { GroupCoordinatorService } from '../groups/service.js';
import type { PartitionLogFactory } from './partition-log.js';
import { DiskLogFactory } from './disk-log.js';
import { currentOpenFileLimit } from '../common/open-files.js';
import type { AdvertisedListener, BrokerServices } from './services.js';
import { authorizerFromConfig } from '../authorizer/standard-authorizer.js';
import { connectionRefusal, parsePerIpOverrides } from '../server/connection-limits.js';
import { createDataPathServices } from './data-path.js';
import { overlayDynamicConfigs } from '../admin/config-describe.js';
import { ConfigResourceType } from '../metadata/image.js';
import { TransactionService } from '../transactions/service.js';
import { LogDirLock } from './log-dir-lock.js';
import { MEMORY_LOG_DIRS, MEMORY_ROOT, usesMemoryStorage } from './memory-storage.js';
import { MemoryFileSystem } from '../../storage/memory-fs.js';
import { ensureMetaProperties, requireSharedClusterId } from './meta-properties.js';
import type { InternalTopicSpec } from '../groups/internal-topic.js';
import { parseQuorumVoters } from '../controller/quorum-voters.js';
import { Operations } from '../ops/operations.js';
import { Cluster } from '../client/cluster.js';
import { consoleHandler } from '../console/server.js';

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
  /** TLS settings of the SSL and SASL_SSL listeners, checked before anything starts. */
  private readonly listenerTls = new Map<string, ListenerTls>();
  private readonly handshaking = new Set<Socket>();
  private readonly tlsServers = new Map<string, TlsServer>();
  /** SASL settings of the SASL_PLAINTEXT and SASL_SSL listeners. */
  private readonly listenerSasl = new Map<string, ListenerSasl>();
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
  /** The `.lock` of every log dir this broker uses, held until stop(). */
  private dirLocks: LogDirLock[] = [];

  /** /metrics, /livez and /readyz, when `metrics.listener` is set. */
  ops: Operations | null = null;
  private consoleCluster: Cluster | null = null;

  /** The named loggers whose levels BROKER_LOGGER configs change. */
  readonly loggers: LogLevels;
  /** log.dirs=memory:: logs, metadata and internal topics in memory, no file written. */
  readonly inMemory: boolean;

  constructor(private readonly options: BrokerOptions) {
    this.config = options.config;
    this.nodeId = options.config.nodeId();
    this.clock = options.clock ?? new SystemClock();
    this.loggers = new LogLevels(options.log);
    const problem = applyStartupLevels(
      this.loggers,
      options.config.explicit('log4j.root.loglevel'),
      options.config.list('log4j.loggers'),
    );
    if (problem !== null) throw new ConfigError(problem);
    this.log = this.loggers.logger('kafka.server');
    this.inMemory = usesMemoryStorage(options.config);
    if (!this.inMemory && options.config.explicit('memory.max.bytes') !== undefined) {
      throw new ConfigError(
        `memory.max.bytes applies only to log.dirs=${MEMORY_LOG_DIRS} (in-memory mode), but log.dirs is ${options.config.logDirs().join(',')}`,
      );
    }
  }

  /** Metadata kept only in memory: an embedded throwaway broker, or in-memory mode. */
  private get metadataInMemory(): boolean {
    return this.inMemory || this.options.ephemeralMetadata === true;
  }

  private dataDir(): string {
    return resolve(this.config.explicit('metadata.log.dir') ?? this.config.logDirs()[0]!);
  }

  /**
   * Checks meta.properties in every log dir against the configuration and each other (a
   * mismatch stops start-up), formats the dirs that have none, and returns the cluster id.
   */
  private loadClusterId(): string {
    const configured = this.config.explicit('cluster.id') ?? (process.env.CLUSTER_ID || undefined);
    const voterCount = parseQuorumVoters(this.config.list('controller.quorum.voters')).size;
    if (this.metadataInMemory) {
      requireSharedClusterId(configured, voterCount);
      return configured ?? randomUuid(randomBytes);
    }
    return ensureMetaProperties({
      logDirs: this.options.logFactory ? [] : this.config.logDirs().map((d) => resolve(d)),
      metadataLogDir: this.dataDir(),
      nodeId: this.nodeId,
      configuredClusterId: configured,
      newUuid: () => randomUuid(randomBytes),
      voterCount,
    });
  }

  async start(): Promise<void> {
    const started = Date.now();
    const listeners = parseListeners(this.config.list('listeners'), protocolMap(this.config));
    assertListenersServable(listeners, this.config.list('controller.listener.names'));
    for (const spec of listeners) {
      if (spec.securityProtocol === 'SSL' || spec.securityProtocol === 'SASL_SSL')
        this.listenerTls.set(spec.name, listenerTls(this.config, spec.name));
      if (spec.securityProtocol.startsWith('SASL_'))
        this.listenerSasl.set(
          spec.name,
          listenerSasl(
            this.config,
            spec.name,
            (mechanism, user) => this.scramCredential(mechanism, user),
            () => this.clock.now(),
          ),
        );
    }
    this.dirLocks = LogDirLock.acquireAll(this.lockedDirs());
    try {
      // The operations listener opens first: /livez answers and /readyz says why not while logs recover.
      this.ops = Operations.fromConfig(this.config, this.log);
      if (this.ops) await this.ops.listen();
      await this.startServing(started, listeners);
    } catch (error) {
      await this.ops?.close();
      this.releaseDirLocks();
      throw error;
    }
  }

  /** The dirs this broker writes: the log dirs (unless logs live elsewhere) and the metadata log dir. */
  private lockedDirs(): string[] {
    if (this.inMemory) return [];
    const dirs = this.options.logFactory ? [] : this.config.logDirs().map((d) => resolve(d));
    if (!this.options.ephemeralMetadata) dirs.push(this.dataDir());
    return dirs;
  }

  private releaseDirLocks(): void {
    for (const lock of this.dirLocks) lock.release();
    this.dirLocks = [];
  }

  private async startServing(started: number, listeners: ListenerSpec[]): Promise<void> {
    this.clusterId = this.loadClusterId();
    if (!this.inMemory) for (const dir of this.config.logDirs()) mkdirSync(resolve(dir), { recursive: true });
    // The metadata log is the Raft log now; the controller's own log store stays empty.
    this.metadataLog = new MemoryMetadataLog();
    this.controller = new MetadataController(this.metadataLog);

    // Log recovery happens here, before any listener opens.
    const logFactory = this.options.logFactory ?? this.createLogFactory();
    if (logFactory instanceof DiskLogFactory && !this.inMemory) {
      const limit = currentOpenFileLimit();
      this.log.info(
        { softLimit: limit?.soft, hardLimit: limit?.hard, logFilesOpenAtMost: logFactory.files.maxOpenFiles },
        'open file limit (RLIMIT_NOFILE)',
      );
    }
    this.replicas = new ReplicaManager(this.nodeId, logFactory, this.log, (topic, partition, err) =>
      this.log.error({ topic, partition, err }, `partition ${topic}-${partition} is offline: its log failed`),
    );
    logFactory.onDirFailure?.((dir, error) => this.logDirFailed(dir, error));
    const dirs = logFactory.logDirs?.() ?? [];
    for (const dir of dirs) if (dir.offline) this.logDirFailed(dir.path, dir.failure, true);
    if (dirs.length > 0 && dirs.every((d) => d.offline)) {
      logFactory.close();
      throw new Error(
        `no log dir is online: every one of ${dirs.map((d) => d.path).join(', ')} failed to open (see the errors above)`,
      );
    }
    // The image is empty until the quorum replays the metadata log: every partition reaches
    // the replica manager through this listener, on start as later.
    this.controller.onChange((change) => this.replicas.onMetadataChange(change));
    const ops = this.ops;
    if (ops) this.controller.onChange((change) => ops.observe(change));
    // Built after the listener above: opening the quorum restores the latest metadata snapshot.
    this.quorum = new MetadataQuorum({
      config: this.config,
      nodeId: this.nodeId,
      clusterId: this.clusterId,
      dataDir: this.metadataInMemory ? undefined : this.dataDir(),
      controller: this.controller,
      clock: this.clock,
      logger: this.loggers.logger('kafka.raft'),
    });
    this.quorum.start(); // a lone voter is leader now and has applied the committed log
    this.replicas.reportUnserved();
    this.groups = new GroupCoordinatorService({
      config: this.config,
      controller: this.controller,
      replicas: this.replicas,
      clock: this.clock,
      log: this.loggers.logger('kafka.coordinator.group'),
      forwardTopicCreation: (topic) => this.forwardTopicCreation(topic),
    });
    this.groups.start();
    this.transactions = new TransactionService({
      config: this.config,
      nodeId: this.nodeId,
      controller: this.controller,
      replicas: this.replicas,
      groups: this.groups,
      clock: this.clock,
      log: this.loggers.logger('kafka.coordinator.transaction'),
      forwardTopicCreation: (topic) => this.forwardTopicCreation(topic),
    });
    this.transactions.start();
    this.transactions.remoteProducerIds = () => this.quorum.allocateProducerIds();

    for (const spec of listeners) await this.listen(spec);
    this.quorum.startBroker(() => this.registrationEndpoints());
    this.replication = new Replication({
      nodeId: this.nodeId,
      config: this.config,
      clock: this.clock,
      logger: this.log,
      controller: this.controller,
      quorum: this.quorum,
      replicas: this.replicas,
    });
    this.replication.start();
    this.services = this.buildServices();
    this.ops?.attach({
      nodeId: this.nodeId,
      isBroker: this.config.list('process.roles').includes('broker'),
      controller: this.controller,
      replicas: this.replicas,
      groups: this.groups,
      quorum: this.quorum.node,
    });
    if (this.ops) this.attachConsole(this.ops);
    this.reloadTlsOnConfigChange();
    this.log.info(
      {
        nodeId: this.nodeId,
        clusterId: this.clusterId,
        listeners: this.bound.map((l) => `${l.name}://${l.host}:${l.port}`),
        ...(this.ops?.address ? { metrics: `http://${this.ops.address.host}:${this.ops.address.port}` } : {}),
        ms: Date.now() - started,
      },
      'Gregor broker started',
    );
  }

  /** The storage/ logs: on disk under log.dirs, or in a MemoryFileSystem for log.dirs=memory:. */
  private createLogFactory(): DiskLogFactory {
    if (!this.inMemory)
      return new DiskLogFactory(
        this.config,
        this.clock,
        this.config.logDirs().map((d) => resolve(d)),
        { log: this.log },
      );
    const maxTotalBytes = this.config.int('memory.max.bytes');
    this.log.info(
      { maxBytes: maxTotalBytes },
      'in-memory storage (log.dirs=memory:): nothing is written to disk and everything is lost on stop',
    );
    return new DiskLogFactory(this.config, this.clock, [MEMORY_ROOT], {
      fs: new MemoryFileSystem({ keepDurableCopies: false }),
      log: this.log,
      maxTotalBytes,
    });
  }

  private listen(spec: ListenerSpec): Promise<void> {
    const server = this.createListenerServer(spec);
    return new Promise((resolveListen, reject) => {
      server.once('error', reject);
      server.listen({ host: spec.host === '' ? '0.0.0.0' : spec.host, port: spec.port }, () => {
        server.off('error', reject);
        const address = server.address();
        const port = typeof address === 'object' && address ? address.port : spec.port;
        this.servers.push({ spec, server });
        this.bound.push({
          name: spec.name,
          host: spec.host === '' ? '127.0.0.1' : spec.host,
          port,
          securityProtocol: spec.securityProtocol,
        });
        resolveListen();
      });
    });
  }

  /** A plain TCP server, or a TLS one for SSL and SASL_SSL listeners (client principal from the certificate). */
  private createListenerServer(spec: ListenerSpec): Server {
    const tls = this.listenerTls.get(spec.name);
    if (!tls) return createServer((socket) => this.accept(spec, socket, ANONYMOUS));
    const server = createTlsServer(tls.options, (socket) => {
      let principal: KafkaPrincipal;
      try {
        // The settings in force now: certificates may have been reloaded since the server started.
        principal = (this.listenerTls.get(spec.name) ?? tls).principalOf(socket);
      } catch (err) {
        this.log.info(
          { listener: spec.name, client: socket.remoteAddress, err: (err as Error).message },
          'TLS client refused',
        );
        socket.destroy();
        return;
      }
      this.accept(spec, socket, principal);
    });
    // Sockets still in their TLS handshake are not Connections yet; stop() closes them too.
    server.on('connection', (raw: Socket) => {
      this.handshaking.add(raw);
      raw.once('close', () => this.handshaking.delete(raw));
    });
    this.tlsServers.set(spec.name, server);
    server.on('tlsClientError', (err, socket) => {
      this.log.debug({ listener: spec.name, client: socket.remoteAddress, err: err.message }, 'TLS handshake failed');
      socket.destroy();
    });
    return server;
  }

  private accept(spec: ListenerSpec, socket: Socket, principal: KafkaPrincipal): void {
    if (!this.services) {
      socket.destroy();
      return;
    }
    const refusal = this.connectionLimitRefusal(spec.name, socket.remoteAddress ?? '');
    if (refusal !== null) {
      this.log.info({ listener: spec.name, client: socket.remoteAddress }, `connection refused: ${refusal}`);
      socket.destroy();
      return;
    }
    const info: ConnectionInfo = {
      connectionId: this.nextConnectionId++,
      listenerName: spec.name,
      securityProtocol: spec.securityProtocol,
      clientHost: socket.remoteAddress ?? '',
      clientPort: socket.remotePort ?? 0,
      principal,
    };
    const sasl = this.listenerSasl.get(spec.name);
    const connection = new Connection(
      socket,
      info,
      this.dispatcher!,
      {
        maxRequestBytes: this.config.int('socket.request.max.bytes'),
        maxInFlight: this.config.int('queued.max.requests'),
        idleMs: this.config.int('connections.max.idle.ms'),
      },
      this.loggers.logger('kafka.network'),
      (c) => this.connections.delete(c),
      sasl ? new SaslAuthenticator(sasl, info, this.dispatcher!) : null,
    );
    this.connections.add(connection);
  }

  /** max.connections / max.connections.per.ip (dynamic: read at each accept); controller listeners are not limited. */
  private connectionLimitRefusal(listenerName: string, clientHost: string): string | null {
    const config = this.services!.config;
    const controllerNames = new Set(config.list('controller.listener.names').map((n) => n.toUpperCase()));
    if (controllerNames.has(listenerName)) return null;
    const open = [...this.connections].map((c) => c.info).filter((i) => !controllerNames.has(i.listenerName));
    return connectionRefusal(
      {
        maxConnections: config.int('max.connections'),
        maxConnectionsPerIp: config.int('max.connections.per.ip'),
        perIpOverrides: parsePerIpOverrides(config.string('max.connections.per.ip.overrides')),
      },
      open,
      listenerName,
      clientHost,
      listenerName === (config.raw('inter.broker.listener.name') ?? '').toUpperCase(),
    );
  }

  private dispatcher: Dispatcher | null = null;
  private replication: Replication | null = null;

  /**
   * The web console at /ui of the operations listener, reading this broker through its
   * own first PLAINTEXT listener (the console speaks only the Kafka protocol).
   */
  private attachConsole(ops: Operations): void {
    const plaintext = this.advertisedListeners().find((l) => l.securityProtocol === 'PLAINTEXT');
    if (!plaintext) {
      this.log.info('web console off: it needs a PLAINTEXT listener to read the cluster through');
      return;
    }
    const cluster = new Cluster({ bootstrap: [`${plaintext.host}:${plaintext.port}`], clientId: 'gregor-console' });
    this.consoleCluster = cluster;
    ops.attachConsole(consoleHandler({ cluster, readOnly: this.config.bool('console.read.only') }));
  }

  /**
   * Key and trust stores changed with (Incremental)AlterConfigs (ssl.* for this broker or the
   * cluster default, or listener.name.<name>.ssl.*) are applied to new TLS connections
   * without a restart, as Kafka does. Settings that do not load are logged and the previous
   * ones stay in force.
   */
  private reloadTlsOnConfigChange(): void {
    const ownName = String(this.nodeId);
    this.controller.onChange((change) => {
      if (change.kind !== 'config-changed' || change.resourceType !== ConfigResourceType.BROKER) return;
      if (change.resourceName !== '' && change.resourceName !== ownName) return;
      if (!/^(listener\.name\.[^.]+\.)?ssl\./.test(change.name)) return;
      for (const [name, server] of this.tlsServers) {
        try {
          const next = listenerTls(this.services.config, name);
          server.setSecureContext(next.options);
          this.listenerTls.set(name, next);
          this.log.info({ listener: name, config: change.name }, 'TLS settings reloaded');
        } catch (err) {
          this.log.error(
            { listener: name, config: change.name, err: (err as Error).message },
            'TLS settings not reloaded; the previous ones stay in force',
          );
        }
      }
    });
  }

  /** A SCRAM credential from the metadata image (UserScramCredentialRecords). */
  private scramCredential(mechanism: ScramMechanismName, user: string): ScramCredential | undefined {
    return this.controller.image.scramCredentials.get(mechanism)?.get(user);
  }

  /** Who is connected, on which listener, as whom (for operators and tests). */
  openConnections(): ConnectionInfo[] {
    return [...this.connections].map((c) => c.info);
  }

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
    const apiVersions = HANDLERS.map((h) => ({
      apiKey: h.apiKey,
      minVersion: h.minVersion,
      maxVersion: h.maxVersion,
    })).sort((a, b) => a.apiKey - b.apiKey);
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
      apiVersions: (listenerName) =>
        listenerName !== undefined && controllerListeners.has(listenerName) ? CONTROLLER_API_VERSIONS : apiVersions,
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
          replicationFactor: Math.min(
            this.config.int('default.replication.factor'),
            Math.max(1, this.controller.liveBrokerIds().length),
          ),
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
      ...(this.ops ? { metrics: this.ops.traffic } : {}),
      loggers: this.loggers,
    };
    const authorizer = authorizerFromConfig(staticConfig, () => this.controller.image.acls);
    if (authorizer) services.authorizer = authorizer;
    this.dispatcher = new Dispatcher(services, this.clock, this.loggers.logger('kafka.network'));
    return services;
  }

  private readonly autoCreating = new Set<string>();

  /** Auto-creation on a node that is not the active controller: a CreateTopics forwarded to it (clients retry Metadata meanwhile). */
  private forwardAutoCreate(name: string): void {
    this.forwardTopicCreation({ name, numPartitions: -1, replicationFactor: -1, configs: new Map() });
  }

  /**
   * Starts a topic's creation on the active controller (a CreateTopics forwarded to it), once per
   * name at a time; callers answer a retriable error meanwhile. -1 counts take the controller's defaults.
   */
  private forwardTopicCreation(spec: InternalTopicSpec): void {
    const name = spec.name;
    if (this.autoCreating.has(name)) return;
    this.autoCreating.add(name);
    const configs = [...spec.configs].map(([key, value]) => ({ name: key, value }));
    const topic = {
      ...defaultCreateTopicsRequestCreatableTopic(),
      name,
      numPartitions: spec.numPartitions,
      replicationFactor: spec.replicationFactor,
      configs,
    };
    this.quorum.forwarder
      .send(CreateTopicsApi, 7, { ...defaultCreateTopicsRequest(), topics: [topic], timeoutMs: 30000 })
      .then((response) => {
        const code = response?.topics[0]?.errorCode ?? 0;
        if (code !== ErrorCode.NONE && code !== ErrorCode.TOPIC_ALREADY_EXISTS)
          this.log.warn(
            { topic: name, errorCode: code },
            `the active controller did not create ${name} (error ${code})`,
          );
      })
      .catch((err: unknown) => this.log.debug({ err, topic: name }, 'forwarded topic creation failed'))
      .finally(() => this.autoCreating.delete(name));
  }

  private readonly fatalStopListeners: Array<(reason: string) => void> = [];
  private fatalStopping = false;

  /** Calls `listener` when the broker stops itself (every log dir failed), after it stopped. */
  onFatalStop(listener: (reason: string) => void): void {
    this.fatalStopListeners.push(listener);
  }

  /**
   * A log dir failed (reported once per dir, from inside the failing storage call): logged
   * with the dir and the cause; its partitions are offline from now on (Metadata, data path).
   * When no dir is left online the broker stops, as Kafka halts ("all log dirs have failed").
   */
  private logDirFailed(dir: string, error: unknown, atStart = false): void {
    const cause = error instanceof Error ? error.message : error === undefined ? 'failed while opening' : String(error);
    this.log.error(
      { dir, err: error, offlinePartitions: this.replicas.offlineCount() },
      `log dir ${dir} failed (${cause}): its partitions are offline`,
    );
    const dirs = this.replicas.logDirs() ?? [];
    if (atStart || this.stopping !== null || dirs.length === 0 || dirs.some((d) => !d.offline) || this.fatalStopping)
      return;
    this.fatalStopping = true;
    const reason = `shutting down: all log dirs have failed (${dirs.map((d) => d.path).join(', ')})`;
    this.log.fatal({ dirs: dirs.map((d) => d.path) }, reason);
    // Not from inside the failing storage call: stop once it has unwound.
    setImmediate(() => {
      void this.stop().finally(() => {
        for (const listener of this.fatalStopListeners) listener(reason);
      });
    });
  }

  private stopping: Promise<void> | null = null;

  /** Stops accepting, closes connections, flushes logs and closes the metadata log. Calling it again waits for the same stop. */
  stop(): Promise<void> {
    this.stopping ??= this.stopOnce();
    return this.stopping;
  }

  private async stopOnce(): Promise<void> {
    this.ops?.detach();
    const closed = Promise.all(this.servers.map(({ server }) => new Promise<void>((r) => server.close(() => r()))));
    this.services?.dataPath.fetchPurgatory.close();
    this.services?.dataPath.producePurgatory.close();
    for (const c of this.connections) c.close('shutdown');
    for (const raw of this.handshaking) raw.destroy();
    this.handshaking.clear();
    this.connections.clear();
    await closed;
    this.replication?.stop();
    this.transactions?.stop();
    this.groups?.stop();
    this.quorum?.stop();
    this.replicas?.close();
    this.metadataLog?.close();
    this.consoleCluster?.close();
    await this.ops?.close();
    this.releaseDirLocks();
    this.log.info({ nodeId: this.nodeId }, 'Gregor broker stopped');
  }
}
