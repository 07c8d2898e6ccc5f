/**
 * Incremental fetch sessions (KIP-227), as Kafka's FetchManager keeps them:
 * - sessionId 0, epoch -1: a sessionless full fetch (answered with sessionId 0);
 * - epoch 0: a full fetch that (re)starts a session holding the request's partitions
 *   (an old session named by the request is dropped); sessionId 0 when the cache is full;
 * - sessionId X, epoch N > 0: an incremental fetch: the request's partitions are added
 *   or updated, forgotten ones removed, and the answer lists only partitions with
 *   news (records, an error, a diverging epoch for a follower, or a changed high
 *   watermark / LSO / log start). Partitions
 *   that answered move to the end of the session, so each gets its turn at maxBytes.
 *   An incremental fetch that leaves the session empty closes it and is answered sessionless.
 *   The epoch moves on when the incremental fetch is taken, whatever its answer then carries
 *   (partition errors included), as Kafka's FetchManager.newContext; a client must send the next one.
 * - sessionId X, epoch -1: the session is closed and the fetch is sessionless.
 * Unknown sessions (session id 0 with an epoch above 0 among them) get FETCH_SESSION_ID_NOT_FOUND, a
 * wrong epoch INVALID_FETCH_SESSION_EPOCH, switching between names and topic ids mid-session
 * FETCH_SESSION_TOPIC_ID_ERROR; these leave the session as it was. The cache holds `maxSessions`; when full, the least
 * recently used session is evicted only if idle for `evictionMs`, else no session is made.
 * Pure state: the clock's time and the id source are passed in.
 */
import { ErrorCode } from '../../protocol/generated/error-codes.js';

export const INITIAL_EPOCH = 0;
export const FINAL_EPOCH = -1;

/** What the fetcher asked for on one partition (topic name for v0-12, topic id from v13). */
export interface WantedPartition {
  topic: string;
  topicId: string;
  partition: number;
  fetchOffset: number;
  partitionMaxBytes: number;
  currentLeaderEpoch: number;
  /** A follower's epoch of its last fetched batch (Fetch v12+), -1 when absent. */
  lastFetchedEpoch?: number;
  /** The fetcher's own log start offset (Fetch v5+; followers send theirs), -1 when absent. */
  fetcherLogStartOffset?: number;
}

/** A partition of a session: the fetcher's request and what the broker last told it. */
export interface CachedPartition extends WantedPartition {
  highWatermark: number;
  lastStableOffset: number;
  logStartOffset: number;
}

/** What one answer said about a partition, to decide and record what is news. */
export interface PartitionNews {
  errorCode: number;
  recordBytes: number;
  highWatermark: number;
  lastStableOffset: number;
  logStartOffset: number;
  /** A follower's log diverges (Fetch v12+): always news, it must truncate. */
  diverging?: boolean;
}

export class FetchSession {
  /** The epoch the next incremental request must carry. */
  epoch = 1;
  readonly partitions = new Map<string, CachedPartition>();

  constructor(
    readonly id: number,
    readonly usesTopicIds: boolean,
    public lastUsedMs: number,
  ) {}

  static key(p: { topic: string; topicId: string; partition: number }, usesTopicIds: boolean): string {
    return `${usesTopicIds ? p.topicId : p.topic}:${p.partition}`;
  }

  upsert(p: WantedPartition): void {
    const key = FetchSession.key(p, this.usesTopicIds);
    const cached = this.partitions.get(key);
    if (cached) Object.assign(cached, p);
    else this.partitions.set(key, { ...p, highWatermark: -1, lastStableOffset: -1, logStartOffset: -1 });
  }

  /** True when the partition has news for the fetcher; records what was sent and rotates it to the end. */
  noteAnswer(key: string, news: PartitionNews, incremental: boolean): boolean {
    const cached = this.partitions.get(key);
    if (!cached) return true;
    const changed =
      news.errorCode !== ErrorCode.NONE ||
      news.diverging === true ||
      news.recordBytes > 0 ||
      news.highWatermark !== cached.highWatermark ||
      news.lastStableOffset !== cached.lastStableOffset ||
      news.logStartOffset !== cached.logStartOffset;
    // After an error the cached high watermark is -1, so the partition is sent again once it clears (as Kafka).
    cached.highWatermark = news.errorCode !== ErrorCode.NONE ? -1 : news.highWatermark;
    cached.lastStableOffset = news.lastStableOffset;
    cached.logStartOffset = news.logStartOffset;
    if (incremental && changed) {
      this.partitions.delete(key);
      this.partitions.set(key, cached);
    }
    return !incremental || changed;
  }
}

export type SessionContext =
  | { kind: 'error'; errorCode: number }
  /** Full fetch of the request's partitions; `session` (if any) caches them. */
  | { kind: 'full'; session: FetchSession | null }
  | { kind: 'incremental'; session: FetchSession };

export interface SessionRequest {
  sessionId: number;
  sessionEpoch: number;
  usesTopicIds: boolean;
  partitions: WantedPartition[];
  forgotten: Array<{ topic: string; topicId: string; partition: number }>;
}

export class FetchSessionCache {
  private readonly sessions = new Map<number, FetchSession>();

  constructor(
    private readonly maxSessions: number,
    private readonly nextId: () => number,
    private readonly evictionMs = 120_000,
  ) {}

  get size(): number {
    return this.sessions.size;
  }

  get(id: number): FetchSession | undefined {
    return this.sessions.get(id);
  }

  /** Interprets a fetch's session fields (Fetch v7+); changes the cache as Kafka does. */
  newContext(request: SessionRequest, now: number): SessionContext {
    const { sessionId, sessionEpoch } = request;
    if (sessionEpoch === FINAL_EPOCH || sessionEpoch === INITIAL_EPOCH) {
      if (sessionId !== 0) this.sessions.delete(sessionId);
      if (sessionEpoch === FINAL_EPOCH) return { kind: 'full', session: null };
      const session = this.create(request.usesTopicIds, now);
      if (session) for (const p of request.partitions) session.upsert(p);
      return { kind: 'full', session };
    }
    // Session id 0 is never handed out, so an incremental fetch naming it finds no session.
    const session = this.sessions.get(sessionId);
    if (!session) return { kind: 'error', errorCode: ErrorCode.FETCH_SESSION_ID_NOT_FOUND };
    if (session.epoch !== sessionEpoch) return { kind: 'error', errorCode: ErrorCode.INVALID_FETCH_SESSION_EPOCH };
    // A session error leaves the session as it was (the client closes it with its next full fetch).
    if (session.usesTopicIds !== request.usesTopicIds)
      return { kind: 'error', errorCode: ErrorCode.FETCH_SESSION_TOPIC_ID_ERROR };
    for (const p of request.partitions) session.upsert(p);
    for (const f of request.forgotten) session.partitions.delete(FetchSession.key(f, session.usesTopicIds));
    if (session.partitions.size === 0) {
      // Nothing left in it: the session is closed and this fetch answered sessionless.
      this.sessions.delete(sessionId);
      return { kind: 'full', session: null };
    }
    // The epoch moves on now, whatever the answer then says (partition errors included).
    session.epoch = session.epoch === 0x7fffffff ? 1 : session.epoch + 1;
    session.lastUsedMs = now;
    this.touch(session);
    return { kind: 'incremental', session };
  }

  /** Drops a session the client was never told about (a throttled full fetch, which creates none on Kafka). */
  discard(id: number): void {
    this.sessions.delete(id);
  }

  private touch(session: FetchSession): void {
    this.sessions.delete(session.id);
    this.sessions.set(session.id, session);
  }

  private create(usesTopicIds: boolean, now: number): FetchSession | null {
    if (this.maxSessions <= 0) return null;
    if (this.sessions.size >= this.maxSessions) {
      const oldest = this.sessions.values().next().value;
      if (!oldest || now - oldest.lastUsedMs < this.evictionMs) return null;
      this.sessions.delete(oldest.id);
    }
    let id = this.nextId();
    while (id === 0 || this.sessions.has(id)) id = this.nextId();
    const session = new FetchSession(id, usesTopicIds, now);
    this.sessions.set(id, session);
    return session;
  }
}
