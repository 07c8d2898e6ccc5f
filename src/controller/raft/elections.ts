/**
 * Elections, after KRaft: Vote (with KIP-996 pre-vote), BeginQuorumEpoch and EndQuorumEpoch, on both
 * sides, plus the election timers. A vote is granted only to a voter whose log is at least as
 * up to date, once per epoch, and the vote is persisted before the answer leaves.
 * Leaves out: replication (replication.ts) and dispatch/poll (raft-node.ts).
 */
import { ErrorCode } from './errors.js';
import type {
  BeginQuorumEpochRequest,
  BeginQuorumEpochResponse,
  EndQuorumEpochRequest,
  EndQuorumEpochResponse,
  VoteRequest,
  VoteResponse,
} from './messages.js';
import { RaftNodeCore } from './node-core.js';
import { NO_NODE } from './types.js';

function isInt32(n: number): boolean {
  return Number.isInteger(n) && n >= -0x80000000 && n <= 0x7fffffff;
}

export abstract class RaftElections extends RaftNodeCore {
  // ---- Vote ----

  protected handleVoteRequest(source: number, requestId: number, request: VoteRequest): void {
    const now = this.clock.now();
    const answer = (errorCode: number, partitionErrorCode: number, voteGranted: boolean): void => {
      const response: VoteResponse = {
        type: 'Vote',
        errorCode,
        partitionErrorCode,
        voteGranted,
        ...this.leaderAndEpoch(),
      };
      this.sendResponse(source, requestId, response);
    };
    if (!this.clusterIdMatches(request.clusterId))
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
    if (request.voterId !== NO_NODE && request.voterId !== this.id)
      return answer(ErrorCode.NONE, ErrorCode.INVALID_VOTER_KEY, false);
    if (!this.isVoter(request.candidateId) || !this.isVoter(this.id) || request.candidateId === this.id) {
      return answer(ErrorCode.NONE, ErrorCode.INCONSISTENT_VOTER_SET, false);
    }
    if (request.candidateEpoch < this.state.epoch) return answer(ErrorCode.NONE, ErrorCode.FENCED_LEADER_EPOCH, false);
    const upToDate = this.logIsUpToDate(request.lastOffsetEpoch, request.lastOffset);

    if (request.preVote) {
      // KIP-996: refuse while the leader was heard from within the fetch timeout.
      const heard = this.follower?.lastLeaderContactMs ?? Number.NEGATIVE_INFINITY;
      const liveLeader =
        this.state.kind === 'leader' || (this.state.kind === 'follower' && now - heard < this.config.fetchTimeoutMs);
      const grant = request.candidateEpoch > this.state.epoch && upToDate && !liveLeader;
      if (grant) this.giveWayTo(now);
      return answer(ErrorCode.NONE, ErrorCode.NONE, grant);
    }

    if (request.candidateEpoch > this.state.epoch) this.becomeUnattached(request.candidateEpoch, now);
    const { kind, votedId } = this.state;
    if (votedId === request.candidateId && (kind === 'voted' || kind === 'prospective' || kind === 'unattached')) {
      return answer(ErrorCode.NONE, ErrorCode.NONE, true);
    }
    if (votedId === NO_NODE && (kind === 'unattached' || kind === 'prospective') && upToDate) {
      this.becomeVoted(this.state.epoch, request.candidateId, now); // persisted before the answer
      return answer(ErrorCode.NONE, ErrorCode.NONE, true);
    }
    return answer(ErrorCode.NONE, ErrorCode.NONE, false);
  }

  protected handleVoteResponse(source: number, requestId: number, response: VoteResponse): void {
    const now = this.clock.now();
    const tally = this.votes;
    if (!tally || tally.requestIds.get(source) !== requestId) return; // stale, duplicated or unsolicited
    tally.requestIds.delete(source);
    if (response.errorCode !== ErrorCode.NONE) return; // resent after the request timeout
    const kind = this.state.kind;
    // A voter that grants a pre-vote has lost its leader too, even if it still names it: only a
    // refusal naming a leader of this epoch sends a Prospective back to following it.
    const grantedPreVote = kind === 'prospective' && response.voteGranted && response.leaderEpoch === this.state.epoch;
    if (
      response.leaderEpoch > this.state.epoch ||
      (response.leaderEpoch === this.state.epoch && response.leaderId !== NO_NODE && !grantedPreVote)
    ) {
      this.learnLeader(response.leaderEpoch, response.leaderId, now);
      if (this.state.kind !== kind || this.votes !== tally) return;
    }
    if (response.partitionErrorCode !== ErrorCode.NONE) return;
    if (response.voteGranted) {
      if (kind === 'candidate' && response.leaderEpoch !== this.state.epoch) return;
      tally.granted.add(source);
      tally.rejected.delete(source);
    } else {
      tally.rejected.add(source);
      this.maybeLoseElection(now);
    }
    this.maybeWinElection(now);
  }

  /**
   * Backs off at once when a majority can no longer be reached: too many voters refused, or refused
   * plus unreachable ones (two candidates that split the survivors' votes retry after a random
   * backoff instead of waiting out their election timeouts).
   */
  private maybeLoseElection(now: number): void {
    const tally = this.votes;
    if (!tally || tally.backingOff) return;
    let out = tally.rejected.size;
    for (const voter of tally.unreachable) if (!tally.rejected.has(voter) && !tally.granted.has(voter)) out++;
    if (tally.rejected.size >= this.quorum() || this.voters.length - out < this.quorum()) {
      tally.backingOff = true;
      this.electionDeadline = Math.min(this.electionDeadline, now + this.randomBackoff());
    }
  }

  /** Prospective with a majority of pre-votes becomes Candidate; Candidate with a majority becomes Leader. */
  protected maybeWinElection(now: number): void {
    const tally = this.votes;
    if (!tally || tally.granted.size < this.quorum()) return;
    if (this.state.kind === 'prospective') this.becomeCandidate(now);
    else if (this.state.kind === 'candidate') this.becomeLeader(now);
    if (this.state.kind === 'candidate') this.maybeWinElection(now); // a one-voter quorum
  }

  /** Sends (or resends after the request timeout) vote requests to voters that have not answered. */
  protected sendVoteRequests(now: number): number {
    const tally = this.votes;
    if (!tally) return Number.POSITIVE_INFINITY;
    const last = this.log.lastFetched();
    const preVote = this.state.kind === 'prospective';
    let next = Number.POSITIVE_INFINITY;
    for (const voter of this.otherVoters()) {
      if (tally.granted.has(voter) || tally.rejected.has(voter)) continue;
      const sent = tally.lastSentMs.get(voter);
      if (sent === undefined || now >= sent + this.config.requestTimeoutMs) {
        const request: VoteRequest = {
          type: 'Vote',
          clusterId: this.clusterId,
          voterId: voter,
          candidateEpoch: this.state.epoch + (preVote ? 1 : 0),
          candidateId: this.id,
          lastOffsetEpoch: last.epoch,
          lastOffset: last.offset,
          preVote,
        };
        tally.requestIds.set(voter, this.sendRequest(voter, request));
        tally.lastSentMs.set(voter, now);
        next = Math.min(next, now + this.config.requestTimeoutMs);
      } else {
        next = Math.min(next, sent + this.config.requestTimeoutMs);
      }
    }
    return next;
  }

  // ---- BeginQuorumEpoch ----

  protected handleBeginQuorumEpochRequest(source: number, requestId: number, request: BeginQuorumEpochRequest): void {
    const now = this.clock.now();
    const answer = (errorCode: number, partitionErrorCode: number): void => {
      const response: BeginQuorumEpochResponse = {
        type: 'BeginQuorumEpoch',
        errorCode,
        partitionErrorCode,
        ...this.leaderAndEpoch(),
      };
      this.sendResponse(source, requestId, response);
    };
    if (!this.clusterIdMatches(request.clusterId)) return answer(ErrorCode.INCONSISTENT_CLUSTER_ID, ErrorCode.NONE);
    if (!isInt32(request.leaderEpoch) || request.leaderEpoch < 0)
      return answer(ErrorCode.INVALID_REQUEST, ErrorCode.NONE);
    if (request.voterId !== NO_NODE && request.voterId !== this.id)
      return answer(ErrorCode.NONE, ErrorCode.INVALID_VOTER_KEY);
    if (!this.isVoter(request.leaderId) || request.leaderId === this.id)
      return answer(ErrorCode.NONE, ErrorCode.INCONSISTENT_VOTER_SET);
    if (request.leaderEpoch < this.state.epoch) return answer(ErrorCode.NONE, ErrorCode.FENCED_LEADER_EPOCH);
    const alreadyFollowing = this.state.kind === 'follower' && this.state.leaderId === request.leaderId;
    if (
      request.leaderEpoch === this.state.epoch &&
      (this.state.leaderId === this.id || (this.state.kind === 'follower' && !alreadyFollowing))
    ) {
      // Two leaders in one epoch cannot happen; refuse rather than follow.
      return answer(ErrorCode.NONE, ErrorCode.INVALID_REQUEST);
    }
    if (!alreadyFollowing || request.leaderEpoch > this.state.epoch)
      this.becomeFollower(request.leaderEpoch, request.leaderId, now);
    if (this.follower) this.follower.lastLeaderContactMs = now;
    answer(ErrorCode.NONE, ErrorCode.NONE);
  }

  protected handleAnnouncementResponse(
    source: number,
    response: BeginQuorumEpochResponse | EndQuorumEpochResponse,
    expected: 'leader' | 'resigned',
  ): void {
    const now = this.clock.now();
    if (response.leaderEpoch > this.state.epoch) {
      this.learnLeader(response.leaderEpoch, response.leaderId, now);
      return;
    }
    if (this.state.kind !== expected || response.errorCode !== ErrorCode.NONE) return;
    if (response.partitionErrorCode !== ErrorCode.NONE || response.leaderEpoch !== this.state.epoch) return;
    this.announcement?.pending.delete(source);
    if (expected === 'leader') this.leader?.recordContact(source, now);
  }

  /** Sends BeginQuorumEpoch (leader) or EndQuorumEpoch (resigned) to voters that have not acknowledged it. */
  protected sendAnnouncements(now: number): number {
    const announcement = this.announcement;
    if (!announcement) return Number.POSITIVE_INFINITY;
    let next = Number.POSITIVE_INFINITY;
    for (const voter of announcement.pending) {
      const sent = announcement.lastSentMs.get(voter);
      if (sent !== undefined && now < sent + this.config.requestTimeoutMs) {
        next = Math.min(next, sent + this.config.requestTimeoutMs);
        continue;
      }
      if (this.state.kind === 'leader') {
        this.sendRequest(voter, {
          type: 'BeginQuorumEpoch',
          clusterId: this.clusterId,
          voterId: voter,
          ...this.leaderAndEpoch(),
        });
      } else {
        this.sendRequest(voter, {
          type: 'EndQuorumEpoch',
          clusterId: this.clusterId,
          preferredCandidates: this.preferredSuccessors.length > 0 ? this.preferredSuccessors : this.otherVoters(),
          leaderId: this.id,
          leaderEpoch: this.state.epoch,
        });
      }
      announcement.lastSentMs.set(voter, now);
      next = Math.min(next, now + this.config.requestTimeoutMs);
    }
    return next;
  }

  // ---- EndQuorumEpoch ----

  protected handleEndQuorumEpochRequest(source: number, requestId: number, request: EndQuorumEpochRequest): void {
    const now = this.clock.now();
    const answer = (errorCode: number, partitionErrorCode: number): void => {
      const response: EndQuorumEpochResponse = {
        type: 'EndQuorumEpoch',
        errorCode,
        partitionErrorCode,
        ...this.leaderAndEpoch(),
      };
      this.sendResponse(source, requestId, response);
    };
    if (!this.clusterIdMatches(request.clusterId)) return answer(ErrorCode.INCONSISTENT_CLUSTER_ID, ErrorCode.NONE);
    if (
      !isInt32(request.leaderEpoch) ||
      request.leaderEpoch < 0 ||
      request.preferredCandidates.length > this.voters.length * 4 + 16
    ) {
      return answer(ErrorCode.INVALID_REQUEST, ErrorCode.NONE);
    }
    if (!this.isVoter(request.leaderId) || request.leaderId === this.id)
      return answer(ErrorCode.NONE, ErrorCode.INCONSISTENT_VOTER_SET);
    if (request.leaderEpoch < this.state.epoch) return answer(ErrorCode.NONE, ErrorCode.FENCED_LEADER_EPOCH);
    const deadline = now + this.endQuorumBackoff(request.preferredCandidates);
    if (request.leaderEpoch > this.state.epoch) {
      this.becomeUnattached(request.leaderEpoch, now, deadline);
    } else if (this.state.kind === 'follower' && this.state.leaderId === request.leaderId && this.follower) {
      this.follower.fetchDeadline = Math.min(this.follower.fetchDeadline, deadline);
      this.follower.lastLeaderContactMs = Number.NEGATIVE_INFINITY; // its leader is gone: pre-votes are welcome
    }
    answer(ErrorCode.NONE, ErrorCode.NONE);
  }

  /** The best-placed successor starts at once; the others wait longer the further down the list they are. */
  private endQuorumBackoff(preferred: readonly number[]): number {
    const position = preferred.indexOf(this.id);
    if (position < 0) return this.randomBackoff();
    if (position === 0) return 0;
    return Math.min(this.config.electionBackoffMaxMs, 50 * 2 ** (position - 1)) + Math.floor(this.random.next() * 50);
  }

  /**
   * The transport saw the connection to `peer` refused, reset or closed. A follower of that peer stops
   * counting on its leader: its fetch timeout ends now, give or take a few ms of jitter (then it starts a
   * pre-vote election), and it grants other voters' pre-votes. A Prospective or Candidate counts the
   * peer out of this election and backs off as soon as a majority is out of reach. This is safe only with pre-vote (KIP-996): a voter that still hears
   * from the leader refuses, and the leader itself refuses, so no epoch is raised needlessly and the
   * disrupted node goes back to following when an answer names the leader. Without pre-vote it does
   * nothing: the fetch timeout decides.
   */
  peerUnreachable(peer: number): void {
    if (!this.config.preVote || !this.isVoter(peer)) return;
    const now = this.clock.now();
    if (this.votes && (this.state.kind === 'prospective' || this.state.kind === 'candidate')) {
      this.votes.unreachable.add(peer);
      this.maybeLoseElection(now);
      return;
    }
    const follower = this.follower;
    if (this.state.kind !== 'follower' || this.state.leaderId !== peer || !follower) return;
    follower.lastLeaderContactMs = Number.NEGATIVE_INFINITY;
    // Followers that lost the same leader at the same instant take turns (by id, 100 ms apart, plus a
    // little jitter) so that they rarely both become candidates and split the vote.
    const rank = this.voters.filter((v) => v !== peer && v < this.id).length;
    const jitter = Math.min(this.config.electionBackoffMaxMs, rank * 100 + Math.floor(this.random.next() * 50));
    follower.fetchDeadline = Math.min(follower.fetchDeadline, now + jitter);
  }

  /**
   * After granting a pre-vote, a node that has not started an election of its own waits a fresh
   * election timeout before it does (as a real vote resets the timer), so that two followers that lost
   * the same leader do not both become candidates and split the vote.
   */
  private giveWayTo(now: number): void {
    const later = this.randomElectionDeadline(now);
    if (this.follower && this.state.kind === 'follower') {
      this.follower.fetchDeadline = Math.max(this.follower.fetchDeadline, later);
    } else if (this.state.kind === 'unattached' || this.state.kind === 'voted') {
      this.electionDeadline = Math.max(this.electionDeadline, later);
    }
  }

  /** Leader steps down on purpose (shutdown, check-quorum): Resigned, then EndQuorumEpoch to the voters. */
  resign(): void {
    if (this.state.kind !== 'leader') return;
    this.becomeResigned(this.clock.now());
  }
}
