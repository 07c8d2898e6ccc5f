/**
 * Per-partition producer state, as Kafka's ProducerStateManager keeps it on the leader:
 * for each producer id, its epoch, the sequence ranges and offsets of its last five
 * batches (so a retried batch is answered with its original offsets, not appended
 * again), the offset of its open transaction in this partition, and when it was last
 * seen. Also the open transactions (for the last stable offset) and the aborted
 * transactions (what read_committed fetches are told to drop).
 * Pure: time is passed in; the broker rebuilds it by scanning batch headers
 * (producer-state-registry.ts). Leaves out: snapshot files (storage owns them).
 */
import { ErrorCode } from '../../protocol/generated/error-codes.js';

/** How many recent batches per producer are kept for duplicate detection (Kafka: 5). */
export const BATCHES_KEPT = 5;
const INT32_MAX = 0x7fffffff;

export interface BatchMeta {
  firstSeq: number;
  lastSeq: number;
  firstOffset: number;
  lastOffset: number;
}

export interface ProducerEntry {
  producerId: bigint;
  epoch: number;
  batches: BatchMeta[];
  /**
   * The last batch's max timestamp (its CreateTime, or the append time under LogAppendTime) or the last
   * marker's time: what DescribeProducers reports as LastTimestamp, as Kafka's ProducerStateEntry keeps it.
   */
  lastTimestamp: number;
  /** Broker time of the last append or marker: what producer.id.expiration.ms counts from. */
  lastAppendMs: number;
  /** First offset of the open transaction in this partition, or -1. */
  currentTxnFirstOffset: number;
  coordinatorEpoch: number;
}

export interface AbortedTxn {
  producerId: bigint;
  firstOffset: number;
  lastOffset: number;
  lastStableOffset: number;
}

/** What a produced batch carries that matters here. */
export interface ProducerBatch {
  producerId: bigint;
  producerEpoch: number;
  baseSequence: number;
  lastOffsetDelta: number;
  transactional: boolean;
}

export type ProducerCheck =
  | { kind: 'append' }
  | { kind: 'duplicate'; firstOffset: number; lastOffset: number }
  | { kind: 'error'; errorCode: number; message: string };

const APPEND: ProducerCheck = { kind: 'append' };

function lastSeqOf(batch: ProducerBatch): number {
  const last = batch.baseSequence + batch.lastOffsetDelta;
  return last > INT32_MAX ? last - INT32_MAX - 1 : last;
}

function inSequence(lastSeq: number, nextSeq: number): boolean {
  return nextSeq === lastSeq + 1 || (nextSeq === 0 && lastSeq === INT32_MAX);
}

export class PartitionProducerState {
  readonly producers = new Map<bigint, ProducerEntry>();
  /** producerId -> first offset of its open transaction here, in offset order of insertion. */
  private readonly ongoing = new Map<bigint, number>();
  private readonly aborted: AbortedTxn[] = [];
  /**
   * KIP-890 part 1: producerId -> epoch the transaction coordinator confirmed holds this
   * partition in its ongoing transaction (Kafka's VerificationGuard). Cleared by the
   * transaction's first append here or by a marker, so a write verified before a marker
   * arrived cannot slip into the next transaction.
   */
  private readonly verified = new Map<bigint, number>();

  constructor(private expirationMs = Number.MAX_SAFE_INTEGER) {}

  setExpiration(ms: number): void {
    this.expirationMs = ms;
  }

  /** The live entry of a producer; an idle one without an open transaction expires. */
  entry(producerId: bigint, now: number): ProducerEntry | undefined {
    const e = this.producers.get(producerId);
    if (e && e.currentTxnFirstOffset < 0 && now - e.lastAppendMs >= this.expirationMs) {
      this.producers.delete(producerId);
      return undefined;
    }
    return e;
  }

  /** Drops every expired producer without an open transaction. */
  expire(now: number): number {
    let removed = 0;
    for (const id of [...this.producers.keys()]) if (this.entry(id, now) === undefined) removed++;
    return removed;
  }

  /** Checks a produced batch: duplicate, stale epoch, sequence gap, or append. */
  check(batch: ProducerBatch, now: number): ProducerCheck {
    const e = this.entry(batch.producerId, now);
    if (!e) return APPEND;
    if (batch.producerEpoch < e.epoch) {
      return {
        kind: 'error',
        errorCode: ErrorCode.INVALID_PRODUCER_EPOCH,
        message: `epoch ${batch.producerEpoch} of producer ${batch.producerId} is older than ${e.epoch}`,
      };
    }
    const lastSeq = lastSeqOf(batch);
    if (batch.producerEpoch === e.epoch) {
      const dup = e.batches.find((b) => b.firstSeq === batch.baseSequence && b.lastSeq === lastSeq);
      if (dup) return { kind: 'duplicate', firstOffset: dup.firstOffset, lastOffset: dup.lastOffset };
      const last = e.batches[e.batches.length - 1];
      if (last !== undefined && !inSequence(last.lastSeq, batch.baseSequence)) {
        return {
          kind: 'error',
          errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
          message: `out of order sequence for producer ${batch.producerId}: ${batch.baseSequence} after ${last.lastSeq}`,
        };
      }
    } else if (batch.baseSequence !== 0 && e.batches.length > 0) {
      return {
        kind: 'error',
        errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
        message: `sequence ${batch.baseSequence} for the new epoch ${batch.producerEpoch} of producer ${batch.producerId} is not 0`,
      };
    }
    if (!batch.transactional && e.currentTxnFirstOffset >= 0) {
      return {
        kind: 'error',
        errorCode: ErrorCode.INVALID_TXN_STATE,
        message: `producer ${batch.producerId} has an open transaction`,
      };
    }
    return APPEND;
  }

  /** Whether the producer has an open transaction here, at this epoch (no verification needed). */
  inTransaction(producerId: bigint, epoch: number): boolean {
    const e = this.producers.get(producerId);
    return e !== undefined && e.epoch === epoch && e.currentTxnFirstOffset >= 0;
  }

  markVerified(producerId: bigint, epoch: number): void {
    this.verified.set(producerId, epoch);
  }

  isVerified(producerId: bigint, epoch: number): boolean {
    return this.verified.get(producerId) === epoch;
  }

  /**
   * Records a batch appended at [firstOffset, firstOffset + lastOffsetDelta] at `now`, its max timestamp as
   * written `writtenTimestamp` (LogAppendTime's stamp included).
   */
  appended(batch: ProducerBatch, firstOffset: number, now: number, writtenTimestamp = now): void {
    let e = this.entry(batch.producerId, now);
    if (!e) {
      e = {
        producerId: batch.producerId,
        epoch: batch.producerEpoch,
        batches: [],
        lastTimestamp: now,
        lastAppendMs: now,
        currentTxnFirstOffset: -1,
        coordinatorEpoch: -1,
      };
      this.producers.set(batch.producerId, e);
    }
    if (batch.producerEpoch !== e.epoch) {
      e.epoch = batch.producerEpoch;
      e.batches = [];
    }
    if (batch.baseSequence >= 0) {
      e.batches.push({
        firstSeq: batch.baseSequence,
        lastSeq: lastSeqOf(batch),
        firstOffset,
        lastOffset: firstOffset + batch.lastOffsetDelta,
      });
      if (e.batches.length > BATCHES_KEPT) e.batches.shift();
    }
    e.lastTimestamp = writtenTimestamp;
    e.lastAppendMs = now;
    if (batch.transactional && e.currentTxnFirstOffset < 0) {
      this.verified.delete(batch.producerId);
      e.currentTxnFirstOffset = firstOffset;
      this.ongoing.set(batch.producerId, firstOffset);
    }
  }

  /**
   * Applies a COMMIT or ABORT marker written at `markerOffset`: closes the producer's open
   * transaction here and, for an abort, records it. A marker may carry a bumped epoch.
   */
  marker(
    producerId: bigint,
    epoch: number,
    commit: boolean,
    coordinatorEpoch: number,
    markerOffset: number,
    now: number,
    markerTimestamp = now,
  ): AbortedTxn | null {
    let e = this.producers.get(producerId);
    if (!e) {
      e = {
        producerId,
        epoch,
        batches: [],
        lastTimestamp: markerTimestamp,
        lastAppendMs: now,
        currentTxnFirstOffset: -1,
        coordinatorEpoch,
      };
      this.producers.set(producerId, e);
    }
    if (epoch > e.epoch) {
      e.epoch = epoch;
      e.batches = [];
    }
    e.coordinatorEpoch = coordinatorEpoch;
    e.lastTimestamp = markerTimestamp;
    e.lastAppendMs = now;
    this.verified.delete(producerId);
    const first = e.currentTxnFirstOffset;
    e.currentTxnFirstOffset = -1;
    this.ongoing.delete(producerId);
    if (commit || first < 0) return null;
    const entry: AbortedTxn = {
      producerId,
      firstOffset: first,
      lastOffset: markerOffset,
      lastStableOffset: this.firstUnstableOffset() ?? markerOffset + 1,
    };
    this.aborted.push(entry);
    return entry;
  }

  /** The first offset of the earliest open transaction, or null when none is open. */
  firstUnstableOffset(): number | null {
    let min: number | null = null;
    for (const offset of this.ongoing.values()) if (min === null || offset < min) min = offset;
    return min;
  }

  /** The last stable offset given the high watermark. */
  lastStableOffset(highWatermark: number): number {
    const first = this.firstUnstableOffset();
    return first === null ? highWatermark : Math.min(first, highWatermark);
  }

  /** Aborted transactions overlapping [fetchOffset, upperBound). */
  abortedOverlapping(fetchOffset: number, upperBound: number): AbortedTxn[] {
    return this.aborted.filter((a) => a.lastOffset >= fetchOffset && a.firstOffset < upperBound);
  }

  /** Forgets aborted transactions wholly before the log start. */
  trimBefore(logStartOffset: number): void {
    let drop = 0;
    while (drop < this.aborted.length && this.aborted[drop]!.lastOffset < logStartOffset) drop++;
    if (drop > 0) this.aborted.splice(0, drop);
  }

  /** Producers as DescribeProducers reports them. */
  active(now: number): ProducerEntry[] {
    this.expire(now);
    return [...this.producers.values()];
  }
}
