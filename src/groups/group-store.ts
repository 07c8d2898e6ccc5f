/**
 * What the coordinator keeps in memory: classic groups and committed offsets, and the
 * one way changes reach `__consumer_offsets`. `write` hands the records to the injected
 * GroupLogWriter, which encodes and appends them to the group's partition, and only when that
 * append succeeded replays the offset records into the cache. Group metadata records
 * are replayed only on load: at run time the classic state machine changes the group
 * in memory first and writes the record that describes the result (as Kafka's classic
 * coordinator does), answering clients only after the append. KIP-848 consumer groups
 * (`consumerGroups`) follow Kafka's new coordinator: their records are replayed after
 * the append like offsets, so only replay changes them.
 */
import { ClassicGroup } from './classic-group.js';
import { ConsumerGroupStore } from './consumer/consumer-group.js';
import { partitionForGroup, type GroupRecord } from './records.js';

export interface CommittedOffset {
  offset: bigint;
  leaderEpoch: number;
  metadata: string;
  commitTimestamp: number;
  /** Explicit expiry (OffsetCommit v2-4 retention), or -1 for the broker's retention. */
  expireTimestamp: number;
  /**
   * Where its record stands in `__consumer_offsets` relative to the others (GroupStore.nextRecordOrder):
   * a committing transaction's offset replaces this one only if written after it.
   */
  recordOrder: number;
}

/** Encodes records and appends them to one partition of `__consumer_offsets` (one batch); throws when it cannot. */
export interface GroupLogWriter {
  append(partition: number, records: readonly GroupRecord[]): void;
}

export class GroupStore {
  readonly groups = new Map<string, ClassicGroup>();
  /** groupId -> topic -> partition -> committed offset. */
  readonly offsets = new Map<string, Map<string, Map<number, CommittedOffset>>>();
  /** KIP-848 consumer groups; a group id is either here or in `groups`, never both. */
  readonly consumerGroups = new ConsumerGroupStore();
  /**
   * Told of every offset tombstone replayed (deleted, expired, OffsetDelete'd offsets): the transaction
   * coordinator drops the open transactions' offsets of that partition, as Kafka does.
   */
  onOffsetTombstone: ((groupId: string, topic: string, partition: number) => void) | null = null;
  /** Counts offset records in the order they were appended (or replayed on load). */
  private lastRecordOrder = 0;

  constructor(
    private readonly writer: GroupLogWriter,
    /** The partition count of `__consumer_offsets`. */
    readonly numPartitions: () => number,
  ) {}

  partitionFor(groupId: string): number {
    return partitionForGroup(groupId, this.numPartitions());
  }

  /** Appends the records; on success replays the offset records. Throws if the append fails. */
  write(groupId: string, records: GroupRecord[], now: number): void {
    this.writeToPartition(this.partitionFor(groupId), records, now);
  }

  /** Like `write`, for records of any groups that live in `partition` (batched commits): one append. */
  writeToPartition(partition: number, records: GroupRecord[], now: number): void {
    if (records.length === 0) return;
    this.writer.append(partition, records);
    for (const r of records) if (r.kind !== 'group') this.replay(r, now);
  }

  getOrCreateGroup(groupId: string, now: number): ClassicGroup {
    let group = this.groups.get(groupId);
    if (!group) {
      group = new ClassicGroup(groupId, now);
      this.groups.set(groupId, group);
    }
    return group;
  }

  offsetCount(groupId: string): number {
    let n = 0;
    for (const partitions of this.offsets.get(groupId)?.values() ?? []) n += partitions.size;
    return n;
  }

  committed(groupId: string, topic: string, partition: number): CommittedOffset | undefined {
    return this.offsets.get(groupId)?.get(topic)?.get(partition);
  }

  /** The place of a record appended now among the offset records (a transaction's, kept until it commits). */
  nextRecordOrder(): number {
    return ++this.lastRecordOrder;
  }

  /**
   * A committed transaction's offset record, written at `recordOrder`: applied unless the group
   * partition's committed offset was written after it (Kafka keeps the most recent commit record).
   */
  replayTransactional(record: GroupRecord, now: number, recordOrder: number): void {
    if (record.kind === 'offset' && record.value !== null) {
      const existing = this.committed(record.groupId, record.topic, record.partition);
      if (existing && existing.recordOrder > recordOrder) return;
    }
    this.replay(record, now, recordOrder);
  }

  /** Applies one record to the cache: the only place offsets change, and the load path for groups. */
  replay(record: GroupRecord, now: number, recordOrder = this.nextRecordOrder()): void {
    if (record.kind !== 'offset' && record.kind !== 'group') {
      this.consumerGroups.replay(record);
      if (this.consumerGroups.groups.has(record.groupId)) this.groups.delete(record.groupId);
      return;
    }
    if (record.kind === 'offset') {
      if (record.value === null) {
        this.onOffsetTombstone?.(record.groupId, record.topic, record.partition);
        const topics = this.offsets.get(record.groupId);
        const partitions = topics?.get(record.topic);
        partitions?.delete(record.partition);
        if (partitions && partitions.size === 0) topics!.delete(record.topic);
        if (topics && topics.size === 0) this.offsets.delete(record.groupId);
        return;
      }
      if (!this.consumerGroups.groups.has(record.groupId)) this.getOrCreateGroup(record.groupId, now);
      let topics = this.offsets.get(record.groupId);
      if (!topics) this.offsets.set(record.groupId, (topics = new Map()));
      let partitions = topics.get(record.topic);
      if (!partitions) topics.set(record.topic, (partitions = new Map()));
      const v = record.value;
      const existing = partitions.get(record.partition);
      if (existing) {
        // Updated in place: a commit replaces an entry that has usually lived long enough to be in the old
        // generation, and a fresh object per commit would leave it there as garbage for a full GC.
        existing.offset = v.offset;
        existing.leaderEpoch = v.leaderEpoch;
        existing.metadata = v.metadata;
        existing.commitTimestamp = Number(v.commitTimestamp);
        existing.expireTimestamp = Number(v.expireTimestamp);
        existing.recordOrder = recordOrder;
        return;
      }
      partitions.set(record.partition, {
        offset: v.offset,
        leaderEpoch: v.leaderEpoch,
        metadata: v.metadata,
        commitTimestamp: Number(v.commitTimestamp),
        expireTimestamp: Number(v.expireTimestamp),
        recordOrder,
      });
      return;
    }
    if (record.value === null) {
      this.groups.delete(record.groupId);
      return;
    }
    const v = record.value;
    const stamp = v.currentStateTimestamp >= 0n ? Number(v.currentStateTimestamp) : now;
    const group = new ClassicGroup(record.groupId, stamp, v.members.length > 0 ? 'Stable' : 'Empty');
    group.generationId = v.generation;
    group.protocolType = v.protocolType.length > 0 ? v.protocolType : null;
    group.protocolName = v.protocol;
    for (const m of v.members) {
      group.add({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        rebalanceTimeoutMs: m.rebalanceTimeout >= 0 ? m.rebalanceTimeout : m.sessionTimeout,
        sessionTimeoutMs: m.sessionTimeout,
        protocolType: v.protocolType,
        protocols: [{ name: v.protocol ?? '', metadata: m.subscription }],
        assignment: m.assignment,
        awaitingJoin: null,
        joinVersion: 0,
        awaitingSync: null,
        isNew: false,
      });
    }
    group.leaderId = v.members.length > 0 ? v.leader : null;
    this.groups.set(record.groupId, group);
  }
}
