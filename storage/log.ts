/**
 * PartitionLog: one partition's append-only log of record batches in segment files.
 * Appends take already-checked v2 batches, recheck size and CRC-32C, assign offsets by
 * patching base offset and leader epoch in place, and write them in one call. Reads
 * return whole batches as file slices, undecoded. Also: ListOffsets by timestamp,
 * truncation (replication), DeleteRecords, segment rolling, retention, compaction (in
 * log-cleaner.ts), the flush policy, the leader epoch cache, aborted-transaction index
 * and producer snapshots at roll. Reads of the tail are served from memory when they can
 * (storage/tail-cache.ts: a copy of the last leader appends).
 *
 * Offsets are numbers (exact up to 2^53; larger ones are refused). Any file-system
 * failure marks the whole log dir offline and raises KafkaStorageError (56) from then on.
 * Leaves out: producer-state validation, transactions (only the txn index is here).
 */
import type { DeferredUnlinks } from './deferred-unlinks.js';
import { ATTRIBUTES_OFFSET, TIMESTAMP_TYPE_MASK } from '../protocol/records/batch-header.js';
import { AppendScan, type AppendScanParams } from './append-scan.js';
import { baseOffsetOf } from './batch-scan.js';
import { maxSegmentMs, type LogConfig } from './config.js';
import { KafkaStorageError, OffsetOutOfRangeError, StorageError } from './errors.js';
import type { FileSystem } from './fs.js';
import { LeaderEpochCache } from './leader-epoch-cache.js';
import type { FolderListing } from './clean-listing.js';
import { cleanSegments } from './log-cleaner.js';
import { loadSegments } from './log-loader.js';
import {
  deleteSnapshotsOutside,
  readLatestSnapshot,
  writeSnapshot,
  type ProducerSnapshot,
  type ProducerSnapshotHook,
} from './producer-snapshots.js';
import { forEachRecord } from './records.js';
import { LogSegment } from './segment.js';
import { NO_TAIL_CACHE, TailCache, type TailCacheBudget } from './tail-cache.js';
import { TxnIndex, type AbortedTxn } from './txn-index.js';

export interface Clock {
  now(): number;
}

/** Shared by every log of one log dir: when one fails, all go offline. */
export interface LogDirState {
  readonly path: string;
  offline: boolean;
  failure?: unknown;
}

export interface PartitionLogOptions {
  fs: FileSystem;
  dir: string;
  topic: string;
  partition: number;
  config: LogConfig;
  clock: Clock;
  dirState: LogDirState;
  recoveryPoint?: number;
  logStartOffset?: number;
  highWatermark?: number;
  cleanShutdown?: boolean;
  /** Make the directory if it is missing (default true; LogManager passes false for dirs it listed). */
  create?: boolean;
  snapshotHook?: ProducerSnapshotHook;
  /** Called when the log start offset moves (DeleteRecords, retention), to checkpoint it. */
  onLogStartOffsetChange?: (log: PartitionLog) => void;
  /** Called after a truncation moved the recovery point back, to checkpoint it at once. */
  onRecoveryPointRegress?: (log: PartitionLog) => void;
  onDirFailure?: (state: LogDirState) => void;
  /** The broker-wide bound of the tail caches (storage/tail-cache.ts); without it nothing is cached. */
  tailCacheBudget?: TailCacheBudget;
  /** Where deleted segments' `.deleted` files wait out file.delete.delay.ms (none, or a delay of 0: unlinked at once). */
  deferredUnlinks?: DeferredUnlinks;
}

export interface AppendOptions {
  /** Stamped on every batch of a leader append. */
  leaderEpoch: number;
  /** 'replication' keeps the offsets and epochs in the batches (they must follow the log end). */
  origin?: 'leader' | 'replication';
  /** Overrides message.timestamp.type for this append. */
  logAppendTime?: boolean;
  /**
   * The caller (the produce path) already checked each batch's CRC-32C: skip recomputing
   * it. Sizes, magic and offsets are still checked. Default false: the log checks the CRC.
   */
  crcVerified?: boolean;
  /**
   * Keep a copy of a leader append in the tail cache (default true). The broker passes false for
   * a partition without followers: nobody reads it back at once, and the copy into fresh memory
   * costs more than the rare tail read it saves.
   */
  cacheTail?: boolean;
}

export interface AppendResult {
  baseOffset: number;
  lastOffset: number;
  /** The broker time stamped on the batches, -1 with CreateTime. */
  logAppendTime: number;
  logStartOffset: number;
  maxTimestamp: number;
  recordCount: number;
  batchCount: number;
}

export interface ReadOptions {
  /** Batches starting at or past this offset are left out (high watermark, LSO). */
  maxOffset?: number;
  /** Return the first batch whole even when it exceeds maxBytes (Kafka's default). */
  minOneBatch?: boolean;
  /** Where the read's buffers come from (fetch: read-buffers.ts); fresh ones by default. */
  allocate?: (size: number) => Buffer;
}

export interface ReadResult {
  /** Whole batches as read from the segment file; empty when nothing is there. */
  records: Buffer;
  logStartOffset: number;
  logEndOffset: number;
}

export interface TimestampLookup {
  offset: number;
  timestamp: number;
}

export const LATEST_TIMESTAMP = -1;
export const EARLIEST_TIMESTAMP = -2;
export const MAX_TIMESTAMP = -3;

/** The config itself when frozen (so every log of a topic can share one), else a frozen copy. */
function frozenConfig(config: Readonly<LogConfig>): Readonly<LogConfig> {
  return Object.isFrozen(config) ? config : Object.freeze({ ...config });
}

function newScanParams(): AppendScanParams {
  return {
    logEnd: 0,
    replication: false,
    leaderEpoch: -1,
    logAppendTime: false,
    now: 0,
    crcVerified: false,
    segmentBytes: 0,
    latestEpoch: -1,
  };
}

export class PartitionLog {
  readonly topic: string;
  readonly partition: number;
  readonly dir: string;
  /** `<topic>-<partition>`, for messages. */
  readonly name: string;
  readonly leaderEpochs: LeaderEpochCache;
  /** Whether partition.metadata was in the folder's listing when the log was opened. */
  readonly partitionMetadataListed: boolean;
  private segments: LogSegment[];
  /** Frozen; shared by the logs of a topic when the caller passed a frozen config. */
  private config: Readonly<LogConfig>;
  private end: number;
  private logStart: number;
  private recovered: number;
  private hw: number;
  private unflushedMessages = 0;
  private lastFlushMs: number;
  /**
   * The open transaction indexes by segment base offset, made on first use: most of 10,000 small
   * partitions never read one, and an empty Map with its table costs ~450 bytes.
   */
  private txnIndexes: Map<number, TxnIndex> | undefined;
  private closed = false;
  /**
   * Segments rolled with their log file's sync still running in the background, oldest first: the
   * recovery point moves past each only when it and every one before it are synced.
   */
  private rolledUnsynced: Array<{ segment: LogSegment; end: number; synced: boolean }> = [];
  private readonly tail: TailCache;
  /**
   * Reused by every append (appends are synchronous): no allocation per batch. Made on the first
   * append: a log opened at start and never written (most of 10,000 partitions) keeps none (~500 bytes).
   */
  private appendScan: { scan: AppendScan; params: AppendScanParams } | undefined;

  private constructor(
    private readonly options: PartitionLogOptions,
    listing: FolderListing | undefined,
  ) {
    const { fs, dir, config, clock } = options;
    this.topic = options.topic;
    this.partition = options.partition;
    this.name = `${options.topic}-${options.partition}`;
    this.dir = dir;
    this.config = frozenConfig(config);
    this.tail = new TailCache(options.tailCacheBudget ?? NO_TAIL_CACHE);
    if (options.create !== false) fs.mkdir(dir);
    const loaded = loadSegments(fs, dir, {
      indexIntervalBytes: config.indexIntervalBytes,
      now: clock.now(),
      recoveryPoint: options.recoveryPoint ?? 0,
      cleanShutdown: options.cleanShutdown ?? false,
      initialOffset: options.logStartOffset ?? 0,
      listing,
    });
    this.segments = loaded.segments;
    this.partitionMetadataListed = loaded.hasPartitionMetadata;
    const active = this.active;
    const checkpointedEnd = options.recoveryPoint ?? -1;
    const plausible = active.size > 0 ? checkpointedEnd > active.baseOffset : checkpointedEnd === active.baseOffset;
    if (options.cleanShutdown && plausible) {
      active.presetNextOffset(checkpointedEnd);
    }
    this.end = Math.max(active.nextOffset, active.baseOffset);
    this.logStart = Math.min(Math.max(options.logStartOffset ?? 0, this.segments[0]!.baseOffset), this.end);
    this.recovered = this.end;
    this.hw = Math.min(options.highWatermark ?? 0, this.end);
    this.lastFlushMs = clock.now();
    this.leaderEpochs = new LeaderEpochCache(fs, dir);
    if (!options.cleanShutdown) this.leaderEpochs.truncateFromEnd(this.end);
    // Batches recovered after an unclean stop may carry epochs the checkpoint never got (a kill
    // between the segment write and the checkpoint write): add them, as Kafka's recovery does.
    for (const { epoch, baseOffset } of loaded.recoveredEpochs) this.leaderEpochs.assign(epoch, baseOffset);
    if (loaded.hasSnapshots) deleteSnapshotsOutside(fs, dir, 0, this.end);
  }

  /** Opens (or creates) the log in `options.dir`, recovering it after an unclean shutdown. */
  /** `listing`: the folder's segments from the clean-shutdown listing (not kept). */
  static open(options: PartitionLogOptions, listing?: FolderListing): PartitionLog {
    if (options.dirState.offline) throw new KafkaStorageError(`log dir ${options.dirState.path} is offline`);
    try {
      return new PartitionLog(options, listing);
    } catch (error) {
      if (error instanceof StorageError) throw error;
      throw new KafkaStorageError(`cannot open ${options.dir}: ${String(error)}`, error);
    }
  }

  get startOffset(): number {
    return this.logStart;
  }
  get endOffset(): number {
    return this.end;
  }
  get recoveryPoint(): number {
    return this.recovered;
  }
  get highWatermark(): number {
    return this.hw;
  }
  /** Set by replication; persisted by LogManager.checkpoint(). Clamped to the log. */
  set highWatermark(offset: number) {
    this.hw = Math.max(this.logStart, Math.min(offset, this.end));
  }
  get size(): number {
    return this.segments.reduce((sum, s) => sum + s.size, 0);
  }
  /** Base offset and size of each segment (for the clean-shutdown listing). */
  segmentSizes(): { bases: number[]; sizes: number[] } {
    return { bases: this.segments.map((s) => s.baseOffset), sizes: this.segments.map((s) => s.size) };
  }
  /** Each segment's base offset, size and last modification time (ListOffsets v0's legacy answer). */
  segmentTimes(): Array<{ baseOffset: number; size: number; lastModifiedMs: number }> {
    return this.segments.map((s) => ({ baseOffset: s.baseOffset, size: s.size, lastModifiedMs: s.lastModifiedMs() }));
  }
  get segmentCount(): number {
    return this.segments.length;
  }
  get currentConfig(): Readonly<LogConfig> {
    return this.config;
  }
  private get active(): LogSegment {
    return this.segments[this.segments.length - 1]!;
  }

  updateConfig(config: LogConfig): void {
    this.config = frozenConfig(config);
    for (const segment of this.segments) segment.indexIntervalBytes = config.indexIntervalBytes;
  }

  append(records: Buffer, options: AppendOptions): AppendResult {
    this.checkOnline();
    const logAppendTime = options.logAppendTime ?? this.config.messageTimestampType === 'LogAppendTime';
    const now = this.options.clock.now();
    const latestEpoch = this.leaderEpochs.latest();
    this.appendScan ??= { scan: new AppendScan(), params: newScanParams() };
    const { scan, params } = this.appendScan;
    params.logEnd = this.end;
    params.replication = options.origin === 'replication';
    params.leaderEpoch = options.leaderEpoch;
    params.logAppendTime = logAppendTime;
    params.now = now;
    params.crcVerified = options.crcVerified === true;
    params.segmentBytes = this.config.segmentBytes;
    params.latestEpoch = latestEpoch ? latestEpoch.epoch : -1;
    scan.run(records, params);
    const baseOffset = options.origin === 'replication' ? baseOffsetOf(records, 0) : this.end;
    const next = scan.next;
    try {
      this.maybeRoll(records.length, baseOffset, next - 1, now);
      this.active.append(records, scan, now);
    } catch (error) {
      throw this.failure('append to', error);
    }
    this.end = next;
    if (options.origin === 'replication' || options.cacheTail === false) this.tail.clear();
    else this.tail.add(records, baseOffset, next, this.active.baseOffset === baseOffset);
    const epochs = scan.newEpochs;
    for (let i = 0; i < scan.newEpochCount * 2; i += 2) {
      const epoch = epochs[i]!;
      const offset = epochs[i + 1]!;
      this.io('leader epoch checkpoint', () => this.leaderEpochs.assign(epoch, offset));
    }
    this.unflushedMessages += scan.recordCount;
    if (this.unflushedMessages >= this.config.flushMessages) this.flush();
    return {
      baseOffset,
      lastOffset: next - 1,
      logAppendTime: logAppendTime ? now : -1,
      logStartOffset: this.logStart,
      maxTimestamp: logAppendTime ? now : scan.maxTimestamp,
      recordCount: scan.recordCount,
      batchCount: scan.count,
    };
  }

  private maybeRoll(incoming: number, baseOffset: number, lastOffset: number, now: number): void {
    const active = this.active;
    const full = active.size > 0 && active.size + incoming > this.config.segmentBytes;
    const old = active.size > 0 && now - active.createdMs >= maxSegmentMs(this.config);
    const far = lastOffset - active.baseOffset > 0x7fffffff || baseOffset < active.baseOffset;
    if (full || old || far) this.roll(baseOffset);
  }

  /** Starts a new active segment at `baseOffset` (the log end by default). */
  roll(baseOffset = this.end): void {
    this.io('roll', () => {
      const active = this.active;
      if (active.size === 0) {
        if (active.baseOffset === baseOffset) return;
        this.segments.pop();
        this.deleteSegment(active);
      } else if (this.options.fs.syncInBackground) {
        // Written now, synced in the background with the log file: an index fdatasync on the event loop
        // waited 51 ms at a 1 GiB roll here (ext4 commits the log's data with it).
        active.writeIndexes();
        // The background sync goes through descriptors of its own: the writes must be in the files first.
        active.settleWrites();
        this.syncInBackground(active);
      } else {
        active.flushAll();
      }
      const data = this.options.snapshotHook?.snapshot(baseOffset);
      if (data) writeSnapshot(this.options.fs, this.dir, baseOffset, data);
      this.segments.push(
        LogSegment.create(
          this.options.fs,
          this.dir,
          baseOffset,
          this.config.indexIntervalBytes,
          this.options.clock.now(),
        ),
      );
      if (active.size > 0 && !active.hasUnsyncedWrites) this.recovered = Math.max(this.recovered, active.nextOffset);
    });
  }

  /**
   * Syncs a rolled segment's log file and indexes off the event loop, as Kafka's roll schedules the old
   * segment's flush on its scheduler: an fdatasync of a 1 GiB segment took 833 ms here, a stall of every
   * produce and fetch on this broker at each roll. Nothing acknowledged waits for it (acks never
   * meant fsync in Kafka); only the recovery point does, so a crash before it ends rescans the
   * segment. A failed background sync is retried in place on the segment's own handle, where a
   * failure takes the log dir offline as any other.
   */
  private syncInBackground(segment: LogSegment): void {
    const entry = { segment, end: segment.nextOffset, synced: false };
    this.rolledUnsynced.push(entry);
    this.options.fs.syncInBackground?.(segment.syncPaths, (error) => {
      if (this.closed || this.options.dirState.offline || !this.rolledUnsynced.includes(entry)) return;
      if (error && this.segments.includes(segment)) {
        try {
          segment.flushAll();
        } catch (syncError) {
          this.failure('flush', syncError);
          return;
        }
      } else if (!error) {
        segment.markSynced();
      }
      entry.synced = true;
      while (this.rolledUnsynced[0]?.synced) {
        const done = this.rolledUnsynced.shift()!;
        this.recovered = Math.max(this.recovered, Math.min(done.end, this.end));
      }
    });
  }

  /** Syncs in place the rolled segments whose background sync has not ended (before claiming the log durable). */
  private syncRolledInPlace(): void {
    for (const { segment } of this.rolledUnsynced) if (this.segments.includes(segment)) segment.flushAll();
    this.rolledUnsynced = [];
  }

  /**
   * Waits for this log's write-behind appends (storage/write-behind.ts) and throws, taking the log dir
   * offline, when one of them failed: the Produce path asks this before answering for an append.
   */
  checkWrites(): void {
    this.checkOnline();
    this.io('append', () => this.active.settleWrites());
  }

  read(offset: number, maxBytes: number, options: ReadOptions = {}): ReadResult {
    this.checkOnline();
    if (offset < this.logStart || offset > this.end) {
      throw new OffsetOutOfRangeError(`offset ${offset} is outside [${this.logStart}, ${this.end}] of ${this.name}`);
    }
    const result = { records: Buffer.alloc(0), logStartOffset: this.logStart, logEndOffset: this.end };
    if (offset === this.end) return result;
    const maxOffset = Math.min(options.maxOffset ?? this.end, this.end);
    if (offset >= maxOffset) return result;
    if (this.tail.end === this.end) {
      const cached = this.tail.read(offset, maxBytes, maxOffset, options.minOneBatch ?? true);
      if (cached) return { ...result, records: cached };
    }
    return this.io('read', () => {
      for (let i = this.segmentIndexFor(offset); i < this.segments.length; i++) {
        const data = this.segments[i]!.read(offset, maxBytes, maxOffset, options.minOneBatch ?? true, options.allocate);
        if (data) return { ...result, records: data };
      }
      return result;
    });
  }

  /**
   * Where the segment holding `offset` ends: the next segment's base offset, or the log end for the
   * active one. A read never goes past it (as Kafka's LogSegment.read, one segment per read).
   */
  segmentEndFor(offset: number): number {
    const next = this.segments[this.segmentIndexFor(offset) + 1];
    return next ? next.baseOffset : this.end;
  }

  private segmentIndexFor(offset: number): number {
    let lo = 0;
    let hi = this.segments.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.segments[mid]!.baseOffset <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** ListOffsets: the first record (batch for compressed ones) with timestamp >= target; null when none. */
  offsetForTimestamp(timestamp: number): TimestampLookup | null {
    this.checkOnline();
    if (timestamp === EARLIEST_TIMESTAMP) return { offset: this.logStart, timestamp: -1 };
    if (timestamp === LATEST_TIMESTAMP) return { offset: this.end, timestamp: -1 };
    return this.io('offsetForTimestamp', () => {
      let target = timestamp;
      if (timestamp === MAX_TIMESTAMP) {
        target = Math.max(-1, ...this.segments.map((s) => s.maxTimestamp));
        if (target < 0) return null;
      }
      for (const segment of this.segments) {
        if (segment.nextOffset <= this.logStart || segment.maxTimestamp < target) continue;
        const found = segment.findByTimestamp(target, this.logStart);
        if (!found) continue;
        const batch = segment.readAt(found.position, found.size);
        return this.recordAtOrAfter(batch, target, found.baseOffset, found.maxTimestamp);
      }
      return null;
    });
  }

  private recordAtOrAfter(batch: Buffer, target: number, baseOffset: number, maxTimestamp: number): TimestampLookup {
    const attributes = batch.readInt16BE(ATTRIBUTES_OFFSET);
    const fallback = { offset: Math.max(baseOffset, this.logStart), timestamp: maxTimestamp };
    if ((attributes & 0x07) !== 0 || (attributes & TIMESTAMP_TYPE_MASK) !== 0) return fallback;
    let hit: TimestampLookup | null = null;
    try {
      forEachRecord(batch, (record) => {
        const offset = baseOffset + record.offsetDelta;
        if (offset < this.logStart || record.timestamp < target) return true;
        hit = { offset, timestamp: record.timestamp };
        return false;
      });
    } catch {
      return fallback;
    }
    return hit ?? fallback;
  }

  /** Replication: removes everything at and after `offset` (whole batches). */
  truncateTo(offset: number): void {
    this.checkOnline();
    if (offset >= this.end) return;
    this.tail.clear();
    if (offset < this.logStart || offset <= this.segments[0]!.baseOffset) {
      this.truncateFullyAndStartAt(Math.max(offset, 0));
      return;
    }
    this.io('truncate', () => {
      while (this.active.baseOffset >= offset) {
        const dropped = this.segments.pop()!;
        this.deleteSegment(dropped);
        this.txnIndexes?.delete(dropped.baseOffset);
      }
      const active = this.active;
      active.truncateTo(offset);
      active.flush();
      this.end = Math.max(active.nextOffset, active.baseOffset);
      this.afterTruncation();
    });
  }

  /** Replication: drops the whole log and starts it empty at `offset`. */
  truncateFullyAndStartAt(offset: number): void {
    this.checkOnline();
    this.tail.clear();
    this.io('truncate fully', () => {
      for (const segment of this.segments) this.deleteSegment(segment);
      this.txnIndexes = undefined;
      this.segments = [
        LogSegment.create(this.options.fs, this.dir, offset, this.config.indexIntervalBytes, this.options.clock.now()),
      ];
      this.end = offset;
      this.logStart = offset;
      this.afterTruncation();
      this.leaderEpochs.truncateFromEnd(-1);
      this.options.onLogStartOffsetChange?.(this);
    });
  }

  private afterTruncation(): void {
    this.rolledUnsynced = this.rolledUnsynced.filter((e) => e.end <= this.end && this.segments.includes(e.segment));
    const regressed = this.recovered > this.end;
    this.recovered = Math.min(this.recovered, this.end);
    if (regressed) this.options.onRecoveryPointRegress?.(this);
    this.hw = Math.min(this.hw, this.end);
    this.logStart = Math.min(this.logStart, this.end);
    this.leaderEpochs.truncateFromEnd(this.end);
    if (this.txnIndexes) for (const index of this.txnIndexes.values()) index.truncateTo(this.end);
    deleteSnapshotsOutside(this.options.fs, this.dir, 0, this.end);
  }

  /** DeleteRecords: raises the log start offset and deletes whole segments below it. */
  deleteRecordsBefore(offset: number): number {
    this.checkOnline();
    if (offset > this.end || offset < 0) {
      throw new OffsetOutOfRangeError(`cannot delete before ${offset}: log end is ${this.end}`);
    }
    if (offset <= this.logStart) return this.logStart;
    this.logStart = offset;
    this.hw = Math.max(this.hw, offset);
    this.io('delete records', () => {
      this.deleteSegmentsWhile(
        (segment, next) => next !== undefined && next.baseOffset <= this.logStart && segment !== this.active,
      );
      this.leaderEpochs.truncateFromStart(this.logStart);
      this.options.onLogStartOffsetChange?.(this);
    });
    return this.logStart;
  }

  /** Deletes leading segments (never the active one) while the predicate holds. */
  private deleteSegmentsWhile(predicate: (segment: LogSegment, next: LogSegment | undefined) => boolean): number {
    let deleted = 0;
    while (this.segments.length > 1 && predicate(this.segments[0]!, this.segments[1])) {
      const segment = this.segments.shift()!;
      this.deleteSegment(segment);
      this.txnIndexes?.delete(segment.baseOffset);
      deleted++;
    }
    if (deleted > 0 && this.segments[0]!.baseOffset > this.logStart) {
      this.logStart = this.segments[0]!.baseOffset;
      this.hw = Math.max(this.hw, this.logStart);
      this.recovered = Math.max(this.recovered, this.logStart);
      this.leaderEpochs.truncateFromStart(this.logStart);
      this.options.onLogStartOffsetChange?.(this);
    }
    if (deleted > 0) deleteSnapshotsOutside(this.options.fs, this.dir, this.segments[0]!.baseOffset, this.end);
    return deleted;
  }

  /** When the oldest segment was created: an in-memory broker's memory.max.bytes drops the oldest first. */
  get oldestSegmentCreatedMs(): number {
    return this.segments[0]!.createdMs;
  }

  /**
   * Deletes the oldest segment, rolling first when it is the only (active) one, so the log
   * start offset moves past its records; returns the bytes freed (0 for an empty log).
   * For memory.max.bytes of an in-memory broker, not for the retention configs.
   */
  dropOldestSegment(): number {
    this.checkOnline();
    if (this.size === 0) return 0;
    if (this.segments.length === 1) this.roll();
    const freed = this.segments[0]!.size;
    let dropped = false;
    this.io('drop oldest segment', () =>
      this.deleteSegmentsWhile(() => {
        if (dropped) return false;
        dropped = true;
        return true;
      }),
    );
    return freed;
  }

  /**
   * retention.ms and retention.bytes (cleanup.policy includes delete); returns segments deleted.
   * As Kafka's deletableSegments, only segments wholly below the high watermark go: records not
   * yet on the in-sync replicas are never deleted (nor the high watermark pushed past them).
   */
  applyRetention(now: number = this.options.clock.now()): number {
    this.checkOnline();
    if (!this.config.cleanupPolicyDelete) return 0;
    const belowHighWatermark = (next: LogSegment | undefined): boolean =>
      next !== undefined && next.baseOffset <= this.hw;
    return this.io('retention', () => {
      let deleted = 0;
      const retentionMs = this.config.retentionMs;
      if (retentionMs >= 0) {
        deleted += this.deleteSegmentsWhile((segment, next) => {
          const newest = segment.maxTimestamp >= 0 ? segment.maxTimestamp : segment.createdMs;
          return belowHighWatermark(next) && now - newest > retentionMs;
        });
      }
      if (this.config.retentionBytes >= 0) {
        let excess = this.size - this.config.retentionBytes;
        deleted += this.deleteSegmentsWhile((segment, next) => {
          if (!belowHighWatermark(next) || excess - segment.size < 0) return false;
          excess -= segment.size;
          return true;
        });
      }
      return deleted;
    });
  }

  /** cleanup.policy=compact: rewrites every segment but the active one; returns bytes removed. */
  compact(now: number = this.options.clock.now()): number {
    this.checkOnline();
    if (!this.config.cleanupPolicyCompact || this.segments.length < 2) return 0;
    return this.io('compact', () => {
      const before = this.size;
      // min.compaction.lag.ms: cleaning stops at the first segment holding a record younger than the lag
      // (Kafka's first uncleanable offset); its keys do not shadow older ones either.
      const inactive = this.segments.slice(0, -1);
      const horizon = now - this.config.minCompactionLagMs;
      const young = this.config.minCompactionLagMs > 0 ? inactive.findIndex((s) => s.maxTimestamp > horizon) : -1;
      const cleanable = young === -1 ? inactive : inactive.slice(0, young);
      if (cleanable.length === 0) return 0;
      this.tail.clear();
      const cleaned = cleanSegments(this.options.fs, this.dir, cleanable, this.config, now, this.options.clock.now());
      this.segments = [...cleaned, ...this.segments.slice(cleanable.length)];
      return before - this.size;
    });
  }

  /** Periodic work: the flush.ms policy and, when `retention` is due, retention. */
  tick(now: number = this.options.clock.now(), retention = true): void {
    if (this.options.dirState.offline || this.closed) return;
    if (this.unflushedMessages > 0 && now - this.lastFlushMs >= this.config.flushMs) this.flush();
    if (retention && this.config.cleanupPolicyDelete) this.applyRetention(now);
  }

  /** fsyncs the active segment; everything up to the log end survives a power cut. */
  flush(): void {
    this.checkOnline();
    try {
      this.syncRolledInPlace();
      this.active.flush();
    } catch (error) {
      throw this.failure('flush', error);
    }
    this.recovered = this.end;
    this.unflushedMessages = 0;
    this.lastFlushMs = this.options.clock.now();
  }

  appendAbortedTxn(entry: AbortedTxn): void {
    this.checkOnline();
    this.io('txn index', () => {
      const segment = this.segments[this.segmentIndexFor(entry.lastOffset)]!;
      this.txnIndexFor(segment).append(entry, false);
    });
  }

  /** Aborted transactions overlapping [fetchOffset, upperBoundOffset). */
  abortedTxns(fetchOffset: number, upperBoundOffset: number): AbortedTxn[] {
    this.checkOnline();
    return this.io('txn index', () => {
      const result: AbortedTxn[] = [];
      for (let i = this.segmentIndexFor(fetchOffset); i < this.segments.length; i++) {
        const segment = this.segments[i]!;
        if (segment.baseOffset >= upperBoundOffset) break;
        result.push(...this.txnIndexFor(segment).overlapping(fetchOffset, upperBoundOffset));
      }
      return result;
    });
  }

  private txnIndexFor(segment: LogSegment): TxnIndex {
    this.txnIndexes ??= new Map();
    let index = this.txnIndexes.get(segment.baseOffset);
    if (!index) {
      index = new TxnIndex(this.options.fs, segment.txnIndexPath);
      this.txnIndexes.set(segment.baseOffset, index);
    }
    return index;
  }

  latestProducerSnapshot(): ProducerSnapshot | null {
    this.checkOnline();
    return this.io('snapshot', () => readLatestSnapshot(this.options.fs, this.dir));
  }

  /** Flushes everything (a clean close) and releases the files. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.tail.clear();
    if (this.options.dirState.offline) {
      for (const segment of this.segments) this.quietly(() => segment.close());
      return;
    }
    this.io('close', () => {
      this.syncRolledInPlace();
      this.active.flushAll();
      this.recovered = this.end;
      for (const segment of this.segments) segment.close();
    });
  }

  /** Closes the files without flushing them: the caller is about to move the directory away for deletion. */
  discard(): void {
    this.closed = true;
    this.tail.clear();
    for (const segment of this.segments) this.quietly(() => segment.close());
  }

  /** Closes and removes the partition directory. */
  delete(): void {
    this.closed = true;
    this.tail.clear();
    for (const segment of this.segments) this.quietly(() => segment.close());
    this.io('delete', () => this.options.fs.removeDir(this.dir));
  }

  /** Removes a segment's files: after file.delete.delay.ms when the log has deferred unlinks, else at once. */
  private deleteSegment(segment: LogSegment): void {
    const deferred = this.options.deferredUnlinks;
    const delayMs = this.config.fileDeleteDelayMs;
    if (deferred === undefined || delayMs === 0) segment.delete();
    else segment.delete((doomed) => deferred.add(doomed, this.options.clock.now() + delayMs));
  }

  private checkOnline(): void {
    if (this.options.dirState.offline)
      throw new KafkaStorageError(`log dir ${this.options.dirState.path} is offline`, this.options.dirState.failure);
    if (this.closed) throw new KafkaStorageError(`log ${this.name} is closed`);
  }

  /** Runs file-system work; any failure but a StorageError takes the log dir offline. */
  private io<T>(what: string, work: () => T): T {
    try {
      return work();
    } catch (error) {
      throw this.failure(what, error);
    }
  }

  /** The error to raise for a failure of `what` (a verb; the log's name is added here). */
  private failure(what: string, error: unknown): Error {
    if (error instanceof StorageError) return error;
    const state = this.options.dirState;
    if (!state.offline) {
      state.offline = true;
      state.failure = error;
      this.options.onDirFailure?.(state);
    }
    return new KafkaStorageError(
      `${what} ${this.name} failed: ${error instanceof Error ? error.message : String(error)}`,
      error,
    );
  }

  private quietly(work: () => void): void {
    try {
      work();
    } catch {
      // the dir is already offline; nothing more to report
    }
  }
}
