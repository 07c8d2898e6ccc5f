/**
 * Runs a RaftNode in a live process: a timer of the Scheduler port calls poll() at the deadline it
 * returns (and soon after every inbound message), outbound requests go to peers through PeerClient
 * (over the Transport port) and their answers back
 * into handleResponse, inbound requests (from the Raft handlers) wait for the answer the core pushes
 * to the outbox. Proposals resolve once the state machine has applied them on this node, or reject
 * with NotControllerError when leadership is lost first.
 *
 * A quorum of one (controller.quorum.voters empty or just this node) elects itself in the first
 * poll and commits inside propose(): one voter is a majority, so nothing waits for a timer.
 * Pre-vote (KIP-996) travels as Vote v2; a follower whose connection to the leader is refused or
 * closed starts a pre-vote election at once instead of waiting out the fetch timeout.
 * A node outside the voter set is an observer (a broker-only process): it finds the leader with
 * ObserverDiscovery and fetches the metadata log as a non-voting replica.
 * INCONSISTENT_CLUSTER_ID, sent or received, is logged as an error (ClusterIdMismatchReporter).
 * Leaves out: voter changes (KIP-853).
 */
import type { Clock } from '../common/clock.js';
import { schedulerFor, type Scheduler, type Timer } from '../common/scheduler.js';
import type { Transport } from '../common/transport.js';
import type { Logger } from '../common/logger.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { RaftNode, type QuorumDescription } from './raft/raft-node.js';
import { ClusterAuthorizationRefusals } from './cluster-authorization-refusals.js';
import type { OutboundMessage, Outbox, RaftRequest, RaftResponse } from './raft/messages.js';
import type { RaftLog } from './raft/raft-log.js';
import type { QuorumStateStore } from './raft/quorum-state-store.js';
import type { ReplicatedStateMachine } from './raft/state-machine.js';
import type { RaftConfig } from './raft/config.js';
import { mathRandom, type RandomSource } from './raft/types.js';
import { PeerClient, PeerRequestError, type PeerAddress } from './peer-client.js';
import { NotControllerError, type MetadataQuorumPort } from '../metadata/quorum-port.js';
import { sendRaftRequest } from './raft-rpc.js';
import { ObserverDiscovery } from './observer-discovery.js';
import { ClusterIdMismatchReporter } from './cluster-id-mismatch.js';

export { NotControllerError };

export interface QuorumNodeOptions {
  readonly nodeId: number;
  /** Voter id -> controller listener address; may be empty (a quorum of this node alone). */
  readonly voters: ReadonlyMap<number, PeerAddress>;
  readonly clusterId: string;
  readonly log: RaftLog;
  readonly store: QuorumStateStore;
  readonly stateMachine: ReplicatedStateMachine;
  readonly clock: Clock;
  /** Timers (poll deadlines, waits); defaults to the clock's own when it is a Scheduler, else Node's. */
  readonly scheduler?: Scheduler;
  /** How peers are reached; defaults to TCP sockets. */
  readonly transport?: Transport;
  /** Randomness of election timeouts and backoff; defaults to Math.random. */
  readonly random?: RandomSource;
  readonly logger: Logger;
  readonly config?: Partial<RaftConfig>;
}

interface Waiter {
  readonly offset: number;
  readonly epoch: number;
  readonly resolve: () => void;
  readonly reject: (err: Error) => void;
}

export class QuorumNode implements MetadataQuorumPort {
  readonly raft: RaftNode;
  readonly voterIds: readonly number[];
  /** True when this node is not a voter: it replicates the metadata log without a vote. */
  readonly observer: boolean;
  private discovery: ObserverDiscovery | null = null;
  /** Raft RPCs to the other voters. */
  private readonly raftPeers: PeerClient | null;
  /**
   * Everything else sent to controllers (broker registration, heartbeats, forwarded DescribeQuorum)
   * on connections of its own: a connection answers in request order, so a registration waiting for
   * a commit must never sit in front of the Fetch that lets the commit happen.
   */
  readonly peers: PeerClient | null;
  private readonly inbound = new Map<number, (response: RaftResponse) => void>();
  private nextInboundId = 1;
  private timer: Timer | null = null;
  private readonly scheduler: Scheduler;
  private timerAt = Number.POSITIVE_INFINITY;
  private pollQueued = false;
  private stopped = false;
  private waiters: Waiter[] = [];
  /** The offset of the last entry proposed here as leader (see lastProposedOffset). */
  private lastProposed = -1;
  private reportedApplied = 0;
  /** The epoch whose leadership by this node the listeners have heard of (-1: none). */
  private announcedEpoch = -1;
  private readonly leaderListeners: Array<(leaderId: number, epoch: number) => void> = [];
  private readonly applyListeners: Array<() => void> = [];
  private readonly onceLeaderListeners = new Set<() => void>();
  private appliedWaiters: Array<{ offset: number; resolve: (reached: boolean) => void; timer: Timer }> = [];
  private readonly clusterIdMismatch: ClusterIdMismatchReporter;
  private readonly authorizationRefusals: ClusterAuthorizationRefusals;

  constructor(private readonly options: QuorumNodeOptions) {
    const voterIds = options.voters.size > 0 ? [...options.voters.keys()] : [options.nodeId];
    this.voterIds = voterIds;
    this.observer = !voterIds.includes(options.nodeId);
    const single = voterIds.length === 1 && voterIds[0] === options.nodeId;
    const peers = new Map([...options.voters].filter(([id]) => id !== options.nodeId));
    const clock = options.clock;
    // Its poll timer keeps the process alive, as it always did.
    const scheduler = schedulerFor(clock, options.scheduler, { keepAlive: true });
    this.scheduler = scheduler;
    const transport = options.transport;
    this.clusterIdMismatch = new ClusterIdMismatchReporter(options.clusterId, options.logger, clock);
    this.authorizationRefusals = new ClusterAuthorizationRefusals(options.nodeId, options.logger, clock);
    this.raftPeers =
      peers.size > 0
        ? new PeerClient(peers, { clock: scheduler, transport, clientId: `raft-client-${options.nodeId}` })
        : null;
    this.peers =
      peers.size > 0
        ? new PeerClient(peers, { clock: scheduler, transport, clientId: `controller-client-${options.nodeId}` })
        : null;
    const outbox: Outbox = { send: (m) => this.deliver(m) };
    this.raft = new RaftNode({
      nodeId: options.nodeId,
      voters: voterIds,
      clusterId: options.clusterId,
      log: options.log,
      store: options.store,
      stateMachine: options.stateMachine,
      outbox,
      clock: options.clock,
      random: options.random ?? mathRandom,
      // A lone voter needs no election timeout: it is its own majority.
      config: {
        ...options.config,
        ...(single ? { electionTimeoutMs: 0, electionBackoffMaxMs: 0, appendLingerMs: 0 } : {}),
      },
      onTransition: (from, to) => {
        options.logger.info(
          { from: from.kind, to: to.kind, epoch: to.epoch, leaderId: to.leaderId },
          'raft transition',
        );
        if (from.kind === 'leader') this.failWaiters(to.leaderId);
        // This node's own leadership is announced once it has caught up (see announceIfCaughtUp).
        if (to.kind === 'leader') return;
        if (from.leaderId !== to.leaderId || from.epoch !== to.epoch)
          this.announceLeader(to.kind === 'resigned' ? -1 : to.leaderId, to.epoch);
      },
    });
  }

  /** Runs the first poll (a lone voter becomes leader and commits the existing log here). */
  start(): void {
    this.pollNow();
    if (this.observer && this.peers) {
      const fetchTimeoutMs = this.raft.config.fetchTimeoutMs;
      this.discovery = new ObserverDiscovery({
        voterIds: this.voterIds,
        peers: this.peers,
        current: () => this.raft.leaderAndEpoch(),
        learn: (leaderId, leaderEpoch) => {
          this.options.logger.info({ leaderId, leaderEpoch }, 'observer: following the active controller');
          // As a BeginQuorumEpoch from that leader would: the core follows it (the answer is dropped).
          void this.handle(leaderId, {
            type: 'BeginQuorumEpoch',
            clusterId: this.options.clusterId,
            leaderId,
            leaderEpoch,
            voterId: this.options.nodeId,
          });
        },
        periodMs: Math.max(50, Math.floor(fetchTimeoutMs / 2)),
        searchMs: Math.max(20, Math.min(200, Math.floor(fetchTimeoutMs / 10))),
        urgentMs: Math.max(10, Math.min(50, Math.floor(fetchTimeoutMs / 40))),
        urgentForMs: 2 * fetchTimeoutMs,
        requestTimeoutMs: this.raft.config.requestTimeoutMs,
        scheduler: this.scheduler,
        logger: this.options.logger,
      });
      this.discovery.start();
    }
  }

  stop(): void {
    this.stopped = true;
    this.discovery?.stop();
    for (const w of this.appliedWaiters.splice(0)) {
      w.timer.cancel();
      w.resolve(false);
    }
    this.timer?.cancel();
    this.timer = null;
    this.raftPeers?.close();
    this.peers?.close();
    this.failWaiters(-1);
    for (const [, answer] of this.inbound) answer(this.unavailable());
    this.inbound.clear();
  }

  /**
   * True when this node is the active controller: the Raft leader, and caught up with its epoch's
   * LeaderChange entry, so its image holds every entry earlier leaders committed (Kafka's controller
   * claims leadership only then). Between its election and that point it answers NOT_CONTROLLER.
   */
  isLeader(): boolean {
    return this.raft.leaderCaughtUp();
  }

  /** The active controller (Raft leader) as this node knows it, or -1. */
  leaderId(): number {
    return this.raft.leaderAndEpoch().leaderId;
  }

  onLeaderChange(listener: (leaderId: number, epoch: number) => void): void {
    this.leaderListeners.push(listener);
  }

  /** Calls `listener` once, at the next leader or epoch change; returns a function that cancels it. */
  onceLeaderChange(listener: () => void): () => void {
    this.onceLeaderListeners.add(listener);
    return () => this.onceLeaderListeners.delete(listener);
  }

  /** Called after every poll that applied something. */
  onApplied(listener: () => void): void {
    this.applyListeners.push(listener);
  }

  /** `peer` refused our `rpc` (broker registration, heartbeat) with CLUSTER_AUTHORIZATION_FAILED: logged, rate-limited. */
  refusedByAuthorizer(peer: number, rpc: string): void {
    this.authorizationRefusals.refusedBy(peer, rpc);
  }

  describe(): QuorumDescription {
    return this.raft.describeQuorum();
  }

  /**
   * Appends payloads as leader and resolves when this node has applied them. A lone voter has
   * committed and applied them before this returns (the promise is already settled).
   */
  lastProposedOffset(): number {
    return this.lastProposed;
  }

  propose(payloads: readonly Buffer[]): Promise<void> {
    if (payloads.length === 0) return Promise.resolve();
    if (!this.raft.leaderCaughtUp()) return Promise.reject(new NotControllerError(this.leaderId()));
    const result = this.raft.propose(payloads);
    this.lastProposed = result.lastOffset;
    const done = new Promise<void>((resolve, reject) => {
      this.waiters.push({ offset: result.lastOffset, epoch: result.epoch, resolve, reject });
    });
    this.pollNow();
    return done;
  }

  /**
   * Resolves true once this node has applied everything below `endOffset` (a high watermark), or
   * false after `timeoutMs`.
   */
  waitApplied(endOffset: number, timeoutMs: number): Promise<boolean> {
    if (this.raft.appliedOffset() >= endOffset) return Promise.resolve(true);
    if (this.stopped || timeoutMs <= 0) return Promise.resolve(false);
    return new Promise((resolve) => {
      const waiter = {
        offset: endOffset,
        resolve,
        timer: this.scheduler.after(timeoutMs, () => {
          this.appliedWaiters = this.appliedWaiters.filter((w) => w !== waiter);
          resolve(false);
        }),
      };
      this.appliedWaiters.push(waiter);
    });
  }

  /** True once `offset` has been applied on this node. */
  applied(offset: number): boolean {
    return this.raft.appliedOffset() > offset;
  }

  /** Hands an inbound request to the core and resolves with its answer (a parked fetch answers later). */
  handle(source: number, request: RaftRequest): Promise<RaftResponse> {
    if (this.stopped) return Promise.resolve(this.unavailable());
    this.clusterIdMismatch.requestFrom(source, request.type, request.clusterId);
    const requestId = this.nextInboundId++;
    const answered = new Promise<RaftResponse>((resolve) => this.inbound.set(requestId, resolve));
    this.raft.handleRequest(source, requestId, request);
    this.pollSoon();
    return answered;
  }

  private unavailable(): RaftResponse {
    // Only used at shutdown: the connection closes right after.
    return {
      type: 'BeginQuorumEpoch',
      errorCode: ErrorCode.BROKER_NOT_AVAILABLE,
      partitionErrorCode: ErrorCode.NONE,
      leaderId: -1,
      leaderEpoch: -1,
    };
  }

  private deliver(message: OutboundMessage): void {
    if (message.kind === 'response') {
      const answer = this.inbound.get(message.requestId);
      if (answer) {
        this.inbound.delete(message.requestId);
        answer(message.response);
      }
      return;
    }
    const peers = this.raftPeers;
    if (!peers || this.stopped) return;
    const { destination, requestId, request } = message;
    sendRaftRequest(peers, destination, request, this.raft.config.requestTimeoutMs).then(
      (response) => {
        if (this.stopped) return;
        if (response.errorCode === ErrorCode.INCONSISTENT_CLUSTER_ID)
          this.clusterIdMismatch.rejectedBy(destination, request.type);
        if (response.errorCode === ErrorCode.CLUSTER_AUTHORIZATION_FAILED)
          this.authorizationRefusals.refusedBy(destination, request.type);
        this.raft.handleResponse(destination, requestId, response);
        this.pollSoon();
      },
      (err: unknown) => {
        // Lost or refused: the core resends after its request timeout. A refused or closed connection
        // to the leader lets a follower start a (pre-vote) election at once.
        this.options.logger.debug({ err, destination, type: request.type }, 'raft request failed');
        if (this.stopped || !(err instanceof PeerRequestError) || err.kind !== 'unreachable') return;
        // An observer whose leader's connection failed asks the voters for the new leader at once.
        if (this.observer && destination === this.raft.leaderAndEpoch().leaderId) this.discovery?.leaderLost();
        this.raft.peerUnreachable(destination);
        this.pollSoon();
      },
    );
  }

  private pollSoon(): void {
    if (this.pollQueued || this.stopped) return;
    this.pollQueued = true;
    this.scheduler.soon(() => {
      this.pollQueued = false;
      this.pollNow();
    });
  }

  private pollNow(): void {
    if (this.stopped) return;
    const deadline = this.raft.poll(this.options.clock.now());
    // Entries may also have been applied while handling a request or response (a fetch moves the
    // high watermark), so compare with what was last reported, not with the start of this poll.
    if (this.raft.appliedOffset() !== this.reportedApplied) {
      this.reportedApplied = this.raft.appliedOffset();
      this.settleWaiters();
      const applied = this.raft.appliedOffset();
      const reached = this.appliedWaiters.filter((w) => applied >= w.offset);
      if (reached.length > 0) {
        this.appliedWaiters = this.appliedWaiters.filter((w) => applied < w.offset);
        for (const w of reached) {
          w.timer.cancel();
          w.resolve(true);
        }
      }
      for (const l of this.applyListeners) l();
    }
    this.announceIfCaughtUp();
    this.arm(deadline);
  }

  /** Tells the leader listeners of this node's own leadership once, when it has caught up in its epoch. */
  private announceIfCaughtUp(): void {
    const epoch = this.raft.epoch();
    if (this.announcedEpoch === epoch || !this.raft.leaderCaughtUp()) return;
    this.options.logger.info({ epoch }, 'caught up with the epoch start: acting as the active controller');
    this.announceLeader(this.options.nodeId, epoch);
  }

  private announceLeader(leaderId: number, epoch: number): void {
    this.announcedEpoch = leaderId === this.options.nodeId ? epoch : -1;
    for (const l of this.leaderListeners) l(leaderId, epoch);
    const once = [...this.onceLeaderListeners];
    this.onceLeaderListeners.clear();
    for (const l of once) l();
  }

  private arm(deadline: number): void {
    if (deadline >= this.timerAt && this.timer) return;
    this.timer?.cancel();
    if (!Number.isFinite(deadline)) {
      this.timer = null;
      this.timerAt = Number.POSITIVE_INFINITY;
      return;
    }
    this.timerAt = deadline;
    this.timer = this.scheduler.after(deadline - this.scheduler.now(), () => {
      this.timer = null;
      this.timerAt = Number.POSITIVE_INFINITY;
      this.pollNow();
    });
  }

  private settleWaiters(): void {
    const applied = this.raft.appliedOffset();
    const still: Waiter[] = [];
    for (const w of this.waiters) {
      if (applied > w.offset) w.resolve();
      else still.push(w);
    }
    this.waiters = still;
  }

  private failWaiters(leaderId: number): void {
    this.settleWaiters();
    const waiting = this.waiters;
    this.waiters = [];
    for (const w of waiting) w.reject(new NotControllerError(leaderId));
  }
}
