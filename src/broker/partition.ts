/**
 * One hosted partition: the single owner of its appends and its high watermark, as Kafka's
 * Partition is. Every writer (the produce path, the group and transaction coordinators, the
 * marker writer) appends through `appendAsLeader`; a follower's fetcher through
 * `appendAsFollower`. The high watermark is private:
 * - on the leader it is the smallest log end offset over the ISR (the leader's own, and each
 *   in-sync follower's as its fetches report it), and it never goes back. It does not move at all
 *   while the partition is under its minimum ISR (Kafka's isUnderMinIsr: the ISR, as the metadata
 *   has it, smaller than min(min.insync.replicas, replication factor)), so an acks=1 or acks=0
 *   write to a leader left alone in sync is not readable until the ISR is back at that size (a
 *   metadata ISR change, an append or a follower's progress looks again); a follower outside the
 *   ISR that has caught up lately and may join it holds it too (Kafka's
 *   shouldWaitForReplicaToJoinIsr: a follower catching up with a leader alone in sync is not left
 *   behind by every new append, so it can join);
 * - on a follower it is the leader's high watermark, capped at the local log end.
 * Waiters (delayed fetches and produces) are woken on appends, high-watermark moves,
 * state changes, truncation and deletion.
 */
import type { PartitionState } from '../metadata/image.js';
import { BASE_OFFSET_OFFSET, LAST_OFFSET_DELTA_OFFSET } from '../../protocol/records/batch-header.js';
import type { AppendInfo, PartitionLog } from './partition-log.js';

/** What the leader knows of one follower, from its fetches. */
export interface FollowerPosition {
  /** The follower's log end offset: the offset of its last fetch. */
  logEndOffset: number;
  /** When the follower last fetched up to the leader's log end (ms), for the ISR lag check. */
  lastCaughtUpTimeMs: number;
  /** The leader's log end when it answered the previous fetch, and when that was. */
  lastFetchLeaderLogEndOffset: number;
  lastFetchTimeMs: number;
  /** The follower's log start offset, as its last fetch gave it (-1: unknown). */
  logStartOffset: number;
  /** The follower's broker epoch its last fetch gave (Fetch v15+; -1: not given), sent with it in AlterPartition. */
  brokerEpoch: bigint;
}

/** Shared by every partition with no pending ISR joins (most of them): never mutated. */
const NO_ISR_JOINS: readonly number[] = Object.freeze([]);

export class Partition {
  private hw: number;
  /** Made on first use: a broker hosting many partitions keeps no empty set and map per partition. */
  private waiters: Set<() => void> | null = null;
  private followers: Map<number, FollowerPosition> | null = null;
  /** Told of each follower fetch recorded on the leader (the ISR manager listens). */
  followerFetchListener: ((partition: Partition, replicaId: number) => void) | null = null;
  /**
   * Whether a follower outside the ISR holds the high watermark, as one about to join it (the ISR
   * manager answers, from the time and the metadata). Null: none does.
   */
  joiningFollowerHolds: ((partition: Partition, replicaId: number, position: FollowerPosition) => boolean) | null =
    null;
  /**
   * Followers proposed to join the ISR and not yet confirmed by the metadata (Kafka's "maximal
   * ISR"): they already count for the high watermark, since the controller may make them leader
   * as soon as it commits them.
   */
  private pendingIsrJoins: readonly number[] = NO_ISR_JOINS;
  /** A copy: the image changes its partition states in place. */
  private current: PartitionState;
  /** On the leader, its log end when it took the current leader epoch (Kafka's leaderEpochStartOffsetOpt); else -1. */
  private epochStartOffset = -1;

  constructor(
    readonly topic: string,
    readonly topicId: string,
    readonly index: number,
    state: PartitionState,
    readonly log: PartitionLog,
    /** This broker's id; by default the partition's leader (a single node). */
    readonly localReplicaId: number = state.leader,
    /** The topic's min.insync.replicas as it is now (it may change); by default 1. */
    private readonly minInsyncReplicas: () => number = () => 1,
  ) {
    this.current = copyOf(state);
    if (this.isLeader()) this.epochStartOffset = log.logEndOffset;
    // It starts where the log's checkpoint left it (0 without one), as Kafka's log load does; led
    // here with the leader alone in sync (and not under min ISR) it is the log end at once;
    // otherwise it comes from the leader (or the followers) again.
    this.hw = Math.min(log.recordedHighWatermark?.() ?? 0, log.logEndOffset);
    this.advanceHighWatermark();
  }

  get state(): PartitionState {
    return this.current;
  }

  /** Takes a new partition state from the metadata image (leader, epochs, replicas, ISR). */
  set state(next: PartitionState) {
    const newEpoch = next.leaderEpoch !== this.current.leaderEpoch || next.leader !== this.current.leader;
    this.current = copyOf(next);
    this.pendingIsrJoins = NO_ISR_JOINS;
    if (!this.isLeader()) this.epochStartOffset = -1;
    else if (newEpoch) this.epochStartOffset = this.log.logEndOffset;
    // A new leadership (or none here) knows nothing of the followers' positions yet.
    if (newEpoch || !this.isLeader()) this.followers = null;
    if (this.followers)
      for (const id of [...this.followers.keys()]) if (!next.replicas.includes(id)) this.followers.delete(id);
    this.advanceHighWatermark();
    // Waiting fetches and produces look again (a lost leadership answers them).
    this.notifyChange();
  }

  get leaderEpoch(): number {
    return this.current.leaderEpoch;
  }

  /**
   * On the leader, its log end when it took the current leader epoch (-1 elsewhere): a follower
   * joins the ISR only once it has that much (Kafka's Partition.isFollowerInSync).
   */
  get leaderEpochStartOffset(): number {
    return this.epochStartOffset;
  }

  isLeader(): boolean {
    return this.current.leader === this.localReplicaId;
  }

  /**
   * Kafka's isUnderMinIsr: led here with fewer replicas in the ISR (the metadata's, not counting
   * proposed joins) than min(min.insync.replicas, replication factor). The high watermark waits.
   */
  isUnderMinIsr(): boolean {
    const { isr, replicas } = this.current;
    // A full ISR is never under it: the topic config is looked up only when the ISR is short.
    if (!this.isLeader() || isr.length >= replicas.length) return false;
    return isr.length < this.effectiveMinIsr(this.minInsyncReplicas());
  }

  /**
   * Kafka's isAtMinIsr: led here with exactly min(min.insync.replicas, replication factor) replicas
   * in the ISR (one more failure and acks=-1 writes are refused).
   */
  isAtMinIsr(): boolean {
    if (!this.isLeader()) return false;
    return this.current.isr.length === this.effectiveMinIsr(this.minInsyncReplicas());
  }

  /**
   * Kafka's effectiveMinIsr: a min.insync.replicas above the replication factor counts as the
   * factor (acks=-1 and coordinator writes check the ISR against this, as the high watermark does).
   */
  effectiveMinIsr(minInsyncReplicas: number): number {
    return Math.min(minInsyncReplicas, this.current.replicas.length);
  }

  /** The high watermark: the end of what the ISR holds (read-only; see the header). */
  get highWatermark(): number {
    return this.hw;
  }

  /** Appends validated batches as the leader (offsets assigned, the leader epoch stamped). */
  appendAsLeader(batches: Buffer, options: { logAppendTime?: number } = {}): AppendInfo {
    // With followers, each append is read back by them at once: storage keeps a copy for that.
    const cacheTail = this.current.replicas.length > 1;
    const info = this.log.append(batches, { leaderEpoch: this.current.leaderEpoch, cacheTail, ...options });
    this.advanceHighWatermark();
    this.notifyChange();
    return info;
  }

  /**
   * Appends batches fetched from the leader, keeping their offsets and epochs (they must start at
   * the local log end), then takes the leader's high watermark up to the local log end.
   */
  appendAsFollower(batches: Buffer, leaderHighWatermark: number): AppendInfo | null {
    if (!this.log.appendReplicated)
      throw new Error(`the log of ${this.topic}-${this.index} cannot take replicated batches`);
    if (batches.length > 0) this.alignEmptyLogTo(batches);
    const info = batches.length > 0 ? this.log.appendReplicated(batches) : null;
    this.followLeaderHighWatermark(leaderHighWatermark);
    this.notifyChange();
    return info;
  }

  /**
   * An empty follower log that starts inside the first fetched batch (it restarted at a leader log
   * start that DeleteRecords set mid-batch, and the leader sends whole batches) restarts at that
   * batch's base offset, as Kafka's follower does on UnexpectedAppendOffsetException; the leader's
   * log start then moves it up again.
   */
  private alignEmptyLogTo(batches: Buffer): void {
    const end = this.log.logEndOffset;
    if (this.log.logStartOffset !== end || batches.length < LAST_OFFSET_DELTA_OFFSET + 4) return;
    const base = Number(batches.readBigInt64BE(BASE_OFFSET_OFFSET));
    const last = base + batches.readInt32BE(LAST_OFFSET_DELTA_OFFSET);
    if (base < end && last >= end) this.log.truncateFullyAndStartAt(base);
  }

  /** A follower takes the leader's high watermark, capped at its own log end; it never goes back. */
  followLeaderHighWatermark(leaderHighWatermark: number): void {
    const next = Math.min(leaderHighWatermark, this.log.logEndOffset);
    if (next > this.hw) this.setHighWatermark(next);
  }

  /**
   * A follower takes the leader's log start offset (DeleteRecords, retention), as far as its own
   * high watermark (Kafka's bound), deleting the whole segments below it. Returns whether it moved.
   */
  followLeaderLogStart(leaderLogStartOffset: number): boolean {
    const next = Math.min(leaderLogStartOffset, this.hw, this.log.logEndOffset);
    if (next <= this.log.logStartOffset) return false;
    this.log.deleteRecordsBefore(next);
    this.notifyChange();
    return true;
  }

  /** A follower whose log ends below the leader's log start: its log restarts empty at that offset. */
  truncateFullyAndStartAt(offset: number): void {
    this.log.truncateFullyAndStartAt(offset);
    this.setHighWatermark(offset);
    this.notifyChange();
  }

  /** Drops records at and after `offset` (a follower diverging from its leader). */
  truncateTo(offset: number): void {
    this.log.truncateTo(offset);
    if (this.hw > this.log.logEndOffset) this.setHighWatermark(this.log.logEndOffset);
    this.notifyChange();
  }

  /**
   * The leader records a follower's fetch at `fetchOffset` (its log end) and advances the high
   * watermark when the ISR allows. Returns the follower's position.
   */
  recordFollowerFetch(
    replicaId: number,
    fetchOffset: number,
    now: number,
    logStartOffset = -1,
    brokerEpoch = -1n,
  ): FollowerPosition {
    const previous = this.followers?.get(replicaId);
    const leaderEnd = this.log.logEndOffset;
    // Kafka's rule: caught up now when at the log end; caught up as of the previous fetch when at
    // the log end that fetch was answered with.
    let lastCaughtUpTimeMs = previous?.lastCaughtUpTimeMs ?? -1;
    if (fetchOffset >= leaderEnd) lastCaughtUpTimeMs = now;
    else if (previous && fetchOffset >= previous.lastFetchLeaderLogEndOffset)
      lastCaughtUpTimeMs = Math.max(lastCaughtUpTimeMs, previous.lastFetchTimeMs);
    const position: FollowerPosition = {
      logEndOffset: fetchOffset,
      lastCaughtUpTimeMs,
      lastFetchLeaderLogEndOffset: leaderEnd,
      lastFetchTimeMs: now,
      logStartOffset,
      brokerEpoch,
    };
    (this.followers ??= new Map()).set(replicaId, position);
    // A moved follower log start may complete a waiting DeleteRecords (the low watermark).
    const logStartMoved = previous !== undefined && previous.logStartOffset !== logStartOffset;
    if (this.advanceHighWatermark() || logStartMoved) this.notifyChange();
    this.followerFetchListener?.(this, replicaId);
    return position;
  }

  /**
   * On the leader, Kafka's low watermark: the smallest log start offset over this replica and the
   * followers on live brokers, as their fetches report it (-1 for one that has not fetched in this
   * leader epoch). DeleteRecords answers once it reaches the requested offset.
   */
  lowWatermark(isLive: (brokerId: number) => boolean): number {
    let low = this.log.logStartOffset;
    for (const replica of this.current.replicas) {
      if (replica === this.localReplicaId || !isLive(replica)) continue;
      low = Math.min(low, this.followers?.get(replica)?.logStartOffset ?? -1);
    }
    return low;
  }

  /** Looks at the high watermark again (a joining follower's catch-up may have expired). */
  maybeAdvanceHighWatermark(): void {
    if (this.advanceHighWatermark()) this.notifyChange();
  }

  /** The ISR manager proposed these followers for the ISR: count them until the metadata answers. */
  expectIsrJoins(replicaIds: readonly number[]): void {
    this.pendingIsrJoins = replicaIds.filter((r) => !this.current.isr.includes(r));
  }

  /** The proposal was refused or lost: the ISR is the metadata's again. */
  clearIsrJoins(): void {
    this.pendingIsrJoins = NO_ISR_JOINS;
    if (this.advanceHighWatermark()) this.notifyChange();
  }

  followerPosition(replicaId: number): FollowerPosition | undefined {
    return this.followers?.get(replicaId);
  }

  /** Calls `wake` once the partition changes (append, high watermark, truncation, deletion). Returns a canceller. */
  waitForChange(wake: () => void): () => void {
    const waiters = (this.waiters ??= new Set());
    waiters.add(wake);
    return () => waiters.delete(wake);
  }

  notifyChange(): void {
    const waiters = this.waiters;
    if (waiters === null || waiters.size === 0) return;
    this.waiters = null;
    for (const w of waiters) w();
  }

  /**
   * On the leader: the high watermark becomes the smallest log end over the ISR (and the followers
   * about to join it), when that is larger. A follower of the ISR that has not fetched yet holds it
   * where it is; so does an ISR under its minimum (isUnderMinIsr). Returns whether it moved.
   */
  private advanceHighWatermark(): boolean {
    if (!this.isLeader() || this.isUnderMinIsr()) return false;
    let candidate = this.log.logEndOffset;
    const inSync =
      this.pendingIsrJoins.length === 0 ? this.current.isr : [...this.current.isr, ...this.pendingIsrJoins];
    for (const replica of inSync) {
      if (replica === this.localReplicaId) continue;
      const follower = this.followers?.get(replica);
      if (!follower) return false;
      candidate = Math.min(candidate, follower.logEndOffset);
    }
    const holds = this.joiningFollowerHolds;
    if (holds && this.followers)
      for (const [replica, follower] of this.followers)
        if (follower.logEndOffset < candidate && !inSync.includes(replica) && holds(this, replica, follower))
          candidate = follower.logEndOffset;
    if (candidate <= this.hw) return false;
    this.setHighWatermark(candidate);
    return true;
  }

  /** Sets it and tells the log, whose checkpoint (replication-offset-checkpoint) persists it. */
  private setHighWatermark(offset: number): void {
    this.hw = offset;
    this.log.recordHighWatermark?.(offset);
  }
}

/** The fields copyOf copies; a field added to PartitionState fails to compile below until it is copied too. */
type CopiedField =
  | 'partition'
  | 'leader'
  | 'leaderEpoch'
  | 'partitionEpoch'
  | 'replicas'
  | 'isr'
  | 'addingReplicas'
  | 'removingReplicas';
const EVERY_FIELD_COPIED: Record<Exclude<keyof PartitionState, CopiedField>, never> = {};
void EVERY_FIELD_COPIED;

/**
 * A copy made field by field, not by spreading: a spread copy takes its hidden class from the source
 * object's, and the image's state objects do not keep one over a process's life, so every function
 * on the data path that reads a partition's state (isLeader, the fetch loop, the Fetch and Produce
 * handlers) deoptimized on all three nodes ("wrong map") when a newer topic's partitions first went
 * through it (docs/benchmarks.md, "Replicated produce, session 22"). A literal keeps one.
 */
function copyOf(state: PartitionState): PartitionState {
  const copy: PartitionState = {
    partition: state.partition,
    leader: state.leader,
    leaderEpoch: state.leaderEpoch,
    partitionEpoch: state.partitionEpoch,
    replicas: [...state.replicas],
    isr: [...state.isr],
  };
  if (state.addingReplicas) copy.addingReplicas = [...state.addingReplicas];
  if (state.removingReplicas) copy.removingReplicas = [...state.removingReplicas];
  return copy;
}
