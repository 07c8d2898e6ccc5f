/**
 * Role changes of a Raft node: each `become*` moves the QuorumState (checked and persisted), drops the
 * bookkeeping of the role it leaves and sets up that of the role it enters (vote tally, leader
 * progress, follower progress, announcements, election timer). The collaborators call these through
 * the narrow RoleChanges interface; RaftNode binds the collaborators once, after building them.
 * Leaves out: why a change happens (the collaborators decide) and the poll loop (raft-node.ts).
 */
import type { ElectionTimer } from './election-timer.js';
import type { EpochState, StateKind } from './epoch-state.js';
import { RaftInvariantError } from './errors.js';
import type { QuorumState } from './quorum-state.js';
import type { RaftLog } from './raft-log.js';
import { NO_NODE } from './types.js';

/** What the collaborators may ask for: a change of role. */
export interface RoleChanges {
  becomeUnattached(epoch: number, now: number, deadline?: number): void;
  becomeVoted(epoch: number, candidateId: number, now: number): void;
  becomeFollower(epoch: number, leaderId: number, now: number): void;
  becomeProspective(now: number): void;
  becomeCandidate(now: number): void;
  becomeLeader(now: number): void;
  becomeResigned(now: number): void;
  /** Prospective with pre-vote, else Candidate in the next epoch (a non-voter only restarts its timer). */
  startElection(now: number): void;
  /** Follows what a message says about the leader: a higher epoch always wins; in the same epoch a known leader ends a leaderless state. */
  learnLeader(epoch: number, leaderId: number, now: number): void;
}

/** The per-role bookkeeping each collaborator sets up and drops. */
export interface RoleParts {
  readonly election: { startTally(now: number): void; clearTally(): void };
  readonly announcements: {
    startAsLeader(): void;
    startAsResigned(preferredSuccessors: readonly number[]): void;
    clear(): void;
  };
  readonly leader: {
    start(epochStartOffset: number, now: number): void;
    /** Leadership ended: answer the fetches it parked. */
    abandonParkedFetches(): void;
    clear(): void;
    /** Other voters, best log first, while leading; undefined otherwise. */
    preferredSuccessors(): number[] | undefined;
  };
  readonly follower: { start(now: number): void; clear(): void };
}

export class RoleTransitions implements RoleChanges {
  private boundParts: RoleParts | undefined;

  constructor(
    private readonly quorum: QuorumState,
    private readonly log: RaftLog,
    private readonly timer: ElectionTimer,
    private readonly preVote: boolean,
    /** Called after every state change (for logging and tests). */
    private readonly onTransition: ((from: EpochState, to: EpochState) => void) | undefined,
  ) {}

  /** Hands over the collaborators (they are built with this object, so they come second). */
  bind(parts: RoleParts): void {
    if (this.boundParts) throw new RaftInvariantError('role transitions are already bound');
    this.boundParts = parts;
  }

  private get parts(): RoleParts {
    if (!this.boundParts) throw new RaftInvariantError('role transitions used before bind()');
    return this.boundParts;
  }

  private transition(to: EpochState): void {
    const parts = this.parts;
    const from = this.quorum.transition(to);
    if (from.kind === 'leader') parts.leader.abandonParkedFetches();
    parts.election.clearTally();
    parts.leader.clear();
    parts.announcements.clear();
    parts.follower.clear();
    this.onTransition?.(from, to);
  }

  /**
   * A node whose election timer is already running keeps it (as KRaft does): otherwise a candidate
   * that cannot win, bumping the epoch again and again, would keep every other timer from firing.
   */
  becomeUnattached(epoch: number, now: number, deadline?: number): void {
    const timerRunning: readonly StateKind[] = ['unattached', 'voted', 'prospective', 'candidate'];
    const keep = timerRunning.includes(this.quorum.current.kind) ? this.timer.deadline : this.timer.randomDeadline(now);
    this.transition({ kind: 'unattached', epoch, leaderId: NO_NODE, votedId: NO_NODE });
    this.timer.deadline = deadline ?? keep;
  }

  becomeVoted(epoch: number, candidateId: number, now: number): void {
    this.transition({ kind: 'voted', epoch, leaderId: NO_NODE, votedId: candidateId });
    this.timer.restart(now);
  }

  becomeFollower(epoch: number, leaderId: number, now: number): void {
    const current = this.quorum.current;
    const votedId = epoch === current.epoch ? current.votedId : NO_NODE;
    this.transition({ kind: 'follower', epoch, leaderId, votedId });
    this.parts.follower.start(now);
  }

  becomeProspective(now: number): void {
    const { epoch, votedId } = this.quorum.current;
    // The leader it may have followed is presumed gone: it no longer advertises it.
    this.transition({ kind: 'prospective', epoch, leaderId: NO_NODE, votedId });
    this.parts.election.startTally(now);
  }

  becomeCandidate(now: number): void {
    const id = this.quorum.localId;
    this.transition({ kind: 'candidate', epoch: this.quorum.epoch + 1, leaderId: NO_NODE, votedId: id });
    this.parts.election.startTally(now);
  }

  /** Appends the LeaderChange control record that opens the epoch, then announces it. */
  becomeLeader(now: number): void {
    const id = this.quorum.localId;
    this.transition({ kind: 'leader', epoch: this.quorum.epoch, leaderId: id, votedId: id });
    const epochStartOffset = this.log.endOffset();
    const payload = Buffer.from(JSON.stringify({ leaderId: id, voters: this.quorum.voters }));
    this.log.append([{ offset: epochStartOffset, epoch: this.quorum.epoch, payload, control: true }]);
    this.parts.leader.start(epochStartOffset, now);
    this.parts.announcements.startAsLeader();
  }

  /** Steps down in its epoch and sends EndQuorumEpoch naming its successors, best log first. */
  becomeResigned(now: number): void {
    const id = this.quorum.localId;
    const preferred = this.parts.leader.preferredSuccessors() ?? this.quorum.otherVoters();
    this.transition({ kind: 'resigned', epoch: this.quorum.epoch, leaderId: id, votedId: id });
    this.parts.announcements.startAsResigned(preferred);
    this.timer.restart(now);
  }

  startElection(now: number): void {
    if (!this.quorum.isVoter(this.quorum.localId)) {
      this.timer.restart(now);
      return;
    }
    if (this.preVote && this.quorum.current.kind !== 'prospective') this.becomeProspective(now);
    else this.becomeCandidate(now);
  }

  learnLeader(epoch: number, leaderId: number, now: number): void {
    const knownLeader = leaderId !== NO_NODE && leaderId !== this.quorum.localId && this.quorum.isVoter(leaderId);
    if (epoch > this.quorum.epoch) {
      if (knownLeader) this.becomeFollower(epoch, leaderId, now);
      else this.becomeUnattached(epoch, now);
      return;
    }
    const leaderless: readonly StateKind[] = ['unattached', 'voted', 'prospective', 'candidate'];
    if (epoch === this.quorum.epoch && knownLeader && leaderless.includes(this.quorum.current.kind)) {
      this.becomeFollower(epoch, leaderId, now);
    }
  }
}
