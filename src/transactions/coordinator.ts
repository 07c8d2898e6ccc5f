/**
 * The transaction coordinator, as Kafka's TransactionCoordinator for one broker: the
 * state of every transactional id (txn-state.ts has the states and the transition
 * table, checked on every change), InitProducerId with epoch bumps and fencing,
 * AddPartitionsToTxn/AddOffsetsToTxn, EndTxn with commit/abort markers sent through
 * `TxnEnvironment.sendMarkers` (to the partitions' leaders, wherever they are: it calls back
 * once every marker is written, then Complete* is recorded; until then the transaction stays
 * in Prepare* and clients get CONCURRENT_TRANSACTIONS), proactive abort of transactions past
 * their timeout, and expiry of idle transactional ids.
 * Timed-out transactions are found as Kafka finds them: by a scan every
 * `transaction.abort.timed.out.transaction.cleanup.interval.ms` (10 s by default), which aborts the
 * Ongoing transactions whose start plus timeout lies before the scan; so a transaction is aborted
 * between its timeout and one interval later, never sooner. The scans fall on the multiples of the
 * interval of the clock (pure: no state to keep across calls).
 * Commands write a record to `__transaction_state` first; only replaying it changes the
 * cache, so loading the log on start is replay. Pure: every call takes `now`.
 * Holds only the transactional ids of the `__transaction_state` partitions this broker leads
 * (the service loads and unloads them with leadership).
 * Transaction version 2 (KIP-890 part 2, as Kafka 4.0): an EndTxn at TV2 (v5) bumps the producer
 * epoch in the Prepare* record (the markers carry the bumped epoch) and the client continues with
 * the new one (`producerAfterEnd`); at an exhausted epoch a new producer id is taken
 * (NextProducerId) and used from Complete* on (PreviousProducerId lets a retry through). A retried
 * EndTxn of a TV2 transaction names the epoch before the bump. Partitions are added at TV2 by the
 * partition leaders (Produce v12+) and the group coordinator (TxnOffsetCommit v5), not the client.
 */
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { cloneTxn, partitionForTransactionalId, type TxnLogRecord, type TxnMetadata } from './txn-log.js';
import { TxnState, checkTxnTransition, type TxnStateId } from './txn-state.js';

/** Kafka bumps to a new producer id when the epoch reaches Short.MAX_VALUE - 1. */
export const MAX_PRODUCER_EPOCH = 32766;
/** How long after an abandoned marker send or a failed Complete* write the coordinator tries again. */
const RETRY_COMPLETE_MS = 1000;

export interface TxnCoordinatorConfig {
  maxTimeoutMs: number;
  transactionalIdExpirationMs: number;
  /** transaction.abort.timed.out.transaction.cleanup.interval.ms: how often timed-out transactions are looked for. */
  abortTimedOutIntervalMs: number;
}

export interface TxnEnvironment {
  /** Appends a record to the `__transaction_state` partition; throws when it cannot. */
  append(partition: number, record: TxnLogRecord): void;
  numPartitions(): number;
  /** A fresh producer id (allocated in blocks through the metadata log). */
  nextProducerId(): bigint;
  /**
   * Writes COMMIT/ABORT markers to every partition of the transaction (the marker sender);
   * `done(now)` runs once all are written, possibly before this returns. Nothing when a send
   * for this transactional id is already under way.
   */
  sendMarkers(txn: TxnMetadata, commit: boolean, done: (now: number) => void): void;
  /** Whether markers of this transactional id are being sent. */
  sendingMarkers(transactionalId: string): boolean;
}

export interface InitResult {
  errorCode: number;
  producerId: bigint;
  producerEpoch: number;
}

export interface TopicPartitions {
  topic: string;
  partitions: number[];
}

const FAILED_INIT = (errorCode: number): InitResult => ({ errorCode, producerId: -1n, producerEpoch: -1 });

export class TransactionCoordinator {
  readonly txns = new Map<string, TxnMetadata>();
  /** Prepared transactions whose completion failed or was abandoned: when to try again. */
  private readonly retryAt = new Map<string, number>();

  constructor(
    readonly config: TxnCoordinatorConfig,
    private readonly env: TxnEnvironment,
  ) {}

  /** Applies a record read back from the log (or just written). */
  replay(record: TxnLogRecord): void {
    if (record.value === null) this.txns.delete(record.transactionalId);
    else this.txns.set(record.transactionalId, record.value);
  }

  /** Drops the transactional ids of a `__transaction_state` partition whose leadership moved; returns them. */
  unloadPartition(partition: number): string[] {
    const dropped: string[] = [];
    for (const id of [...this.txns.keys()]) {
      if (partitionForTransactionalId(id, this.env.numPartitions()) !== partition) continue;
      this.txns.delete(id);
      dropped.push(id);
    }
    return dropped;
  }

  /** After loading (`only`: the transactional ids just loaded): finishes transactions caught between Prepare* and Complete*. */
  recover(only: (transactionalId: string) => boolean = () => true): void {
    for (const m of [...this.txns.values()]) {
      if (!only(m.transactionalId)) continue;
      if (m.state === TxnState.PrepareCommit || m.state === TxnState.PrepareAbort)
        this.complete(m, m.state === TxnState.PrepareCommit);
    }
  }

  /** Validates, writes and replays a new state of `m`. */
  private persist(m: TxnMetadata, next: TxnMetadata): void {
    checkTxnTransition(m.transactionalId, m.state, next.state);
    const record = { transactionalId: m.transactionalId, value: next };
    this.env.append(partitionForTransactionalId(m.transactionalId, this.env.numPartitions()), record);
    this.replay(record);
  }

  private create(transactionalId: string, timeoutMs: number, now: number): TxnMetadata {
    const m: TxnMetadata = {
      transactionalId,
      producerId: this.env.nextProducerId(),
      lastProducerEpoch: -1,
      producerEpoch: 0,
      timeoutMs,
      state: TxnState.Empty,
      partitions: new Map(),
      startTimestamp: -1,
      lastUpdateTimestamp: now,
      clientTransactionVersion: 0,
      previousProducerId: -1n,
      nextProducerId: -1n,
    };
    const record = { transactionalId, value: m };
    this.env.append(partitionForTransactionalId(transactionalId, this.env.numPartitions()), record);
    this.replay(record);
    return m;
  }

  initProducerId(
    transactionalId: string | null,
    timeoutMs: number,
    expected: { producerId: bigint; epoch: number } | null,
    now: number,
  ): InitResult {
    if (transactionalId === null) return { errorCode: 0, producerId: this.env.nextProducerId(), producerEpoch: 0 };
    if (transactionalId === '') return FAILED_INIT(ErrorCode.INVALID_REQUEST);
    if (timeoutMs <= 0 || timeoutMs > this.config.maxTimeoutMs)
      return FAILED_INIT(ErrorCode.INVALID_TRANSACTION_TIMEOUT);
    try {
      const m = this.txns.get(transactionalId);
      if (!m || m.state === TxnState.Dead) {
        const created = this.create(transactionalId, timeoutMs, now);
        return { errorCode: 0, producerId: created.producerId, producerEpoch: created.producerEpoch };
      }
      if (
        m.state === TxnState.PrepareCommit ||
        m.state === TxnState.PrepareAbort ||
        m.state === TxnState.PrepareEpochFence
      ) {
        return FAILED_INIT(ErrorCode.CONCURRENT_TRANSACTIONS);
      }
      if (expected !== null && expected.producerId >= 0n) {
        const sameId = expected.producerId === m.producerId;
        if (sameId && expected.epoch === m.lastProducerEpoch && m.state !== TxnState.Ongoing) {
          return { errorCode: 0, producerId: m.producerId, producerEpoch: m.producerEpoch };
        }
        if (!sameId || expected.epoch !== m.producerEpoch) return FAILED_INIT(ErrorCode.PRODUCER_FENCED);
      }
      if (m.state === TxnState.Ongoing) {
        this.fenceAndAbort(m, now);
        // Markers still on their way: the client retries (Kafka answers the same).
        if (this.txns.get(transactionalId)?.state !== TxnState.CompleteAbort)
          return FAILED_INIT(ErrorCode.CONCURRENT_TRANSACTIONS);
      }
      const current = this.txns.get(transactionalId)!;
      const next = cloneTxn(current);
      if (current.producerEpoch >= MAX_PRODUCER_EPOCH) {
        next.producerId = this.env.nextProducerId();
        next.producerEpoch = 0;
        next.lastProducerEpoch = -1;
      } else {
        next.producerEpoch = current.producerEpoch + 1;
        next.lastProducerEpoch = current.producerEpoch;
      }
      next.state = TxnState.Empty;
      next.timeoutMs = timeoutMs;
      next.partitions = new Map();
      next.startTimestamp = -1;
      next.lastUpdateTimestamp = now;
      this.persist(current, next);
      return { errorCode: 0, producerId: next.producerId, producerEpoch: next.producerEpoch };
    } catch (error) {
      if (error instanceof Error && error.name === 'IllegalTxnTransitionError') throw error;
      return FAILED_INIT(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    }
  }

  /** The common checks of a client's producer id and epoch against the stored state. */
  private checkProducer(transactionalId: string, producerId: bigint, epoch: number): TxnMetadata | number {
    const m = this.txns.get(transactionalId);
    if (!m || m.state === TxnState.Dead || m.producerId !== producerId) return ErrorCode.INVALID_PRODUCER_ID_MAPPING;
    if (m.producerEpoch !== epoch) return ErrorCode.PRODUCER_FENCED;
    if (
      m.state === TxnState.PrepareCommit ||
      m.state === TxnState.PrepareAbort ||
      m.state === TxnState.PrepareEpochFence
    ) {
      return ErrorCode.CONCURRENT_TRANSACTIONS;
    }
    return m;
  }

  /**
   * AddPartitionsToTxn (and AddOffsetsToTxn): one error code for the whole set. `clientTransactionVersion`
   * 2 when a partition leader or the group coordinator adds on a TV2 client's behalf.
   */
  addPartitions(
    transactionalId: string,
    producerId: bigint,
    epoch: number,
    add: TopicPartitions[],
    now: number,
    clientTransactionVersion = 0,
  ): number {
    const checked = this.checkProducer(transactionalId, producerId, epoch);
    if (typeof checked === 'number') return checked;
    const m = checked;
    const missing = add.some((t) => t.partitions.some((p) => !(m.partitions.get(t.topic)?.has(p) ?? false)));
    if (m.state === TxnState.Ongoing && !missing) return ErrorCode.NONE;
    const next = cloneTxn(m);
    if (m.state !== TxnState.Ongoing) {
      next.partitions = new Map();
      next.startTimestamp = now;
    }
    for (const t of add) {
      let set = next.partitions.get(t.topic);
      if (!set) next.partitions.set(t.topic, (set = new Set()));
      for (const p of t.partitions) set.add(p);
    }
    next.state = TxnState.Ongoing;
    next.lastUpdateTimestamp = now;
    next.clientTransactionVersion = clientTransactionVersion;
    try {
      this.persist(m, next);
    } catch (error) {
      if (error instanceof Error && error.name === 'IllegalTxnTransitionError') throw error;
      return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    }
    return ErrorCode.NONE;
  }

  /**
   * Whether a partition is in the producer's ongoing transaction (AddPartitionsToTxn
   * verifyOnly, and the produce path's KIP-890 check). A stale epoch is INVALID_PRODUCER_EPOCH.
   */
  verifyPartition(
    transactionalId: string,
    producerId: bigint,
    epoch: number,
    topic: string,
    partition: number,
  ): number {
    const m = this.txns.get(transactionalId);
    if (!m || m.producerId !== producerId) return ErrorCode.INVALID_PRODUCER_ID_MAPPING;
    if (epoch < m.producerEpoch) return ErrorCode.INVALID_PRODUCER_EPOCH;
    if (epoch > m.producerEpoch || m.state !== TxnState.Ongoing) return ErrorCode.INVALID_TXN_STATE;
    return m.partitions.get(topic)?.has(partition) ? ErrorCode.NONE : ErrorCode.INVALID_TXN_STATE;
  }

  /** TxnOffsetCommit's producer check: the transaction is ongoing and holds the group's offsets partition. */
  checkOffsetCommit(
    transactionalId: string,
    producerId: bigint,
    epoch: number,
    offsetsTopic: string,
    offsetsPartition: number,
  ): number {
    const m = this.txns.get(transactionalId);
    if (!m || m.producerId !== producerId) return ErrorCode.INVALID_PRODUCER_ID_MAPPING;
    if (m.producerEpoch !== epoch) return ErrorCode.INVALID_PRODUCER_EPOCH;
    if (m.state !== TxnState.Ongoing || !m.partitions.get(offsetsTopic)?.has(offsetsPartition))
      return ErrorCode.INVALID_TXN_STATE;
    return ErrorCode.NONE;
  }

  /**
   * EndTxn. `clientTransactionVersion` 2 (EndTxn v5) bumps the epoch; the id and epoch the client
   * continues with are then `producerAfterEnd`. A transaction last written at TV2 accepts, in
   * Prepare* and Complete*, only a retry (the epoch before the bump, or the last epoch of the
   * previous producer id after an overflow); in Ongoing only the current epoch, as Kafka 4.0.
   */
  endTxn(
    transactionalId: string,
    producerId: bigint,
    epoch: number,
    commit: boolean,
    now: number,
    clientTransactionVersion = 0,
  ): number {
    const m = this.txns.get(transactionalId);
    if (!m || m.state === TxnState.Dead) return ErrorCode.INVALID_PRODUCER_ID_MAPPING;
    const tv2 = m.clientTransactionVersion >= 2;
    const retryOnEpochBump = tv2 && m.producerEpoch === epoch + 1;
    const retryOnOverflow =
      tv2 && m.previousProducerId === producerId && epoch === MAX_PRODUCER_EPOCH && m.producerEpoch === 0;
    if (m.producerId !== producerId && !retryOnOverflow) return ErrorCode.INVALID_PRODUCER_ID_MAPPING;
    let validEpoch = m.producerEpoch === epoch;
    if (tv2 && this.preparing(m)) validEpoch = retryOnEpochBump;
    else if (tv2 && (m.state === TxnState.CompleteCommit || m.state === TxnState.CompleteAbort))
      validEpoch = retryOnEpochBump || retryOnOverflow;
    if (!validEpoch) return ErrorCode.PRODUCER_FENCED;
    switch (m.state) {
      case TxnState.Ongoing:
        break;
      case TxnState.CompleteCommit:
        return commit ? ErrorCode.NONE : ErrorCode.INVALID_TXN_STATE;
      case TxnState.CompleteAbort:
        return commit ? ErrorCode.INVALID_TXN_STATE : ErrorCode.NONE;
      case TxnState.PrepareCommit:
        return commit ? ErrorCode.CONCURRENT_TRANSACTIONS : ErrorCode.INVALID_TXN_STATE;
      case TxnState.PrepareAbort:
        return commit ? ErrorCode.INVALID_TXN_STATE : ErrorCode.CONCURRENT_TRANSACTIONS;
      default:
        return ErrorCode.INVALID_TXN_STATE;
    }
    try {
      if (clientTransactionVersion >= 2) {
        const exhausted = m.producerEpoch >= MAX_PRODUCER_EPOCH;
        const nextProducerId = exhausted ? this.env.nextProducerId() : -1n;
        this.prepare(m, commit, m.producerEpoch + 1, now, clientTransactionVersion, nextProducerId);
      } else {
        this.prepare(m, commit, m.producerEpoch, now, clientTransactionVersion);
      }
      this.complete(this.txns.get(transactionalId)!, commit);
    } catch (error) {
      if (error instanceof Error && error.name === 'IllegalTxnTransitionError') throw error;
      return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    }
    return ErrorCode.NONE;
  }

  /**
   * The producer id and epoch a client continues with after an EndTxn that succeeded: at TV2 the
   * bumped epoch, or epoch 0 of the next producer id when the epoch overflowed.
   */
  producerAfterEnd(transactionalId: string): { producerId: bigint; producerEpoch: number } {
    const m = this.txns.get(transactionalId);
    if (!m) return { producerId: -1n, producerEpoch: -1 };
    if (m.nextProducerId >= 0n) return { producerId: m.nextProducerId, producerEpoch: 0 };
    return { producerId: m.producerId, producerEpoch: m.producerEpoch };
  }

  private prepare(
    m: TxnMetadata,
    commit: boolean,
    epoch: number,
    now: number,
    clientTransactionVersion: number,
    nextProducerId = -1n,
  ): void {
    const next = cloneTxn(m);
    next.state = commit ? TxnState.PrepareCommit : TxnState.PrepareAbort;
    next.clientTransactionVersion = clientTransactionVersion;
    next.nextProducerId = nextProducerId;
    if (epoch !== m.producerEpoch) {
      next.lastProducerEpoch = m.producerEpoch;
      next.producerEpoch = epoch;
    }
    next.lastUpdateTimestamp = now;
    this.persist(m, next);
  }

  /** Sends the markers; once all are written, records Complete* (see `finish`). */
  private complete(m: TxnMetadata, commit: boolean): void {
    const { transactionalId, producerId, producerEpoch } = m;
    this.env.sendMarkers(cloneTxn(m), commit, (now) =>
      this.finish(transactionalId, producerId, producerEpoch, commit, now),
    );
  }

  /** Every marker is written: CompleteCommit/CompleteAbort, if the transaction is still the one prepared. */
  private finish(transactionalId: string, producerId: bigint, epoch: number, commit: boolean, now: number): void {
    const m = this.txns.get(transactionalId);
    const prepared = commit ? TxnState.PrepareCommit : TxnState.PrepareAbort;
    if (!m || m.producerId !== producerId || m.producerEpoch !== epoch || m.state !== prepared) return;
    const next = cloneTxn(m);
    next.state = commit ? TxnState.CompleteCommit : TxnState.CompleteAbort;
    next.partitions = new Map();
    next.lastUpdateTimestamp = now;
    if (m.nextProducerId >= 0n) {
      // TV2, the epoch overflowed: the markers carried the old id; the client continues with the new one.
      next.previousProducerId = m.producerId;
      next.producerId = m.nextProducerId;
      next.producerEpoch = 0;
      next.lastProducerEpoch = -1;
      next.nextProducerId = -1n;
    }
    try {
      this.persist(m, next);
      this.retryAt.delete(transactionalId);
    } catch (error) {
      if (error instanceof Error && error.name === 'IllegalTxnTransitionError') throw error;
      // The log could not be written: the transaction stays prepared and poll tries again.
      this.retryAt.set(transactionalId, now + RETRY_COMPLETE_MS);
    }
  }

  /** The marker sender gave up on this transaction (a newer coordinator owns it): try again later. */
  markersAbandoned(transactionalId: string, now: number): void {
    this.retryAt.set(transactionalId, now + RETRY_COMPLETE_MS);
  }

  /** When a prepared transaction not being sent should be completed again, or null. */
  private completionRetryAt(m: TxnMetadata): number | null {
    if (!this.preparing(m) || this.env.sendingMarkers(m.transactionalId)) return null;
    return this.retryAt.get(m.transactionalId) ?? m.lastUpdateTimestamp + RETRY_COMPLETE_MS;
  }

  /** Aborts an ongoing transaction with a bumped epoch, fencing its producer. */
  private fenceAndAbort(m: TxnMetadata, now: number): void {
    checkTxnTransition(m.transactionalId, m.state, TxnState.PrepareEpochFence);
    const fencing: TxnMetadata = { ...cloneTxn(m), state: TxnState.PrepareEpochFence };
    this.txns.set(m.transactionalId, fencing);
    const bumped = m.producerEpoch >= MAX_PRODUCER_EPOCH ? m.producerEpoch : m.producerEpoch + 1;
    // Written as transaction version 1, so a TV2 client's EndTxn with the old epoch is fenced, not a retry.
    this.prepare(fencing, false, bumped, now, 0);
    this.complete(this.txns.get(m.transactionalId)!, false);
  }

  /** The last timed-out-transaction scan at or before `now`. */
  private lastAbortScan(now: number): number {
    const interval = this.config.abortTimedOutIntervalMs;
    return Math.floor(now / interval) * interval;
  }

  /** The first scan that finds a transaction timed out: the first after its start plus timeout (Kafka's strict `<`). */
  private abortScanFor(m: TxnMetadata): number {
    return this.lastAbortScan(m.startTimestamp + m.timeoutMs) + this.config.abortTimedOutIntervalMs;
  }

  /** Aborts transactions a scan found past their timeout and expires idle transactional ids. */
  poll(now: number): void {
    const scan = this.lastAbortScan(now);
    for (const m of [...this.txns.values()]) {
      try {
        if (m.state === TxnState.Ongoing && m.startTimestamp + m.timeoutMs < scan) this.fenceAndAbort(m, now);
        else if ((this.completionRetryAt(m) ?? Infinity) <= now) {
          this.retryAt.delete(m.transactionalId);
          this.complete(m, m.state === TxnState.PrepareCommit);
        } else if (this.idle(m) && m.lastUpdateTimestamp + this.config.transactionalIdExpirationMs <= now) {
          checkTxnTransition(m.transactionalId, m.state, TxnState.Dead);
          const record = { transactionalId: m.transactionalId, value: null };
          this.env.append(partitionForTransactionalId(m.transactionalId, this.env.numPartitions()), record);
          this.replay(record);
        }
      } catch (error) {
        if (error instanceof Error && error.name === 'IllegalTxnTransitionError') throw error;
        // The log could not be written: the next poll tries again.
      }
    }
  }

  private preparing(m: TxnMetadata): boolean {
    return m.state === TxnState.PrepareCommit || m.state === TxnState.PrepareAbort;
  }

  private idle(m: TxnMetadata): boolean {
    return m.state === TxnState.Empty || m.state === TxnState.CompleteCommit || m.state === TxnState.CompleteAbort;
  }

  nextDeadline(): number | null {
    let next: number | null = null;
    for (const m of this.txns.values()) {
      let at: number | null = null;
      if (m.state === TxnState.Ongoing) at = this.abortScanFor(m);
      else if (this.preparing(m)) at = this.completionRetryAt(m);
      else if (this.idle(m)) at = m.lastUpdateTimestamp + this.config.transactionalIdExpirationMs;
      if (at !== null && (next === null || at < next)) next = at;
    }
    return next;
  }

  stateOf(transactionalId: string): TxnStateId | undefined {
    return this.txns.get(transactionalId)?.state;
  }
}
