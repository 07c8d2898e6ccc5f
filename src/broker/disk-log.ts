/**
 * The on-disk PartitionLog: adapts `storage/`'s LogManager and PartitionLog to the
 * broker's port. Topic configs are resolved (topic value, else the broker's synonym,
 * else Kafka's default) into the storage LogConfig; storage errors keep their Kafka
 * error codes (KAFKA_STORAGE_ERROR, CORRUPT_MESSAGE, ...); an out-of-range read throws
 * storage's OffsetOutOfRangeError, which the port (partition-log.ts) re-exports.
 */
import { LogManager } from '../../storage/log-manager.js';
import type { PartitionLog as StorageLog } from '../../storage/log.js';
import { MAX_TIMESTAMP } from '../../storage/log.js';
import { logConfigFromProperties, type LogConfig } from '../../storage/config.js';
import { NodeFileSystem, type FileSystem } from '../../storage/fs.js';
import { BoundedFileSystem } from '../../storage/bounded-fs.js';
import { logFileCacheSize } from '../common/open-files.js';
import { StorageError } from '../../storage/errors.js';
import type { BrokerConfig } from '../common/config.js';
import type { Clock } from '../common/clock.js';
import { schedulerFor, type Timer } from '../common/scheduler.js';
import type { Logger } from '../common/logger.js';
import { effectiveTopicConfig } from '../metadata/topic-configs.js';
import { MemoryCap, type MemoryCapOptions } from './memory-storage.js';
import type { AppendInfo, PartitionLog, PartitionLogFactory } from './partition-log.js';

/** The topic configs storage understands. */
const STORAGE_CONFIGS = [
  'segment.bytes',
  'segment.ms',
  'index.interval.bytes',
  'retention.ms',
  'retention.bytes',
  'cleanup.policy',
  'delete.retention.ms',
  'min.compaction.lag.ms',
  'max.compaction.lag.ms',
  'flush.messages',
  'flush.ms',
  'message.timestamp.type',
  'file.delete.delay.ms',
];

export function isStorageError(error: unknown): error is StorageError {
  return error instanceof StorageError;
}

class DiskPartitionLog implements PartitionLog {
  constructor(
    readonly log: StorageLog,
    private readonly manager: LogManager,
    private readonly topicId: string | undefined,
    private readonly onAppended: ((bytes: number) => void) | null,
  ) {}

  get logStartOffset(): number {
    return this.log.startOffset;
  }

  get logEndOffset(): number {
    return this.log.endOffset;
  }

  append(batches: Buffer, options: { leaderEpoch: number; logAppendTime?: number; cacheTail?: boolean }): AppendInfo {
    const result = this.log.append(batches, {
      leaderEpoch: options.leaderEpoch,
      cacheTail: options.cacheTail === true,
      crcVerified: true,
      // The produce path decides the timestamp type; storage stamps its own clock's time.
      logAppendTime: options.logAppendTime !== undefined,
    });
    this.onAppended?.(batches.length);
    return { baseOffset: result.baseOffset, lastOffset: result.lastOffset, logAppendTime: result.logAppendTime };
  }

  checkWrites(): void {
    this.log.checkWrites();
  }

  appendReplicated(batches: Buffer): AppendInfo {
    const result = this.log.append(batches, { leaderEpoch: -1, origin: 'replication' });
    this.onAppended?.(batches.length);
    return { baseOffset: result.baseOffset, lastOffset: result.lastOffset, logAppendTime: result.logAppendTime };
  }

  read(offset: number, maxBytes: number, maxOffset?: number, allocate?: (size: number) => Buffer): Buffer {
    return this.log.read(offset, maxBytes, {
      minOneBatch: true,
      ...(maxOffset === undefined ? {} : { maxOffset }),
      ...(allocate === undefined ? {} : { allocate }),
    }).records;
  }

  offsetForTimestamp(timestamp: number): { offset: number; timestamp: number } | null {
    return this.log.offsetForTimestamp(timestamp);
  }

  maxTimestamp(): { offset: number; timestamp: number } | null {
    return this.log.offsetForTimestamp(MAX_TIMESTAMP);
  }

  deleteRecordsBefore(offset: number): void {
    this.log.deleteRecordsBefore(offset);
  }

  truncateTo(offset: number): void {
    this.log.truncateTo(offset);
  }

  truncateFullyAndStartAt(offset: number): void {
    this.log.truncateFullyAndStartAt(offset);
  }

  flush(): void {
    this.log.flush();
  }

  size(): number {
    return this.log.size;
  }

  segmentTimes(): ReadonlyArray<{ baseOffset: number; size: number; lastModifiedMs: number }> {
    return this.log.segmentTimes();
  }

  segmentEndFor(offset: number): number {
    return this.log.segmentEndFor(offset);
  }

  recordAbortedTxn(entry: {
    producerId: bigint;
    firstOffset: number;
    lastOffset: number;
    lastStableOffset: number;
  }): void {
    this.log.appendAbortedTxn(entry);
  }

  epochEntries(): ReadonlyArray<{ epoch: number; startOffset: number }> {
    return this.log.leaderEpochs.all();
  }

  recordHighWatermark(offset: number): void {
    this.log.highWatermark = offset;
  }

  recordedHighWatermark(): number {
    return this.log.highWatermark;
  }

  logDir(): string | undefined {
    return this.manager.dirOf(this.log.topic, this.log.partition)?.path;
  }

  isOffline(): boolean {
    return this.manager.dirOf(this.log.topic, this.log.partition)?.offline ?? false;
  }

  /** Logs stay open until the manager closes them all with a clean-shutdown marker. */
  close(): void {}

  delete(): void {
    this.manager.delete(this.log.topic, this.log.partition, this.topicId);
  }
}

/** log.segment.delete.delay.ms (topic name file.delete.delay.ms): how long a deleted partition folder is kept. */
function fileDeleteDelayMs(broker: BrokerConfig): number {
  const value = Number(effectiveTopicConfig('file.delete.delay.ms', new Map(), broker));
  return Number.isFinite(value) && value >= 0 ? value : 60_000;
}

export interface DiskLogOptions {
  /** The file system under the descriptor cache (tests inject faults here); node:fs by default. */
  fs?: FileSystem;
  /** Descriptors the logs may hold at once; half the soft RLIMIT_NOFILE by default. */
  maxOpenFiles?: number;
  /** Where storage warnings go (a deleted folder that cannot be removed). */
  log?: Logger;
  /** memory.max.bytes of an in-memory broker: the cap on all partition logs together. */
  maxTotalBytes?: number;
  /** The log dirs are deleted after close() (startBroker()'s temporary dir): no checkpoints or markers on close. */
  deletedOnClose?: boolean;
  /** false: deleted segments are unlinked at once, not after file.delete.delay.ms (an in-memory broker). */
  deferSegmentUnlinks?: boolean;
}

export class DiskLogFactory implements PartitionLogFactory {
  readonly manager: LogManager;
  /** Segment files are opened on demand and closed when idle: at most `maxOpenFiles` at once. */
  readonly files: BoundedFileSystem;
  private readonly topicConfigs = new Map<string, ReadonlyMap<string, string>>();
  private timer: Timer | null = null;
  private readonly dirFailureListeners: Array<(dir: string, error: unknown) => void> = [];
  /** Set for an in-memory broker (maxTotalBytes): drops the oldest segments when over the cap. */
  readonly cap: MemoryCap | null;

  constructor(
    private readonly broker: BrokerConfig,
    private readonly clock: Clock,
    logDirs: string[],
    options: DiskLogOptions = {},
  ) {
    this.files = new BoundedFileSystem(
      options.fs ?? new NodeFileSystem({ writeBehind: true }),
      options.maxOpenFiles ?? logFileCacheSize(),
    );
    this.manager = LogManager.open({
      fs: this.files,
      logDirs,
      clock,
      onDirFailure: (dir, error) => {
        for (const listener of this.dirFailureListeners) listener(dir, error);
      },
      configFor: (topic) => this.logConfig(this.topicConfigs.get(topic) ?? new Map()),
      fileDeleteDelayMs: fileDeleteDelayMs(broker),
      retentionCheckIntervalMs: broker.int('log.retention.check.interval.ms'),
      cleanerEnabled: broker.bool('log.cleaner.enable'),
      ...(options.deletedOnClose === true ? { deletedOnClose: true } : {}),
      ...(options.deferSegmentUnlinks === false ? { deferSegmentUnlinks: false } : {}),
      onRemovalFailure: (path, err) =>
        options.log?.warn({ err, path }, 'cannot remove a deleted partition folder; trying again in a minute'),
    });
    this.cap =
      options.maxTotalBytes === undefined
        ? null
        : new MemoryCap(memoryCapOptions(this.manager, options.maxTotalBytes, options.log));
    this.timer = schedulerFor(clock).every(1000, () => {
      this.manager.tick(this.clock.now());
      this.cap?.enforce();
    });
  }

  private logConfig(topicConfigs: ReadonlyMap<string, string>): LogConfig {
    const properties: Record<string, string> = {};
    for (const name of STORAGE_CONFIGS) properties[name] = effectiveTopicConfig(name, topicConfigs, this.broker);
    return logConfigFromProperties(properties);
  }

  open(topic: string, partition: number, configs: ReadonlyMap<string, string>, topicId?: string): PartitionLog {
    this.topicConfigs.set(topic, configs);
    const cap = this.cap;
    return new DiskPartitionLog(
      this.manager.getOrCreate(topic, partition, topicId),
      this.manager,
      topicId,
      cap ? (bytes) => cap.appended(bytes) : null,
    );
  }

  onDirFailure(listener: (dir: string, error: unknown) => void): void {
    this.dirFailureListeners.push(listener);
  }

  moveAsideStrays(
    isStray: (topic: string, partition: number, topicId: string | undefined) => boolean,
  ): Array<{ topic: string; partition: number; movedTo: string }> {
    const moved: Array<{ topic: string; partition: number; movedTo: string }> = [];
    for (const log of [...this.manager.logs()]) {
      const { topic, partition } = log;
      if (this.manager.dirOf(topic, partition)?.offline) continue;
      if (!isStray(topic, partition, this.manager.topicIdOf(topic, partition))) continue;
      const movedTo = this.manager.moveAsideStray(topic, partition);
      if (movedTo !== null) moved.push({ topic, partition, movedTo });
    }
    return moved;
  }

  logDirs(): Array<{ path: string; offline: boolean; failure?: unknown }> {
    return this.manager.dirStates().map((d) => ({ path: d.path, offline: d.offline, failure: d.failure }));
  }

  updateConfig(log: PartitionLog, configs: ReadonlyMap<string, string>): void {
    if (!(log instanceof DiskPartitionLog)) return;
    this.topicConfigs.set(log.log.topic, configs);
    this.manager.updateTopicConfig(log.log.topic, this.logConfig(configs));
  }

  close(): void {
    this.timer?.cancel();
    this.timer = null;
    this.manager.close();
  }
}

function memoryCapOptions(manager: LogManager, maxBytes: number, log: Logger | undefined): MemoryCapOptions {
  let stuckWarned = false;
  return {
    manager,
    maxBytes,
    onDropped: (event) => {
      stuckWarned = false;
      log?.info({ ...event, maxBytes }, 'memory.max.bytes reached: dropped the oldest segments');
    },
    onStuck: (totalBytes) => {
      if (stuckWarned) return;
      stuckWarned = true;
      log?.warn(
        { totalBytes, maxBytes },
        'partition logs are over memory.max.bytes and only compacted logs are left to drop from',
      );
    },
  };
}
