/**
 * The leader side of pull replication, after KRaft: proposals are appended and flushed after the
 * append linger (one fsync per window); each Fetch is checked (valid, diverging, or below the log
 * start: snapshot), records the voter's progress and may advance the high watermark, and is answered
 * with entries or parked until there is something new or fetchMaxWaitMs passes; FetchSnapshot is
 * served in chunks. Check-quorum makes a leader that lost its majority resign. Also DescribeQuorum (the
 * voters, and the observers that fetched in this epoch).
 * Leaves out: the follower side (follower-replication.ts) and BeginQuorumEpoch (announcements.ts).
 */
import type { Clock } from '../../common/clock.js';
import type { CommitState } from './commit-state.js';
import type { RaftConfig } from './config.js';
import { ErrorCode, NotLeaderError } from './errors.js';
import { validateFetchPosition } from './fetch-position.js';
import { LeaderProgress } from './leader-progress.js';
import type { FetchRequest, FetchResponse, FetchSnapshotRequest, FetchSnapshotResponse } from './messages.js';
import type { RaftMessenger } from './messenger.js';
import type { QuorumState } from './quorum-state.js';
import type { RaftLog } from './raft-log.js';
import type { Snapshots } from './snapshots.js';
import type { RoleChanges } from './transitions.js';

const EMPTY: Buffer = Buffer.alloc(0);

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

interface ParkedFetch {
  readonly requestId: number;
  readonly request: FetchRequest;
  readonly deadline: number;
}

export interface LeaderDeps {
  readonly quorum: QuorumState;
  readonly log: RaftLog;
  readonly commit: CommitState;
  readonly snapshots: Snapshots;
  readonly messenger: RaftMessenger;
  readonly config: RaftConfig;
  readonly clock: Clock;
  readonly roles: RoleChanges;
  /** Told when a voter's fetch acknowledges this leader's epoch. */
  readonly announcements: { acknowledged(voter: number): void };
}

export class LeaderReplication {
  private progress: LeaderProgress | undefined;
  private readonly parked = new Map<number, ParkedFetch>();
  /**
   * The highest high watermark sent to each observer (a broker-only node) in this epoch, as
   * ReplicaProgress keeps it for voters: an observer's parked fetch is answered as soon as the high
   * watermark moves past it, not at the end of its wait (it applies committed records only, so a
   * metadata change reached a broker up to fetchMaxWaitMs after its commit).
   */
  private readonly observerSentHighWatermark = new Map<number, number>();
  /** When the oldest entry not yet flushed by the leader was appended (undefined: all flushed). */
  private unflushedSinceMs: number | undefined;

  constructor(private readonly deps: LeaderDeps) {}

  start(epochStartOffset: number, now: number): void {
    const { quorum } = this.deps;
    this.progress = new LeaderProgress(quorum.localId, quorum.voters, epochStartOffset, now);
    this.observerSentHighWatermark.clear();
  }

  clear(): void {
    this.progress = undefined;
  }

  /** The offset of this leader's LeaderChange entry (the first of its epoch); undefined off the leader. */
  epochStartOffset(): number | undefined {
    return this.progress?.epochStartOffset;
  }

  preferredSuccessors(): number[] | undefined {
    return this.progress?.preferredSuccessors();
  }

  /** A voter proved it follows this epoch (counts for check-quorum). */
  recordContact(voter: number, now: number): void {
    this.progress?.recordContact(voter, now);
  }

  /**
   * Appends entries as leader. They are flushed by the first poll() at least appendLingerMs after the
   * oldest unflushed proposal, and committed once a majority holds them; throws NotLeaderError elsewhere.
   */
  propose(payloads: readonly Buffer[]): ProposeResult {
    const { quorum, log } = this.deps;
    const state = quorum.current;
    if (state.kind !== 'leader') throw new NotLeaderError(state.leaderId, state.epoch);
    const epoch = state.epoch;
    const firstOffset = log.endOffset();
    log.append(payloads.map((payload, i) => ({ offset: firstOffset + i, epoch, payload, control: false })));
    this.unflushedSinceMs ??= this.deps.clock.now();
    return { epoch, firstOffset, lastOffset: firstOffset + payloads.length - 1 };
  }

  /**
   * Timed work of a Leader: flushes after the append linger, resigns when check-quorum fails, answers
   * parked fetches that are due. Returns the next deadline (now after resigning).
   */
  poll(now: number): number {
    const progress = this.progress;
    const { log, config } = this.deps;
    if (!progress) return now;
    let lingerDeadline = Number.POSITIVE_INFINITY;
    if (log.flushedOffset() < log.endOffset()) {
      // Proposals wait out the linger, so that one fsync covers them all; the leader's own
      // LeaderChange entry (appended without a proposal) is flushed at once.
      lingerDeadline = this.unflushedSinceMs === undefined ? now : this.unflushedSinceMs + config.appendLingerMs;
      if (now >= lingerDeadline) {
        log.flush();
        this.unflushedSinceMs = undefined;
        lingerDeadline = Number.POSITIVE_INFINITY;
        this.maybeAdvanceHighWatermark();
      }
    }
    const checkQuorumDeadline = progress.checkQuorumDeadline(config.fetchTimeoutMs * config.checkQuorumFactor);
    if (now >= checkQuorumDeadline) {
      this.deps.roles.becomeResigned(now);
      return now;
    }
    const parked = this.completeParkedFetches(now);
    return Math.min(checkQuorumDeadline, parked, lingerDeadline);
  }

  handleFetchRequest(source: number, requestId: number, request: FetchRequest): void {
    const { quorum, log, config, messenger, commit } = this.deps;
    const now = this.deps.clock.now();
    if (!quorum.clusterIdMatches(request.clusterId)) {
      return messenger.respond(source, requestId, this.fetchError(ErrorCode.INCONSISTENT_CLUSTER_ID, ErrorCode.NONE));
    }
    if (
      !Number.isSafeInteger(request.fetchOffset) ||
      request.fetchOffset < 0 ||
      !Number.isInteger(request.lastFetchedEpoch) ||
      request.lastFetchedEpoch < 0 ||
      request.lastFetchedEpoch > request.currentLeaderEpoch ||
      !Number.isInteger(request.maxWaitMs) ||
      request.maxWaitMs < 0 ||
      !(request.maxBytes > 0)
    ) {
      return messenger.respond(source, requestId, this.fetchError(ErrorCode.INVALID_REQUEST, ErrorCode.NONE));
    }
    const error = quorum.leaderOnlyError(request.currentLeaderEpoch);
    if (error !== ErrorCode.NONE) return messenger.respond(source, requestId, this.fetchError(ErrorCode.NONE, error));
    this.deps.announcements.acknowledged(source);
    const previous = this.parked.get(source);
    if (previous) {
      this.parked.delete(source);
      messenger.respond(source, previous.requestId, this.fetchAnswer(source, previous.request, false));
    }
    const position = validateFetchPosition(log, request.fetchOffset, request.lastFetchedEpoch);
    if (position.kind === 'valid') {
      if (this.progress?.recordFetch(source, request.fetchOffset, log.endOffset(), now) === false)
        this.progress.recordObserverFetch(source, request.fetchOffset, log.endOffset(), now);
      this.maybeAdvanceHighWatermark();
    } else {
      this.progress?.recordContact(source, now);
    }
    const nothingNew =
      position.kind === 'valid' &&
      request.fetchOffset >= log.endOffset() &&
      this.lastSentHighWatermark(source) >= commit.highWatermark();
    if (nothingNew && request.maxWaitMs > 0) {
      const wait = Math.min(request.maxWaitMs, config.fetchMaxWaitMs);
      this.parked.set(source, { requestId, request, deadline: now + wait });
      return;
    }
    messenger.respond(source, requestId, this.fetchAnswer(source, request, true));
  }

  /** Leadership ended: every parked fetch is answered now (with the error a non-leader gives). */
  abandonParkedFetches(): void {
    this.completeParkedFetches(this.deps.clock.now(), true);
  }

  handleFetchSnapshotRequest(source: number, requestId: number, request: FetchSnapshotRequest): void {
    const { quorum, config } = this.deps;
    const now = this.deps.clock.now();
    const answer = (errorCode: number, partitionErrorCode: number, size = -1, position = -1, bytes = EMPTY): void => {
      const response: FetchSnapshotResponse = {
        type: 'FetchSnapshot',
        errorCode,
        partitionErrorCode,
        currentLeader: quorum.leaderAndEpoch(),
        snapshotId: request.snapshotId,
        size,
        position,
        bytes,
      };
      this.deps.messenger.respond(source, requestId, response);
    };
    if (!quorum.clusterIdMatches(request.clusterId)) return answer(ErrorCode.INCONSISTENT_CLUSTER_ID, ErrorCode.NONE);
    if (!Number.isSafeInteger(request.position) || request.position < 0 || !(request.maxBytes > 0)) {
      return answer(ErrorCode.INVALID_REQUEST, ErrorCode.NONE);
    }
    const error = quorum.leaderOnlyError(request.currentLeaderEpoch);
    if (error !== ErrorCode.NONE) return answer(ErrorCode.NONE, error);
    this.progress?.recordContact(source, now);
    const maxBytes = Math.min(request.maxBytes, config.snapshotChunkBytes);
    const chunk = this.deps.snapshots.readChunk(request.snapshotId, request.position, maxBytes);
    if (!chunk.found) return answer(ErrorCode.NONE, chunk.partitionErrorCode);
    answer(ErrorCode.NONE, ErrorCode.NONE, chunk.size, request.position, chunk.bytes);
  }

  /** DescribeQuorum, answered by the leader; other nodes answer NOT_LEADER_OR_FOLLOWER. */
  describe(): QuorumDescription {
    const { quorum, log, commit } = this.deps;
    const { leaderId, leaderEpoch } = quorum.leaderAndEpoch();
    const progress = this.progress;
    const highWatermark = commit.highWatermark();
    if (quorum.current.kind !== 'leader' || !progress) {
      const errorCode = ErrorCode.NOT_LEADER_OR_FOLLOWER;
      return { errorCode, leaderId, leaderEpoch, highWatermark, currentVoters: [], observers: [] };
    }
    const now = this.deps.clock.now();
    const voters: QuorumReplicaState[] = quorum.voters.map((replicaId) => {
      if (replicaId === quorum.localId) {
        return { replicaId, logEndOffset: log.endOffset(), lastFetchTimestamp: now, lastCaughtUpTimestamp: now };
      }
      const r = progress.replicas.get(replicaId);
      return {
        replicaId,
        logEndOffset: r ? r.endOffset : -1,
        lastFetchTimestamp: r ? r.lastFetchTimestamp : -1,
        lastCaughtUpTimestamp: r ? r.lastCaughtUpMs : -1,
      };
    });
    const observers = progress.activeObservers(now).map(([replicaId, o]) => ({
      replicaId,
      logEndOffset: o.endOffset,
      lastFetchTimestamp: o.lastFetchMs,
      lastCaughtUpTimestamp: o.lastCaughtUpMs,
    }));
    return { errorCode: ErrorCode.NONE, leaderId, leaderEpoch, highWatermark, currentVoters: voters, observers };
  }

  /** Builds the answer to a fetch that passed the leader checks (`validated`: just now, in this epoch). */
  private fetchAnswer(source: number, request: FetchRequest, validated: boolean): FetchResponse {
    const { quorum, log, config, commit } = this.deps;
    if (!validated && quorum.leaderOnlyError(request.currentLeaderEpoch) !== ErrorCode.NONE) {
      return this.fetchError(ErrorCode.NONE, quorum.leaderOnlyError(request.currentLeaderEpoch));
    }
    const base = {
      type: 'Fetch' as const,
      errorCode: ErrorCode.NONE,
      partitionErrorCode: ErrorCode.NONE,
      highWatermark: commit.highWatermark(),
      logStartOffset: log.startOffset(),
      currentLeader: quorum.leaderAndEpoch(),
    };
    const position = validateFetchPosition(log, request.fetchOffset, request.lastFetchedEpoch);
    if (position.kind === 'diverging') return { ...base, divergingEpoch: position.divergingEpoch, records: [] };
    if (position.kind === 'snapshot') return { ...base, snapshotId: position.snapshotId, records: [] };
    const maxBytes = Math.min(request.maxBytes, config.fetchMaxBytes);
    const records = request.fetchOffset < log.endOffset() ? log.read(request.fetchOffset, maxBytes) : [];
    const replica = this.progress?.replicas.get(source);
    if (replica) replica.lastSentHighWatermark = Math.max(replica.lastSentHighWatermark, commit.highWatermark());
    else
      this.observerSentHighWatermark.set(source, Math.max(this.lastSentHighWatermark(source), commit.highWatermark()));
    return { ...base, records };
  }

  /** The highest high watermark sent to `source` (a voter or an observer) in this epoch; -1 if none. */
  private lastSentHighWatermark(source: number): number {
    return (
      this.progress?.replicas.get(source)?.lastSentHighWatermark ?? this.observerSentHighWatermark.get(source) ?? -1
    );
  }

  private fetchError(errorCode: number, partitionErrorCode: number): FetchResponse {
    return {
      type: 'Fetch',
      errorCode,
      partitionErrorCode,
      highWatermark: -1,
      logStartOffset: -1,
      currentLeader: this.deps.quorum.leaderAndEpoch(),
      records: [],
    };
  }

  /** Answers parked fetches whose wait is over or that now have something to return. */
  private completeParkedFetches(now: number, force = false): number {
    const { log, commit, messenger } = this.deps;
    let next = Number.POSITIVE_INFINITY;
    for (const [source, parked] of this.parked) {
      // New entries wake a parked fetch once the leader has flushed them (at the end of its append
      // linger), so that one answer carries the whole batch instead of one answer per proposal.
      const ready =
        force ||
        now >= parked.deadline ||
        log.flushedOffset() > parked.request.fetchOffset ||
        this.lastSentHighWatermark(source) < commit.highWatermark();
      if (ready) {
        this.parked.delete(source);
        messenger.respond(source, parked.requestId, this.fetchAnswer(source, parked.request, false));
      } else {
        next = Math.min(next, parked.deadline);
      }
    }
    return next;
  }

  private maybeAdvanceHighWatermark(): void {
    if (!this.progress) return;
    const offset = this.progress.majorityOffset(this.deps.log.flushedOffset());
    if (offset !== undefined) this.deps.commit.advanceHighWatermark(offset);
  }
}
