/**
 * The active controller's partition decisions, as KRaft's PartitionChangeBuilder makes them, as
 * pure functions of the image returning PartitionChangeRecords:
 * - `fenceBroker`: a broker whose session expired leaves every ISR it is in (never emptying one)
 *   and every partition it led gets a new leader from the rest of the ISR that is unfenced (the
 *   leader epoch goes up); with none, an unfenced out-of-sync replica when the topic's
 *   `unclean.leader.election.enable` allows it (the ISR becomes that replica alone), else no
 *   leader (-1) and the ISR is kept, so the last in-sync replica may lead again on its return.
 * - `unfenceBroker`: partitions without a leader whose ISR holds the returning broker elect it.
 * A broker in controlled shutdown counts as gone for all of these (never elected, never added).
 * - `alterPartition`: the leader's ISR change (AlterPartition), checked as Kafka checks it:
 *   FENCED_LEADER_EPOCH / NOT_LEADER_OR_FOLLOWER for a stale leader, INVALID_UPDATE_VERSION for a
 *   stale partition epoch, INELIGIBLE_REPLICA for a fenced or unknown replica, INVALID_REQUEST for
 *   an ISR without the leader.
 * Leaves out: eligible leader replicas (KIP-966), leader recovery state, reassignment.
 */
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { defaultPartitionChangeRecord } from '../../protocol/generated/records/metadata/PartitionChangeRecord.js';
import type { MetadataImage, PartitionState, TopicImage } from './image.js';
import type { MetadataRecord } from './records.js';

export const NO_LEADER = -1;

/** Whether a topic allows an out-of-sync replica to lead (topic config, else the broker default). */
export type UncleanElection = (topic: TopicImage) => boolean;

function change(topic: TopicImage, partition: number, fields: { leader?: number; isr?: number[] }): MetadataRecord {
  return {
    type: 'PartitionChangeRecord',
    data: {
      ...defaultPartitionChangeRecord(),
      topicId: topic.topicId,
      partitionId: partition,
      leader: fields.leader ?? -2,
      isr: fields.isr ?? null,
    },
  };
}

/** May lead or join an ISR: registered, unfenced and not in controlled shutdown. */
export function isLive(image: MetadataImage, brokerId: number, excluded = -1): boolean {
  if (brokerId === excluded) return false;
  const broker = image.brokers.get(brokerId);
  return broker !== undefined && !broker.fenced && !broker.inControlledShutdown;
}

/** Whether the broker leads any partition. */
export function leadsAnyPartition(image: MetadataImage, brokerId: number): boolean {
  for (const topic of image.topicsById.values())
    for (const p of topic.partitions.values()) if (p.leader === brokerId) return true;
  return false;
}

/**
 * The records that take a fenced broker (or one in controlled shutdown: the same moves, as Kafka's
 * controller makes them for both) out of leadership and ISRs.
 */
export function fenceBroker(image: MetadataImage, brokerId: number, unclean: UncleanElection): MetadataRecord[] {
  const records: MetadataRecord[] = [];
  for (const topic of image.topicsById.values()) {
    for (const p of topic.partitions.values()) {
      if (!p.replicas.includes(brokerId)) continue;
      const remaining = p.isr.filter((r) => r !== brokerId);
      if (p.leader === brokerId) {
        const next = remaining.find((r) => isLive(image, r, brokerId));
        if (next !== undefined) {
          records.push(change(topic, p.partition, { leader: next, isr: remaining }));
        } else if (unclean(topic)) {
          const outOfSync = p.replicas.find((r) => isLive(image, r, brokerId));
          records.push(
            outOfSync === undefined
              ? change(topic, p.partition, { leader: NO_LEADER })
              : change(topic, p.partition, { leader: outOfSync, isr: [outOfSync] }),
          );
        } else {
          records.push(change(topic, p.partition, { leader: NO_LEADER }));
        }
      } else if (p.isr.includes(brokerId) && remaining.length > 0) {
        records.push(change(topic, p.partition, { isr: remaining }));
      }
    }
  }
  return records;
}

/** The records that give leaderless partitions back to a returning broker that is in their ISR. */
export function unfenceBroker(image: MetadataImage, brokerId: number): MetadataRecord[] {
  const records: MetadataRecord[] = [];
  if (image.brokers.get(brokerId)?.inControlledShutdown) return records;
  for (const topic of image.topicsById.values()) {
    for (const p of topic.partitions.values()) {
      if (p.leader === NO_LEADER && p.isr.includes(brokerId))
        records.push(change(topic, p.partition, { leader: brokerId }));
    }
  }
  return records;
}

export interface AlterPartitionInput {
  brokerId: number;
  topic: TopicImage | undefined;
  partitionIndex: number;
  leaderEpoch: number;
  partitionEpoch: number;
  newIsr: number[];
}

export type AlterPartitionOutcome = { errorCode: number; record: MetadataRecord | null; state: PartitionState | null };

/** Checks one partition of an AlterPartition request and returns the record that applies it. */
export function alterPartition(image: MetadataImage, input: AlterPartitionInput): AlterPartitionOutcome {
  const p = input.topic?.partitions.get(input.partitionIndex);
  if (!input.topic || !p) return { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, record: null, state: null };
  const refuse = (errorCode: number): AlterPartitionOutcome => ({ errorCode, record: null, state: p });
  if (p.leader !== input.brokerId) return refuse(ErrorCode.NOT_LEADER_OR_FOLLOWER);
  if (input.leaderEpoch > p.leaderEpoch) return refuse(ErrorCode.UNKNOWN_LEADER_EPOCH);
  if (input.leaderEpoch < p.leaderEpoch) return refuse(ErrorCode.FENCED_LEADER_EPOCH);
  if (input.partitionEpoch !== p.partitionEpoch) return refuse(ErrorCode.INVALID_UPDATE_VERSION);
  if (!input.newIsr.includes(p.leader)) return refuse(ErrorCode.INVALID_REQUEST);
  const added = input.newIsr.filter((r) => !p.isr.includes(r));
  if (input.newIsr.some((r) => !p.replicas.includes(r)) || added.some((r) => !isLive(image, r, -1)))
    return refuse(ErrorCode.INELIGIBLE_REPLICA);
  if (new Set(input.newIsr).size !== input.newIsr.length) return refuse(ErrorCode.INVALID_REQUEST);
  return {
    errorCode: ErrorCode.NONE,
    record: change(input.topic, input.partitionIndex, { isr: [...input.newIsr] }),
    state: p,
  };
}
