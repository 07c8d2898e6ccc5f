/**
 * Follower fetchers, as Kafka's ReplicaFetcherThread: one fetch loop per source broker (the leader
 * of the partitions this broker follows), sending Fetch v12 with this broker's replica id, the
 * current leader epoch and the epoch of the last fetched batch. Per partition in the answer:
 * - records: appended as they are (leader offsets and epochs kept; a cut trailing batch is dropped)
 *   and the leader's high watermark followed up to the local log end; the leader's log start offset
 *   is followed too (up to the local high watermark), deleting the segments below it;
 * - divergingEpoch: the local log is truncated to where it agrees with the leader's, then fetched on;
 * - OFFSET_OUT_OF_RANGE with the leader's log start past the local log end: the local log restarts
 *   empty at the leader's log start (a follower behind DeleteRecords or retention, a new replica);
 * - an error (the leader moved, epochs differ, the leader does not host it yet): the partition
 *   pauses for `replica.fetch.backoff.ms` or until its state changes.
 * A failed request backs off `replica.fetch.backoff.ms`. The transport and the scheduler are
 * injected ports, so the loop runs under tests as on sockets.
 * Leaves out: fetch sessions (every fetch is full), num.replica.fetchers > 1, quotas.
 */
import {
  defaultFetchRequest,
  defaultFetchRequestFetchPartition,
  type FetchRequest,
  type FetchResponse,
} from '../../protocol/generated/messages/01-fetch.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import {
  LAST_OFFSET_DELTA_OFFSET,
  PARTITION_LEADER_EPOCH_OFFSET,
  batchSizeAt,
} from '../../protocol/records/batch-header.js';
import type { Logger } from '../common/logger.js';
import type { Schedule } from './delayed-fetch.js';
import { endOffsetForEpoch, epochHistory } from './leader-epochs.js';
import type { Partition } from './partition.js';

/** Sends a Fetch (v12) to a broker; rejects when it cannot be reached. */
export type ReplicaFetchTransport = (leaderId: number, request: FetchRequest) => Promise<FetchResponse>;

export interface ReplicaFetcherOptions {
  brokerId: number;
  transport: ReplicaFetchTransport;
  schedule: Schedule;
  maxWaitMs: number;
  minBytes: number;
  maxBytes: number;
  backoffMs: number;
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

interface Followed {
  partition: Partition;
  /** Epoch of the last batch in the local log (-1: empty or unknown). */
  lastFetchedEpoch: number;
  /** Paused after an error, until `replica.fetch.backoff.ms` passes or the partition's state changes. */
  paused: boolean;
}

class FetchLoop {
  readonly partitions = new Map<Partition, Followed>();
  private running = false;
  private stopped = false;
  private refusalLogged = false;

  constructor(
    readonly leaderId: number,
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
    void this.runOnce();
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
    const request = this.request(wanted);
    let response: FetchResponse;
    try {
      response = await this.options.transport(this.leaderId, request);
    } catch (err) {
      this.options.logger.debug({ err, leader: this.leaderId }, 'replica fetch failed; backing off');
      this.options.schedule(this.options.backoffMs, () => this.continueLoop());
      return;
    }
    if (response.errorCode !== ErrorCode.NONE) {
      this.warnOnceIfRefused(response.errorCode);
      this.options.schedule(this.options.backoffMs, () => this.continueLoop());
      return;
    }
    this.refusalLogged = false;
    const byKey = new Map(wanted.map((f) => [`${f.partition.topic}-${f.partition.index}`, f]));
    for (const topic of response.responses) {
      for (const p of topic.partitions) {
        const followed = byKey.get(`${topic.topic}-${p.partitionIndex}`);
        if (followed && this.partitions.get(followed.partition) === followed) this.handle(followed, p);
      }
    }
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

  private request(wanted: Followed[]): FetchRequest {
    const topics = new Map<string, FetchRequest['topics'][number]>();
    for (const f of wanted) {
      const p = f.partition;
      let topic = topics.get(p.topic);
      if (!topic) topics.set(p.topic, (topic = { topic: p.topic, topicId: p.topicId, partitions: [] }));
      topic.partitions.push({
        ...defaultFetchRequestFetchPartition(),
        partition: p.index,
        currentLeaderEpoch: p.leaderEpoch,
        fetchOffset: BigInt(p.log.logEndOffset),
        lastFetchedEpoch: f.lastFetchedEpoch,
        logStartOffset: BigInt(p.log.logStartOffset),
        partitionMaxBytes: this.options.maxBytes,
      });
    }
    return {
      ...defaultFetchRequest(),
      replicaId: this.options.brokerId,
      maxWaitMs: this.options.maxWaitMs,
      minBytes: this.options.minBytes,
      maxBytes: this.options.maxBytes,
      topics: [...topics.values()],
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

/** The follower fetch loops of this broker, one per leader, kept in step with partition states. */
export class ReplicaFetcherManager {
  private readonly loops = new Map<number, FetchLoop>();
  private readonly following = new Map<Partition, number>();

  constructor(private readonly options: ReplicaFetcherOptions) {}

  /** Follows or stops following a partition after its state changed. */
  update(partition: Partition): void {
    const state = partition.state;
    const leader = state.leader;
    const shouldFollow =
      leader >= 0 && leader !== this.options.brokerId && state.replicas.includes(this.options.brokerId);
    const current = this.following.get(partition);
    if (current !== undefined && (!shouldFollow || current !== leader)) {
      this.loops.get(current)?.remove(partition);
      this.following.delete(partition);
    }
    if (!shouldFollow) return;
    let loop = this.loops.get(leader);
    if (!loop) this.loops.set(leader, (loop = new FetchLoop(leader, this.options)));
    this.following.set(partition, leader);
    loop.add(partition);
  }

  remove(partition: Partition): void {
    const leader = this.following.get(partition);
    if (leader !== undefined) this.loops.get(leader)?.remove(partition);
    this.following.delete(partition);
  }

  close(): void {
    for (const loop of this.loops.values()) loop.stop();
    this.loops.clear();
    this.following.clear();
  }
}
