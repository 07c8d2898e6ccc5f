/**
 * Builds the metadata quorum of one process from its config: the voters
 * (controller.quorum.voters, or this node alone), the file-backed Raft log and quorum-state file under
 * `<metadata.log.dir>/__cluster_metadata-0/` (in memory for ephemeral brokers), the state machine
 * that applies committed records to the MetadataController's image, the Raft node driver, the
 * active controller's broker registry and this broker's registration/heartbeat loop.
 * A process with process.roles=broker is an observer: it is not in the voter list, fetches the
 * metadata log from the leader and registers as a broker; process.roles with `controller` must be
 * in the voter list (both checked at start, as Kafka does).
 * A controller-only process (process.roles=controller) does not register as a broker (its listeners are
 * controller listeners alone, checked at start by the node).
 */
import { effectiveTopicConfig } from '../metadata/topic-configs.js';
import { join } from 'node:path';
import { ConfigError, type BrokerConfig } from '../common/config.js';
import type { Clock } from '../common/clock.js';
import { schedulerFor, type Scheduler, type Timer } from '../common/scheduler.js';
import type { Transport } from '../common/transport.js';
import type { MetadataRecord } from '../metadata/records.js';
import type { RandomSource } from './raft/types.js';
import type { Logger } from '../common/logger.js';
import type { MetadataController } from '../metadata/controller.js';
import { InMemoryRaftLog } from './raft/in-memory-raft-log.js';
import { InMemoryQuorumStateStore } from './raft/quorum-state-store.js';
import { FileRaftLog } from './file-raft-log.js';
import { FileQuorumStateStore } from './file-quorum-state-store.js';
import { MetadataStateMachine } from './metadata-state-machine.js';
import { QuorumNode } from './quorum-node.js';
import { parseQuorumVoters } from './quorum-voters.js';
import { BrokerHeartbeats, type BrokerRegistrationInput } from './broker-heartbeats.js';
import { BrokerLifecycle } from './broker-lifecycle.js';
import type { PeerAddress } from './peer-client.js';
import { RequestForwarder } from './forwarding.js';
import { SnapshotTrigger } from './snapshot-trigger.js';
import { LeaderRebalancer } from './leader-rebalance.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { AllocateProducerIdsApi } from '../../protocol/generated/messages/67-allocate-producer-ids.js';

/** The longest an active controller that stops waits for other brokers' controlled shutdowns to be answered. */
const SETTLE_SHUTDOWNS_MS = 3000;
const SETTLE_POLL_MS = 10;

export interface MetadataQuorumOptions {
  readonly config: BrokerConfig;
  readonly nodeId: number;
  readonly clusterId: string;
  /** `metadata.log.dir` (or the first log dir); undefined keeps everything in memory. */
  readonly dataDir: string | undefined;
  /** False when dataDir is a throwaway dir (deleted when the broker stops): its files are written without fsync. */
  readonly fsync?: boolean;
  readonly controller: MetadataController;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Timers; defaults to the clock's own when it is a Scheduler, else Node's. */
  readonly scheduler?: Scheduler;
  /** How the other controllers are reached; defaults to TCP sockets. */
  readonly transport?: Transport;
  /** Election randomness; defaults to Math.random. */
  readonly random?: RandomSource;
  /** The voters when they are not in controller.quorum.voters (learnt from the bootstrap servers). */
  readonly voters?: ReadonlyMap<number, PeerAddress>;
  /**
   * Records the first leader of a fresh cluster commits before anything else (SCRAM users of
   * bootstrap.scram.credentials): written only by a leader whose log holds no metadata record and
   * no snapshot, so never again once anything was committed.
   */
  readonly bootstrapRecords?: readonly MetadataRecord[];
}

/**
 * Kafka's start-up checks of process.roles against controller.quorum.voters (KafkaConfig's, which
 * `kafka-storage format` runs too); the voters are named as Kafka prints them, `Set(1, 2, 3)`.
 */
export function checkRoles(roles: readonly string[], nodeId: number, voters: ReadonlyMap<number, PeerAddress>): void {
  const votersText = `Set(${[...voters.keys()].sort((a, b) => a - b).join(', ')})`;
  const unknown = roles.filter((r) => r !== 'broker' && r !== 'controller');
  if (unknown.length > 0 || roles.length === 0)
    throw new ConfigError(
      `Invalid value ${roles.join(',')} for configuration process.roles: each role must be broker or controller`,
    );
  if (voters.size === 0) {
    if (!roles.includes('controller'))
      throw new ConfigError(
        'If using process.roles, either controller.quorum.bootstrap.servers must contain the set of bootstrap controllers or controller.quorum.voters must contain a parseable set of controllers.',
      );
    return;
  }
  if (roles.includes('controller') && !voters.has(nodeId)) {
    throw new ConfigError(
      `If process.roles contains the 'controller' role, the node id ${nodeId} must be included in the set of voters controller.quorum.voters=${votersText}`,
    );
  }
  if (!roles.includes('controller') && voters.has(nodeId)) {
    throw new ConfigError(
      `If process.roles contains just the 'broker' role, the node id ${nodeId} must not be included in the set of voters controller.quorum.voters=${votersText}`,
    );
  }
}

export class MetadataQuorum {
  readonly voters: ReadonlyMap<number, PeerAddress>;
  readonly node: QuorumNode;
  readonly heartbeats: BrokerHeartbeats;
  /** Forwards metadata-changing requests to the active controller (Envelope). */
  readonly forwarder: RequestForwarder;
  private lifecycle: BrokerLifecycle | null = null;
  private readonly raftLog: FileRaftLog | InMemoryRaftLog;
  private readonly stateMachine: MetadataStateMachine;
  private readonly snapshots: SnapshotTrigger;
  private snapshotTimer: Timer | null = null;
  private rebalanceTimer: Timer | null = null;
  private sessionTimer: Timer | null = null;
  private readonly scheduler: Scheduler;
  /** Auto leader rebalance on the active controller (null when auto.leader.rebalance.enable=false). */
  readonly rebalancer: LeaderRebalancer | null;

  constructor(private readonly options: MetadataQuorumOptions) {
    const { config } = options;
    this.scheduler = schedulerFor(options.clock, options.scheduler);
    this.voters = options.voters ?? parseQuorumVoters(config.list('controller.quorum.voters'));
    checkRoles(config.list('process.roles'), options.nodeId, this.voters);
    const dir = options.dataDir === undefined ? undefined : join(options.dataDir, '__cluster_metadata-0');
    const fsync = options.fsync ?? true;
    this.raftLog = dir ? new FileRaftLog(dir, fsync) : new InMemoryRaftLog();
    const store = dir ? new FileQuorumStateStore(dir, fsync) : new InMemoryQuorumStateStore();
    this.stateMachine = new MetadataStateMachine(options.controller);
    this.snapshots = new SnapshotTrigger(
      {
        maxBytesBetweenSnapshots: config.int('metadata.log.max.record.bytes.between.snapshots'),
        maxIntervalMs: config.int('metadata.log.max.snapshot.interval.ms'),
      },
      options.clock.now(),
    );
    this.node = new QuorumNode({
      nodeId: options.nodeId,
      voters: this.voters,
      clusterId: options.clusterId,
      log: this.raftLog,
      store,
      stateMachine: this.stateMachine,
      clock: options.clock,
      ...(options.scheduler ? { scheduler: options.scheduler } : {}),
      ...(options.transport ? { transport: options.transport } : {}),
      ...(options.random ? { random: options.random } : {}),
      logger: options.logger,
      config: {
        electionTimeoutMs: config.int('controller.quorum.election.timeout.ms'),
        fetchTimeoutMs: config.int('controller.quorum.fetch.timeout.ms'),
        electionBackoffMaxMs: config.int('controller.quorum.election.backoff.max.ms'),
        requestTimeoutMs: config.int('controller.quorum.request.timeout.ms'),
        appendLingerMs: config.int('controller.quorum.append.linger.ms'),
      },
    });
    this.heartbeats = new BrokerHeartbeats(
      options.controller,
      options.clusterId,
      options.clock,
      config.int('broker.session.timeout.ms'),
      options.logger,
      (topic) => effectiveTopicConfig('unclean.leader.election.enable', topic.configs, config) === 'true',
    );
    options.controller.attachQuorum(this.node);
    this.rebalancer = config.bool('auto.leader.rebalance.enable')
      ? new LeaderRebalancer(options.controller, config.int('leader.imbalance.per.broker.percentage'), options.logger)
      : null;
    this.forwarder = new RequestForwarder({
      quorum: this.node,
      nodeId: options.nodeId,
      timeoutMs: config.int('request.timeout.ms'),
      logger: options.logger,
      clock: options.scheduler ?? options.clock,
    });
  }

  /** First poll: a lone voter becomes leader and applies the whole committed log before this returns. */
  start(): void {
    this.node.onApplied(() => this.maybeSnapshot());
    const bootstrap = this.options.bootstrapRecords ?? [];
    if (bootstrap.length > 0)
      this.node.onLeaderChange((leaderId) => {
        if (leaderId !== this.options.nodeId || !this.logHoldsNoMetadata()) return;
        // After the transition (and its LeaderChange entry): the first records this leader proposes.
        queueMicrotask(() => {
          if (!this.node.isLeader() || !this.logHoldsNoMetadata()) return;
          this.options.logger.info({ records: bootstrap.length }, 'fresh cluster: writing the bootstrap records');
          this.options.controller
            .submit([...bootstrap])
            .catch((err: unknown) => this.options.logger.warn({ err }, 'bootstrap records not committed'));
        });
      });
    this.node.start();
    this.armSnapshotTimer();
    // Broker sessions are checked on a timer of their own on every node (only the active controller acts):
    // a controller-only node has no broker lifecycle of its own to do it, so in split mode a paused broker
    // was never fenced; and a check every 1/20 of the session timeout (at most 250 ms) fences close to
    // broker.session.timeout.ms, as Kafka's controller schedules the fencing at the earliest expiry.
    const sessionMs = this.options.config.int('broker.session.timeout.ms');
    const checkMs = Math.max(10, Math.min(250, Math.floor(sessionMs / 20)));
    this.sessionTimer = this.scheduler.every(checkMs, () => this.heartbeats.tick());
    if (this.rebalancer) {
      const rebalancer = this.rebalancer;
      const everyMs = Math.min(this.options.config.int('leader.imbalance.check.interval.seconds') * 1000, 2 ** 31 - 1);
      this.rebalanceTimer = this.scheduler.every(everyMs, () => void rebalancer.check());
    }
  }

  /** No snapshot and only control entries (leader changes): nothing was ever written to the metadata log. */
  private logHoldsNoMetadata(): boolean {
    if (this.raftLog.latestSnapshotId() !== undefined) return false;
    const end = this.raftLog.endOffset();
    for (let offset = this.raftLog.startOffset(); offset < end;) {
      const entries = this.raftLog.read(offset, 64 * 1024);
      if (entries.length === 0) return true;
      if (entries.some((e) => !e.control)) return false;
      offset = entries[entries.length - 1]!.offset + 1;
    }
    return true;
  }

  /** Writes a snapshot when the trigger says one is due (see snapshot-trigger.ts). */
  maybeSnapshot(): void {
    const now = this.options.clock.now();
    if (!this.snapshots.due(this.stateMachine.bytesSinceSnapshot, now)) return;
    this.snapshotNow();
  }

  /** Snapshots the image at the applied offset now; the log prefix it covers is dropped. */
  snapshotNow(): void {
    const now = this.options.clock.now();
    try {
      const id = this.node.raft.takeSnapshot();
      this.snapshots.taken(now);
      if (id) this.options.logger.info({ endOffset: id.endOffset, epoch: id.epoch }, 'metadata snapshot written');
    } catch (err) {
      this.options.logger.error({ err }, 'metadata snapshot failed');
    }
    this.armSnapshotTimer();
  }

  private armSnapshotTimer(): void {
    this.snapshotTimer?.cancel();
    this.snapshotTimer = null;
    const at = this.snapshots.nextCheckAt();
    if (!Number.isFinite(at)) return;
    this.snapshotTimer = this.scheduler.after(at - this.scheduler.now(), () => {
      this.snapshotTimer = null;
      if (this.stateMachine.bytesSinceSnapshot > 0) this.snapshotNow();
      else {
        this.snapshots.taken(this.options.clock.now());
        this.armSnapshotTimer();
      }
    });
  }

  /** Registers this broker (synchronously on a lone voter) and keeps heartbeating. */
  startBroker(
    endPoints: () => BrokerRegistrationInput['endPoints'],
    onRegistrationTimeout: (reason: string) => void,
  ): void {
    const config = this.options.config;
    // A controller-only process (process.roles=controller) is no broker: it never registers.
    if (!config.list('process.roles').includes('broker')) return;
    const voters = config.list('controller.quorum.voters');
    this.lifecycle = new BrokerLifecycle({
      initialRegistrationTimeoutMs: config.int('initial.broker.registration.timeout.ms'),
      controllersSetting:
        voters.length > 0
          ? `controller.quorum.voters=${voters.join(',')}`
          : `controller.quorum.bootstrap.servers=${config.list('controller.quorum.bootstrap.servers').join(',')}`,
      onRegistrationTimeout,
      nodeId: this.options.nodeId,
      clusterId: this.options.clusterId,
      rack: this.options.config.explicit('broker.rack') ?? null,
      endPoints,
      quorum: this.node,
      heartbeats: this.heartbeats,
      heartbeatIntervalMs: this.options.config.int('broker.heartbeat.interval.ms'),
      scheduler: this.scheduler,
      logger: this.options.logger,
    });
    this.lifecycle.start();
  }

  /**
   * Controlled shutdown (controlled.shutdown.enable): asks the active controller to move this
   * broker's leaderships and ISR places to others and waits for its approval, at most
   * broker.session.timeout.ms (after that the controller would fence a silent broker anyway).
   * Skipped when no other broker could take over (a single node), when no active controller is
   * known, or when the broker never registered.
   * Resolves whether the controller approved.
   */
  async controlledShutdown(): Promise<boolean> {
    const config = this.options.config;
    if (!this.lifecycle || !config.bool('controlled.shutdown.enable')) return false;
    const others = this.options.controller.liveBrokerIds().filter((id) => id !== this.options.nodeId);
    // Nobody could take over, or no controller to ask (a quorum already gone): stop at once.
    if (others.length === 0 || this.node.leaderId() < 0) return false;
    const timeoutMs = config.int('broker.session.timeout.ms');
    const started = this.options.clock.now();
    const approved = await this.lifecycle.controlledShutdown(timeoutMs);
    const tookMs = this.options.clock.now() - started;
    if (approved) this.options.logger.info({ tookMs }, 'controlled shutdown complete');
    else this.options.logger.warn({ tookMs }, 'controlled shutdown not approved in time; stopping anyway');
    return approved;
  }

  /**
   * On the active controller, before its node closes its connections on stop: waits (at most
   * SETTLE_SHUTDOWNS_MS, looking every SETTLE_POLL_MS) until no other broker's controlled shutdown is
   * under way here (each one asked has been answered shouldShutDown), then one turn of the event loop so
   * the last answers are written. Without it, nodes stopped together (a `docker compose down`) lost their
   * answer to the closing connection, or found no quorum left to ask, and waited broker.session.timeout.ms.
   * Nothing to wait for on any other node.
   */
  async settleShutdownAnswers(): Promise<void> {
    const deadline = this.options.clock.now() + SETTLE_SHUTDOWNS_MS;
    while (
      this.node.isLeader() &&
      this.heartbeats.shutdownsPending(this.options.nodeId) &&
      this.options.clock.now() < deadline
    )
      await new Promise<void>((resolve) => this.scheduler.after(SETTLE_POLL_MS, resolve));
    await new Promise<void>((resolve) => this.scheduler.after(0, resolve));
  }

  /**
   * Resolves once this broker has caught up with the metadata log and been unfenced (at once on a
   * controller-only process, which serves no clients).
   */
  whenUnfenced(): Promise<void> {
    return this.lifecycle?.whenUnfenced() ?? Promise.resolve();
  }

  /** This broker's epoch (its registration), -1 before one. */
  brokerEpoch(): bigint {
    return this.lifecycle?.epoch() ?? -1n;
  }

  /** A producer-id block from the active controller (AllocateProducerIds), or the error code. */
  async allocateProducerIds(): Promise<{ firstProducerId: bigint; size: bigint } | number> {
    const leader = this.node.leaderId();
    const peers = this.node.peers;
    if (leader < 0 || leader === this.options.nodeId || !peers?.knows(leader)) return ErrorCode.NOT_CONTROLLER;
    try {
      const r = await peers.request(leader, AllocateProducerIdsApi, 0, {
        brokerId: this.options.nodeId,
        brokerEpoch: this.lifecycle?.epoch() ?? -1n,
      });
      if (r.errorCode !== ErrorCode.NONE) return r.errorCode;
      if (r.producerIdLen <= 0 || r.producerIdStart < 0n) return ErrorCode.UNKNOWN_SERVER_ERROR;
      return { firstProducerId: r.producerIdStart, size: BigInt(r.producerIdLen) };
    } catch {
      return ErrorCode.REQUEST_TIMED_OUT;
    }
  }

  stop(): void {
    this.rebalanceTimer?.cancel();
    this.rebalanceTimer = null;
    this.sessionTimer?.cancel();
    this.sessionTimer = null;
    this.lifecycle?.stop();
    this.snapshotTimer?.cancel();
    this.snapshotTimer = null;
    this.node.stop();
    if (this.raftLog instanceof FileRaftLog) this.raftLog.close();
  }
}
