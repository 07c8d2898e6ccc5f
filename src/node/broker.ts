/**
 * The node process, the composition root: loads config, recovers logs, replays the metadata
 * log, builds the services, wires the handler tables into the dispatcher, opens the listeners
 * (only after recovery; the sockets are src/server/'s ListenerServers), registers itself in the
 * metadata, and serves clients once caught up with the metadata log and unfenced (moving stray logs
 * aside then). Both the CLI and the embedded `startBroker` use this class.
 */
import { resolve } from 'node:path';
import { randomBytes } from '../../storage/os-random.js';
import { randomUuid } from '../../protocol/primitives/uuid.js';
import { ConfigError, type BrokerConfig } from '../common/config.js';
import { applyStartupLevels, LogLevels } from '../common/log-levels.js';
import { SystemClock, type Clock } from '../common/clock.js';
import { schedulerFor, type Scheduler } from '../common/scheduler.js';
import type { ListenerHost, Transport } from '../common/transport.js';
import { nodeLinks, type NodeLinks } from '../server/node-links.js';
import { nodeTransports, type NodeTransports } from './node-transports.js';
import {
  BOOTSTRAP_SCRAM_SETTING,
  bootstrapScramRecords,
  readBootstrapScramFile,
} from '../server/sasl/scram-bootstrap.js';
import type { MetadataRecord } from '../metadata/records.js';
import type { RandomSource } from '../controller/raft/types.js';
import type { Logger } from '../common/logger.js';
import { MetadataController } from '../metadata/controller.js';
import { MemoryMetadataLog, type MetadataLogStore } from '../metadata/metadata-log.js';
import { MetadataQuorum } from '../controller/metadata-quorum.js';
import { Dispatcher, type ConnectionInfo } from '../server/dispatcher.js';
import { ListenerServers, type BoundListener } from '../server/listener-servers.js';
import type { ScramCredential, ScramMechanismName } from '../server/sasl/scram.js';
import {
  assertAdvertisedListeners,
  assertDistinctListeners,
  assertListenersFitRoles,
  assertListenersServable,
  parseListeners,
  protocolMap,
  SECURITY_PROTOCOL_ID,
  type ListenerSpec,
} from '../server/listeners.js';
import { HANDLERS } from '../handlers/table.js';
import { CONTROLLER_API_VERSIONS } from '../handlers/controller-table.js';
import { HANDLER_TABLES } from './handler-tables.js';
import { ReplicaManager } from '../broker/replica-manager.js';
import { Replication } from '../broker/replication.js';
import { GroupCoordinatorService } from '../groups/service.js';
import type { PartitionLogFactory } from '../broker/partition-log.js';
import { DiskLogFactory } from '../broker/disk-log.js';
import { currentOpenFileLimit } from '../common/open-files.js';
import type { AdvertisedListener, BrokerServices } from '../server/services.js';
import { createDataPathServices } from '../broker/data-path.js';
import { scheduleOn } from '../broker/delayed-fetch.js';
import { authorizerFromConfig } from '../metadata/standard-authorizer.js';
import { ClientQuotas } from '../server/quotas/client-quotas.js';
import {
  connectionRefusal,
  listenerMaxConnectionCreationRate,
  listenerMaxConnections,
  parsePerIpOverrides,
} from '../server/connection-limits.js';
import {
  ConnectionRates,
  ipConnectionRate,
  UNLIMITED_RATE,
  type ConnectionRateSettings,
} from '../server/connection-rate.js';
import { overlayDynamicConfigs } from '../admin/config-describe.js';
import { ConfigResourceType } from '../metadata/image.js';
import { effectiveTopicConfig } from '../metadata/topic-configs.js';
import { TransactionService } from '../transactions/service.js';
import { LogDirLock } from '../broker/log-dir-lock.js';
import { MEMORY_LOG_DIRS, MEMORY_ROOT, usesMemoryStorage } from '../broker/memory-storage.js';
import { MemoryFileSystem } from '../../storage/memory-fs.js';
import { NodeFileSystem } from '../../storage/fs.js';
import { writeBehind, writeBehindModeFrom } from '../../storage/write-behind.js';
import { StartupError } from '../common/errors.js';
import { ensureMetaProperties, requireSharedClusterId } from '../broker/meta-properties.js';
import { TopicCreation } from './topic-creation.js';
import { parseQuorumVoters } from '../controller/quorum-voters.js';
import {
  parseBootstrapServers,
  refuseDynamicQuorum,
  votersFromBootstrapServers,
  withStandaloneQuorum,
} from '../controller/quorum-bootstrap.js';
import type { Operations } from '../ops/operations.js';
import { attachWebConsole } from './web-console.js';
import { makeDirsSync } from '../../storage/make-dirs.js';
import { logKafkaReadyLines } from './kafka-ready-lines.js';

export interface BrokerOptions {
  config: BrokerConfig;
  log: Logger;
  clock?: Clock;
  /** Where partition logs live; defaults to the on-disk storage under log.dirs. */
  logFactory?: PartitionLogFactory;
  /** Keep metadata in memory only (embedded, throwaway brokers). */
  ephemeralMetadata?: boolean;
  /**
   * The data dirs (log.dirs and the metadata log dir) were made for this broker alone and are deleted
   * when it stops (startBroker()'s temporary dir): nothing written there outlives the process, so a
   * machine crash loses nothing a restart could read: the broker writes its segments there without
   * fsync and, on stop, no checkpoints, clean-shutdown listing or marker (startBroker() also keeps
   * its metadata in memory: ephemeralMetadata). Never for a dir a user gave: those keep every fsync.
   */
  throwawayDataDir?: boolean;
  /** Time and timers of every driver (the clock too); defaults to Node's timers over `clock`. */
  scheduler?: Scheduler;
  /** How other nodes are reached; defaults to TCP sockets. */
  transport?: Transport;
  /** Serve the listeners in the process instead of on sockets (the simulation, src/sim/). */
  listenerHost?: ListenerHost;
  /** Raft election randomness; defaults to Math.random. */
  random?: RandomSource;
}

export type { BoundListener } from '../server/listener-servers.js';

export class Broker {
  readonly config: BrokerConfig;
  readonly nodeId: number;
  readonly clock: Clock;
  private readonly log: Logger;
  /** The listeners' sockets and connections. */
  private readonly listeners: ListenerServers;
  private metadataLog!: MetadataLogStore;
  controller!: MetadataController;
  /** The KRaft metadata quorum: the metadata log is replicated and committed through Raft. */
  quorum!: MetadataQuorum;
  replicas!: ReplicaManager;
  groups!: GroupCoordinatorService;
  transactions!: TransactionService;
  private topicCreation!: TopicCreation;
  services!: BrokerServices;
  clusterId = '';
  /** The `.lock` of every log dir this broker uses, held until stop(). */
  private dirLocks: LogDirLock[] = [];

  /** /metrics, /livez and /readyz, when `metrics.listener` is set. */
  ops: Operations | null = null;
  private consoleCluster: { close(): void } | null = null;

  /** The named loggers whose levels BROKER_LOGGER configs change. */
  readonly loggers: LogLevels;
  /** log.dirs=memory:: logs, metadata and internal topics in memory, no file written. */
  readonly inMemory: boolean;

  constructor(private readonly options: BrokerOptions) {
    this.config = withStandaloneQuorum(options.config);
    this.nodeId = options.config.nodeId();
    this.clock = options.scheduler ?? options.clock ?? new SystemClock();
    this.loggers = new LogLevels(options.log);
    const problem = applyStartupLevels(
      this.loggers,
      options.config.explicit('log4j.root.loglevel'),
      options.config.list('log4j.loggers'),
    );
    if (problem !== null) throw new ConfigError(problem);
    this.log = this.loggers.logger('kafka.server');
    this.listeners = new ListenerServers({
      config: options.config,
      clock: this.clock,
      log: this.log,
      networkLog: this.loggers.logger('kafka.network'),
      scramCredential: (mechanism, user) => this.scramCredential(mechanism, user),
      ...(options.listenerHost ? { listenerHost: options.listenerHost } : {}),
      refuseConnection: (listenerName, clientHost, open) => this.connectionLimitRefusal(listenerName, clientHost, open),
      connectionRates: {
        rates: new ConnectionRates(
          {
            samples: options.config.int('quota.window.num'),
            windowMs: options.config.int('quota.window.size.seconds') * 1000,
          },
          () => this.connectionRateSettings(),
        ),
        exempt: (listenerName) =>
          options.config.list('controller.listener.names').some((n) => n.toUpperCase() === listenerName),
      },
      // A broker's heartbeat connection reset: fence it now (not while this node stops).
      onConnectionClosed: (info) => {
        if (this.stopping === null) this.quorum?.heartbeats.connectionClosed(info.connectionId);
      },
    });
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

  /** The credentials of `kafka-storage format --add-scram`, left in the metadata log dir (none in memory). */
  private formattedScramRecords(): MetadataRecord[] {
    return this.inMemory ? [] : readBootstrapScramFile(this.dataDir());
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
    const bootstrap = this.config.list('controller.quorum.bootstrap.servers').filter((s) => s.trim() !== '');
    // Only a broker-only process uses the bootstrap servers (a controller with them alone is refused).
    const bootstrapServers = voterCount === 0 && bootstrap.length > 0 ? bootstrap.join(',') : undefined;
    if (this.metadataInMemory) {
      requireSharedClusterId(configured, voterCount, bootstrapServers);
      return configured ?? randomUuid(randomBytes);
    }
    return ensureMetaProperties({
      logDirs: this.options.logFactory ? [] : this.config.logDirs().map((d) => resolve(d)),
      metadataLogDir: this.dataDir(),
      nodeId: this.nodeId,
      configuredClusterId: configured,
      newUuid: () => randomUuid(randomBytes),
      fsync: !this.options.throwawayDataDir,
      voterCount,
      ...(bootstrapServers !== undefined ? { bootstrapServers } : {}),
    });
  }

  async start(): Promise<void> {
    const started = Date.now();
    const listeners = parseListeners(this.config.list('listeners'), protocolMap(this.config));
    assertListenersServable(listeners);
    assertDistinctListeners('listeners', listeners, true);
    assertAdvertisedListeners(
      listeners,
      parseListeners(this.config.list('advertised.listeners'), protocolMap(this.config)),
      this.config.list('process.roles'),
      this.config.list('controller.listener.names'),
    );
    assertListenersFitRoles(
      listeners,
      this.config.list('process.roles'),
      this.config.list('controller.listener.names'),
      // Gregor's one-listener dev default only while controller.listener.names is left at its default.
      this.isLoneVoter() && this.config.explicit('controller.listener.names') === undefined,
    );
    refuseDynamicQuorum(
      this.config.list('process.roles'),
      parseQuorumVoters(this.config.list('controller.quorum.voters')).size,
      parseBootstrapServers(this.config.list('controller.quorum.bootstrap.servers')).length,
    );
    this.listeners.prepare(listeners);
    this.links = nodeLinks(this.config, listeners, this.isLoneVoter());
    this.bootstrapScram = [
      ...bootstrapScramRecords(this.config.raw(BOOTSTRAP_SCRAM_SETTING)),
      ...this.formattedScramRecords(),
    ];
    this.transports = this.options.transport
      ? { controller: this.options.transport, interBroker: this.options.transport }
      : nodeTransports(this.links, this.nodeId, this.log);
    for (const spec of listeners) {
      try {
        listenerMaxConnections((key) => this.config.explicit(key), spec.name);
        listenerMaxConnectionCreationRate((key) => this.config.explicit(key), spec.name);
      } catch (err) {
        throw new ConfigError((err as Error).message);
      }
    }
    this.dirLocks = LogDirLock.acquireAll(this.lockedDirs());
    try {
      // The operations listener opens first: /livez answers and /readyz says why not while logs recover.
      this.ops = await this.openOperations();
      if (this.ops) await this.ops.listen();
      await this.startServing(started, listeners);
    } catch (error) {
      await this.closeAfterFailedStart(error);
      throw error;
    }
  }

  /**
   * Undoes a start that failed part-way (a listener's port taken, a storage error, a later check):
   * whatever was opened so far (listeners, the quorum's and services' timers, logs, the dir locks)
   * is closed as by stop(), without the controlled shutdown, so that the ports are free again and
   * nothing keeps the process alive. A failure while closing is logged; the start's error is thrown.
   */
  private async closeAfterFailedStart(cause: unknown): Promise<void> {
    this.stopping ??= this.stopOnce(false, false);
    try {
      await this.stopping;
    } catch (error) {
      this.log.error({ err: error, cause }, 'closing after a failed start-up failed too');
    }
  }

  /**
   * The operations side when `metrics.listener` is set (null otherwise; a malformed value throws).
   * Its code (prom-client, the HTTP listener) is loaded only then: a broker without it starts sooner.
   */
  private async openOperations(): Promise<Operations | null> {
    if ((this.config.explicit('metrics.listener') ?? '').trim() === '') return null;
    const { Operations } = await import('../ops/operations.js');
    return Operations.fromConfig(this.config, this.log);
  }

  /** How this node reaches the controllers and the other brokers (checked at start-up). */
  private links!: NodeLinks;
  private transports!: NodeTransports;
  /** The SCRAM users of bootstrap.scram.credentials (committed once, by a fresh cluster's first leader). */
  private bootstrapScram: MetadataRecord[] = [];

  /** A controller that is its quorum's only voter: it reaches no other node at start. */
  private isLoneVoter(): boolean {
    return (
      this.config.list('process.roles').includes('controller') &&
      parseQuorumVoters(this.config.list('controller.quorum.voters')).size <= 1 &&
      parseBootstrapServers(this.config.list('controller.quorum.bootstrap.servers')).length <= 1
    );
  }

  /**
   * The dirs this broker locks: the log dirs (unless logs live elsewhere) and the metadata log dir.
   * None for a throwaway dir: startBroker() made it (mkdtemp) for this broker alone.
   */
  private lockedDirs(): string[] {
    if (this.inMemory || this.options.throwawayDataDir === true) return [];
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
    if (!this.inMemory) for (const dir of this.config.logDirs()) makeDirsSync(resolve(dir));
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
    this.replicas = new ReplicaManager(
      this.nodeId,
      logFactory,
      this.log,
      (topic, partition, err) =>
        this.log.error({ topic, partition, err }, `partition ${topic}-${partition} is offline: its log failed`),
      (configs) => Number(effectiveTopicConfig('min.insync.replicas', configs, this.config)),
    );
    logFactory.onDirFailure?.((dir, error) => this.logDirFailed(dir, error));
    const dirs = logFactory.logDirs?.() ?? [];
    for (const dir of dirs) if (dir.offline) this.logDirFailed(dir.path, dir.failure, true);
    if (dirs.length > 0 && dirs.every((d) => d.offline)) {
      // The replica manager closes the log factory (closeAfterFailedStart).
      throw new Error(
        `no log dir is online: every one of ${dirs.map((d) => d.path).join(', ')} failed to open (see the errors above)`,
      );
    }
    // The image is empty until the quorum replays the metadata log: every partition reaches
    // the replica manager through this listener, on start as later.
    this.controller.onChange((change) => this.replicas.onMetadataChange(change));
    const ops = this.ops;
    if (ops) this.controller.onChange((change) => ops.observe(change));
    const voters = await votersFromBootstrapServers(this.config, {
      clock: this.clock,
      logger: this.loggers.logger('kafka.raft'),
      stopped: () => this.stopping !== null,
      transport: this.transports.controller,
    });
    // Built after the listener above: opening the quorum restores the latest metadata snapshot.
    this.quorum = new MetadataQuorum({
      ...(voters ? { voters } : {}),
      config: this.config,
      nodeId: this.nodeId,
      clusterId: this.clusterId,
      dataDir: this.metadataInMemory ? undefined : this.dataDir(),
      fsync: !this.options.throwawayDataDir,
      controller: this.controller,
      clock: this.clock,
      logger: this.loggers.logger('kafka.raft'),
      transport: this.transports.controller,
      bootstrapRecords: this.bootstrapScram,
      ...(this.options.random ? { random: this.options.random } : {}),
    });
    this.quorum.start(); // a lone voter is leader now and has applied the committed log
    this.replicas.reportUnserved();
    const quorum = this.quorum;
    this.topicCreation = new TopicCreation({
      config: this.config,
      controller: this.controller,
      forwarder: () => quorum.forwarder,
      log: this.log,
      clock: this.clock,
    });
    this.groups = new GroupCoordinatorService({
      config: this.config,
      controller: this.controller,
      replicas: this.replicas,
      clock: this.clock,
      log: this.loggers.logger('kafka.coordinator.group'),
      forwardTopicCreation: (topic) => this.topicCreation.forward(topic),
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
      forwardTopicCreation: (topic) => this.topicCreation.forward(topic),
      transport: this.transports.interBroker,
      ...(this.links.interBroker ? { interBrokerListenerName: this.links.interBroker.listenerName } : {}),
    });
    this.transactions.start();
    this.transactions.remoteProducerIds = () => this.quorum.allocateProducerIds();

    for (const spec of listeners) await this.listeners.listen(spec);
    this.quorum.startBroker(
      () => this.registrationEndpoints(),
      (reason) => this.stopFatally(reason),
    );
    // Client listeners serve once this broker has caught up with the metadata log and is unfenced (as
    // Kafka's BrokerServer) and its own image has applied the unfencing (else its first Metadata answer
    // would leave itself out). Then the logs the caught-up metadata no longer places here move aside.
    const unfenced = this.quorum
      .whenUnfenced()
      .then(() =>
        this.config.list('process.roles').includes('broker')
          ? this.controller.whenListedUnfenced(this.nodeId, () => this.stopping !== null)
          : undefined,
      )
      .then(() => {
        if (this.stopping !== null) return false;
        this.replicas.moveAsideStrays(this.controller.image);
        this.listeners.openClientListeners();
        return true;
      });
    this.replication = new Replication({
      nodeId: this.nodeId,
      config: this.config,
      clock: this.clock,
      logger: this.log,
      controller: this.controller,
      quorum: this.quorum,
      replicas: this.replicas,
      transport: this.transports.interBroker,
      ...(this.links.interBroker ? { interBrokerListenerName: this.links.interBroker.listenerName } : {}),
    });
    this.replication.start();
    this.services = this.buildServices();
    this.transactions.producePurgatory = this.services.dataPath.producePurgatory;
    this.ops?.attach({
      nodeId: this.nodeId,
      isBroker: this.config.list('process.roles').includes('broker'),
      controller: this.controller,
      replicas: this.replicas,
      groups: this.groups,
      quorum: this.quorum.node,
      serving: () => this.listeners.servingClients,
      ...(this.services.quotas ? { quotas: this.services.quotas } : {}),
    });
    if (this.ops)
      this.consoleCluster = await attachWebConsole(this.ops, this.config, this.advertisedListeners(), this.log);
    this.reloadTlsOnConfigChange();
    // A lone voter registers and is unfenced by itself: start() returns serving. Nodes of a larger
    // quorum wait for the others, so start() does not wait for them (nodes may start one by one).
    if (this.isLoneVoter()) await unfenced;
    this.log.info(
      {
        nodeId: this.nodeId,
        clusterId: this.clusterId,
        listeners: this.bound.map((l) => `${l.name}://${l.bindHost}:${l.port}`),
        ...(this.ops?.address ? { metrics: `http://${this.ops.address.host}:${this.ops.address.port}` } : {}),
        ms: Date.now() - started,
      },
      'Gregor broker started',
    );
    logKafkaReadyLines(this.log, this.config.list('process.roles').includes('broker'), unfenced);
  }

  /** The storage/ logs: on disk under log.dirs, or in a MemoryFileSystem for log.dirs=memory:. */
  private createLogFactory(): DiskLogFactory {
    if (!this.inMemory) {
      try {
        writeBehind.setMode(writeBehindModeFrom(process.env.GREGOR_WRITE_BEHIND));
      } catch (error) {
        throw new StartupError(error instanceof Error ? error.message : String(error));
      }
      writeBehind.onStart = () =>
        this.log.info('write-behind started: large segment appends are written by a worker thread from now on');
      return new DiskLogFactory(
        this.config,
        this.clock,
        this.config.logDirs().map((d) => resolve(d)),
        {
          log: this.log,
          ...(this.options.throwawayDataDir
            ? { fs: new NodeFileSystem({ fsync: false, writeBehind: true }), deletedOnClose: true }
            : {}),
        },
      );
    }
    const maxTotalBytes = this.config.int('memory.max.bytes');
    this.log.info(
      { maxBytes: maxTotalBytes },
      'in-memory storage (log.dirs=memory:): nothing is written to disk and everything is lost on stop',
    );
    return new DiskLogFactory(this.config, this.clock, [MEMORY_ROOT], {
      fs: new MemoryFileSystem({ keepDurableCopies: false }),
      log: this.log,
      maxTotalBytes,
      // file.delete.delay.ms would only hold the memory of deleted segments.
      deferSegmentUnlinks: false,
    });
  }

  /** max.connections / max.connections.per.ip (dynamic: read at each accept); controller listeners are not limited. */
  private connectionLimitRefusal(
    listenerName: string,
    clientHost: string,
    openConnections: readonly ConnectionInfo[],
  ): string | null {
    if (!this.services) return null;
    const config = this.services!.config;
    const controllerNames = new Set(config.list('controller.listener.names').map((n) => n.toUpperCase()));
    if (controllerNames.has(listenerName)) return null;
    const open = openConnections.filter((i) => !controllerNames.has(i.listenerName));
    return connectionRefusal(
      {
        maxConnections: config.int('max.connections'),
        maxConnectionsPerIp: config.int('max.connections.per.ip'),
        perIpOverrides: parsePerIpOverrides(config.string('max.connections.per.ip.overrides')),
        listenerMaxConnections: listenerMaxConnections((key) => config.explicit(key), listenerName),
      },
      open,
      listenerName,
      clientHost,
      listenerName === this.links.interBroker?.listenerName,
    );
  }

  /** max.connection.creation.rate (broker, per listener) and the ip entities' connection_creation_rate, read at each new connection. */
  private connectionRateSettings(): ConnectionRateSettings {
    const config = this.services?.config ?? this.config;
    const interBroker = (config.raw('inter.broker.listener.name') ?? '').toUpperCase();
    const controllerNames = new Set(config.list('controller.listener.names').map((n) => n.toUpperCase()));
    const listenerCount = this.bound.filter((b) => !controllerNames.has(b.name)).length;
    return {
      brokerRate: config.int('max.connection.creation.rate'),
      listenerRate: (listenerName) =>
        listenerMaxConnectionCreationRate((key) => config.explicit(key), listenerName) ?? UNLIMITED_RATE,
      ipRate: (clientHost) =>
        this.controller ? ipConnectionRate(this.controller.image.clientQuotas, clientHost) : UNLIMITED_RATE,
      protectedListener: (listenerName) => listenerName === interBroker && listenerCount > 1,
    };
  }

  private replication: Replication | null = null;

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
      this.listeners.reloadTls(this.services.config, change.name);
    });
  }

  /** A SCRAM credential from the metadata image (UserScramCredentialRecords). */
  private scramCredential(mechanism: ScramMechanismName, user: string): ScramCredential | undefined {
    return this.controller.image.scramCredentials.get(mechanism)?.get(user);
  }

  /** Who is connected, on which listener, as whom (for operators and tests). */
  openConnections(): ConnectionInfo[] {
    return this.listeners.openConnections();
  }

  /** Whether the client listeners serve (caught up with the metadata log and unfenced). */
  get servingClients(): boolean {
    return this.listeners.servingClients;
  }

  /** Client sockets accepted and held unread until the client listeners serve. */
  get heldClientSockets(): number {
    return this.listeners.heldSockets;
  }

  /** The listeners as bound (port 0 resolved to the port the system chose). */
  get bound(): readonly BoundListener[] {
    return this.listeners.bound;
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
        schedule: scheduleOn(schedulerFor(this.clock)),
      }),
      autoCreateTopic: (name) => this.topicCreation.autoCreate(name),
      quorum: this.quorum.node,
      brokerHeartbeats: this.quorum.heartbeats,
      quorumVoters: this.quorum.voters,
      forwarder: this.quorum.forwarder,
      ...(this.ops ? { metrics: this.ops.traffic } : {}),
      loggers: this.loggers,
      quotas: ClientQuotas.fromConfig(staticConfig, image, () => this.clock.now()),
    };
    this.controller.brokerConfig = () => services.config;
    const authorizer = authorizerFromConfig(staticConfig, () => this.controller.image.acls);
    if (authorizer) services.authorizer = authorizer;
    this.listeners.attach(new Dispatcher(services, this.clock, this.loggers.logger('kafka.network'), HANDLER_TABLES));
    return services;
  }

  private readonly fatalStopListeners: Array<(reason: string) => void> = [];
  private fatalStopping = false;

  /** Calls `listener` when the broker stops itself (every log dir failed, no registration in time), after it stopped. */
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
    const reason = `shutting down: all log dirs have failed (${dirs.map((d) => d.path).join(', ')})`;
    this.log.fatal({ dirs: dirs.map((d) => d.path) }, reason);
    this.stopFatally(reason);
  }

  /** Stops the broker by itself (the CLI then exits 1), as Kafka halts or exits on a fatal error. */
  private stopFatally(reason: string): void {
    if (this.fatalStopping || this.stopping !== null) return;
    this.fatalStopping = true;
    // Not from inside the call that failed: stop once it has unwound.
    setImmediate(() => {
      void this.stop().finally(() => {
        for (const listener of this.fatalStopListeners) listener(reason);
      });
    });
  }

  private stopping: Promise<void> | null = null;

  /** Stops accepting, closes connections, flushes logs and closes the metadata log. Calling it again waits for the same stop. */
  stop(): Promise<void> {
    this.stopping ??= this.stopOnce(!this.fatalStopping, true);
    return this.stopping;
  }

  /** `started`: false when undoing a failed start, whose error is the one line the user sees. */
  private async stopOnce(controlled: boolean, started: boolean): Promise<void> {
    // Controlled shutdown first, while still serving: clients follow the moved leaderships.
    if (controlled) {
      await this.quorum?.controlledShutdown();
      await this.quorum?.settleShutdownAnswers();
    }
    this.ops?.detach();
    const closed = this.listeners.stopAccepting();
    this.services?.dataPath.fetchPurgatory.close();
    this.services?.dataPath.producePurgatory.close();
    this.listeners.closeConnections();
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
    if (started) this.log.info({ nodeId: this.nodeId }, 'Gregor broker stopped');
  }
}
