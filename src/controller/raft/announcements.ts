/**
 * BeginQuorumEpoch and EndQuorumEpoch, after KRaft, on both sides. A new leader announces its epoch
 * and a resigned one its end (naming its preferred successors), each resent after the request
 * timeout until every voter acknowledged it; the receivers follow the leader, or start their
 * election sooner the higher they stand in the successor list.
 * Leaves out: Vote (election.ts) and fetches, which also acknowledge a leader (leader-replication.ts).
 */
import type { Clock } from '../../common/clock.js';
import type { RaftConfig } from './config.js';
import type { ElectionTimer } from './election-timer.js';
import { ErrorCode } from './errors.js';
import type {
  BeginQuorumEpochRequest,
  BeginQuorumEpochResponse,
  EndQuorumEpochRequest,
  EndQuorumEpochResponse,
} from './messages.js';
import type { RaftMessenger } from './messenger.js';
import type { QuorumState } from './quorum-state.js';
import type { RoleChanges } from './transitions.js';
import { isInt32, NO_NODE } from './types.js';

/** What an announcement receiver changes on its follower side. */
export interface FollowerAnnouncementView {
  /** The leader answered or announced itself now. */
  heardFromLeader(now: number): void;
  /** `leaderId`, which this node follows, resigned: fetch timeout no later than `deadline`, pre-votes welcome. */
  leaderResigned(leaderId: number, deadline: number): void;
}

export interface AnnouncementDeps {
  readonly quorum: QuorumState;
  readonly messenger: RaftMessenger;
  readonly config: RaftConfig;
  readonly clock: Clock;
  readonly timer: ElectionTimer;
  readonly roles: RoleChanges;
  readonly follower: FollowerAnnouncementView;
}

interface Announcement {
  readonly pending: Set<number>;
  readonly lastSentMs: Map<number, number>;
}

export class Announcements {
  private announcement: Announcement | undefined;
  private preferredSuccessors: readonly number[] = [];

  constructor(private readonly deps: AnnouncementDeps) {}

  /** A new leader announces its epoch to every other voter. */
  startAsLeader(): void {
    this.announcement = { pending: new Set(this.deps.quorum.otherVoters()), lastSentMs: new Map() };
  }

  /** A resigned leader tells its preferred successors (best log first) that its epoch ended. */
  startAsResigned(preferredSuccessors: readonly number[]): void {
    this.announcement = { pending: new Set(preferredSuccessors), lastSentMs: new Map() };
    this.preferredSuccessors = preferredSuccessors;
  }

  clear(): void {
    this.announcement = undefined;
  }

  /** `voter` acknowledged the announcement (its answer, or a fetch in the leader's epoch). */
  acknowledged(voter: number): void {
    this.announcement?.pending.delete(voter);
  }

  /** Sends BeginQuorumEpoch (leader) or EndQuorumEpoch (resigned) to voters that have not acknowledged it. */
  send(now: number): number {
    const announcement = this.announcement;
    if (!announcement) return Number.POSITIVE_INFINITY;
    const { quorum, config, messenger } = this.deps;
    let next = Number.POSITIVE_INFINITY;
    for (const voter of announcement.pending) {
      const sent = announcement.lastSentMs.get(voter);
      if (sent !== undefined && now < sent + config.requestTimeoutMs) {
        next = Math.min(next, sent + config.requestTimeoutMs);
        continue;
      }
      if (quorum.current.kind === 'leader') {
        messenger.request(voter, {
          type: 'BeginQuorumEpoch',
          clusterId: quorum.clusterId,
          voterId: voter,
          ...quorum.leaderAndEpoch(),
        });
      } else {
        messenger.request(voter, {
          type: 'EndQuorumEpoch',
          clusterId: quorum.clusterId,
          preferredCandidates: this.preferredSuccessors.length > 0 ? this.preferredSuccessors : quorum.otherVoters(),
          leaderId: quorum.localId,
          leaderEpoch: quorum.epoch,
        });
      }
      announcement.lastSentMs.set(voter, now);
      next = Math.min(next, now + config.requestTimeoutMs);
    }
    return next;
  }

  /**
   * An answer to this node's BeginQuorumEpoch (`expected` = 'leader') or EndQuorumEpoch ('resigned').
   * Returns true when it acknowledges the announcement of the current epoch.
   */
  handleResponse(
    source: number,
    response: BeginQuorumEpochResponse | EndQuorumEpochResponse,
    expected: 'leader' | 'resigned',
  ): boolean {
    const { quorum } = this.deps;
    if (response.leaderEpoch > quorum.epoch) {
      this.deps.roles.learnLeader(response.leaderEpoch, response.leaderId, this.deps.clock.now());
      return false;
    }
    if (quorum.current.kind !== expected || response.errorCode !== ErrorCode.NONE) return false;
    if (response.partitionErrorCode !== ErrorCode.NONE || response.leaderEpoch !== quorum.epoch) return false;
    this.acknowledged(source);
    return true;
  }

  handleBeginQuorumEpochRequest(source: number, requestId: number, request: BeginQuorumEpochRequest): void {
    const { quorum } = this.deps;
    const now = this.deps.clock.now();
    const answer = (errorCode: number, partitionErrorCode: number): void => {
      const response: BeginQuorumEpochResponse = {
        type: 'BeginQuorumEpoch',
        errorCode,
        partitionErrorCode,
        ...quorum.leaderAndEpoch(),
      };
      this.deps.messenger.respond(source, requestId, response);
    };
    if (!quorum.clusterIdMatches(request.clusterId)) return answer(ErrorCode.INCONSISTENT_CLUSTER_ID, ErrorCode.NONE);
    if (!isInt32(request.leaderEpoch) || request.leaderEpoch < 0)
      return answer(ErrorCode.INVALID_REQUEST, ErrorCode.NONE);
    if (request.voterId !== NO_NODE && request.voterId !== quorum.localId)
      return answer(ErrorCode.NONE, ErrorCode.INVALID_VOTER_KEY);
    if (!quorum.isVoter(request.leaderId) || request.leaderId === quorum.localId)
      return answer(ErrorCode.NONE, ErrorCode.INCONSISTENT_VOTER_SET);
    if (request.leaderEpoch < quorum.epoch) return answer(ErrorCode.NONE, ErrorCode.FENCED_LEADER_EPOCH);
    const state = quorum.current;
    const alreadyFollowing = state.kind === 'follower' && state.leaderId === request.leaderId;
    if (
      request.leaderEpoch === state.epoch &&
      (state.leaderId === quorum.localId || (state.kind === 'follower' && !alreadyFollowing))
    ) {
      // Two leaders in one epoch cannot happen; refuse rather than follow.
      return answer(ErrorCode.NONE, ErrorCode.INVALID_REQUEST);
    }
    if (!alreadyFollowing || request.leaderEpoch > state.epoch)
      this.deps.roles.becomeFollower(request.leaderEpoch, request.leaderId, now);
    this.deps.follower.heardFromLeader(now);
    answer(ErrorCode.NONE, ErrorCode.NONE);
  }

  handleEndQuorumEpochRequest(source: number, requestId: number, request: EndQuorumEpochRequest): void {
    const { quorum } = this.deps;
    const now = this.deps.clock.now();
    const answer = (errorCode: number, partitionErrorCode: number): void => {
      const response: EndQuorumEpochResponse = {
        type: 'EndQuorumEpoch',
        errorCode,
        partitionErrorCode,
        ...quorum.leaderAndEpoch(),
      };
      this.deps.messenger.respond(source, requestId, response);
    };
    if (!quorum.clusterIdMatches(request.clusterId)) return answer(ErrorCode.INCONSISTENT_CLUSTER_ID, ErrorCode.NONE);
    if (
      !isInt32(request.leaderEpoch) ||
      request.leaderEpoch < 0 ||
      request.preferredCandidates.length > quorum.voters.length * 4 + 16
    ) {
      return answer(ErrorCode.INVALID_REQUEST, ErrorCode.NONE);
    }
    if (!quorum.isVoter(request.leaderId) || request.leaderId === quorum.localId)
      return answer(ErrorCode.NONE, ErrorCode.INCONSISTENT_VOTER_SET);
    if (request.leaderEpoch < quorum.epoch) return answer(ErrorCode.NONE, ErrorCode.FENCED_LEADER_EPOCH);
    const deadline = now + this.endQuorumBackoff(request.preferredCandidates);
    if (request.leaderEpoch > quorum.epoch) {
      this.deps.roles.becomeUnattached(request.leaderEpoch, now, deadline);
    } else {
      this.deps.follower.leaderResigned(request.leaderId, deadline);
    }
    answer(ErrorCode.NONE, ErrorCode.NONE);
  }

  /** The best-placed successor starts at once; the others wait longer the further down the list they are. */
  private endQuorumBackoff(preferred: readonly number[]): number {
    const { timer, config, quorum } = this.deps;
    const position = preferred.indexOf(quorum.localId);
    if (position < 0) return timer.randomBackoff();
    if (position === 0) return 0;
    return Math.min(config.electionBackoffMaxMs, 50 * 2 ** (position - 1)) + timer.jitter(50);
  }
}
