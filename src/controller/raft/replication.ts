/**
 * Pull replication, after KRaft: followers send Fetch (fetchOffset, lastFetchedEpoch) to the leader;
 * the leader checks the position (valid, diverging, or below its log start: snapshot), records the
 * follower's progress, advances the high watermark, and answers with entries, or parks the fetch
 * until there is something new or fetchMaxWaitMs passes. Followers append and flush before the next
 * fetch, truncate on a diverging answer, and download a snapshot in chunks with FetchSnapshot.
 * Leaves out: elections (elections.ts) and the poll loop (raft-node.ts).
 */
import { RaftElections } from './elections.js';
import { ErrorCode, RaftInvariantError } from './errors.js';
import { truncationOffset, validateFetchPosition } from './fetch-position.js';
import type { FetchRequest, FetchResponse, FetchSnapshotRequest, FetchSnapshotResponse } from './messages.js';
import type { RaftEntry } from './types.js';

const EMPTY: Buffer = Buffer.alloc(0);

export abstract class RaftReplication extends RaftElections {
  // ---- leader side: Fetch ----

  protected handleFetchRequest(source: number, requestId: number, request: FetchRequest): void {
    const now = this.clock.now();
    if (!this.clusterIdMatches(request.clusterId)) {
      return this.sendResponse(source, requestId, this.fetchError(ErrorCode.INCONSISTENT_CLUSTER_ID, ErrorCode.NONE));
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
      return this.sendResponse(source, requestId, this.fetchError(ErrorCode.INVALID_REQUEST, ErrorCode.NONE));
    }
    const error = this.leaderOnlyError(request.currentLeaderEpoch);
    if (error !== ErrorCode.NONE) return this.sendResponse(source, requestId, this.fetchError(ErrorCode.NONE, error));
    this.announcement?.pending.delete(source);
    const previous = this.parked.get(source);
    if (previous) {
      this.parked.delete(source);
      this.sendResponse(source, previous.requestId, this.fetchAnswer(source, previous.request, now, false));
    }
    const position = validateFetchPosition(this.log, request.fetchOffset, request.lastFetchedEpoch);
    if (position.kind === 'valid') {
      this.leader?.recordFetch(source, request.fetchOffset, this.log.endOffset(), now);
      this.maybeAdvanceLeaderHighWatermark();
    } else {
      this.leader?.recordContact(source, now);
    }
    const replica = this.leader?.replicas.get(source);
    const nothingNew =
      position.kind === 'valid' &&
      request.fetchOffset >= this.log.endOffset() &&
      (replica === undefined || replica.lastSentHighWatermark >= this.hw);
    if (nothingNew && request.maxWaitMs > 0) {
      const wait = Math.min(request.maxWaitMs, this.config.fetchMaxWaitMs);
      this.parked.set(source, { requestId, request, deadline: now + wait });
      return;
    }
    this.sendResponse(source, requestId, this.fetchAnswer(source, request, now, true));
  }

  /** Builds the answer to a fetch that passed the leader checks. */
  private fetchAnswer(source: number, request: FetchRequest, _now: number, validated: boolean): FetchResponse {
    if (!validated && this.leaderOnlyError(request.currentLeaderEpoch) !== ErrorCode.NONE) {
      return this.fetchError(ErrorCode.NONE, this.leaderOnlyError(request.currentLeaderEpoch));
    }
    const base = {
      type: 'Fetch' as const,
      errorCode: ErrorCode.NONE,
      partitionErrorCode: ErrorCode.NONE,
      highWatermark: this.hw,
      logStartOffset: this.log.startOffset(),
      currentLeader: this.leaderAndEpoch(),
    };
    const position = validateFetchPosition(this.log, request.fetchOffset, request.lastFetchedEpoch);
    if (position.kind === 'diverging') return { ...base, divergingEpoch: position.divergingEpoch, records: [] };
    if (position.kind === 'snapshot') return { ...base, snapshotId: position.snapshotId, records: [] };
    const maxBytes = Math.min(request.maxBytes, this.config.fetchMaxBytes);
    const records = request.fetchOffset < this.log.endOffset() ? this.log.read(request.fetchOffset, maxBytes) : [];
    const replica = this.leader?.replicas.get(source);
    if (replica) replica.lastSentHighWatermark = Math.max(replica.lastSentHighWatermark, this.hw);
    return { ...base, records };
  }

  protected fetchError(errorCode: number, partitionErrorCode: number): FetchResponse {
    return {
      type: 'Fetch',
      errorCode,
      partitionErrorCode,
      highWatermark: -1,
      logStartOffset: -1,
      currentLeader: this.leaderAndEpoch(),
      records: [],
    };
  }

  /** Answers parked fetches whose wait is over or that now have something to return. */
  protected completeParkedFetches(now: number, force = false): number {
    let next = Number.POSITIVE_INFINITY;
    for (const [source, parked] of this.parked) {
      const replica = this.leader?.replicas.get(source);
      // New entries wake a parked fetch once the leader has flushed them (at the end of its append
      // linger), so that one answer carries the whole batch instead of one answer per proposal.
      const ready =
        force ||
        now >= parked.deadline ||
        this.log.flushedOffset() > parked.request.fetchOffset ||
        (replica !== undefined && replica.lastSentHighWatermark < this.hw);
      if (ready) {
        this.parked.delete(source);
        this.sendResponse(source, parked.requestId, this.fetchAnswer(source, parked.request, now, false));
      } else {
        next = Math.min(next, parked.deadline);
      }
    }
    return next;
  }

  protected override abandonParkedFetches(): void {
    this.completeParkedFetches(this.clock.now(), true);
  }

  protected maybeAdvanceLeaderHighWatermark(): void {
    if (!this.leader) return;
    const offset = this.leader.majorityOffset(this.log.flushedOffset());
    if (offset !== undefined) this.advanceHighWatermark(offset);
  }

  // ---- leader side: FetchSnapshot ----

  protected handleFetchSnapshotRequest(source: number, requestId: number, request: FetchSnapshotRequest): void {
    const now = this.clock.now();
    const answer = (errorCode: number, partitionErrorCode: number, size = -1, position = -1, bytes = EMPTY): void => {
      const response: FetchSnapshotResponse = {
        type: 'FetchSnapshot',
        errorCode,
        partitionErrorCode,
        currentLeader: this.leaderAndEpoch(),
        snapshotId: request.snapshotId,
        size,
        position,
        bytes,
      };
      this.sendResponse(source, requestId, response);
    };
    if (!this.clusterIdMatches(request.clusterId)) return answer(ErrorCode.INCONSISTENT_CLUSTER_ID, ErrorCode.NONE);
    if (!Number.isSafeInteger(request.position) || request.position < 0 || !(request.maxBytes > 0)) {
      return answer(ErrorCode.INVALID_REQUEST, ErrorCode.NONE);
    }
    const error = this.leaderOnlyError(request.currentLeaderEpoch);
    if (error !== ErrorCode.NONE) return answer(ErrorCode.NONE, error);
    this.leader?.recordContact(source, now);
    const data = this.log.readSnapshot(request.snapshotId);
    if (!data) return answer(ErrorCode.NONE, ErrorCode.SNAPSHOT_NOT_FOUND);
    // Kafka answers POSITION_OUT_OF_RANGE (99), which the shared error table lacks; INVALID_REQUEST instead.
    if (request.position > data.length) return answer(ErrorCode.NONE, ErrorCode.INVALID_REQUEST);
    const end = Math.min(data.length, request.position + Math.min(request.maxBytes, this.config.snapshotChunkBytes));
    answer(ErrorCode.NONE, ErrorCode.NONE, data.length, request.position, data.subarray(request.position, end));
  }

  // ---- follower side ----

  /** Sends the next Fetch or FetchSnapshot if none is in flight; returns when to look again. */
  protected followerPoll(now: number): number {
    const follower = this.follower;
    if (!follower || this.state.kind !== 'follower') return Number.POSITIVE_INFINITY;
    // A fetch may be parked for fetchMaxWaitMs before its answer, so it gets that much longer.
    const timeout = this.config.requestTimeoutMs + this.config.fetchMaxWaitMs;
    if (follower.inflight && now < follower.inflight.sentMs + timeout) return follower.inflight.sentMs + timeout;
    if (now < follower.retryAtMs) return follower.retryAtMs;
    const leaderId = this.state.leaderId;
    if (follower.download) {
      const request: FetchSnapshotRequest = {
        type: 'FetchSnapshot',
        clusterId: this.clusterId,
        replicaId: this.id,
        maxBytes: this.config.snapshotChunkBytes,
        currentLeaderEpoch: this.state.epoch,
        snapshotId: follower.download.id,
        position: follower.download.position,
      };
      follower.inflight = { requestId: this.sendRequest(leaderId, request), sentMs: now };
    } else {
      const last = this.log.lastFetched();
      const request: FetchRequest = {
        type: 'Fetch',
        clusterId: this.clusterId,
        replicaId: this.id,
        maxWaitMs: this.config.fetchMaxWaitMs,
        maxBytes: this.config.fetchMaxBytes,
        currentLeaderEpoch: this.state.epoch,
        fetchOffset: last.offset,
        lastFetchedEpoch: last.epoch,
        logStartOffset: this.log.startOffset(),
      };
      follower.inflight = { requestId: this.sendRequest(leaderId, request), sentMs: now };
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
    const now = this.clock.now();
    const follower = this.follower;
    if (!follower || follower.inflight?.requestId !== requestId || this.state.leaderId !== source) return false;
    follower.inflight = undefined;
    if (epoch > this.state.epoch || (epoch === this.state.epoch && leaderId !== this.state.leaderId)) {
      this.learnLeader(epoch, leaderId, now);
      return false;
    }
    if (errorCode !== ErrorCode.NONE || partitionErrorCode !== ErrorCode.NONE) {
      follower.retryAtMs = now + Math.min(this.config.requestTimeoutMs, 100);
      return false;
    }
    follower.fetchDeadline = now + this.config.fetchTimeoutMs;
    follower.lastLeaderContactMs = now;
    return true;
  }

  protected handleFetchResponse(source: number, requestId: number, response: FetchResponse): void {
    const { leaderId, leaderEpoch } = response.currentLeader;
    if (
      !this.acceptLeaderAnswer(
        source,
        requestId,
        response.errorCode,
        response.partitionErrorCode,
        leaderEpoch,
        leaderId,
      )
    )
      return;
    const follower = this.follower;
    if (!follower) return;
    if (response.divergingEpoch) {
      const to = truncationOffset(this.log, response.divergingEpoch);
      if (to < this.hw)
        throw new RaftInvariantError(
          `node ${this.id}: leader asked to truncate to ${to}, below high watermark ${this.hw}`,
        );
      this.log.truncateTo(to);
      return;
    }
    if (response.snapshotId) {
      const id = response.snapshotId;
      if (!Number.isSafeInteger(id.endOffset) || id.endOffset < 0 || !Number.isInteger(id.epoch) || id.epoch < 0)
        return;
      follower.download = { id, chunks: [], position: 0 };
      return;
    }
    const records = response.records;
    const expected = this.log.endOffset();
    if (records.length > 0) {
      if ((records[0] as RaftEntry).offset !== expected) return; // not where we asked; fetch again
      this.log.append(records);
      this.log.flush(); // durable before the next fetch reports it
    }
    if (Number.isSafeInteger(response.highWatermark) && response.highWatermark >= 0) {
      this.advanceHighWatermark(Math.min(response.highWatermark, this.log.endOffset()));
    }
  }

  protected handleFetchSnapshotResponse(source: number, requestId: number, response: FetchSnapshotResponse): void {
    const { leaderId, leaderEpoch } = response.currentLeader;
    const follower = this.follower;
    const download = follower?.download;
    if (
      follower &&
      download &&
      follower.inflight?.requestId === requestId &&
      response.partitionErrorCode === ErrorCode.SNAPSHOT_NOT_FOUND &&
      leaderEpoch === this.state.epoch
    ) {
      follower.inflight = undefined;
      follower.download = undefined; // the leader has a newer snapshot: fetch again to learn its id
      return;
    }
    if (
      !this.acceptLeaderAnswer(
        source,
        requestId,
        response.errorCode,
        response.partitionErrorCode,
        leaderEpoch,
        leaderId,
      )
    )
      return;
    if (!follower || !download) return;
    const sameId =
      response.snapshotId.endOffset === download.id.endOffset && response.snapshotId.epoch === download.id.epoch;
    const chunkEnd = response.position + response.bytes.length;
    if (
      !sameId ||
      response.position !== download.position ||
      chunkEnd > response.size ||
      !Number.isSafeInteger(response.size)
    ) {
      follower.download = undefined;
      return;
    }
    if (response.bytes.length === 0 && chunkEnd < response.size) return; // no progress; ask again
    download.chunks.push(Buffer.from(response.bytes));
    download.position = chunkEnd;
    if (download.position < response.size) return;
    const data = Buffer.concat(download.chunks);
    follower.download = undefined;
    this.installSnapshot(download.id, data);
  }

  private installSnapshot(id: { endOffset: number; epoch: number }, data: Buffer): void {
    if (id.endOffset <= this.applied) return;
    this.log.installSnapshot(id, data);
    this.stateMachine.restore(data);
    this.applied = id.endOffset;
    this.hw = Math.max(this.hw, id.endOffset);
  }
}
