/**
 * LogManager: the partition logs under the configured log dirs. Opens every
 * `<topic>-<partition>` directory at start (skipping the recovery scan when the dir's
 * clean-shutdown marker is there), creates logs in the dir holding the fewest, deletes
 * them, checkpoints recovery points, log start offsets and high watermarks per dir, runs
 * periodic work (flush.ms, retention, compaction) from `tick`, and marks a dir offline
 * when any of its files fails (KAFKA_STORAGE_ERROR for every partition on it).
 *
 * Topic ids: a log created for a topic id gets `partition.metadata`; a folder whose file
 * names another id is refused (INCONSISTENT_TOPIC_ID) and left alone. Deletion renames
 * the folder to `<topic>-<p>.<uuid>-delete` and removes it from `tick` once
 * `fileDeleteDelayMs` has passed; `-delete` folders found at start are removed likewise.
 * `__cluster_metadata-0` (the Raft log) is never opened here.
 * Every log's tail cache (storage/tail-cache.ts) shares one memory bound, `tailCacheBytes`.
 * Leaves out: moving logs between dirs, stray-folder handling, a cleaner thread.
 */
import { DEFAULT_TAIL_CACHE_BYTES, TailCacheBudget } from './tail-cache.js';
import {
  HIGH_WATERMARK_CHECKPOINT,
  LOG_START_OFFSET_CHECKPOINT,
  RECOVERY_POINT_CHECKPOINT,
  partitionKey,
  readOffsetCheckpoint,
  writeOffsetCheckpoint,
  type PartitionOffset,
} from './checkpoint.js';
import { CLEAN_LISTING_FILE, readCleanListing, writeCleanListing, type FolderListing } from './clean-listing.js';
import { DEFAULT_LOG_CONFIG, type LogConfig } from './config.js';
import { InconsistentTopicIdError, KafkaStorageError } from './errors.js';
import { joinPath, type FileSystem } from './fs.js';
import { PartitionLog, type Clock, type LogDirState, type PartitionLogOptions } from './log.js';
import {
  PendingDeletions,
  STRAY_DIR_SUFFIX,
  isDeleteDirName,
  isStrayDirName,
  renameForDeletion,
} from './log-deletion.js';
import { readPartitionMetadata, writePartitionMetadata, type PartitionMetadata } from './partition-metadata.js';
import type { ProducerSnapshotHook } from './producer-snapshots.js';
import { DeferredUnlinks } from './deferred-unlinks.js';

export const CLEAN_SHUTDOWN_MARKER = '.kafka_cleanshutdown';
const PARTITION_DIR = /^(.+)-(\d+)$/;
/** The Raft metadata log's folder: it lives in a log dir but is not a partition log. */
export const METADATA_PARTITION_DIR = '__cluster_metadata-0';

export interface LogManagerOptions {
  fs: FileSystem;
  logDirs: readonly string[];
  clock: Clock;
  defaultConfig?: LogConfig;
  /** Effective config of a topic (defaults plus topic overrides). */
  configFor?: (topic: string) => LogConfig;
  snapshotHookFor?: (topic: string, partition: number) => ProducerSnapshotHook | undefined;
  onDirFailure?: (dir: string, error: unknown) => void;
  /** How often tick() compacts logs with cleanup.policy=compact. */
  cleanerIntervalMs?: number;
  /** Kafka's log.cleaner.enable: false, and tick() never compacts (default true). */
  cleanerEnabled?: boolean;
  /** How often tick() applies retention (Kafka's log.retention.check.interval.ms; every tick when unset). */
  retentionCheckIntervalMs?: number;
  /** How long a deleted partition folder waits before removal (Kafka's file.delete.delay.ms, 60 s). */
  fileDeleteDelayMs?: number;
  /** A deleted folder could not be removed (it is tried again a minute later). */
  onRemovalFailure?: (path: string, error: unknown) => void;
  /** Bytes the logs' tail caches may hold in all (storage/tail-cache.ts; default 8 MiB, 0: none). */
  tailCacheBytes?: number;
  /**
   * The dirs are deleted once the logs close (startBroker()'s temporary dir): close() closes the logs
   * and writes no checkpoint, clean-shutdown listing or marker, which nothing would ever read.
   */
  deletedOnClose?: boolean;
  /**
   * Deleted segments keep their `.deleted` files for their topic's file.delete.delay.ms, as Kafka's
   * (default true); false unlinks them at once (an in-memory broker, where the delay only holds memory).
   */
  deferSegmentUnlinks?: boolean;
}

interface DirEntry {
  state: LogDirState;
  logs: Map<string, PartitionLog>;
  /** The callbacks every log of this dir gets: made once per dir, not three closures per log. */
  hooks: Pick<PartitionLogOptions, 'onLogStartOffsetChange' | 'onRecoveryPointRegress' | 'onDirFailure'>;
}

export class LogManager {
  private readonly dirs: DirEntry[] = [];
  private readonly byKey = new Map<string, PartitionLog>();
  /** What each open log's partition.metadata says. */
  private readonly topicIds = new Map<string, PartitionMetadata>();
  private readonly deletions: PendingDeletions;
  /** Deleted segments' `.deleted` files waiting out file.delete.delay.ms (null: unlinked at once). */
  private readonly segmentUnlinks: DeferredUnlinks | null;
  /** One bound for every log's tail cache. */
  private readonly tailCacheBudget: TailCacheBudget;
  private lastCleanMs: number;
  private lastRetentionMs: number;
  /** Logs that found their dir's clean-shutdown marker at open, and those recovered. */
  readonly openStats = { cleanDirs: 0, uncleanDirs: 0, logs: 0 };

  private constructor(private readonly options: LogManagerOptions) {
    this.lastCleanMs = options.clock.now();
    this.lastRetentionMs = options.clock.now();
    this.deletions = new PendingDeletions(options.fs);
    this.segmentUnlinks = options.deferSegmentUnlinks === false ? null : new DeferredUnlinks(options.fs);
    this.tailCacheBudget = new TailCacheBudget(options.tailCacheBytes ?? DEFAULT_TAIL_CACHE_BYTES);
  }

  private get fileDeleteDelayMs(): number {
    return this.options.fileDeleteDelayMs ?? 60_000;
  }

  static open(options: LogManagerOptions): LogManager {
    const manager = new LogManager(options);
    for (const path of options.logDirs) manager.openDir(path);
    return manager;
  }

  private configFor(topic: string): LogConfig {
    return this.options.configFor?.(topic) ?? this.options.defaultConfig ?? DEFAULT_LOG_CONFIG;
  }

  private openDir(path: string): void {
    const { fs } = this.options;
    const entry: DirEntry = { state: { path, offline: false }, logs: new Map(), hooks: {} };
    entry.hooks = {
      onLogStartOffsetChange: () => this.checkpointDir(entry, LOG_START_OFFSET_CHECKPOINT, (l) => l.startOffset),
      onRecoveryPointRegress: () => this.checkpointDir(entry, RECOVERY_POINT_CHECKPOINT, (l) => l.recoveryPoint),
      onDirFailure: (dirState) => this.options.onDirFailure?.(dirState.path, dirState.failure),
    };
    this.dirs.push(entry);
    try {
      fs.mkdir(path);
      const marker = joinPath(path, CLEAN_SHUTDOWN_MARKER);
      const clean = fs.exists(marker);
      if (clean) this.openStats.cleanDirs++;
      else this.openStats.uncleanDirs++;
      const recoveryPoints = readOffsetCheckpoint(fs, path, RECOVERY_POINT_CHECKPOINT);
      const startOffsets = readOffsetCheckpoint(fs, path, LOG_START_OFFSET_CHECKPOINT);
      const highWatermarks = readOffsetCheckpoint(fs, path, HIGH_WATERMARK_CHECKPOINT);
      // After a clean stop, what each folder held comes from one file instead of a listing per folder.
      const listing = clean ? readCleanListing(fs, path) : null;
      // One effective config per topic, not one per partition (thousands of partitions at start).
      const configs = new Map<string, LogConfig>();
      for (const name of fs.subdirectories(path)) {
        if (isDeleteDirName(name)) {
          this.deletions.add(joinPath(path, name), this.options.clock.now() + this.fileDeleteDelayMs);
          continue;
        }
        // Stray folders moved aside by an earlier run stay for the operator, unopened (as Kafka keeps them).
        if (isStrayDirName(name)) continue;
        const match = PARTITION_DIR.exec(name);
        if (!match || name === METADATA_PARTITION_DIR) continue;
        const topic = match[1]!;
        const partition = Number(match[2]);
        const key = partitionKey(topic, partition);
        let config = configs.get(topic);
        // Frozen: every log of the topic keeps this one object instead of a copy each.
        if (!config) configs.set(topic, (config = Object.freeze({ ...this.configFor(topic) })));
        const listed = listing?.get(name);
        const log = this.openLog(entry, topic, partition, config, {
          create: false,
          cleanShutdown: clean,
          recoveryPoint: recoveryPoints.get(key) ?? 0,
          logStartOffset: startOffsets.get(key) ?? 0,
          highWatermark: highWatermarks.get(key) ?? 0,
          listing: listed,
        });
        this.topicIds.set(
          key,
          listed
            ? listed.topicId === null
              ? { kind: 'missing' }
              : { kind: 'topic-id', topicId: listed.topicId }
            : readPartitionMetadata(fs, joinPath(path, name), log.partitionMetadataListed),
        );
        this.openStats.logs++;
      }
      if (clean) {
        fs.unlink(marker);
        if (fs.exists(joinPath(path, CLEAN_LISTING_FILE))) fs.unlink(joinPath(path, CLEAN_LISTING_FILE));
        fs.syncDir(path);
      }
    } catch (error) {
      this.markOffline(entry.state, error);
    }
  }

  private openLog(
    entry: DirEntry,
    topic: string,
    partition: number,
    config: LogConfig,
    state: {
      create?: boolean;
      cleanShutdown: boolean;
      recoveryPoint: number;
      logStartOffset: number;
      highWatermark: number;
      listing?: FolderListing;
    },
  ): PartitionLog {
    const key = partitionKey(topic, partition);
    const { listing, ...opening } = state;
    const log = PartitionLog.open(
      {
        fs: this.options.fs,
        dir: joinPath(entry.state.path, key),
        topic,
        partition,
        config,
        clock: this.options.clock,
        dirState: entry.state,
        ...opening,
        snapshotHook: this.options.snapshotHookFor?.(topic, partition),
        ...entry.hooks,
        tailCacheBudget: this.tailCacheBudget,
        ...(this.segmentUnlinks ? { deferredUnlinks: this.segmentUnlinks } : {}),
      },
      listing,
    );
    entry.logs.set(key, log);
    this.byKey.set(key, log);
    return log;
  }

  private markOffline(state: LogDirState, error: unknown): void {
    if (state.offline) return;
    state.offline = true;
    state.failure = error;
    this.options.onDirFailure?.(state.path, error);
  }

  get(topic: string, partition: number): PartitionLog | undefined {
    return this.byKey.get(partitionKey(topic, partition));
  }

  /**
   * The log of a partition, created empty in the online dir holding the fewest logs when
   * missing. With a topic id, a new log's folder gets `partition.metadata`; an existing
   * folder without one adopts the id; one holding another id (or an unreadable file)
   * raises InconsistentTopicIdError and is left untouched.
   */
  getOrCreate(topic: string, partition: number, topicId?: string): PartitionLog {
    const existing = this.get(topic, partition);
    if (existing) {
      if (topicId !== undefined) this.checkTopicId(existing, topicId);
      return existing;
    }
    const online = this.dirs.filter((d) => !d.state.offline);
    if (online.length === 0) throw new KafkaStorageError('no log dir is online');
    const entry = online.reduce((best, d) => (d.logs.size < best.logs.size ? d : best));
    const log = this.openLog(entry, topic, partition, this.configFor(topic), {
      create: true,
      cleanShutdown: true,
      recoveryPoint: 0,
      logStartOffset: 0,
      highWatermark: 0,
    });
    this.topicIds.set(log.name, { kind: 'missing' });
    if (topicId !== undefined) this.checkTopicId(log, topicId);
    return log;
  }

  /** The topic id a log's folder carries, when it has a readable partition.metadata. */
  topicIdOf(topic: string, partition: number): string | undefined {
    const found = this.topicIds.get(partitionKey(topic, partition));
    return found?.kind === 'topic-id' ? found.topicId : undefined;
  }

  private checkTopicId(log: PartitionLog, topicId: string): void {
    const found = this.topicIds.get(log.name) ?? { kind: 'missing' };
    if (found.kind === 'topic-id') {
      if (found.topicId === topicId) return;
      throw new InconsistentTopicIdError(
        `partition folder ${log.dir} belongs to topic id ${found.topicId}, the metadata has ${topicId}`,
      );
    }
    if (found.kind === 'malformed') {
      throw new InconsistentTopicIdError(
        `partition folder ${log.dir} has an unreadable partition.metadata (${found.reason}), the metadata has topic id ${topicId}`,
      );
    }
    try {
      writePartitionMetadata(this.options.fs, log.dir, topicId);
    } catch (error) {
      const state = this.dirOf(log.topic, log.partition);
      if (state) this.markOffline(state, error);
      throw new KafkaStorageError(`cannot write partition.metadata in ${log.dir}: ${String(error)}`, error);
    }
    this.topicIds.set(log.name, { kind: 'topic-id', topicId });
  }

  /**
   * Deletes a partition's log: closes it, renames its folder to `<topic>-<p>.<uuid>-delete`
   * (durable before this returns), rewrites the dir's checkpoints without it, and leaves the
   * removal of the files to `tick` after fileDeleteDelayMs. With a topic id, only a log of
   * that id is deleted (InconsistentTopicIdError otherwise).
   */
  delete(topic: string, partition: number, topicId?: string): void {
    const key = partitionKey(topic, partition);
    const log = this.byKey.get(key);
    if (!log) return;
    const found = this.topicIds.get(key);
    if (topicId !== undefined && found?.kind === 'topic-id' && found.topicId !== topicId) {
      throw new InconsistentTopicIdError(
        `partition folder ${log.dir} belongs to topic id ${found.topicId}, not ${topicId}: not deleted`,
      );
    }
    const entry = this.dirs.find((d) => d.logs.get(key) === log)!;
    this.byKey.delete(key);
    this.topicIds.delete(key);
    entry.logs.delete(key);
    log.discard();
    if (entry.state.offline) throw new KafkaStorageError(`log dir ${entry.state.path} is offline`, entry.state.failure);
    try {
      const moved = renameForDeletion(this.options.fs, entry.state.path, topic, partition);
      this.deletions.add(moved, this.options.clock.now() + this.fileDeleteDelayMs);
    } catch (error) {
      this.markOffline(entry.state, error);
      throw new KafkaStorageError(`cannot delete ${log.dir}: ${String(error)}`, error);
    }
    // A checkpoint naming the old folder must not apply to a new one of the same name.
    this.checkpointDir(entry, RECOVERY_POINT_CHECKPOINT, (l) => l.recoveryPoint);
    this.checkpointDir(entry, LOG_START_OFFSET_CHECKPOINT, (l) => l.startOffset);
    this.checkpointDir(entry, HIGH_WATERMARK_CHECKPOINT, (l) => l.highWatermark);
  }

  /**
   * Moves a partition's log aside as stray (Kafka's start-up check against the metadata): closes
   * it and renames its folder to `<topic>-<p>.<uuid>-stray`, durable before this returns; the files
   * stay (nothing is deleted) and later starts skip the folder. Returns the new path, or null when
   * there is no such log.
   */
  moveAsideStray(topic: string, partition: number): string | null {
    const key = partitionKey(topic, partition);
    const log = this.byKey.get(key);
    if (!log) return null;
    const entry = this.dirs.find((d) => d.logs.get(key) === log)!;
    if (entry.state.offline) throw new KafkaStorageError(`log dir ${entry.state.path} is offline`, entry.state.failure);
    this.byKey.delete(key);
    this.topicIds.delete(key);
    entry.logs.delete(key);
    log.close();
    let moved: string;
    try {
      moved = renameForDeletion(this.options.fs, entry.state.path, topic, partition, undefined, STRAY_DIR_SUFFIX);
    } catch (error) {
      this.markOffline(entry.state, error);
      throw new KafkaStorageError(`cannot move ${log.dir} aside: ${String(error)}`, error);
    }
    this.checkpointDir(entry, RECOVERY_POINT_CHECKPOINT, (l) => l.recoveryPoint);
    this.checkpointDir(entry, LOG_START_OFFSET_CHECKPOINT, (l) => l.startOffset);
    this.checkpointDir(entry, HIGH_WATERMARK_CHECKPOINT, (l) => l.highWatermark);
    return moved;
  }

  /** Deleted folders still waiting for removal. */
  get pendingDeletions(): number {
    return this.deletions.size;
  }

  logs(): IterableIterator<PartitionLog> {
    return this.byKey.values();
  }

  /** The log dir holding a partition, and whether it is offline. */
  dirOf(topic: string, partition: number): LogDirState | undefined {
    const key = partitionKey(topic, partition);
    return this.dirs.find((d) => d.logs.has(key))?.state;
  }

  /** Every log dir with whether it is offline and, if so, what failed. */
  dirStates(): readonly LogDirState[] {
    return this.dirs.map((d) => d.state);
  }

  offlineDirs(): string[] {
    return this.dirs.filter((d) => d.state.offline).map((d) => d.state.path);
  }

  /** Applies a topic's new config to its open logs. */
  updateTopicConfig(topic: string, config: LogConfig): void {
    for (const log of this.byKey.values()) if (log.topic === topic) log.updateConfig(config);
  }

  /** Periodic work for every log; compaction at most every cleanerIntervalMs. */
  tick(now: number = this.options.clock.now()): void {
    const clean =
      this.options.cleanerEnabled !== false && now - this.lastCleanMs >= (this.options.cleanerIntervalMs ?? 15_000);
    if (clean) this.lastCleanMs = now;
    const retain = now - this.lastRetentionMs >= (this.options.retentionCheckIntervalMs ?? 0);
    if (retain) this.lastRetentionMs = now;
    this.deletions.removeDue(now, (path, error) => this.options.onRemovalFailure?.(path, error));
    this.segmentUnlinks?.unlinkDue(now);
    for (const log of this.byKey.values()) {
      try {
        log.tick(now, retain);
        if (clean && log.currentConfig.cleanupPolicyCompact) log.compact(now);
      } catch (error) {
        if (!(error instanceof KafkaStorageError)) throw error;
      }
    }
  }

  /** Writes the recovery point, log start offset and high watermark checkpoints of every online dir. */
  checkpoint(): void {
    for (const entry of this.dirs) {
      this.checkpointDir(entry, RECOVERY_POINT_CHECKPOINT, (l) => l.recoveryPoint);
      this.checkpointDir(entry, LOG_START_OFFSET_CHECKPOINT, (l) => l.startOffset);
      this.checkpointDir(entry, HIGH_WATERMARK_CHECKPOINT, (l) => l.highWatermark);
    }
  }

  /** The clean-shutdown listing of a dir's folders (storage/clean-listing.ts), after its logs closed. */
  private writeListing(entry: DirEntry): void {
    const folders = new Map<string, FolderListing>();
    for (const [key, log] of entry.logs) {
      const metadata = this.topicIds.get(key) ?? { kind: 'missing' };
      if (metadata.kind === 'malformed') continue;
      folders.set(key, { topicId: metadata.kind === 'topic-id' ? metadata.topicId : null, ...log.segmentSizes() });
    }
    writeCleanListing(this.options.fs, entry.state.path, folders);
  }

  private checkpointDir(entry: DirEntry, name: string, value: (log: PartitionLog) => number): void {
    if (entry.state.offline) return;
    const entries: PartitionOffset[] = [];
    for (const log of entry.logs.values())
      entries.push({ topic: log.topic, partition: log.partition, offset: value(log) });
    try {
      writeOffsetCheckpoint(this.options.fs, entry.state.path, name, entries);
    } catch (error) {
      this.markOffline(entry.state, error);
    }
  }

  /**
   * Clean shutdown: flushes and closes every log, checkpoints, and leaves the marker in each healthy dir
   * (only closes them when the dirs are deleted next: `deletedOnClose`).
   */
  close(): void {
    for (const entry of this.dirs) {
      for (const log of entry.logs.values()) {
        try {
          log.close();
        } catch (error) {
          this.markOffline(entry.state, error);
        }
      }
    }
    if (this.options.deletedOnClose === true) return;
    // Segments deleted in the background (segment.ts) or waiting out file.delete.delay.ms go now: a listed
    // folder is not tidied at the next start.
    this.segmentUnlinks?.unlinkAll();
    this.options.fs.finishBackgroundUnlinks?.();
    this.checkpoint();
    for (const entry of this.dirs) {
      if (entry.state.offline) continue;
      try {
        this.writeListing(entry);
        const marker = this.options.fs.open(joinPath(entry.state.path, CLEAN_SHUTDOWN_MARKER), true);
        marker.sync();
        marker.close();
        this.options.fs.syncDir(entry.state.path);
      } catch (error) {
        this.markOffline(entry.state, error);
      }
    }
  }
}
