/**
 * Elections, after KRaft: Vote (with KIP-996 pre-vote) on both sides, the vote tally of a Prospective
 * or Candidate, and what its election timer does when it fires. A vote is granted only to a voter
 * whose log is at least as up to date, once per epoch, and the vote is persisted (by the transition)
 * before the answer leaves.
 * Leaves out: BeginQuorumEpoch/EndQuorumEpoch (announcements.ts), replication, the poll loop (raft-node.ts).
 */
import type { Clock } from '../../common/clock.js';
import type { RaftConfig } from './config.js';
import type { ElectionTimer } from './election-timer.js';
import { ErrorCode } from './errors.js';
import type { VoteRequest, VoteResponse } from './messages.js';
import type { RaftMessenger } from './messenger.js';
import type { QuorumState } from './quorum-state.js';
import type { RaftLog } from './raft-log.js';
import type { RoleChanges } from './transitions.js';
import { isInt32, NO_NODE } from './types.js';

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

/** What the election needs to know of a follower's leader. */
export interface FollowerLeaderView {
  /** Whether this node follows a leader it heard from less than `ms` ago. */
  heardFromLeaderWithin(now: number, ms: number): boolean;
  /** Moves a follower's fetch timeout to no earlier than `deadline`; false if it is no follower. */
  postponeFetchTimeout(deadline: number): boolean;
}

export interface ElectionDeps {
  readonly quorum: QuorumState;
  readonly log: RaftLog;
  readonly messenger: RaftMessenger;
  readonly config: RaftConfig;
  readonly clock: Clock;
  readonly timer: ElectionTimer;
  readonly roles: RoleChanges;
  readonly follower: FollowerLeaderView;
}

export class Election {
  private tally: VoteTally | undefined;

  constructor(private readonly deps: ElectionDeps) {}

  /** A new election round: only its own vote so far, and a fresh election timeout. */
  startTally(now: number): void {
    this.tally = {
      granted: new Set([this.deps.quorum.localId]),
      rejected: new Set(),
      unreachable: new Set(),
      lastSentMs: new Map(),
      requestIds: new Map(),
      backingOff: false,
    };
    this.deps.timer.restart(now);
  }

  clearTally(): void {
    this.tally = undefined;
  }

  handleVoteRequest(source: number, requestId: number, request: VoteRequest): void {
    const { quorum, clock, config, messenger } = this.deps;
    const now = clock.now();
    const answer = (errorCode: number, partitionErrorCode: number, voteGranted: boolean): void => {
      const response: VoteResponse = {
        type: 'Vote',
        errorCode,
        partitionErrorCode,
        voteGranted,
        ...quorum.leaderAndEpoch(),
      };
      messenger.respond(source, requestId, response);
    };
    if (!quorum.clusterIdMatches(request.clusterId))
      return answer(ErrorCode.INCONSISTENT_CLUSTER_ID, ErrorCode.NONE, false);
    if (
      !isInt32(request.candidateEpoch) ||
      request.candidateEpoch < 0 ||
      !isInt32(request.lastOffsetEpoch) ||
      request.lastOffsetEpoch < 0 ||
      !Number.isSafeInteger(request.lastOffset) ||
      request.lastOffset < 0
    ) {
      return answer(ErrorCode.INVALID_REQUEST, ErrorCode.NONE, false);
    }
    if (request.voterId !== NO_NODE && request.voterId !== quorum.localId)
      return answer(ErrorCode.NONE, ErrorCode.INVALID_VOTER_KEY, false);
    if (
      !quorum.isVoter(request.candidateId) ||
      !quorum.isVoter(quorum.localId) ||
      request.candidateId === quorum.localId
    ) {
      return answer(ErrorCode.NONE, ErrorCode.INCONSISTENT_VOTER_SET, false);
    }
    if (request.candidateEpoch < quorum.epoch) return answer(ErrorCode.NONE, ErrorCode.FENCED_LEADER_EPOCH, false);
    const upToDate = this.logIsUpToDate(request.lastOffsetEpoch, request.lastOffset);

    if (request.preVote) {
      // KIP-996: refuse while the leader was heard from within the fetch timeout.
      const liveLeader =
        quorum.current.kind === 'leader' ||
        (quorum.current.kind === 'follower' && this.deps.follower.heardFromLeaderWithin(now, config.fetchTimeoutMs));
      const grant = request.candidateEpoch > quorum.epoch && upToDate && !liveLeader;
      if (grant) this.giveWayTo(now);
      return answer(ErrorCode.NONE, ErrorCode.NONE, grant);
    }

    if (request.candidateEpoch > quorum.epoch) this.deps.roles.becomeUnattached(request.candidateEpoch, now);
    const { kind, votedId } = quorum.current;
    if (votedId === request.candidateId && (kind === 'voted' || kind === 'prospective' || kind === 'unattached')) {
      return answer(ErrorCode.NONE, ErrorCode.NONE, true);
    }
    if (votedId === NO_NODE && (kind === 'unattached' || kind === 'prospective') && upToDate) {
      this.deps.roles.becomeVoted(quorum.epoch, request.candidateId, now); // persisted before the answer
      return answer(ErrorCode.NONE, ErrorCode.NONE, true);
    }
    return answer(ErrorCode.NONE, ErrorCode.NONE, false);
  }

  handleVoteResponse(source: number, requestId: number, response: VoteResponse): void {
    const { quorum } = this.deps;
    const now = this.deps.clock.now();
    const tally = this.tally;
    if (!tally || tally.requestIds.get(source) !== requestId) return; // stale, duplicated or unsolicited
    tally.requestIds.delete(source);
    if (response.errorCode !== ErrorCode.NONE) return; // resent after the request timeout
    const kind = quorum.current.kind;
    // A voter that grants a pre-vote has lost its leader too, even if it still names it: only a
    // refusal naming a leader of this epoch sends a Prospective back to following it.
    const grantedPreVote = kind === 'prospective' && response.voteGranted && response.leaderEpoch === quorum.epoch;
    if (
      response.leaderEpoch > quorum.epoch ||
      (response.leaderEpoch === quorum.epoch && response.leaderId !== NO_NODE && !grantedPreVote)
    ) {
      this.deps.roles.learnLeader(response.leaderEpoch, response.leaderId, now);
      if (quorum.current.kind !== kind || this.tally !== tally) return;
    }
    if (response.partitionErrorCode !== ErrorCode.NONE) return;
    if (response.voteGranted) {
      if (kind === 'candidate' && response.leaderEpoch !== quorum.epoch) return;
      tally.granted.add(source);
      tally.rejected.delete(source);
    } else {
      tally.rejected.add(source);
      this.maybeLoseElection(now);
    }
    this.maybeWinElection(now);
  }

  /**
   * The connection to `peer` was refused or closed: a Prospective or Candidate counts it out of this
   * election. Returns false when no election is running.
   */
  countUnreachable(peer: number, now: number): boolean {
    const kind = this.deps.quorum.current.kind;
    if (!this.tally || (kind !== 'prospective' && kind !== 'candidate')) return false;
    this.tally.unreachable.add(peer);
    this.maybeLoseElection(now);
    return true;
  }

  /**
   * Timed work of a Prospective or Candidate: when its timeout ends it backs off once, then runs again;
   * it wins with a majority; it (re)sends vote requests. Returns the next deadline.
   */
  poll(now: number): number {
    const { timer, quorum } = this.deps;
    const tally = this.tally;
    if (timer.expired(now)) {
      if (tally && !tally.backingOff) {
        tally.backingOff = true;
        timer.deadline = now + timer.randomBackoff();
      } else {
        if (this.deps.config.preVote) this.deps.roles.becomeProspective(now);
        else this.deps.roles.becomeCandidate(now);
        return now;
      }
    }
    this.maybeWinElection(now);
    if (quorum.current.kind !== 'prospective' && quorum.current.kind !== 'candidate') return now;
    const resend = tally && !tally.backingOff ? this.sendVoteRequests(now) : Number.POSITIVE_INFINITY;
    return Math.min(timer.deadline, resend);
  }

  /** Unattached, Voted and Resigned: starts an election when the timer fires; returns false until then. */
  startElectionIfDue(now: number): boolean {
    if (!this.deps.timer.expired(now)) return false;
    this.deps.roles.startElection(now);
    return true;
  }

  private logIsUpToDate(lastOffsetEpoch: number, lastOffset: number): boolean {
    const mine = this.deps.log.lastFetched();
    return lastOffsetEpoch > mine.epoch || (lastOffsetEpoch === mine.epoch && lastOffset >= mine.offset);
  }

  /**
   * Backs off at once when a majority can no longer be reached: too many voters refused, or refused
   * plus unreachable ones (two candidates that split the survivors' votes retry after a random
   * backoff instead of waiting out their election timeouts).
   */
  private maybeLoseElection(now: number): void {
    const tally = this.tally;
    if (!tally || tally.backingOff) return;
    const { quorum, timer } = this.deps;
    let out = tally.rejected.size;
    for (const voter of tally.unreachable) if (!tally.rejected.has(voter) && !tally.granted.has(voter)) out++;
    if (tally.rejected.size >= quorum.majority() || quorum.voters.length - out < quorum.majority()) {
      tally.backingOff = true;
      timer.shortenTo(now + timer.randomBackoff());
    }
  }

  /** Prospective with a majority of pre-votes becomes Candidate; Candidate with a majority becomes Leader. */
  private maybeWinElection(now: number): void {
    const tally = this.tally;
    const { quorum, roles } = this.deps;
    if (!tally || tally.granted.size < quorum.majority()) return;
    if (quorum.current.kind === 'prospective') roles.becomeCandidate(now);
    else if (quorum.current.kind === 'candidate') roles.becomeLeader(now);
    if (quorum.current.kind === 'candidate') this.maybeWinElection(now); // a one-voter quorum
  }

  /** Sends (or resends after the request timeout) vote requests to voters that have not answered. */
  private sendVoteRequests(now: number): number {
    const tally = this.tally;
    if (!tally) return Number.POSITIVE_INFINITY;
    const { quorum, config } = this.deps;
    const last = this.deps.log.lastFetched();
    const preVote = quorum.current.kind === 'prospective';
    let next = Number.POSITIVE_INFINITY;
    for (const voter of quorum.otherVoters()) {
      if (tally.granted.has(voter) || tally.rejected.has(voter)) continue;
      const sent = tally.lastSentMs.get(voter);
      if (sent === undefined || now >= sent + config.requestTimeoutMs) {
        const request: VoteRequest = {
          type: 'Vote',
          clusterId: quorum.clusterId,
          voterId: voter,
          candidateEpoch: quorum.epoch + (preVote ? 1 : 0),
          candidateId: quorum.localId,
          lastOffsetEpoch: last.epoch,
          lastOffset: last.offset,
          preVote,
        };
        tally.requestIds.set(voter, this.deps.messenger.request(voter, request));
        tally.lastSentMs.set(voter, now);
        next = Math.min(next, now + config.requestTimeoutMs);
      } else {
        next = Math.min(next, sent + config.requestTimeoutMs);
      }
    }
    return next;
  }

  /**
   * After granting a pre-vote, a node that has not started an election of its own waits a fresh
   * election timeout before it does (as a real vote resets the timer), so that two followers that lost
   * the same leader do not both become candidates and split the vote.
   */
  private giveWayTo(now: number): void {
    const { timer, quorum } = this.deps;
    const later = timer.randomDeadline(now);
    if (quorum.current.kind === 'follower') {
      this.deps.follower.postponeFetchTimeout(later);
    } else if (quorum.current.kind === 'unattached' || quorum.current.kind === 'voted') {
      timer.extendTo(later);
    }
  }
}
