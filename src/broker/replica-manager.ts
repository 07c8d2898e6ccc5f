/**
 * The partitions this broker hosts, kept in step with the metadata image: a log is
 * opened when a partition is assigned here (created, or reassigned to this broker) and deleted
 * with its topic or when a reassignment removes this broker from its replicas. Appends wake the fetches
 * and produces waiting on a partition (the delayed-operation purgatory, keyed by
 * partition, woken by log-end changes).
 *
 * Logs are opened with the topic id: a partition folder that belongs to another topic id
 * is not served. While the metadata log is replayed at start such a mismatch is normal
 * (an old incarnation of a topic is replayed before its deletion, while the folder is the
 * new one's), so mismatches are collected and only those left once replay is done are
 * logged (`reportUnserved`); later ones are logged at once.
 *
 * Stray logs (Kafka 3.7+): once the broker has caught up with the metadata log, `moveAsideStrays`
 * moves aside every log on disk this broker does not host and the image does not place here (its
 * topic id unknown or missing, or this broker not among the partition's replicas): a partition
 * moved away or a topic deleted while the broker was down (and not replayed record by record, as
 * after a metadata snapshot). The folder is renamed `-stray` and kept, as Kafka keeps it; a partition
 * left unserved because such a folder held its name is opened then.
 *
 * A log that cannot be opened (its dir failed) never stops the image from applying the
 * rest of a change: the topic stays whole in the metadata and that partition is offline
 * here (KAFKA_STORAGE_ERROR on the data path, leader -1 and this node among the offline
 * replicas in Metadata), as is every partition whose log dir failed later.
 */
import type { Logger } from '../common/logger.js';
import type { ImageChange, MetadataImage, PartitionState, TopicImage } from '../metadata/image.js';
import type { PartitionLog, PartitionLogFactory } from './partition-log.js';
import { Partition } from './partition.js';

const INCONSISTENT_TOPIC_ID = 103;

function isInconsistentTopicId(error: unknown): error is Error & { errorCode: number } {
  return error instanceof Error && (error as Error & { errorCode?: unknown }).errorCode === INCONSISTENT_TOPIC_ID;
}

export { Partition };

export class ReplicaManager {
  private readonly partitions = new Map<string, Partition>();
  /** Told after a hosted partition appears or its state changes (`removed`: deleted). */
  private readonly stateListeners: Array<(partition: Partition, removed: boolean) => void> = [];
  /** Partitions of the image whose folder belongs to another topic id: why, by partition key. */
  private readonly unserved = new Map<string, string>();
  private replaying = true;
  /** Partitions assigned here whose log could not be opened, with the error. */
  private readonly unopened = new Map<string, unknown>();

  constructor(
    private readonly nodeId: number,
    private readonly logs: PartitionLogFactory,
    private readonly log?: Logger,
    private readonly onLogFailure: (topic: string, partition: number, error: unknown) => void = () => {},
    /** A topic's effective min.insync.replicas from its configs (a partition's high watermark waits under it). */
    private readonly minInsyncReplicasOf: (topicConfigs: ReadonlyMap<string, string>) => number = () => 1,
  ) {}

  /** Whether a partition assigned to this broker is offline here (its log dir failed, or its log could not be opened). */
  isOffline(topic: string, partition: number): boolean {
    const key = ReplicaManager.key(topic, partition);
    if (this.unopened.has(key)) return true;
    return this.partitions.get(key)?.log.isOffline?.() ?? false;
  }

  /** Every log dir and whether it failed; null when logs live in memory. */
  logDirs(): Array<{ path: string; offline: boolean; failure?: unknown }> | null {
    return this.logs.logDirs?.() ?? null;
  }

  /** How many hosted partitions are offline. */
  offlineCount(): number {
    let count = this.unopened.size;
    for (const p of this.partitions.values()) if (p.log.isOffline?.()) count++;
    return count;
  }

  /** Ends start-up replay: logs the partitions left unserved, and logs later ones as they happen. */
  reportUnserved(): void {
    this.replaying = false;
    for (const [key, reason] of this.unserved) this.log?.error({ partition: key }, `partition not served: ${reason}`);
  }

  /**
   * Moves aside the logs found on disk that the image does not place on this broker (see the file
   * header), then opens the partitions their folders kept unserved. Call once caught up.
   */
  moveAsideStrays(image: MetadataImage): void {
    if (!this.logs.moveAsideStrays) return;
    let moved: Array<{ topic: string; partition: number; movedTo: string }>;
    try {
      moved = this.logs.moveAsideStrays((topic, partition, topicId) => {
        if (this.partitions.has(ReplicaManager.key(topic, partition))) return false;
        const placed = topicId === undefined ? undefined : image.topicsById.get(topicId)?.partitions.get(partition);
        return placed === undefined || !placed.replicas.includes(this.nodeId);
      });
    } catch (error) {
      this.log?.error({ err: error }, 'moving stray logs aside failed');
      return;
    }
    for (const { topic, partition, movedTo } of moved) {
      this.log?.warn(
        { partition: ReplicaManager.key(topic, partition), movedTo },
        'stray log: the metadata does not place this partition here; moved aside (kept on disk)',
      );
      const key = ReplicaManager.key(topic, partition);
      const current = image.topicsByName.get(topic);
      const state = current?.partitions.get(partition);
      if (current && state && this.unserved.has(key)) this.ensurePartition(current, state);
    }
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

  onPartitionState(listener: (partition: Partition, removed: boolean) => void): void {
    this.stateListeners.push(listener);
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
          this.unopened.delete(key);
          const partition = this.partitions.get(key);
          if (!partition || partition.topicId !== change.topic.topicId) continue;
          this.dropPartition(key, partition);
        }
        break;
      case 'config-changed':
        if (change.resourceType === 2) {
          for (const partition of this.partitions.values()) {
            if (partition.topic === change.resourceName)
              this.logs.updateConfig?.(partition.log, this.topicConfigs.get(change.resourceName) ?? new Map());
          }
        }
        break;
    }
  }

  /** Stops serving a hosted partition (listeners told, waiters woken) and deletes its log. */
  private dropPartition(key: string, partition: Partition): void {
    this.partitions.delete(key);
    for (const l of this.stateListeners) l(partition, true);
    partition.notifyChange();
    try {
      partition.log.close();
      partition.log.delete();
    } catch (error) {
      // The dir failed: its files stay until the dir is back; the partition is gone from here.
      this.onLogFailure(partition.topic, partition.index, error);
    }
  }

  private topicConfigs = new Map<string, ReadonlyMap<string, string>>();

  private ensurePartition(topic: TopicImage, state: PartitionState): void {
    this.topicConfigs.set(topic.name, topic.configs);
    const key = ReplicaManager.key(topic.name, state.partition);
    const existing = this.partitions.get(key);
    if (existing && !state.replicas.includes(this.nodeId)) {
      // Reassigned away: stop following or leading it and delete this broker's copy (Kafka's StopReplica with delete).
      this.log?.info(
        { partition: key, replicas: state.replicas },
        'replica removed from this broker; deleting its log',
      );
      existing.state = state;
      this.dropPartition(key, existing);
      return;
    }
    if (existing) {
      existing.state = state;
      for (const l of this.stateListeners) l(existing, false);
      return;
    }
    if (!state.replicas.includes(this.nodeId)) {
      this.unopened.delete(key);
      this.unserved.delete(key);
      return;
    }
    let log: PartitionLog;
    try {
      log = this.logs.open(topic.name, state.partition, topic.configs, topic.topicId);
    } catch (error) {
      if (isInconsistentTopicId(error)) {
        this.unserved.set(key, error.message);
        if (!this.replaying) this.log?.error({ partition: key }, `partition not served: ${error.message}`);
        return;
      }
      if (!this.unopened.has(key)) this.onLogFailure(topic.name, state.partition, error);
      this.unopened.set(key, error);
      return;
    }
    this.unserved.delete(key);
    this.unopened.delete(key);
    // The image changes a topic's configs in place: the partition reads the current value each time.
    const configs = topic.configs;
    const minInsyncReplicas = (): number => this.minInsyncReplicasOf(configs);
    const partition = new Partition(
      topic.name,
      topic.topicId,
      state.partition,
      state,
      log,
      this.nodeId,
      minInsyncReplicas,
    );
    this.partitions.set(key, partition);
    for (const l of this.stateListeners) l(partition, false);
  }

  close(): void {
    for (const p of this.partitions.values()) {
      if (p.log.isOffline?.()) continue;
      try {
        p.log.flush();
        p.log.close();
      } catch (error) {
        this.onLogFailure(p.topic, p.index, error);
      }
    }
    this.partitions.clear();
    this.logs.close();
  }
}
