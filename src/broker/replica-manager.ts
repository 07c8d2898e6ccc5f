/**
 * The partitions this broker hosts, kept in step with the metadata image: a log is
 * opened when a partition appears and deleted with its topic. Appends wake the fetches
 * and produces waiting on a partition (the delayed-operation purgatory, keyed by
 * partition, woken by log-end changes).
 *
 * Logs are opened with the topic id: a partition folder that belongs to another topic id
 * is not served. While the metadata log is replayed at start such a mismatch is normal
 * (an old incarnation of a topic is replayed before its deletion, while the folder is the
 * new one's), so mismatches are collected and only those left once replay is done are
 * logged (`reportUnserved`); later ones are logged at once.
 */
import type { Logger } from '../common/logger.js';
import type { ImageChange, PartitionState, TopicImage } from '../metadata/image.js';
import type { PartitionLog, PartitionLogFactory } from './partition-log.js';

const INCONSISTENT_TOPIC_ID = 103;

function isInconsistentTopicId(error: unknown): error is Error & { errorCode: number } {
  return error instanceof Error && (error as Error & { errorCode?: unknown }).errorCode === INCONSISTENT_TOPIC_ID;
}

export class Partition {
  private hw = 0;
  private waiters = new Set<() => void>();

  constructor(
    readonly topic: string,
    readonly topicId: string,
    readonly index: number,
    public state: PartitionState,
    readonly log: PartitionLog,
  ) {
    this.highWatermark = log.logEndOffset;
  }

  /**
   * The high watermark; with one replica it follows the log end at once. Setting it
   * also tells the log, whose checkpoint (replication-offset-checkpoint) persists it.
   */
  get highWatermark(): number {
    return this.hw;
  }

  set highWatermark(offset: number) {
    this.hw = offset;
    this.log.recordHighWatermark?.(offset);
  }

  get leaderEpoch(): number {
    return this.state.leaderEpoch;
  }

  /** Calls `wake` once the partition changes (append, truncation, deletion). Returns a canceller. */
  waitForChange(wake: () => void): () => void {
    this.waiters.add(wake);
    return () => this.waiters.delete(wake);
  }

  notifyChange(): void {
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const w of waiters) w();
  }
}

export class ReplicaManager {
  private readonly partitions = new Map<string, Partition>();
  /** Partitions of the image whose folder belongs to another topic id: why, by partition key. */
  private readonly unserved = new Map<string, string>();
  private replaying = true;

  constructor(
    private readonly nodeId: number,
    private readonly logs: PartitionLogFactory,
    private readonly log?: Logger,
  ) {}

  /** Ends start-up replay: logs the partitions left unserved, and logs later ones as they happen. */
  reportUnserved(): void {
    this.replaying = false;
    for (const [key, reason] of this.unserved) this.log?.error({ partition: key }, `partition not served: ${reason}`);
  }

  /** Partitions of the image not served because their folder belongs to another topic id. */
  unservedPartitions(): ReadonlyMap<string, string> {
    return this.unserved;
  }

  static key(topic: string, partition: number): string {
    return `${topic}-${partition}`;
  }

  get(topic: string, partition: number): Partition | undefined {
    return this.partitions.get(ReplicaManager.key(topic, partition));
  }

  all(): IterableIterator<Partition> {
    return this.partitions.values();
  }

  /** Keeps the hosted partitions in step with a metadata change. */
  onMetadataChange(change: ImageChange): void {
    switch (change.kind) {
      case 'topic-created':
        break;
      case 'partition-changed':
        this.ensurePartition(change.topic, change.partition);
        break;
      case 'topic-deleted':
        for (const p of change.topic.partitions.keys()) {
          const key = ReplicaManager.key(change.topic.name, p);
          this.unserved.delete(key);
          const partition = this.partitions.get(key);
          if (!partition || partition.topicId !== change.topic.topicId) continue;
          this.partitions.delete(key);
          partition.notifyChange();
          partition.log.close();
          partition.log.delete();
        }
        break;
      case 'config-changed':
        if (change.resourceType === 2) {
          for (const partition of this.partitions.values()) {
            if (partition.topic === change.resourceName) this.logs.updateConfig?.(partition.log, this.topicConfigs.get(change.resourceName) ?? new Map());
          }
        }
        break;
    }
  }

  private topicConfigs = new Map<string, ReadonlyMap<string, string>>();

  private ensurePartition(topic: TopicImage, state: PartitionState): void {
    this.topicConfigs.set(topic.name, topic.configs);
    const key = ReplicaManager.key(topic.name, state.partition);
    const existing = this.partitions.get(key);
    if (existing) {
      existing.state = state;
      return;
    }
    if (!state.replicas.includes(this.nodeId)) return;
    let log: PartitionLog;
    try {
      log = this.logs.open(topic.name, state.partition, topic.configs, topic.topicId);
    } catch (error) {
      if (!isInconsistentTopicId(error)) throw error;
      this.unserved.set(key, error.message);
      if (!this.replaying) this.log?.error({ partition: key }, `partition not served: ${error.message}`);
      return;
    }
    this.unserved.delete(key);
    this.partitions.set(key, new Partition(topic.name, topic.topicId, state.partition, state, log));
  }

  close(): void {
    for (const p of this.partitions.values()) {
      p.log.flush();
      p.log.close();
    }
    this.partitions.clear();
    this.logs.close();
  }
}
