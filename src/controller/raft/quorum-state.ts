/**
 * The epoch state of a Raft node, after Kafka's QuorumState: who this node is, the voters, the
 * cluster id, and the current EpochState (kind, epoch, leader, vote). Every change is checked against
 * the transition table (epoch-state.ts) and written to the QuorumStateStore before it returns, so
 * nothing that depends on it (a granted vote, a new epoch) can leave first.
 * Leaves out: the per-role bookkeeping and timers (transitions.ts sets them up around each change).
 */
import { assertLegalTransition, type EpochState } from './epoch-state.js';
import { ErrorCode, RaftInvariantError } from './errors.js';
import type { LeaderIdAndEpoch } from './messages.js';
import { initialQuorumState, type QuorumStateData, type QuorumStateStore } from './quorum-state-store.js';
import { NO_NODE } from './types.js';

export interface QuorumStateOptions {
  readonly localId: number;
  readonly voters: readonly number[];
  readonly clusterId: string | null;
  readonly store: QuorumStateStore;
  /** The offset the state machine has applied (written with the state, as Kafka's v0 file does). */
  readonly appliedOffset: () => number;
}

export class QuorumState {
  readonly localId: number;
  /** The voters, sorted, without duplicates. */
  readonly voters: readonly number[];
  readonly clusterId: string | null;
  private readonly store: QuorumStateStore;
  private readonly appliedOffset: () => number;
  private state: EpochState;
  /** What the store holds: what it read (the initial state when it held nothing), then each write. */
  private stored: QuorumStateData;

  /**
   * Starts from the stored state: stored leader = this voter → Resigned; another leader → Follower;
   * a vote → Voted; else Unattached. Throws RaftInvariantError for a store of another cluster.
   */
  constructor(options: QuorumStateOptions) {
    this.localId = options.localId;
    this.voters = [...new Set(options.voters)].sort((a, b) => a - b);
    this.clusterId = options.clusterId;
    this.store = options.store;
    this.appliedOffset = options.appliedOffset;
    const stored = this.store.read() ?? initialQuorumState(this.clusterId, this.voters);
    this.stored = stored;
    if (stored.clusterId !== null && this.clusterId !== null && stored.clusterId !== this.clusterId) {
      throw new RaftInvariantError(`quorum state belongs to cluster ${stored.clusterId}, not ${this.clusterId}`);
    }
    const epoch = stored.leaderEpoch;
    if (stored.leaderId === this.localId && this.isVoter(this.localId)) {
      this.state = { kind: 'resigned', epoch, leaderId: this.localId, votedId: this.localId };
    } else if (stored.leaderId !== NO_NODE && stored.leaderId !== this.localId) {
      this.state = { kind: 'follower', epoch, leaderId: stored.leaderId, votedId: stored.votedId };
    } else if (stored.votedId !== NO_NODE) {
      this.state = { kind: 'voted', epoch, leaderId: NO_NODE, votedId: stored.votedId };
    } else {
      this.state = { kind: 'unattached', epoch, leaderId: NO_NODE, votedId: NO_NODE };
    }
  }

  get current(): EpochState {
    return this.state;
  }

  get epoch(): number {
    return this.state.epoch;
  }

  isVoter(id: number): boolean {
    return this.voters.includes(id);
  }

  otherVoters(): number[] {
    return this.voters.filter((v) => v !== this.localId);
  }

  /** How many voters make a majority. */
  majority(): number {
    return Math.floor(this.voters.length / 2) + 1;
  }

  /** A request without a cluster id, or a node without one, matches. */
  clusterIdMatches(clusterId: string | null): boolean {
    return clusterId === null || this.clusterId === null || clusterId === this.clusterId;
  }

  /** The leader this node advertises: none while it is resigning. */
  leaderAndEpoch(): LeaderIdAndEpoch {
    const leaderId = this.state.kind === 'resigned' ? NO_NODE : this.state.leaderId;
    return { leaderId, leaderEpoch: this.state.epoch };
  }

  /** Error for a request only the leader of `requestEpoch` may answer (Fetch, FetchSnapshot). */
  leaderOnlyError(requestEpoch: number): number {
    if (requestEpoch < this.state.epoch) return ErrorCode.FENCED_LEADER_EPOCH;
    if (requestEpoch > this.state.epoch) return ErrorCode.UNKNOWN_LEADER_EPOCH;
    if (this.state.kind !== 'leader') return ErrorCode.NOT_LEADER_OR_FOLLOWER;
    return ErrorCode.NONE;
  }

  /**
   * Moves to `to` after checking it against the table (IllegalStateTransitionError) and that only a
   * voter stands or leads (RaftInvariantError), and persists it if its durable fields changed.
   * Returns the state it left.
   */
  transition(to: EpochState): EpochState {
    const from = this.state;
    assertLegalTransition(from, to, this.localId);
    if (to.kind === 'candidate' || to.kind === 'prospective' || to.kind === 'leader') {
      if (!this.isVoter(this.localId))
        throw new RaftInvariantError(`node ${this.localId} is not a voter and cannot become ${to.kind}`);
    }
    this.state = to;
    if (from.epoch !== to.epoch || from.leaderId !== to.leaderId || from.votedId !== to.votedId) this.persist();
    return from;
  }

  /** Writes the current state to the store. */
  persist(): void {
    const to = this.state;
    const data: QuorumStateData = {
      clusterId: this.clusterId,
      leaderId: to.leaderId,
      leaderEpoch: to.epoch,
      votedId: to.votedId,
      appliedOffset: this.appliedOffset(),
      currentVoters: this.voters,
    };
    this.store.write(data);
    this.stored = data;
  }

  /**
   * Writes the current state unless the store already holds it (epoch, leader, vote, voters and
   * cluster id; the informational applied offset aside). A start writes only what it changed: a
   * fresh node's initial state (which a store holding nothing reads as) or a restart's unchanged
   * one cost no write and fsync; the election that follows writes as every transition does.
   */
  persistIfChanged(): void {
    const held = this.stored;
    const to = this.state;
    const sameVoters =
      held.currentVoters !== null &&
      held.currentVoters.length === this.voters.length &&
      held.currentVoters.every((v, i) => v === this.voters[i]);
    if (
      held.leaderEpoch === to.epoch &&
      held.leaderId === to.leaderId &&
      held.votedId === to.votedId &&
      held.clusterId === this.clusterId &&
      sameVoters
    )
      return;
    this.persist();
  }
}
