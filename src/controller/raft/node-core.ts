/**
 * The base of a Raft node: its identity and injected dependencies, the current EpochState with the
 * bookkeeping of each role, transitions (checked against the table in epoch-state.ts and persisted
 * before anything depends on them), the high watermark and applying committed entries.
 * Leaves out: the RPC handlers (elections.ts, replication.ts) and the poll loop (raft-node.ts).
 */
import type { Clock } from '../../common/clock.js';
import { DEFAULT_RAFT_CONFIG, type RaftConfig } from './config.js';
import { assertLegalTransition, type EpochState, type StateKind } from './epoch-state.js';
import { ErrorCode, RaftInvariantError } from './errors.js';
import { LeaderProgress } from './leader-progress.js';
import type { LeaderIdAndEpoch, Outbox, RaftRequest, RaftResponse, FetchRequest } from './messages.js';
import { initialQuorumState, type QuorumStateStore } from './quorum-state-store.js';
import type { RaftLog } from './raft-log.js';
import type { ReplicatedStateMachine } from './state-machine.js';
import { NO_NODE, type RandomSource, type SnapshotId } from './types.js';

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

/** Vote bookkeeping of a Prospective or Candidate. */
export interface VoteTally {
  readonly granted: Set<number>;
  readonly rejected: Set<number>;
  /** Voters whose connection was refused or closed during this election (they cannot answer now). */
  readonly unreachable: Set<number>;
  readonly lastSentMs: Map<number, number>;
  readonly requestIds: Map<number, number>;
  backingOff: boolean;
}

export interface ParkedFetch {
  readonly requestId: number;
  readonly request: FetchRequest;
  readonly deadline: number;
}

export interface SnapshotDownload {
  readonly id: SnapshotId;
  readonly chunks: Buffer[];
  position: number;
}

export interface FollowerProgress {
  fetchDeadline: number;
  inflight: { readonly requestId: number; readonly sentMs: number } | undefined;
  download: SnapshotDownload | undefined;
  /** Do not fetch before this time (after an error answer). */
  retryAtMs: number;
  /** Last time the leader answered a fetch or announced itself; -Infinity if never in this state. */
  lastLeaderContactMs: number;
}

/** Messages a leader or resigned leader keeps sending until each voter answers. */
export interface Announcement {
  readonly pending: Set<number>;
  readonly lastSentMs: Map<number, number>;
}

export abstract class RaftNodeCore {
  readonly id: number;
  readonly voters: readonly number[];
  readonly clusterId: string | null;
  readonly config: RaftConfig;
  protected readonly log: RaftLog;
  protected readonly store: QuorumStateStore;
  protected readonly stateMachine: ReplicatedStateMachine;
  protected readonly outbox: Outbox;
  protected readonly clock: Clock;
  protected readonly random: RandomSource;
  private readonly onTransition: ((from: EpochState, to: EpochState) => void) | undefined;

  protected state: EpochState;
  /** Election timer of Unattached, Voted, Prospective, Candidate and Resigned. */
  protected electionDeadline = 0;
  protected votes: VoteTally | undefined;
  protected leader: LeaderProgress | undefined;
  protected parked = new Map<number, ParkedFetch>();
  protected announcement: Announcement | undefined;
  protected follower: FollowerProgress | undefined;
  protected hw = 0;
  protected applied = 0;
  private requestCounter = 0;

  constructor(options: RaftNodeOptions) {
    this.id = options.nodeId;
    this.voters = [...new Set(options.voters)].sort((a, b) => a - b);
    this.clusterId = options.clusterId;
    this.config = { ...DEFAULT_RAFT_CONFIG, ...options.config };
    this.log = options.log;
    this.store = options.store;
    this.stateMachine = options.stateMachine;
    this.outbox = options.outbox;
    this.clock = options.clock;
    this.random = options.random;
    this.onTransition = options.onTransition;

    const stored = this.store.read() ?? initialQuorumState(this.clusterId, this.voters);
    if (stored.clusterId !== null && this.clusterId !== null && stored.clusterId !== this.clusterId) {
      throw new RaftInvariantError(`quorum state belongs to cluster ${stored.clusterId}, not ${this.clusterId}`);
    }
    const snapshot = this.log.latestSnapshotId();
    if (snapshot) {
      const data = this.log.readSnapshot(snapshot);
      if (!data) throw new RaftInvariantError('latest snapshot has no data');
      this.stateMachine.restore(data);
      this.applied = snapshot.endOffset;
      this.hw = snapshot.endOffset;
    }
    const now = this.clock.now();
    const epoch = stored.leaderEpoch;
    if (stored.leaderId === this.id && this.isVoter(this.id)) {
      this.state = { kind: 'resigned', epoch, leaderId: this.id, votedId: this.id };
      this.announcement = { pending: new Set(this.otherVoters()), lastSentMs: new Map() };
      this.preferredSuccessors = this.otherVoters();
    } else if (stored.leaderId !== NO_NODE && stored.leaderId !== this.id) {
      this.state = { kind: 'follower', epoch, leaderId: stored.leaderId, votedId: stored.votedId };
      this.follower = {
        fetchDeadline: now + this.config.fetchTimeoutMs,
        inflight: undefined,
        download: undefined,
        retryAtMs: now,
        lastLeaderContactMs: Number.NEGATIVE_INFINITY,
      };
    } else if (stored.votedId !== NO_NODE) {
      this.state = { kind: 'voted', epoch, leaderId: NO_NODE, votedId: stored.votedId };
    } else {
      this.state = { kind: 'unattached', epoch, leaderId: NO_NODE, votedId: NO_NODE };
    }
    this.electionDeadline = this.randomElectionDeadline(now);
    this.persist();
  }

  // ---- accessors ----

  currentState(): EpochState {
    return this.state;
  }

  epoch(): number {
    return this.state.epoch;
  }

  isLeader(): boolean {
    return this.state.kind === 'leader';
  }

  highWatermark(): number {
    return this.hw;
  }

  appliedOffset(): number {
    return this.applied;
  }

  /** What the raft-metrics gauges report: the state, the vote of this epoch, and the log end. */
  metricsView(): { state: StateKind; votedId: number; logEndOffset: number; logEndEpoch: number } {
    const end = this.log.lastFetched();
    return { state: this.state.kind, votedId: this.state.votedId, logEndOffset: end.offset, logEndEpoch: end.epoch };
  }

  /** The leader this node advertises: none while it is resigning. */
  leaderAndEpoch(): LeaderIdAndEpoch {
    const leaderId = this.state.kind === 'resigned' ? NO_NODE : this.state.leaderId;
    return { leaderId, leaderEpoch: this.state.epoch };
  }

  // ---- helpers ----

  protected isVoter(id: number): boolean {
    return this.voters.includes(id);
  }

  protected otherVoters(): number[] {
    return this.voters.filter((v) => v !== this.id);
  }

  protected quorum(): number {
    return Math.floor(this.voters.length / 2) + 1;
  }

  protected randomElectionDeadline(now: number): number {
    const base = this.config.electionTimeoutMs;
    return now + base + Math.floor(this.random.next() * base);
  }

  protected randomBackoff(): number {
    return Math.floor(this.random.next() * this.config.electionBackoffMaxMs);
  }

  protected clusterIdMatches(clusterId: string | null): boolean {
    return clusterId === null || this.clusterId === null || clusterId === this.clusterId;
  }

  protected sendRequest(destination: number, request: RaftRequest): number {
    const requestId = ++this.requestCounter;
    this.outbox.send({ kind: 'request', destination, requestId, request });
    return requestId;
  }

  protected sendResponse(destination: number, requestId: number, response: RaftResponse): void {
    this.outbox.send({ kind: 'response', destination, requestId, response });
  }

  /** Error for a request only the leader of `requestEpoch` may answer (Fetch, FetchSnapshot). */
  protected leaderOnlyError(requestEpoch: number): number {
    if (requestEpoch < this.state.epoch) return ErrorCode.FENCED_LEADER_EPOCH;
    if (requestEpoch > this.state.epoch) return ErrorCode.UNKNOWN_LEADER_EPOCH;
    if (this.state.kind !== 'leader') return ErrorCode.NOT_LEADER_OR_FOLLOWER;
    return ErrorCode.NONE;
  }

  protected logIsUpToDate(lastOffsetEpoch: number, lastOffset: number): boolean {
    const mine = this.log.lastFetched();
    return lastOffsetEpoch > mine.epoch || (lastOffsetEpoch === mine.epoch && lastOffset >= mine.offset);
  }

  // ---- transitions ----

  protected transition(to: EpochState): void {
    const from = this.state;
    assertLegalTransition(from, to, this.id);
    if (to.kind === 'candidate' || to.kind === 'prospective' || to.kind === 'leader') {
      if (!this.isVoter(this.id))
        throw new RaftInvariantError(`node ${this.id} is not a voter and cannot become ${to.kind}`);
    }
    this.state = to;
    this.persist(from);
    if (from.kind === 'leader') this.abandonParkedFetches();
    this.votes = undefined;
    this.leader = undefined;
    this.announcement = undefined;
    this.follower = undefined;
    this.onTransition?.(from, to);
  }

  /** Writes the quorum state if its durable fields changed (always when `from` is omitted). */
  private persist(from?: EpochState): void {
    const to = this.state;
    if (from && from.epoch === to.epoch && from.leaderId === to.leaderId && from.votedId === to.votedId) return;
    this.store.write({
      clusterId: this.clusterId,
      leaderId: to.leaderId,
      leaderEpoch: to.epoch,
      votedId: to.votedId,
      appliedOffset: this.applied,
      currentVoters: this.voters,
    });
  }

  protected abstract abandonParkedFetches(): void;

  /**
   * A node whose election timer is already running keeps it (as KRaft does): otherwise a candidate
   * that cannot win, bumping the epoch again and again, would keep every other timer from firing.
   */
  protected becomeUnattached(epoch: number, now: number, deadline?: number): void {
    const timerRunning: readonly StateKind[] = ['unattached', 'voted', 'prospective', 'candidate'];
    const keep = timerRunning.includes(this.state.kind) ? this.electionDeadline : this.randomElectionDeadline(now);
    this.transition({ kind: 'unattached', epoch, leaderId: NO_NODE, votedId: NO_NODE });
    this.electionDeadline = deadline ?? keep;
  }

  protected becomeVoted(epoch: number, candidateId: number, now: number): void {
    this.transition({ kind: 'voted', epoch, leaderId: NO_NODE, votedId: candidateId });
    this.electionDeadline = this.randomElectionDeadline(now);
  }

  protected becomeFollower(epoch: number, leaderId: number, now: number): void {
    const votedId = epoch === this.state.epoch ? this.state.votedId : NO_NODE;
    this.transition({ kind: 'follower', epoch, leaderId, votedId });
    this.follower = {
      fetchDeadline: now + this.config.fetchTimeoutMs,
      inflight: undefined,
      download: undefined,
      retryAtMs: now,
      lastLeaderContactMs: Number.NEGATIVE_INFINITY,
    };
  }

  protected becomeProspective(now: number): void {
    const { epoch, votedId } = this.state;
    // The leader it may have followed is presumed gone: it no longer advertises it.
    this.transition({ kind: 'prospective', epoch, leaderId: NO_NODE, votedId });
    this.startVoteTally(now);
  }

  protected becomeCandidate(now: number): void {
    this.transition({ kind: 'candidate', epoch: this.state.epoch + 1, leaderId: NO_NODE, votedId: this.id });
    this.startVoteTally(now);
  }

  private startVoteTally(now: number): void {
    this.votes = {
      granted: new Set([this.id]),
      rejected: new Set(),
      unreachable: new Set(),
      lastSentMs: new Map(),
      requestIds: new Map(),
      backingOff: false,
    };
    this.electionDeadline = this.randomElectionDeadline(now);
  }

  protected becomeLeader(now: number): void {
    this.transition({ kind: 'leader', epoch: this.state.epoch, leaderId: this.id, votedId: this.id });
    const epochStartOffset = this.log.endOffset();
    const payload = Buffer.from(JSON.stringify({ leaderId: this.id, voters: this.voters }));
    this.log.append([{ offset: epochStartOffset, epoch: this.state.epoch, payload, control: true }]);
    this.leader = new LeaderProgress(this.id, this.voters, epochStartOffset, now);
    this.announcement = { pending: new Set(this.otherVoters()), lastSentMs: new Map() };
  }

  protected becomeResigned(now: number): void {
    const preferred = this.leader ? this.leader.preferredSuccessors() : this.otherVoters();
    this.transition({ kind: 'resigned', epoch: this.state.epoch, leaderId: this.id, votedId: this.id });
    this.announcement = { pending: new Set(preferred), lastSentMs: new Map() };
    this.preferredSuccessors = preferred;
    this.electionDeadline = this.randomElectionDeadline(now);
  }

  protected preferredSuccessors: readonly number[] = [];

  /** Starts an election: Prospective with pre-vote, else Candidate in the next epoch. */
  protected startElection(now: number): void {
    if (!this.isVoter(this.id)) {
      this.electionDeadline = this.randomElectionDeadline(now);
      return;
    }
    if (this.config.preVote && this.state.kind !== 'prospective') this.becomeProspective(now);
    else this.becomeCandidate(now);
  }

  /**
   * Follows what a response or request says about the leader: a higher epoch always wins; in the same
   * epoch a known leader turns a node that has none into its follower.
   */
  protected learnLeader(epoch: number, leaderId: number, now: number): void {
    const knownLeader = leaderId !== NO_NODE && leaderId !== this.id && this.isVoter(leaderId);
    if (epoch > this.state.epoch) {
      if (knownLeader) this.becomeFollower(epoch, leaderId, now);
      else this.becomeUnattached(epoch, now);
      return;
    }
    const leaderless: readonly StateKind[] = ['unattached', 'voted', 'prospective', 'candidate'];
    if (epoch === this.state.epoch && knownLeader && leaderless.includes(this.state.kind)) {
      this.becomeFollower(epoch, leaderId, now);
    }
  }

  // ---- high watermark ----

  /** Raises the high watermark (never lowers it) and applies newly committed entries. */
  protected advanceHighWatermark(offset: number): boolean {
    if (offset <= this.hw) return false;
    if (offset > this.log.endOffset())
      throw new RaftInvariantError(`high watermark ${offset} past log end ${this.log.endOffset()}`);
    this.hw = offset;
    this.applyCommitted();
    return true;
  }

  protected applyCommitted(): void {
    while (this.applied < this.hw) {
      if (this.applied < this.log.startOffset()) {
        throw new RaftInvariantError(`applied offset ${this.applied} below log start ${this.log.startOffset()}`);
      }
      const entries = this.log.read(this.applied, this.config.fetchMaxBytes);
      if (entries.length === 0) break;
      for (const entry of entries) {
        if (entry.offset >= this.hw) break;
        if (!entry.control) this.stateMachine.apply(entry);
        this.applied = entry.offset + 1;
      }
    }
  }
}
