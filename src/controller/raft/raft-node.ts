/**
 * A KRaft-style Raft node: a pure state machine driven from outside. Feed it requests and responses
 * (handleRequest / handleResponse), then call poll(now), which does the timed work (elections,
 * fetches, flushing the leader's log, check-quorum, parked fetches) and returns the next deadline.
 * Outbound messages go to the injected Outbox. The leader proposes with propose(); entries are
 * committed once the high watermark passes them and are then applied to the state machine.
 * Leaves out: the wire (an adapter maps messages.ts to Kafka's codecs), voter changes (KIP-853),
 * observers beyond answering their fetches.
 */
import { ErrorCode, NotLeaderError } from './errors.js';
import type { RaftRequest, RaftResponse } from './messages.js';
import { RaftReplication } from './replication.js';
import type { SnapshotId } from './types.js';

export interface QuorumReplicaState {
  readonly replicaId: number;
  readonly logEndOffset: number;
  readonly lastFetchTimestamp: number;
  readonly lastCaughtUpTimestamp: number;
}

/** DescribeQuorum (55) answer for the metadata partition. */
export interface QuorumDescription {
  readonly errorCode: number;
  readonly leaderId: number;
  readonly leaderEpoch: number;
  readonly highWatermark: number;
  readonly currentVoters: readonly QuorumReplicaState[];
  readonly observers: readonly QuorumReplicaState[];
}

export interface ProposeResult {
  readonly epoch: number;
  readonly firstOffset: number;
  readonly lastOffset: number;
}

export class RaftNode extends RaftReplication {
  /** Handles one inbound request; its answer goes to the outbox (a parked fetch answers later). */
  handleRequest(source: number, requestId: number, request: RaftRequest): void {
    switch (request.type) {
      case 'Vote':
        return this.handleVoteRequest(source, requestId, request);
      case 'BeginQuorumEpoch':
        return this.handleBeginQuorumEpochRequest(source, requestId, request);
      case 'EndQuorumEpoch':
        return this.handleEndQuorumEpochRequest(source, requestId, request);
      case 'Fetch':
        return this.handleFetchRequest(source, requestId, request);
      case 'FetchSnapshot':
        return this.handleFetchSnapshotRequest(source, requestId, request);
    }
  }

  /** Handles the response to a request this node sent (matched by requestId; stale ones are ignored). */
  handleResponse(source: number, requestId: number, response: RaftResponse): void {
    switch (response.type) {
      case 'Vote':
        return this.handleVoteResponse(source, requestId, response);
      case 'BeginQuorumEpoch':
        return this.handleAnnouncementResponse(source, response, 'leader');
      case 'EndQuorumEpoch':
        return this.handleAnnouncementResponse(source, response, 'resigned');
      case 'Fetch':
        return this.handleFetchResponse(source, requestId, response);
      case 'FetchSnapshot':
        return this.handleFetchSnapshotResponse(source, requestId, response);
    }
  }

  /** Does the work that is due and returns the time of the next deadline. Call after every handle*(). */
  poll(now: number = this.clock.now()): number {
    for (let round = 0; ; round++) {
      const before = this.state;
      const deadline = this.pollOnce(now);
      if (this.state === before || round >= 8) return deadline;
    }
  }

  private pollOnce(now: number): number {
    switch (this.state.kind) {
      case 'leader':
        return this.pollLeader(now);
      case 'follower': {
        const follower = this.follower;
        if (follower && now >= follower.fetchDeadline && !this.isVoter(this.id)) {
          // An observer never stands: it keeps fetching (its driver looks for a newer leader).
          follower.fetchDeadline = now + this.config.fetchTimeoutMs;
        }
        if (!follower || now >= follower.fetchDeadline) {
          this.startElection(now);
          return now;
        }
        return Math.min(follower.fetchDeadline, this.followerPoll(now));
      }
      case 'prospective':
      case 'candidate': {
        const tally = this.votes;
        if (now >= this.electionDeadline) {
          if (tally && !tally.backingOff) {
            tally.backingOff = true;
            this.electionDeadline = now + this.randomBackoff();
          } else {
            this.retryElection(now);
            return now;
          }
        }
        this.maybeWinElection(now);
        if (this.state.kind !== 'prospective' && this.state.kind !== 'candidate') return now;
        const resend = tally && !tally.backingOff ? this.sendVoteRequests(now) : Number.POSITIVE_INFINITY;
        return Math.min(this.electionDeadline, resend);
      }
      case 'resigned': {
        if (now >= this.electionDeadline) {
          this.startElection(now);
          return now;
        }
        return Math.min(this.electionDeadline, this.sendAnnouncements(now));
      }
      case 'unattached':
      case 'voted':
        if (now >= this.electionDeadline) {
          this.startElection(now);
          return now;
        }
        return this.electionDeadline;
    }
  }

  private retryElection(now: number): void {
    if (this.config.preVote) this.becomeProspective(now);
    else this.becomeCandidate(now);
  }

  private pollLeader(now: number): number {
    const leader = this.leader;
    if (!leader) return now;
    let lingerDeadline = Number.POSITIVE_INFINITY;
    if (this.log.flushedOffset() < this.log.endOffset()) {
      // Proposals wait out the linger, so that one fsync covers them all; the leader's own
      // LeaderChange entry (appended without a proposal) is flushed at once.
      lingerDeadline = this.unflushedSinceMs === undefined ? now : this.unflushedSinceMs + this.config.appendLingerMs;
      if (now >= lingerDeadline) {
        this.log.flush();
        this.unflushedSinceMs = undefined;
        lingerDeadline = Number.POSITIVE_INFINITY;
        this.maybeAdvanceLeaderHighWatermark();
      }
    }
    const checkQuorumDeadline = leader.checkQuorumDeadline(this.config.fetchTimeoutMs * this.config.checkQuorumFactor);
    if (now >= checkQuorumDeadline) {
      this.becomeResigned(now);
      return now;
    }
    const parked = this.completeParkedFetches(now);
    return Math.min(checkQuorumDeadline, parked, lingerDeadline, this.sendAnnouncements(now));
  }

  /** When the oldest entry not yet flushed by the leader was appended (undefined: all flushed). */
  private unflushedSinceMs: number | undefined;

  /**
   * Appends entries as leader. They are flushed by the first poll() at least appendLingerMs after the
   * oldest unflushed proposal, and committed once a majority holds them; throws NotLeaderError elsewhere.
   */
  propose(payloads: readonly Buffer[]): ProposeResult {
    if (this.state.kind !== 'leader') throw new NotLeaderError(this.state.leaderId, this.state.epoch);
    const epoch = this.state.epoch;
    const firstOffset = this.log.endOffset();
    this.log.append(payloads.map((payload, i) => ({ offset: firstOffset + i, epoch, payload, control: false })));
    this.unflushedSinceMs ??= this.clock.now();
    return { epoch, firstOffset, lastOffset: firstOffset + payloads.length - 1 };
  }

  /**
   * Snapshots the state machine at the applied offset (KIP-630) and lets the log drop the prefix it
   * covers. Returns the snapshot id, or undefined when there is nothing new to cover.
   */
  takeSnapshot(): SnapshotId | undefined {
    const endOffset = this.applied;
    if (endOffset <= this.log.startOffset()) return undefined;
    const epoch = this.log.epochOf(endOffset - 1);
    if (epoch === undefined) return undefined;
    if (this.log.flushedOffset() < endOffset) this.log.flush();
    const id: SnapshotId = { endOffset, epoch };
    this.log.createSnapshot(id, this.stateMachine.snapshot());
    return id;
  }

  /** DescribeQuorum, answered by the leader; other nodes answer NOT_LEADER_OR_FOLLOWER. */
  describeQuorum(): QuorumDescription {
    const { leaderId, leaderEpoch } = this.leaderAndEpoch();
    const leader = this.leader;
    if (this.state.kind !== 'leader' || !leader) {
      return {
        errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER,
        leaderId,
        leaderEpoch,
        highWatermark: this.hw,
        currentVoters: [],
        observers: [],
      };
    }
    const now = this.clock.now();
    const voters: QuorumReplicaState[] = this.voters.map((replicaId) => {
      if (replicaId === this.id) {
        return { replicaId, logEndOffset: this.log.endOffset(), lastFetchTimestamp: now, lastCaughtUpTimestamp: now };
      }
      const r = leader.replicas.get(replicaId);
      return {
        replicaId,
        logEndOffset: r ? r.endOffset : -1,
        lastFetchTimestamp: r ? r.lastFetchMs : -1,
        lastCaughtUpTimestamp: r ? r.lastCaughtUpMs : -1,
      };
    });
    return {
      errorCode: ErrorCode.NONE,
      leaderId,
      leaderEpoch,
      highWatermark: this.hw,
      currentVoters: voters,
      observers: [],
    };
  }

  /** End offset of the local log (for tests and metrics). */
  logEndOffset(): number {
    return this.log.endOffset();
  }
}
