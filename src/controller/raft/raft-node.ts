/**
 * A KRaft-style Raft node: a pure state machine driven from outside. Feed it requests and responses
 * (handleRequest / handleResponse), then call poll(now), which does the timed work (elections,
 * fetches, flushing the leader's log, check-quorum, parked fetches) and returns the next deadline.
 * Outbound messages go to the injected Outbox. The leader proposes with propose(); entries are
 * committed once the high watermark passes them and are then applied to the state machine.
 *
 * RaftNode is a facade over collaborators, each with its own state and a narrow interface:
 * QuorumState (epoch, vote, leader; persisted), RoleTransitions (role changes), ElectionTimer,
 * Election (Vote), Announcements (BeginQuorumEpoch/EndQuorumEpoch), LeaderReplication and
 * FollowerReplication (Fetch/FetchSnapshot), CommitState (high watermark, applied offset) and
 * Snapshots. It dispatches messages and runs the poll loop.
 * Leaves out: the wire (an adapter maps messages.ts to Kafka's codecs), voter changes (KIP-853),
 * observers beyond answering their fetches and listing them in DescribeQuorum.
 */
import type { Clock } from '../../common/clock.js';
import { Announcements } from './announcements.js';
import { CommitState } from './commit-state.js';
import { DEFAULT_RAFT_CONFIG, type RaftConfig } from './config.js';
import { Election } from './election.js';
import { ElectionTimer } from './election-timer.js';
import type { EpochState, StateKind } from './epoch-state.js';
import { FollowerReplication } from './follower-replication.js';
import { LeaderReplication, type ProposeResult, type QuorumDescription } from './leader-replication.js';
import type { LeaderIdAndEpoch, Outbox, RaftRequest, RaftResponse } from './messages.js';
import { RaftMessenger } from './messenger.js';
import { QuorumState } from './quorum-state.js';
import type { QuorumStateStore } from './quorum-state-store.js';
import type { RaftLog } from './raft-log.js';
import { Snapshots } from './snapshots.js';
import type { ReplicatedStateMachine } from './state-machine.js';
import { RoleTransitions } from './transitions.js';
import type { RandomSource, SnapshotId } from './types.js';

export type { ProposeResult, QuorumDescription, QuorumReplicaState } from './leader-replication.js';

export interface RaftNodeOptions {
  readonly nodeId: number;
  readonly voters: readonly number[];
  readonly clusterId: string | null;
  readonly log: RaftLog;
  readonly store: QuorumStateStore;
  readonly stateMachine: ReplicatedStateMachine;
  readonly outbox: Outbox;
  readonly clock: Clock;
  readonly random: RandomSource;
  readonly config?: Partial<RaftConfig>;
  /** Called after every state change (for logging and tests). */
  readonly onTransition?: (from: EpochState, to: EpochState) => void;
}

export class RaftNode {
  readonly id: number;
  readonly voters: readonly number[];
  readonly clusterId: string | null;
  readonly config: RaftConfig;
  private readonly log: RaftLog;
  private readonly clock: Clock;
  private readonly quorum: QuorumState;
  private readonly commit: CommitState;
  private readonly snapshots: Snapshots;
  private readonly timer: ElectionTimer;
  private readonly roles: RoleTransitions;
  private readonly election: Election;
  private readonly announcements: Announcements;
  private readonly leader: LeaderReplication;
  private readonly follower: FollowerReplication;

  constructor(options: RaftNodeOptions) {
    const config: RaftConfig = { ...DEFAULT_RAFT_CONFIG, ...options.config };
    const { log, clock } = options;
    const commit = new CommitState(log, options.stateMachine, config.fetchMaxBytes);
    const quorum = new QuorumState({
      localId: options.nodeId,
      voters: options.voters,
      clusterId: options.clusterId,
      store: options.store,
      appliedOffset: () => commit.appliedOffset(),
    });
    const snapshots = new Snapshots(log, options.stateMachine, commit);
    const timer = new ElectionTimer(config, options.random);
    const messenger = new RaftMessenger(options.outbox);
    const roles = new RoleTransitions(quorum, log, timer, config.preVote, options.onTransition);
    const follower = new FollowerReplication({
      quorum,
      log,
      commit,
      snapshots,
      messenger,
      config,
      clock,
      timer,
      roles,
    });
    const election = new Election({ quorum, log, messenger, config, clock, timer, roles, follower });
    const announcements = new Announcements({ quorum, messenger, config, clock, timer, roles, follower });
    const leader = new LeaderReplication({
      quorum,
      log,
      commit,
      snapshots,
      messenger,
      config,
      clock,
      roles,
      announcements,
    });
    roles.bind({ election, announcements, leader, follower });

    this.id = quorum.localId;
    this.voters = quorum.voters;
    this.clusterId = quorum.clusterId;
    this.config = config;
    this.log = log;
    this.clock = clock;
    this.quorum = quorum;
    this.commit = commit;
    this.snapshots = snapshots;
    this.timer = timer;
    this.roles = roles;
    this.election = election;
    this.announcements = announcements;
    this.leader = leader;
    this.follower = follower;

    // Start where the stored state left off (QuorumState chose the role), with the latest snapshot restored.
    snapshots.restoreLatest();
    const now = clock.now();
    if (quorum.current.kind === 'resigned') announcements.startAsResigned(quorum.otherVoters());
    else if (quorum.current.kind === 'follower') follower.start(now);
    timer.restart(now);
    quorum.persistIfChanged();
  }

  // ---- messages ----

  /** Handles one inbound request; its answer goes to the outbox (a parked fetch answers later). */
  handleRequest(source: number, requestId: number, request: RaftRequest): void {
    switch (request.type) {
      case 'Vote':
        return this.election.handleVoteRequest(source, requestId, request);
      case 'BeginQuorumEpoch':
        return this.announcements.handleBeginQuorumEpochRequest(source, requestId, request);
      case 'EndQuorumEpoch':
        return this.announcements.handleEndQuorumEpochRequest(source, requestId, request);
      case 'Fetch':
        return this.leader.handleFetchRequest(source, requestId, request);
      case 'FetchSnapshot':
        return this.leader.handleFetchSnapshotRequest(source, requestId, request);
    }
  }

  /** Handles the response to a request this node sent (matched by requestId; stale ones are ignored). */
  handleResponse(source: number, requestId: number, response: RaftResponse): void {
    switch (response.type) {
      case 'Vote':
        return this.election.handleVoteResponse(source, requestId, response);
      case 'BeginQuorumEpoch':
        if (this.announcements.handleResponse(source, response, 'leader'))
          this.leader.recordContact(source, this.clock.now());
        return;
      case 'EndQuorumEpoch':
        this.announcements.handleResponse(source, response, 'resigned');
        return;
      case 'Fetch':
        return this.follower.handleFetchResponse(source, requestId, response);
      case 'FetchSnapshot':
        return this.follower.handleFetchSnapshotResponse(source, requestId, response);
    }
  }

  /**
   * The transport saw the connection to `peer` refused, reset or closed. A follower of that peer stops
   * counting on its leader (its fetch timeout ends within a few ms, then it runs a pre-vote election,
   * and it grants other voters' pre-votes); a Prospective or Candidate counts the peer out of this
   * election and backs off as soon as a majority is out of reach. This is safe only with pre-vote
   * (KIP-996): a voter that still hears from the leader refuses, and so does the leader, so no epoch
   * is raised needlessly. Without pre-vote it does nothing: the fetch timeout decides.
   */
  peerUnreachable(peer: number): void {
    if (!this.config.preVote || !this.quorum.isVoter(peer)) return;
    const now = this.clock.now();
    if (this.election.countUnreachable(peer, now)) return;
    this.follower.leaderUnreachable(peer, now);
  }

  // ---- timed work ----

  /** Does the work that is due and returns the time of the next deadline. Call after every handle*(). */
  poll(now: number = this.clock.now()): number {
    for (let round = 0; ; round++) {
      const before = this.quorum.current;
      const deadline = this.pollOnce(now);
      if (this.quorum.current === before || round >= 8) return deadline;
    }
  }

  private pollOnce(now: number): number {
    switch (this.quorum.current.kind) {
      case 'leader': {
        const deadline = this.leader.poll(now);
        if (this.quorum.current.kind !== 'leader') return now;
        return Math.min(deadline, this.announcements.send(now));
      }
      case 'follower':
        return this.follower.poll(now);
      case 'prospective':
      case 'candidate':
        return this.election.poll(now);
      case 'resigned':
        if (this.election.startElectionIfDue(now)) return now;
        return Math.min(this.timer.deadline, this.announcements.send(now));
      case 'unattached':
      case 'voted':
        if (this.election.startElectionIfDue(now)) return now;
        return this.timer.deadline;
    }
  }

  // ---- commands ----

  /**
   * Appends entries as leader. They are flushed by the first poll() at least appendLingerMs after the
   * oldest unflushed proposal, and committed once a majority holds them; throws NotLeaderError elsewhere.
   */
  propose(payloads: readonly Buffer[]): ProposeResult {
    return this.leader.propose(payloads);
  }

  /**
   * Snapshots the state machine at the applied offset (KIP-630) and lets the log drop the prefix it
   * covers. Returns the snapshot id, or undefined when there is nothing new to cover.
   */
  takeSnapshot(): SnapshotId | undefined {
    return this.snapshots.take();
  }

  /** Leader steps down on purpose (shutdown, check-quorum): Resigned, then EndQuorumEpoch to the voters. */
  resign(): void {
    if (this.quorum.current.kind !== 'leader') return;
    this.roles.becomeResigned(this.clock.now());
  }

  // ---- accessors ----

  currentState(): EpochState {
    return this.quorum.current;
  }

  epoch(): number {
    return this.quorum.epoch;
  }

  isLeader(): boolean {
    return this.quorum.current.kind === 'leader';
  }

  /**
   * True on a leader once its state machine has applied everything up to and including the
   * LeaderChange entry that opened its epoch: every entry an earlier leader committed is in it then.
   * Kafka fires handleLeaderChange to the leader's own listener only at that point (its QuorumController
   * acts from then on); a new leader whose majority has not yet fetched that entry may still miss
   * committed entries of earlier epochs (a fencing, an ISR change) in its state machine.
   */
  leaderCaughtUp(): boolean {
    const start = this.leader.epochStartOffset();
    return this.isLeader() && start !== undefined && this.commit.appliedOffset() > start;
  }

  highWatermark(): number {
    return this.commit.highWatermark();
  }

  appliedOffset(): number {
    return this.commit.appliedOffset();
  }

  /** The leader this node advertises: none while it is resigning. */
  leaderAndEpoch(): LeaderIdAndEpoch {
    return this.quorum.leaderAndEpoch();
  }

  /** What the raft-metrics gauges report: the state, the vote of this epoch, and the log end. */
  metricsView(): { state: StateKind; votedId: number; logEndOffset: number; logEndEpoch: number } {
    const end = this.log.lastFetched();
    const { kind, votedId } = this.quorum.current;
    return { state: kind, votedId, logEndOffset: end.offset, logEndEpoch: end.epoch };
  }

  /** DescribeQuorum, answered by the leader; other nodes answer NOT_LEADER_OR_FOLLOWER. */
  describeQuorum(): QuorumDescription {
    return this.leader.describe();
  }

  /** End offset of the local log (for tests and metrics). */
  logEndOffset(): number {
    return this.log.endOffset();
  }
}
