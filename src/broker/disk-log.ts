/**
 * The on-disk PartitionLog: adapts `storage/`'s LogManager and PartitionLog to the
 * broker's port. Topic configs are resolved (topic value, else the broker's synonym,
 * else Kafka's default) into the storage LogConfig; storage errors keep their Kafka
 * error codes (KAFKA_STORAGE_ERROR, CORRUPT_MESSAGE, ...), and an out-of-range read
 * becomes the broker's OffsetOutOfRangeError.
 */
import { LogManager } from '../../storage/log-manager.js';
import type { PartitionLog as StorageLog } from '../../storage/log.js';
import { MAX_TIMESTAMP } from '../../storage/log.js';
import { logConfigFromProperties, type LogConfig } from '../../storage/config.js';
import { NodeFileSystem } from '../../storage/fs.js';
import { OffsetOutOfRangeError as StorageOffsetOutOfRange, StorageError } from '../../storage/errors.js';
import type { BrokerConfig } from '../common/config.js';
import type { Clock } from '../common/clock.js';
import { effectiveTopicConfig } from '../metadata/topic-configs.js';
import { OffsetOutOfRangeError, type AppendInfo, type PartitionLog, type PartitionLogFactory } from './partition-log.js';

/** The topic configs storage understands. */
const STORAGE_CONFIGS = [
  'segment.bytes',
  'segment.ms',
  'index.interval.bytes',
  'retention.ms',
  'retention.bytes',
  'cleanup.policy',
  'delete.retention.ms',
  'flush.messages',
  'flush.ms',
  'message.timestamp.type',
];

export function isStorageError(error: unknown): error is StorageError {
  return error instanceof StorageError;
}

class DiskPartitionLog implements PartitionLog {
  constructor(
    readonly log: StorageLog,
    private readonly manager: LogManager,
  ) {}

  get logStartOffset(): number {
    return this.log.startOffset;
  }

  get logEndOffset(): number {
    return this.log.endOffset;
  }

  append(batches: Buffer, options: { leaderEpoch: number; logAppendTime?: number }): AppendInfo {
    const result = this.log.append(batches, {
      leaderEpoch: options.leaderEpoch,
      crcVerified: true,
      // The produce path decides the timestamp type; storage stamps its own clock's time.
      logAppendTime: options.logAppendTime !== undefined,
    });
    return { baseOffset: result.baseOffset, lastOffset: result.lastOffset, logAppendTime: result.logAppendTime };
  }

  appendReplicated(batches: Buffer): AppendInfo {
    const result = this.log.append(batches, { leaderEpoch: -1, origin: 'replication' });
    return { baseOffset: result.baseOffset, lastOffset: result.lastOffset, logAppendTime: result.logAppendTime };
  }

  read(offset: number, maxBytes: number, maxOffset?: number): Buffer {
    try {
      return this.log.read(offset, maxBytes, { minOneBatch: true, ...(maxOffset === undefined ? {} : { maxOffset }) }).records;
    } catch (error) {
      if (error instanceof StorageOffsetOutOfRange) throw new OffsetOutOfRangeError(error.message);
      throw error;
    }
  }

  offsetForTimestamp(timestamp: number): { offset: number; timestamp: number } | null {
    return this.log.offsetForTimestamp(timestamp);
  }

  maxTimestamp(): { offset: number; timestamp: number } | null {
    return this.log.offsetForTimestamp(MAX_TIMESTAMP);
  }

  deleteRecordsBefore(offset: number): void {
    try {
      this.log.deleteRecordsBefore(offset);
    } catch (error) {
      if (error instanceof StorageOffsetOutOfRange) throw new OffsetOutOfRangeError(error.message);
      throw error;
    }
  }

  truncateTo(offset: number): void {
    this.log.truncateTo(offset);
  }

  flush(): void {
    this.log.flush();
  }

  size(): number {
    return this.log.size;
  }

  recordAbortedTxn(entry: { producerId: bigint; firstOffset: number; lastOffset: number; lastStableOffset: number }): void {
    this.log.appendAbortedTxn(entry);
  }

  recordHighWatermark(offset: number): void {
    this.log.highWatermark = offset;
  }

  logDir(): string | undefined {
    return this.manager.dirOf(this.log.topic, this.log.partition)?.path;
  }

  /** Logs stay open until the manager closes them all with a clean-shutdown marker. */
  close(): void {}

  delete(): void {
    this.manager.delete(this.log.topic, this.log.partition);
  }
}

export class DiskLogFactory implements PartitionLogFactory {
  readonly manager: LogManager;
  private readonly topicConfigs = new Map<string, ReadonlyMap<string, string>>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly broker: BrokerConfig,
    private readonly clock: Clock,
    logDirs: string[],
  ) {
    this.manager = LogManager.open({
      fs: new NodeFileSystem(),
      logDirs,
      clock,
      configFor: (topic) => this.logConfig(this.topicConfigs.get(topic) ?? new Map()),
    });
    this.timer = setInterval(() => this.manager.tick(this.clock.now()), 1000);
    this.timer.unref();
  }

  private logConfig(topicConfigs: ReadonlyMap<string, string>): LogConfig {
    const properties: Record<string, string> = {};
    for (const name of STORAGE_CONFIGS) properties[name] = effectiveTopicConfig(name, topicConfigs, this.broker);
    return logConfigFromProperties(properties);
  }

  open(topic: string, partition: number, configs: ReadonlyMap<string, string>): PartitionLog {
    this.topicConfigs.set(topic, configs);
    return new DiskPartitionLog(this.manager.getOrCreate(topic, partition), this.manager);
  }

  updateConfig(log: PartitionLog, configs: ReadonlyMap<string, string>): void {
    if (!(log instanceof DiskPartitionLog)) return;
    this.topicConfigs.set(log.log.topic, configs);
    this.manager.updateTopicConfig(log.log.topic, this.logConfig(configs));
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.manager.close();
  }
}
