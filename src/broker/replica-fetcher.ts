/**
 * Follower fetchers, as Kafka's ReplicaFetcherManager and ReplicaFetcherThread: `num.replica.fetchers`
 * fetch loops per source broker (the leader of the partitions this broker follows), a partition going
 * to loop Utils.abs(31 * topic.hashCode() + partition) % num.replica.fetchers as in Kafka; each loop
 * sends Fetch v17 (Kafka 3.9's follower version at metadata.version 3.9-IV0) naming topics by id, with
 * this broker's replica id and broker epoch (ReplicaState; the leader refuses a fetch whose epoch is
 * older than the registration it knows, and sends the epoch with the follower in AlterPartition,
 * KIP-903), the current leader epoch and the epoch of the last fetched batch, in an incremental fetch session (src/broker/follower-fetch-session.ts: full first,
 * then only the partitions whose fetch data changed; the leader answers only partitions with news).
 * Sizes: `replica.fetch.max.bytes` per partition, `replica.fetch.response.max.bytes` per response,
 * `replica.fetch.min.bytes` and `replica.fetch.wait.max.ms` for the leader's long poll. Changing the
 * number of fetchers (dynamic config) moves partitions between loops, as Kafka's resize does.
 * Per partition in the answer:
 * - records: appended as they are (leader offsets and epochs kept; a cut trailing batch is dropped)
 *   and the leader's high watermark followed up to the local log end; the leader's log start offset
 *   is followed too (up to the local high watermark), deleting the segments below it;
 * - divergingEpoch: the local log is truncated to where it agrees with the leader's, then fetched on;
 * - OFFSET_OUT_OF_RANGE with the leader's log start past the local log end: the local log restarts
 *   empty at the leader's log start (a follower behind DeleteRecords or retention, a new replica);
 * - an error (the leader moved, epochs differ, the leader does not host it yet): the partition
 *   pauses for `replica.fetch.backoff.ms` or until its state changes.
 * A failed request backs off `replica.fetch.backoff.ms` (a fetch-session error is retried at once
 * with a full fetch). The transport and the scheduler are injected ports, so the loop runs under
 * tests as on sockets.
 * Once handled, the response frame goes back to the transport's pool (giveBackFrame).
 * Leaves out: quotas.
 */
import {
  defaultFetchRequest,
  defaultFetchRequestFetchPartition,
  defaultFetchRequestForgottenTopic,
  type FetchRequest,
  type FetchResponse,
} from '../../protocol/generated/messages/01-fetch.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import {
  LAST_OFFSET_DELTA_OFFSET,
  PARTITION_LEADER_EPOCH_OFFSET,
  batchSizeAt,
} from '../../protocol/records/batch-header.js';
import { responseFramePool } from '../common/frame-pool.js';
import { javaStringHashCode } from '../common/java-hash.js';
import type { Logger } from '../common/logger.js';
import type { Schedule } from './delayed-fetch.js';
import { FollowerFetchSession, sessionKey, type SessionFetch } from './follower-fetch-session.js';
import { endOffsetForEpoch, epochHistory } from './leader-epochs.js';
import type { Partition } from './partition.js';

/** The Fetch version followers send: Kafka 3.9's MetadataVersion.fetchRequestVersion at 3.9-IV0. */
export const REPLICA_FETCH_VERSION = 17;

/** Sends a Fetch (REPLICA_FETCH_VERSION) to a broker; rejects when it cannot be reached. */
export type ReplicaFetchTransport = (leaderId: number, request: FetchRequest) => Promise<FetchResponse>;

export interface ReplicaFetcherOptions {
  brokerId: number;
  /** This broker's epoch, from its current registration (-1 before it registered). */
  brokerEpoch: () => bigint;
  transport: ReplicaFetchTransport;
  schedule: Schedule;
  maxWaitMs: number;
  minBytes: number;
  /** Bytes asked per partition (`replica.fetch.max.bytes`). */
  maxBytes: number;
  /** Bytes asked per response (`replica.fetch.response.max.bytes`). */
  responseMaxBytes: number;
  backoffMs: number;
  /** Fetch loops per source broker (`num.replica.fetchers`). */
  numFetchers: number;
  logger: Logger;
}

/** The whole batches at the front of `data` (a fetch may end with a cut one). */
export function wholeBatches(data: Buffer): { bytes: Buffer; lastEpoch: number } {
  let at = 0;
  let lastEpoch = -1;
  while (at + LAST_OFFSET_DELTA_OFFSET + 4 <= data.length) {
    const size = batchSizeAt(data, at);
    if (size <= 0 || at + size > data.length) break;
    lastEpoch = data.readInt32BE(at + PARTITION_LEADER_EPOCH_OFFSET);
    at += size;
  }
  return { bytes: data.subarray(0, at), lastEpoch };
}

/**
 * The records are in the log now (appended synchronously, no view kept): the response frame they
 * are views of goes back to the transport's pool (src/common/frame-pool.ts), so the next response
 * is read into memory already mapped. Frames the pool did not hand out are ignored by it.
 */
function giveBackFrame(response: FetchResponse): void {
  for (const topic of response.responses)
    for (const p of topic.partitions) if (p.records && p.records.length > 0) responseFramePool.give(p.records);
}

/** Kafka's AbstractFetcherManager.getFetcherId: Utils.abs(31 * topic.hashCode() + partition) % fetchers. */
export function fetcherIdFor(topic: string, partition: number, numFetchers: number): number {
  const hash = (Math.imul(31, javaStringHashCode(topic)) + partition) | 0;
  const abs = hash === -0x80000000 ? 0 : Math.abs(hash);
  return abs % Math.max(1, numFetchers);
}

interface Followed {
  partition: Partition;
  /** Epoch of the last batch in the local log (-1: empty or unknown). */
  lastFetchedEpoch: number;
  /** Paused after an error, until `replica.fetch.backoff.ms` passes or the partition's state changes. */
  paused: boolean;
}

/** The fetch-session errors after which the next (full) fetch goes at once. */
const SESSION_ERRORS: ReadonlySet<number> = new Set([
  ErrorCode.FETCH_SESSION_ID_NOT_FOUND,
  ErrorCode.INVALID_FETCH_SESSION_EPOCH,
  ErrorCode.FETCH_SESSION_TOPIC_ID_ERROR,
]);

export class FetchLoop {
  readonly partitions = new Map<Partition, Followed>();
  readonly session = new FollowerFetchSession();
  private running = false;
  private stopped = false;
  private refusalLogged = false;

  constructor(
    readonly leaderId: number,
    readonly fetcherId: number,
    private readonly options: ReplicaFetcherOptions,
  ) {}

  add(partition: Partition): void {
    if (this.partitions.has(partition)) {
      this.partitions.get(partition)!.paused = false;
    } else {
      const history = epochHistory(partition);
      this.partitions.set(partition, {
        partition,
        lastFetchedEpoch: history[history.length - 1]?.epoch ?? -1,
        paused: false,
      });
    }
    this.kick();
  }

  remove(partition: Partition): void {
    this.partitions.delete(partition);
  }

  stop(): void {
    this.stopped = true;
  }

  kick(): void {
    if (this.running || this.stopped) return;
    this.running = true;
    // On the next microtask: partitions added in the same turn (a metadata change) go in one request.
    queueMicrotask(() => void this.runOnce());
  }

  private active(): Followed[] {
    return [...this.partitions.values()].filter((f) => !f.paused && f.partition.state.leader === this.leaderId);
  }

  private async runOnce(): Promise<void> {
    const wanted = this.active();
    if (wanted.length === 0 || this.stopped) {
      this.running = false;
      return;
    }
    const request = this.request(this.session.build(wanted.map((f) => this.fetchData(f))));
    let response: FetchResponse;
    try {
      response = await this.options.transport(this.leaderId, request);
    } catch (err) {
      this.session.handleError();
      this.options.logger.debug({ err, leader: this.leaderId }, 'replica fetch failed; backing off');
      this.options.schedule(this.options.backoffMs, () => this.continueLoop());
      return;
    }
    if (!this.session.handleResponse(response)) {
      this.warnOnceIfRefused(response.errorCode);
      const retryNow = SESSION_ERRORS.has(response.errorCode);
      this.options.logger.debug(
        { leader: this.leaderId, errorCode: response.errorCode },
        'replica fetch answer not usable; next fetch is full',
      );
      if (retryNow) this.continueLoop();
      else this.options.schedule(this.options.backoffMs, () => this.continueLoop());
      return;
    }
    this.refusalLogged = false;
    const byKey = new Map(wanted.map((f) => [sessionKey(f.partition.topicId, f.partition.index), f]));
    for (const topic of response.responses) {
      for (const p of topic.partitions) {
        const followed = byKey.get(sessionKey(topic.topicId, p.partitionIndex));
        if (followed && this.partitions.get(followed.partition) === followed) this.handle(followed, p);
      }
    }
    giveBackFrame(response);
    this.continueLoop();
  }

  /**
   * A refusal by the leader's authorizer does not heal by retrying: say once (until a fetch
   * succeeds again) what the operator has to grant.
   */
  private warnOnceIfRefused(errorCode: number): void {
    if (errorCode !== ErrorCode.CLUSTER_AUTHORIZATION_FAILED || this.refusalLogged) return;
    this.refusalLogged = true;
    this.options.logger.warn(
      { leader: this.leaderId, errorCode },
      "replica fetch refused with CLUSTER_AUTHORIZATION_FAILED: the brokers' principal on the inter-broker listener needs CLUSTER_ACTION on the cluster (or to be in super.users)",
    );
  }

  private continueLoop(): void {
    this.running = false;
    this.kick();
  }

  private fetchData(f: Followed): SessionFetch['toSend'][number] {
    const p = f.partition;
    return {
      topic: p.topic,
      topicId: p.topicId,
      partition: p.index,
      currentLeaderEpoch: p.leaderEpoch,
      fetchOffset: p.log.logEndOffset,
      lastFetchedEpoch: f.lastFetchedEpoch,
      logStartOffset: p.log.logStartOffset,
      partitionMaxBytes: this.options.maxBytes,
    };
  }

  private request(fetch: SessionFetch): FetchRequest {
    const topics = new Map<string, FetchRequest['topics'][number]>();
    for (const p of fetch.toSend) {
      let topic = topics.get(p.topicId);
      if (!topic) topics.set(p.topicId, (topic = { topic: '', topicId: p.topicId, partitions: [] }));
      topic.partitions.push({
        ...defaultFetchRequestFetchPartition(),
        partition: p.partition,
        currentLeaderEpoch: p.currentLeaderEpoch,
        fetchOffset: BigInt(p.fetchOffset),
        lastFetchedEpoch: p.lastFetchedEpoch,
        logStartOffset: BigInt(p.logStartOffset),
        partitionMaxBytes: p.partitionMaxBytes,
      });
    }
    const forgotten = new Map<string, number[]>();
    for (const f of fetch.toForget) forgotten.set(f.topicId, [...(forgotten.get(f.topicId) ?? []), f.partition]);
    return {
      ...defaultFetchRequest(),
      // From v15 the replica is named in ReplicaState, with its broker epoch.
      replicaState: { replicaId: this.options.brokerId, replicaEpoch: this.options.brokerEpoch() },
      maxWaitMs: this.options.maxWaitMs,
      minBytes: this.options.minBytes,
      maxBytes: this.options.responseMaxBytes,
      sessionId: fetch.sessionId,
      sessionEpoch: fetch.sessionEpoch,
      topics: [...topics.values()],
      forgottenTopicsData: [...forgotten].map(([topicId, partitions]) => ({
        ...defaultFetchRequestForgottenTopic(),
        topicId,
        partitions,
      })),
    };
  }

  private handle(followed: Followed, p: FetchResponse['responses'][number]['partitions'][number]): void {
    const partition = followed.partition;
    const leaderLogStart = Number(p.logStartOffset);
    if (p.errorCode === ErrorCode.OFFSET_OUT_OF_RANGE && leaderLogStart > partition.log.logEndOffset) {
      // Behind the leader's log start (DeleteRecords, retention, a new replica of a trimmed log):
      // start over, empty, from there, as Kafka's fetcher does.
      this.options.logger.info(
        { topic: partition.topic, partition: partition.index, from: partition.log.logEndOffset, to: leaderLogStart },
        'follower behind the leader log start; restarting its log there',
      );
      partition.truncateFullyAndStartAt(leaderLogStart);
      followed.lastFetchedEpoch = -1;
      return;
    }
    if (p.errorCode !== ErrorCode.NONE) {
      this.options.logger.debug(
        { topic: partition.topic, partition: partition.index, errorCode: p.errorCode, leader: this.leaderId },
        'replica fetch refused; backing off',
      );
      followed.paused = true;
      this.options.schedule(this.options.backoffMs, () => {
        followed.paused = false;
        this.kick();
      });
      return;
    }
    if (p.divergingEpoch.epoch >= 0 || p.divergingEpoch.endOffset >= 0n) {
      const ours = endOffsetForEpoch(partition, p.divergingEpoch.epoch);
      const to = Math.min(
        Number(p.divergingEpoch.endOffset),
        ours.endOffset < 0 ? Number(p.divergingEpoch.endOffset) : ours.endOffset,
        partition.log.logEndOffset,
      );
      this.options.logger.info(
        { topic: partition.topic, partition: partition.index, from: partition.log.logEndOffset, to },
        'truncating a diverging follower log',
      );
      partition.truncateTo(Math.max(0, to));
      const history = epochHistory(partition);
      followed.lastFetchedEpoch = history[history.length - 1]?.epoch ?? -1;
      return;
    }
    const records = p.records ?? Buffer.alloc(0);
    const whole = wholeBatches(records);
    partition.appendAsFollower(whole.bytes, Number(p.highWatermark));
    if (whole.lastEpoch >= 0) followed.lastFetchedEpoch = whole.lastEpoch;
    if (leaderLogStart > partition.log.logStartOffset) partition.followLeaderLogStart(leaderLogStart);
  }
}

/** The follower fetch loops of this broker, `numFetchers` per leader, kept in step with partition states. */
export class ReplicaFetcherManager {
  private readonly loops = new Map<string, FetchLoop>();
  private readonly following = new Map<Partition, FetchLoop>();
  private numFetchers: number;

  constructor(private readonly options: ReplicaFetcherOptions) {
    this.numFetchers = Math.max(1, options.numFetchers);
  }

  /** The loops running now (for tests and metrics). */
  fetchLoops(): FetchLoop[] {
    return [...this.loops.values()];
  }

  /** The loop that follows a partition, if any. */
  loopOf(partition: Partition): FetchLoop | undefined {
    return this.following.get(partition);
  }

  /** Follows or stops following a partition after its state changed. */
  update(partition: Partition): void {
    const state = partition.state;
    const leader = state.leader;
    const shouldFollow =
      leader >= 0 && leader !== this.options.brokerId && state.replicas.includes(this.options.brokerId);
    const current = this.following.get(partition);
    const fetcherId = fetcherIdFor(partition.topic, partition.index, this.numFetchers);
    if (current && (!shouldFollow || current.leaderId !== leader || current.fetcherId !== fetcherId)) {
      current.remove(partition);
      this.following.delete(partition);
    }
    if (!shouldFollow) return;
    const key = `${leader}:${fetcherId}`;
    let loop = this.loops.get(key);
    if (!loop) this.loops.set(key, (loop = new FetchLoop(leader, fetcherId, this.options)));
    this.following.set(partition, loop);
    loop.add(partition);
  }

  /** Changes the number of loops per leader (dynamic `num.replica.fetchers`), moving partitions as their ids change. */
  resize(numFetchers: number): void {
    const next = Math.max(1, numFetchers);
    if (next === this.numFetchers) return;
    this.numFetchers = next;
    for (const partition of [...this.following.keys()]) this.update(partition);
    for (const [key, loop] of this.loops) {
      if (loop.fetcherId < next) continue;
      loop.stop();
      this.loops.delete(key);
    }
  }

  remove(partition: Partition): void {
    this.following.get(partition)?.remove(partition);
    this.following.delete(partition);
  }

  close(): void {
    for (const loop of this.loops.values()) loop.stop();
    this.loops.clear();
    this.following.clear();
  }
}
