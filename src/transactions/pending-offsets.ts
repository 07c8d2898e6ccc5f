/**
 * Offsets sent with TxnOffsetCommit wait here, per transactional id and group, until
 * the transaction ends: a commit hands them to the group coordinator (then a group
 * sees them), an abort drops them. They are also in `__consumer_offsets` as a
 * transactional batch (offsets-log.ts), from which a restart fills this map again.
 */
export interface PendingOffset {
  topic: string;
  partition: number;
  offset: bigint;
  leaderEpoch: number;
  metadata: string;
}

export class PendingOffsets {
  /** transactionalId -> groupId -> `topic\0partition` -> offset. */
  private readonly byTxn = new Map<string, Map<string, Map<string, PendingOffset>>>();

  add(transactionalId: string, groupId: string, offsets: PendingOffset[]): void {
    let groups = this.byTxn.get(transactionalId);
    if (!groups) this.byTxn.set(transactionalId, (groups = new Map()));
    let entries = groups.get(groupId);
    if (!entries) groups.set(groupId, (entries = new Map()));
    for (const o of offsets) entries.set(`${o.topic}\0${o.partition}`, o);
  }

  /** Removes and returns a transaction's offsets, by group. */
  take(transactionalId: string): Map<string, PendingOffset[]> {
    const groups = this.byTxn.get(transactionalId);
    this.byTxn.delete(transactionalId);
    const out = new Map<string, PendingOffset[]>();
    for (const [group, entries] of groups ?? []) out.set(group, [...entries.values()]);
    return out;
  }

  /** True while an open transaction holds an offset for this group partition. */
  has(groupId: string, topic: string, partition: number): boolean {
    const key = `${topic}\0${partition}`;
    for (const groups of this.byTxn.values()) if (groups.get(groupId)?.has(key)) return true;
    return false;
  }
}
