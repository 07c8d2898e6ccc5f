/**
 * The fetcher's side of an incremental fetch session (KIP-227), as Kafka's FetchSessionHandler
 * keeps it for a replica fetcher: the first request is full (session id 0, epoch 0) and asks the
 * leader for a session; once the leader answers with a session id, each request is incremental
 * (that id, epoch 1, 2, ...) and carries only the partitions that are new or whose fetch data
 * changed (fetch offset, log start, epochs, max bytes), with the ones no longer wanted as
 * forgotten; the leader answers only partitions with news. Partitions left out of an incremental
 * request are implied: the leader fetches them at the position it holds for them.
 * - A FETCH_SESSION_ID_NOT_FOUND answer starts over with a new full fetch (id 0, epoch 0).
 * - Another top-level error, a failed request, or an incremental answer naming partitions outside
 *   the session closes the session and asks for a new one (the old id, epoch 0: full); a full
 *   answer that leaves out or adds partitions starts over (id 0, epoch 0). An unusable answer's
 *   partitions are not taken in.
 * - A full answer with session id 0 (the leader's cache is full) keeps fetching in full.
 * Pure state; the fetch loop builds requests with it and hands it every answer.
 */
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import type { FetchResponse } from '../../protocol/generated/messages/01-fetch.js';

const INITIAL_EPOCH = 0;
const NO_SESSION = 0;

/** What a fetch asks for one partition (the fields the leader caches in its session). */
export interface SessionPartition {
  topic: string;
  topicId: string;
  partition: number;
  fetchOffset: number;
  logStartOffset: number;
  currentLeaderEpoch: number;
  lastFetchedEpoch: number;
  partitionMaxBytes: number;
}

export interface SessionFetch {
  sessionId: number;
  sessionEpoch: number;
  /** Whether this request is full (every wanted partition) or incremental. */
  full: boolean;
  toSend: SessionPartition[];
  toForget: Array<{ topic: string; topicId: string; partition: number }>;
}

/** Partitions are named by topic id, as Fetch v13+ names them on the wire both ways. */
function keyOf(p: { topicId: string; partition: number }): string {
  return `${p.topicId}\u0000${p.partition}`;
}

function sameFetchData(a: SessionPartition, b: SessionPartition): boolean {
  return (
    a.fetchOffset === b.fetchOffset &&
    a.logStartOffset === b.logStartOffset &&
    a.currentLeaderEpoch === b.currentLeaderEpoch &&
    a.lastFetchedEpoch === b.lastFetchedEpoch &&
    a.partitionMaxBytes === b.partitionMaxBytes
  );
}

export class FollowerFetchSession {
  private sessionId = NO_SESSION;
  private epoch = INITIAL_EPOCH;
  /** What the leader's session holds for each partition, in the order it was added. */
  private partitions = new Map<string, SessionPartition>();

  /** The session id and epoch the next request will carry. */
  get next(): { sessionId: number; sessionEpoch: number } {
    return { sessionId: this.sessionId, sessionEpoch: this.epoch };
  }

  /** How many partitions the leader's session is taken to hold. */
  get size(): number {
    return this.partitions.size;
  }

  /** The request for the partitions wanted now (full or incremental); the session takes them in. */
  build(wanted: readonly SessionPartition[]): SessionFetch {
    const meta = { sessionId: this.sessionId, sessionEpoch: this.epoch };
    if (this.epoch === INITIAL_EPOCH) {
      this.partitions = new Map(wanted.map((p) => [keyOf(p), { ...p }]));
      return { ...meta, full: true, toSend: wanted.map((p) => ({ ...p })), toForget: [] };
    }
    const next = new Map(wanted.map((p) => [keyOf(p), p]));
    const toSend: SessionPartition[] = [];
    const toForget: SessionFetch['toForget'] = [];
    for (const [key, previous] of this.partitions) {
      const now = next.get(key);
      if (!now) {
        this.partitions.delete(key);
        toForget.push({ topic: previous.topic, topicId: previous.topicId, partition: previous.partition });
      } else if (!sameFetchData(previous, now)) {
        this.partitions.set(key, { ...now });
        toSend.push({ ...now });
      }
    }
    for (const [key, p] of next) {
      if (this.partitions.has(key)) continue;
      this.partitions.set(key, { ...p });
      toSend.push({ ...p });
    }
    return { ...meta, full: false, toSend, toForget };
  }

  /**
   * Takes in the answer to the request `build` made last. False: the answer cannot be used
   * (a session error or partitions the session does not hold); the next request is full.
   */
  handleResponse(response: FetchResponse): boolean {
    if (response.errorCode !== ErrorCode.NONE) {
      if (response.errorCode === ErrorCode.FETCH_SESSION_ID_NOT_FOUND) this.sessionId = NO_SESSION;
      this.epoch = INITIAL_EPOCH;
      return false;
    }
    const full = this.epoch === INITIAL_EPOCH;
    const answered = new Set(
      response.responses.flatMap((t) =>
        t.partitions.map((p) => keyOf({ topicId: t.topicId, partition: p.partitionIndex })),
      ),
    );
    const extra = [...answered].some((key) => !this.partitions.has(key));
    const omitted = full && [...this.partitions.keys()].some((key) => !answered.has(key));
    if (extra || omitted) {
      // Kafka: an invalid full answer starts over; an invalid incremental one closes the session.
      if (full) this.sessionId = NO_SESSION;
      this.epoch = INITIAL_EPOCH;
      return false;
    }
    if (full) {
      this.sessionId = response.sessionId;
      this.epoch = response.sessionId === NO_SESSION ? INITIAL_EPOCH : 1;
      return true;
    }
    if (response.sessionId === NO_SESSION) {
      this.sessionId = NO_SESSION;
      this.epoch = INITIAL_EPOCH;
      return true;
    }
    this.epoch = this.epoch === 0x7fffffff ? 1 : this.epoch + 1;
    return true;
  }

  /** The request failed (no answer): the next one closes this session and asks for a new one. */
  handleError(): void {
    this.epoch = INITIAL_EPOCH;
  }
}

/** The partition key a response names (by topic id), for matching answers to what was asked. */
export function sessionKey(topicId: string, partition: number): string {
  return keyOf({ topicId, partition });
}
