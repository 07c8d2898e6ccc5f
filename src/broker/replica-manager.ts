/**
 * The partitions this broker hosts, kept in step with the metadata image: a log is
 * opened when a partition appears and deleted with its topic. Appends wake the fetches
 * and produces waiting on a partition (the delayed-operation purgatory, keyed by
 * partition, woken by log-end changes).
 */
import type { ImageChange, PartitionState, TopicImage } from '../metadata/image.js';
import type { PartitionLogFactory } from './partition-log.js';
import { Partition } from './partition.js';

export { Partition };

export class ReplicaManager {
  private readonly partitions = new Map<string, Partition>();
  /** Told after a hosted partition appears or its state changes (`removed`: deleted). */
  private readonly stateListeners: Array<(partition: Partition, removed: boolean) => void> = [];

  constructor(
    private readonly nodeId: number,
    private readonly logs: PartitionLogFactory,
  ) {}

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
          const partition = this.partitions.get(key);
          if (!partition) continue;
          this.partitions.delete(key);
          for (const l of this.stateListeners) l(partition, true);
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
      for (const l of this.stateListeners) l(existing, false);
      return;
    }
    if (!state.replicas.includes(this.nodeId)) return;
    const log = this.logs.open(topic.name, state.partition, topic.configs);
    const partition = new Partition(topic.name, topic.topicId, state.partition, state, log, this.nodeId);
    this.partitions.set(key, partition);
    for (const l of this.stateListeners) l(partition, false);
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
