/**
 * ISR shrinks and expands of the partitions this broker leads, as Kafka's ReplicaManager
 * IsrShrinksPerSec / IsrExpandsPerSec count them: each metadata change that leaves a led
 * partition with a smaller (larger) ISR than before counts one.
 */
import type { ImageChange } from '../metadata/image.js';

export class IsrChanges {
  shrinks = 0;
  expands = 0;
  private readonly isrSize = new Map<string, number>();

  constructor(private readonly nodeId: number) {}

  observe(change: ImageChange): void {
    if (change.kind === 'config-changed') return;
    if (change.kind === 'topic-deleted') {
      for (const p of change.topic.partitions.keys()) this.isrSize.delete(`${change.topic.topicId}:${p}`);
      return;
    }
    const partitions = change.kind === 'topic-created' ? [...change.topic.partitions.values()] : [change.partition];
    for (const p of partitions) {
      const key = `${change.topic.topicId}:${p.partition}`;
      const before = this.isrSize.get(key);
      this.isrSize.set(key, p.isr.length);
      if (before === undefined || p.leader !== this.nodeId) continue;
      if (p.isr.length < before) this.shrinks++;
      else if (p.isr.length > before) this.expands++;
    }
  }
}
