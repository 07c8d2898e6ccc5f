/**
 * Offsets sent with TxnOffsetCommit wait here on the group coordinator's broker, per
 * producer id and group, until the transaction's marker reaches the group's
 * `__consumer_offsets` partition: COMMIT hands them to the group coordinator (then the group
 * sees them), ABORT drops them (Kafka's GroupMetadata pendingTransactionalOffsetCommits). They
 * are also in `__consumer_offsets` as a transactional batch (offsets-log.ts), from which a
 * restart fills this map again.
 */
export interface PendingOffset {
  topic: string;
  partition: number;
  offset: bigint;
  leaderEpoch: number;
  metadata: string;
  /** Its record's place in `__consumer_offsets` (GroupStore.nextRecordOrder), set by PendingOffsets.add. */
  recordOrder?: number;
}

export class PendingOffsets {
  /** producerId -> groupId -> `topic\0partition` -> offset. */
  private readonly byProducer = new Map<bigint, Map<string, Map<string, PendingOffset>>>();

  /** Holds `offsets`, whose records were appended at `recordOrder`. */
  add(producerId: bigint, groupId: string, offsets: readonly PendingOffset[], recordOrder: number): void {
    let groups = this.byProducer.get(producerId);
    if (!groups) this.byProducer.set(producerId, (groups = new Map()));
    let entries = groups.get(groupId);
    if (!entries) groups.set(groupId, (entries = new Map()));
    for (const o of offsets) entries.set(`${o.topic}\0${o.partition}`, { ...o, recordOrder });
  }

  /** Removes and returns a producer's offsets of the groups `inPartition` selects, by group. */
  take(producerId: bigint, inPartition: (groupId: string) => boolean = () => true): Map<string, PendingOffset[]> {
    const groups = this.byProducer.get(producerId);
    const out = new Map<string, PendingOffset[]>();
    if (!groups) return out;
    for (const [group, entries] of groups) {
      if (!inPartition(group)) continue;
      out.set(group, [...entries.values()]);
      groups.delete(group);
    }
    if (groups.size === 0) this.byProducer.delete(producerId);
    return out;
  }

  /**
   * Drops every open transaction's offsets on a deleted topic (Kafka's onPartitionsDeleted);
   * returns the group partitions that had one, for their tombstones.
   */
  dropTopic(topic: string): Array<{ groupId: string; partition: number }> {
    const dropped: Array<{ groupId: string; partition: number }> = [];
    for (const groups of this.byProducer.values()) {
      for (const [groupId, entries] of groups) {
        for (const [key, o] of entries) {
          if (o.topic !== topic) continue;
          entries.delete(key);
          dropped.push({ groupId, partition: o.partition });
        }
      }
    }
    return dropped;
  }

  /** Drops every open transaction's offset of one group partition (its committed offset was deleted). */
  drop(groupId: string, topic: string, partition: number): void {
    const key = `${topic}\0${partition}`;
    for (const groups of this.byProducer.values()) groups.get(groupId)?.delete(key);
  }

  /** True while an open transaction holds an offset for this group partition. */
  has(groupId: string, topic: string, partition: number): boolean {
    const key = `${topic}\0${partition}`;
    for (const groups of this.byProducer.values()) if (groups.get(groupId)?.has(key)) return true;
    return false;
  }
}
