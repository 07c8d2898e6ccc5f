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
 * - `alterPartition`: the leader's ISR change (AlterPartition), checked as Kafka 3.9 checks it:
 *   NOT_CONTROLLER for epochs ahead of the controller's, FENCED_LEADER_EPOCH for an older leader
 *   epoch, INVALID_REQUEST from a broker that does not lead, INVALID_UPDATE_VERSION for an older
 *   partition epoch, INVALID_REQUEST for an ISR with duplicates, non-replicas or without the
 *   leader, INELIGIBLE_REPLICA (OPERATION_NOT_ATTEMPTED before v2) when a member of the new ISR is
 *   unregistered, fenced, shutting down or at another broker epoch (KIP-841).
 *   During a reassignment (src/metadata/partition-reassignment.ts) the ISR change that brings in the
 *   last target replica also completes it; when that moves the leadership off the requester the
 *   change is still made and the answer is NEW_LEADER_ELECTED (FENCED_LEADER_EPOCH before v2).
 * Leaves out: eligible leader replicas (KIP-966), leader recovery state.
 */
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { defaultPartitionChangeRecord } from '../../protocol/generated/records/metadata/PartitionChangeRecord.js';
import type { MetadataImage, PartitionState, TopicImage } from './image.js';
import type { MetadataRecord } from './records.js';
import { buildPartitionChange, isReassigning } from './partition-reassignment.js';

export const NO_LEADER = -1;
/** PartitionChangeRecord's leader when the leadership does not change. */
const NO_LEADER_CHANGE = -2;

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
        // Kafka's PartitionChangeBuilder.electAnyLeader: the first live replica, in replica order, that is in the ISR.
        const next = p.replicas.find((r) => remaining.includes(r) && isLive(image, r, brokerId));
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
  /** Version 3: the broker epoch of each ISR member as the leader knows it (-1: not checked). */
  memberEpochs?: readonly bigint[];
  /** The request's version (default 3): below 2 an ineligible member is OPERATION_NOT_ATTEMPTED. */
  apiVersion?: number;
}

export type AlterPartitionOutcome = { errorCode: number; record: MetadataRecord | null; state: PartitionState | null };

/** No duplicates, no negative ids, every member a replica (Kafka's Replicas.validateIsr). */
function validIsr(replicas: readonly number[], isr: readonly number[]): boolean {
  return new Set(isr).size === isr.length && isr.every((r) => r >= 0 && replicas.includes(r));
}

/** KIP-841: every member of the new ISR is registered, not shutting down, unfenced, at the epoch given. */
function eligibleMember(image: MetadataImage, brokerId: number, brokerEpoch: bigint): boolean {
  const broker = image.brokers.get(brokerId);
  if (!broker || broker.inControlledShutdown || broker.fenced) return false;
  return brokerEpoch === -1n || broker.brokerEpoch === undefined || broker.brokerEpoch === brokerEpoch;
}

/**
 * Checks one partition of an AlterPartition request and returns the record that applies it, in the
 * order of Kafka 3.9's ReplicationControlManager.validateAlterPartitionData. The active controller
 * passes its latest image (uncommitted records included), as Kafka's controller does.
 */
export function alterPartition(image: MetadataImage, input: AlterPartitionInput): AlterPartitionOutcome {
  const p = input.topic?.partitions.get(input.partitionIndex);
  if (!input.topic || !p) return { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, record: null, state: null };
  const refuse = (errorCode: number): AlterPartitionOutcome => ({ errorCode, record: null, state: p });
  // Epochs ahead of this controller's: it is likely no longer the active one.
  if (input.leaderEpoch > p.leaderEpoch || input.partitionEpoch > p.partitionEpoch)
    return refuse(ErrorCode.NOT_CONTROLLER);
  if (input.leaderEpoch < p.leaderEpoch) return refuse(ErrorCode.FENCED_LEADER_EPOCH);
  if (p.leader !== input.brokerId) return refuse(ErrorCode.INVALID_REQUEST);
  if (input.partitionEpoch < p.partitionEpoch) return refuse(ErrorCode.INVALID_UPDATE_VERSION);
  if (!validIsr(p.replicas, input.newIsr) || !input.newIsr.includes(p.leader)) return refuse(ErrorCode.INVALID_REQUEST);
  if (input.newIsr.some((r, i) => !eligibleMember(image, r, input.memberEpochs?.[i] ?? -1n)))
    return refuse((input.apiVersion ?? 3) > 1 ? ErrorCode.INELIGIBLE_REPLICA : ErrorCode.OPERATION_NOT_ATTEMPTED);
  // During a reassignment the same record completes it once the ISR holds every target replica.
  const record = isReassigning(p)
    ? buildPartitionChange(image, input.topic, p, {
        replicas: p.replicas,
        isr: [...input.newIsr],
        adding: p.addingReplicas ?? [],
        removing: p.removingReplicas ?? [],
      })
    : change(input.topic, input.partitionIndex, { isr: [...input.newIsr] });
  // Kafka's ReplicationControlManager.alterPartition: a change that completes a reassignment and
  // moves the leadership off the requester is made, and answered NEW_LEADER_ELECTED (v2+;
  // FENCED_LEADER_EPOCH before), so the old leader waits for the metadata instead of retrying.
  const newLeader = record?.type === 'PartitionChangeRecord' ? record.data.leader : NO_LEADER_CHANGE;
  if (newLeader !== NO_LEADER_CHANGE && newLeader !== input.brokerId) {
    const errorCode = (input.apiVersion ?? 3) > 1 ? ErrorCode.NEW_LEADER_ELECTED : ErrorCode.FENCED_LEADER_EPOCH;
    return { errorCode, record, state: null };
  }
  return { errorCode: ErrorCode.NONE, record, state: p };
}

export type ElectionOutcome = { errorCode: number; errorMessage: string | null; record: MetadataRecord | null };

const NOT_NEEDED: ElectionOutcome = {
  errorCode: ErrorCode.ELECTION_NOT_NEEDED,
  errorMessage: 'Leader election not needed for topic partition.',
  record: null,
};

/**
 * A PREFERRED election (ElectLeaders, auto leader rebalance), as Kafka's PartitionChangeBuilder
 * (electPreferredLeader, ELR off): the first replica leads when it is in the ISR and live;
 * otherwise a current leader that is in the ISR and live stays (PREFERRED_LEADER_NOT_AVAILABLE);
 * otherwise (no leader, or one that cannot lead) the first other replica in the ISR and live leads
 * (NONE). ELECTION_NOT_NEEDED when the first replica leads already; PREFERRED_LEADER_NOT_AVAILABLE
 * when no replica can lead. The messages are the errors' own, as Kafka's KRaft controller answers
 * (ApiError(error)).
 */
export function electPreferred(image: MetadataImage, topic: TopicImage, p: PartitionState): ElectionOutcome {
  const preferred = p.replicas[0];
  if (preferred === undefined || p.leader === preferred) return NOT_NEEDED;
  const canLead = (replica: number) => p.isr.includes(replica) && isLive(image, replica);
  let leader = canLead(preferred) ? preferred : undefined;
  if (leader === undefined && !canLead(p.leader)) leader = p.replicas.slice(1).find(canLead);
  if (leader === undefined)
    return {
      errorCode: ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE,
      errorMessage: 'The preferred leader was not available.',
      record: null,
    };
  return { errorCode: ErrorCode.NONE, errorMessage: null, record: change(topic, p.partition, { leader }) };
}

/**
 * An UNCLEAN election (ElectLeaders): only for a partition without a leader; a live ISR member if
 * there is one, else a live out-of-sync replica, which becomes the ISR alone (acknowledged records
 * may be lost, as on Kafka); ELIGIBLE_LEADERS_NOT_AVAILABLE when no replica is live.
 */
export function electUnclean(image: MetadataImage, topic: TopicImage, p: PartitionState): ElectionOutcome {
  if (p.leader !== NO_LEADER) return NOT_NEEDED;
  const inSync = p.replicas.find((r) => p.isr.includes(r) && isLive(image, r));
  if (inSync !== undefined)
    return { errorCode: ErrorCode.NONE, errorMessage: null, record: change(topic, p.partition, { leader: inSync }) };
  const outOfSync = p.replicas.find((r) => isLive(image, r));
  if (outOfSync === undefined)
    return {
      errorCode: ErrorCode.ELIGIBLE_LEADERS_NOT_AVAILABLE,
      errorMessage: 'Eligible topic partition leaders are not available.',
      record: null,
    };
  return {
    errorCode: ErrorCode.NONE,
    errorMessage: null,
    record: change(topic, p.partition, { leader: outOfSync, isr: [outOfSync] }),
  };
}

/**
 * Auto leader rebalance (auto.leader.rebalance.enable), as Kafka's controller checks it every
 * leader.imbalance.check.interval.seconds: per broker, the share of the partitions it is the
 * preferred leader of that it does not lead; above leader.imbalance.per.broker.percentage, a
 * preferred election for each of those that can have one.
 */
export function rebalanceLeaders(image: MetadataImage, imbalancePercentage: number): MetadataRecord[] {
  const preferredOf = new Map<number, { total: number; misled: Array<[TopicImage, PartitionState]> }>();
  for (const topic of image.topicsById.values()) {
    for (const p of topic.partitions.values()) {
      const preferred = p.replicas[0];
      if (preferred === undefined) continue;
      let entry = preferredOf.get(preferred);
      if (!entry) preferredOf.set(preferred, (entry = { total: 0, misled: [] }));
      entry.total++;
      if (p.leader !== preferred) entry.misled.push([topic, p]);
    }
  }
  const records: MetadataRecord[] = [];
  for (const { total, misled } of preferredOf.values()) {
    if (misled.length === 0 || (misled.length * 100) / total <= imbalancePercentage) continue;
    for (const [topic, p] of misled) {
      const outcome = electPreferred(image, topic, p);
      if (outcome.record) records.push(outcome.record);
    }
  }
  return records;
}
