/**
 * The follower side of pull replication, after KRaft: one Fetch (fetchOffset, lastFetchedEpoch) or
 * FetchSnapshot in flight to the leader at a time; entries are appended and flushed before the next
 * fetch reports them, a diverging answer truncates the log (never below the high watermark), a
 * snapshot answer starts a chunked download. Also the fetch timeout that ends following, and what
 * the election and announcements learn or change about the leader's liveness.
 * Leaves out: the leader side (leader-replication.ts) and elections (election.ts).
 */
import type { Clock } from '../../common/clock.js';
import type { CommitState } from './commit-state.js';
import type { RaftConfig } from './config.js';
import type { FollowerLeaderView } from './election.js';
import type { ElectionTimer } from './election-timer.js';
import type { FollowerAnnouncementView } from './announcements.js';
import { ErrorCode, RaftInvariantError } from './errors.js';
import { truncationOffset } from './fetch-position.js';
import type { FetchRequest, FetchResponse, FetchSnapshotRequest, FetchSnapshotResponse } from './messages.js';
import type { RaftMessenger } from './messenger.js';
import type { QuorumState } from './quorum-state.js';
import type { RaftLog } from './raft-log.js';
import { SnapshotDownload, type Snapshots } from './snapshots.js';
import type { RoleChanges } from './transitions.js';

/** Bookkeeping of a Follower in its epoch. */
interface FollowerProgress {
  fetchDeadline: number;
  inflight: { readonly requestId: number; readonly sentMs: number } | undefined;
  download: SnapshotDownload | undefined;
  /** Do not fetch before this time (after an error answer). */
  retryAtMs: number;
  /** Last time the leader answered a fetch or announced itself; -Infinity if never in this state. */
  lastLeaderContactMs: number;
}

export interface FollowerDeps {
  readonly quorum: QuorumState;
  readonly log: RaftLog;
  readonly commit: CommitState;
  readonly snapshots: Snapshots;
  readonly messenger: RaftMessenger;
  readonly config: RaftConfig;
  readonly clock: Clock;
  readonly timer: ElectionTimer;
  readonly roles: RoleChanges;
}

export class FollowerReplication implements FollowerLeaderView, FollowerAnnouncementView {
  private progress: FollowerProgress | undefined;

  constructor(private readonly deps: FollowerDeps) {}

  start(now: number): void {
    this.progress = {
      fetchDeadline: now + this.deps.config.fetchTimeoutMs,
      inflight: undefined,
      download: undefined,
      retryAtMs: now,
      lastLeaderContactMs: Number.NEGATIVE_INFINITY,
    };
  }

  clear(): void {
    this.progress = undefined;
  }

  heardFromLeaderWithin(now: number, ms: number): boolean {
    const heard = this.progress?.lastLeaderContactMs ?? Number.NEGATIVE_INFINITY;
    return this.deps.quorum.current.kind === 'follower' && now - heard < ms;
  }

  heardFromLeader(now: number): void {
    if (this.progress) this.progress.lastLeaderContactMs = now;
  }

  postponeFetchTimeout(deadline: number): boolean {
    if (!this.progress || this.deps.quorum.current.kind !== 'follower') return false;
    this.progress.fetchDeadline = Math.max(this.progress.fetchDeadline, deadline);
    return true;
  }

  leaderResigned(leaderId: number, deadline: number): void {
    const state = this.deps.quorum.current;
    if (state.kind !== 'follower' || state.leaderId !== leaderId || !this.progress) return;
    this.progress.fetchDeadline = Math.min(this.progress.fetchDeadline, deadline);
    this.progress.lastLeaderContactMs = Number.NEGATIVE_INFINITY; // its leader is gone: pre-votes are welcome
  }

  /**
   * The connection to `peer` was refused or closed. If it is this follower's leader, the fetch timeout
   * ends now, give or take a few ms, and pre-votes are granted. Followers that lost the same leader at
   * the same instant take turns (by id, 100 ms apart, plus a little jitter) so that they rarely both
   * become candidates and split the vote.
   */
  leaderUnreachable(peer: number, now: number): void {
    const { quorum, config, timer } = this.deps;
    const progress = this.progress;
    if (quorum.current.kind !== 'follower' || quorum.current.leaderId !== peer || !progress) return;
    progress.lastLeaderContactMs = Number.NEGATIVE_INFINITY;
    const rank = quorum.voters.filter((v) => v !== peer && v < quorum.localId).length;
    const jitter = Math.min(config.electionBackoffMaxMs, rank * 100 + timer.jitter(50));
    progress.fetchDeadline = Math.min(progress.fetchDeadline, now + jitter);
  }

  /**
   * Timed work of a Follower: when the fetch timeout ends a voter starts an election (an observer never
   * stands: it keeps fetching while its driver looks for a newer leader); otherwise it sends the next
   * Fetch or FetchSnapshot if none is in flight. Returns the next deadline.
   */
  poll(now: number): number {
    const progress = this.progress;
    const { quorum, config } = this.deps;
    if (progress && now >= progress.fetchDeadline && !quorum.isVoter(quorum.localId)) {
      progress.fetchDeadline = now + config.fetchTimeoutMs;
    }
    if (!progress || now >= progress.fetchDeadline) {
      this.deps.roles.startElection(now);
      return now;
    }
    return Math.min(progress.fetchDeadline, this.sendFetch(progress, now));
  }

  /** Sends the next Fetch or FetchSnapshot if none is in flight; returns when to look again. */
  private sendFetch(progress: FollowerProgress, now: number): number {
    const { quorum, config, log, messenger } = this.deps;
    // A fetch may be parked for fetchMaxWaitMs before its answer, so it gets that much longer.
    const timeout = config.requestTimeoutMs + config.fetchMaxWaitMs;
    if (progress.inflight && now < progress.inflight.sentMs + timeout) return progress.inflight.sentMs + timeout;
    if (now < progress.retryAtMs) return progress.retryAtMs;
    const leaderId = quorum.current.leaderId;
    if (progress.download) {
      const request: FetchSnapshotRequest = {
        type: 'FetchSnapshot',
        clusterId: quorum.clusterId,
        replicaId: quorum.localId,
        maxBytes: config.snapshotChunkBytes,
        currentLeaderEpoch: quorum.epoch,
        snapshotId: progress.download.id,
        position: progress.download.position,
      };
      progress.inflight = { requestId: messenger.request(leaderId, request), sentMs: now };
    } else {
      const last = log.lastFetched();
      const request: FetchRequest = {
        type: 'Fetch',
        clusterId: quorum.clusterId,
        replicaId: quorum.localId,
        maxWaitMs: config.fetchMaxWaitMs,
        maxBytes: config.fetchMaxBytes,
        currentLeaderEpoch: quorum.epoch,
        fetchOffset: last.offset,
        lastFetchedEpoch: last.epoch,
        logStartOffset: log.startOffset(),
      };
      progress.inflight = { requestId: messenger.request(leaderId, request), sentMs: now };
    }
    return now + timeout;
  }

  /** Common handling of a Fetch/FetchSnapshot answer's errors; returns true when the body may be used. */
  private acceptLeaderAnswer(
    source: number,
    requestId: number,
    errorCode: number,
    partitionErrorCode: number,
    epoch: number,
    leaderId: number,
  ): boolean {
    const { quorum, config } = this.deps;
    const now = this.deps.clock.now();
    const progress = this.progress;
    if (!progress || progress.inflight?.requestId !== requestId || quorum.current.leaderId !== source) return false;
    progress.inflight = undefined;
    if (epoch > quorum.epoch || (epoch === quorum.epoch && leaderId !== quorum.current.leaderId)) {
      this.deps.roles.learnLeader(epoch, leaderId, now);
      return false;
    }
    if (errorCode !== ErrorCode.NONE || partitionErrorCode !== ErrorCode.NONE) {
      progress.retryAtMs = now + Math.min(config.requestTimeoutMs, 100);
      return false;
    }
    progress.fetchDeadline = now + config.fetchTimeoutMs;
    progress.lastLeaderContactMs = now;
    return true;
  }

  handleFetchResponse(source: number, requestId: number, response: FetchResponse): void {
    const { leaderId, leaderEpoch } = response.currentLeader;
    const { errorCode, partitionErrorCode } = response;
    if (!this.acceptLeaderAnswer(source, requestId, errorCode, partitionErrorCode, leaderEpoch, leaderId)) return;
    const progress = this.progress;
    if (!progress) return;
    const { log, commit } = this.deps;
    if (response.divergingEpoch) {
      const to = truncationOffset(log, response.divergingEpoch);
      if (to < commit.highWatermark())
        throw new RaftInvariantError(
          `node ${this.deps.quorum.localId}: leader asked to truncate to ${to}, below high watermark ${commit.highWatermark()}`,
        );
      log.truncateTo(to);
      return;
    }
    if (response.snapshotId) {
      const id = response.snapshotId;
      if (!Number.isSafeInteger(id.endOffset) || id.endOffset < 0 || !Number.isInteger(id.epoch) || id.epoch < 0)
        return;
      progress.download = new SnapshotDownload(id);
      return;
    }
    const records = response.records;
    if (records.length > 0) {
      if (records[0]?.offset !== log.endOffset()) return; // not where we asked; fetch again
      log.append(records);
      log.flush(); // durable before the next fetch reports it
    }
    if (Number.isSafeInteger(response.highWatermark) && response.highWatermark >= 0) {
      commit.advanceHighWatermark(Math.min(response.highWatermark, log.endOffset()));
    }
  }

  handleFetchSnapshotResponse(source: number, requestId: number, response: FetchSnapshotResponse): void {
    const { leaderId, leaderEpoch } = response.currentLeader;
    const progress = this.progress;
    const download = progress?.download;
    if (
      progress &&
      download &&
      progress.inflight?.requestId === requestId &&
      response.partitionErrorCode === ErrorCode.SNAPSHOT_NOT_FOUND &&
      leaderEpoch === this.deps.quorum.epoch
    ) {
      progress.inflight = undefined;
      progress.download = undefined; // the leader has a newer snapshot: fetch again to learn its id
      return;
    }
    const { errorCode, partitionErrorCode } = response;
    if (!this.acceptLeaderAnswer(source, requestId, errorCode, partitionErrorCode, leaderEpoch, leaderId)) return;
    if (!progress || !download) return;
    const step = download.accept(response);
    if (step.kind === 'more') return;
    progress.download = undefined;
    if (step.kind === 'done') this.deps.snapshots.install(download.id, step.data);
  }
}
