/**
 * Transactional offsets in `__consumer_offsets`, as Kafka's group coordinator writes them:
 * TxnOffsetCommit appends the offset records as a transactional batch (the producer's id
 * and epoch, no sequence) to the group's partition at once, so they survive a restart;
 * EndTxn's marker in that partition later makes them the group's offsets (COMMIT) or
 * drops them (ABORT). Replay applies the same rule (broker/internal-topic-log.ts), and
 * hands offsets still waiting for their marker back to the transaction coordinator.
 */
import { buildRecordBatch } from '../../protocol/records/index.js';
import { encodeGroupRecords, type GroupRecord } from '../groups/records.js';
import { producerStateOf } from '../broker/producer-state-registry.js';
import type { Partition } from '../broker/replica-manager.js';
import type { PendingOffset } from './pending-offsets.js';

export function offsetRecords(groupId: string, offsets: readonly PendingOffset[], now: number): GroupRecord[] {
  return offsets.map((o) => ({
    kind: 'offset' as const,
    groupId,
    topic: o.topic,
    partition: o.partition,
    value: {
      offset: o.offset,
      leaderEpoch: o.leaderEpoch,
      metadata: o.metadata,
      commitTimestamp: BigInt(now),
      expireTimestamp: -1n,
    },
  }));
}

/** Appends a transaction's offsets to the group's `__consumer_offsets` partition; throws when the append fails. */
export function appendTransactionalOffsets(
  partition: Partition,
  producer: { producerId: bigint; producerEpoch: number },
  groupId: string,
  offsets: readonly PendingOffset[],
  now: number,
): void {
  if (offsets.length === 0) return;
  const timestamp = BigInt(now);
  const records = encodeGroupRecords(offsetRecords(groupId, offsets, now)).map((r) => ({
    key: r.key,
    value: r.value,
    timestamp,
  }));
  const batch = buildRecordBatch({
    records,
    producerId: producer.producerId,
    producerEpoch: producer.producerEpoch,
    transactional: true,
  });
  const state = producerStateOf(partition, now);
  const info = partition.appendAsLeader(batch);
  state.appended(
    {
      producerId: producer.producerId,
      producerEpoch: producer.producerEpoch,
      baseSequence: -1,
      lastOffsetDelta: records.length - 1,
      transactional: true,
    },
    info.baseOffset,
    now,
  );
}

/** Offsets found on load without their marker, as pending offsets by group. */
export function pendingFromRecords(records: readonly GroupRecord[]): Map<string, PendingOffset[]> {
  const byGroup = new Map<string, PendingOffset[]>();
  for (const r of records) {
    if (r.kind !== 'offset' || r.value === null) continue;
    let list = byGroup.get(r.groupId);
    if (!list) byGroup.set(r.groupId, (list = []));
    list.push({
      topic: r.topic,
      partition: r.partition,
      offset: r.value.offset,
      leaderEpoch: r.value.leaderEpoch,
      metadata: r.value.metadata,
    });
  }
  return byGroup;
}
