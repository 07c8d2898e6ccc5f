/**
 * Partition reassignment on the active controller, as KRaft's ReplicationControlManager,
 * PartitionReassignmentReplicas, PartitionReassignmentRevert and PartitionChangeBuilder make it, as
 * pure functions of the image returning PartitionChangeRecords:
 * - `startReassignment`: the target replicas are added: `replicas` becomes the target followed by
 *   the replicas being removed, `addingReplicas` / `removingReplicas` say which are which (sorted,
 *   as Kafka's sets are). The ISR and the leader stay; the new replicas fetch from the leader.
 * - `buildPartitionChange` (used by the start, the cancel and AlterPartition): once the ISR the
 *   change leaves holds every target replica, the reassignment completes in the same record: the
 *   removed replicas leave `replicas` and the ISR, adding/removing are cleared, and a leader that
 *   is no longer in the ISR is replaced by the first live target replica in it (the leader epoch
 *   goes up; it goes up too when replicas are removed under the same leader, so the removed
 *   brokers' fetches are fenced).
 * - `cancelReassignment`: back to the replicas before the reassignment (the adding ones leave
 *   the replicas and the ISR); when that empties the ISR the first original replica becomes it
 *   alone, which is an unclean election: refused unless the topic allows one.
 * A pure reorder of the same replicas is no reassignment: the record changes `replicas` only.
 * Leaves out: eligible leader replicas (KIP-966), leader recovery state, directory assignment.
 */
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { defaultPartitionChangeRecord } from '../../protocol/generated/records/metadata/PartitionChangeRecord.js';
import type { MetadataImage, PartitionState, TopicImage } from './image.js';
import type { MetadataRecord } from './records.js';

const NO_LEADER = -1;
const NO_LEADER_CHANGE = -2;

/** Whether a reassignment is in flight for the partition. */
export function isReassigning(p: PartitionState): boolean {
  return (p.addingReplicas?.length ?? 0) > 0 || (p.removingReplicas?.length ?? 0) > 0;
}

/** The replicas the partition had before its reassignment started (all of them when none is in flight). */
export function originalReplicas(p: PartitionState): number[] {
  const adding = p.addingReplicas ?? [];
  return p.replicas.filter((r) => !adding.includes(r));
}

/** What a partition change aims at; the builder completes a reassignment and elects when needed. */
export interface PartitionTarget {
  replicas: number[];
  isr: number[];
  adding: number[];
  removing: number[];
  /** Whether an out-of-sync replica may lead when no in-sync one can (the topic allows unclean elections). */
  unclean?: boolean;
}

/** May lead or join an ISR: registered, unfenced and not in controlled shutdown. */
function live(image: MetadataImage, brokerId: number): boolean {
  const broker = image.brokers.get(brokerId);
  return broker !== undefined && !broker.fenced && !broker.inControlledShutdown;
}

const sameList = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((x, i) => x === b[i]);
const sortedDifference = (a: readonly number[], b: readonly number[]) =>
  a.filter((x) => !b.includes(x)).sort((x, y) => x - y);

/** Kafka's maybeCompleteReassignment: the replicas and ISR once every target replica is in the ISR, else null. */
export function completedReassignment(target: PartitionTarget): { replicas: number[]; isr: number[] } | null {
  if (target.adding.length === 0 && target.removing.length === 0) return null;
  const isr = target.isr.filter((r) => !target.removing.includes(r));
  const replicas = target.replicas.filter((r) => !target.removing.includes(r));
  if (isr.length === 0 || replicas.length === 0) return null;
  if (!replicas.every((r) => isr.includes(r))) return null;
  return { replicas, isr };
}

/** Kafka's electAnyLeader: the current leader while it stays valid, else the first live in-sync target replica. */
function electLeader(
  image: MetadataImage,
  p: PartitionState,
  replicas: number[],
  isr: number[],
  unclean: boolean,
): { leader: number; unclean: boolean } {
  const valid = (r: number) => isr.includes(r) && live(image, r);
  if (p.leader >= 0 && valid(p.leader)) return { leader: p.leader, unclean: false };
  const inSync = replicas.find(valid);
  if (inSync !== undefined) return { leader: inSync, unclean: false };
  if (unclean) {
    const outOfSync = replicas.find((r) => live(image, r));
    if (outOfSync !== undefined) return { leader: outOfSync, unclean: true };
  }
  return { leader: NO_LEADER, unclean: false };
}

/**
 * The PartitionChangeRecord that takes partition `p` of `topic` to `target` (completing its
 * reassignment when the target ISR allows it), or null when nothing changes.
 */
export function buildPartitionChange(
  image: MetadataImage,
  topic: TopicImage,
  p: PartitionState,
  target: PartitionTarget,
): MetadataRecord | null {
  let { replicas, isr, adding, removing } = target;
  const completed = completedReassignment(target);
  if (completed) {
    ({ replicas, isr } = completed);
    adding = [];
    removing = [];
  }
  const record = { ...defaultPartitionChangeRecord(), topicId: topic.topicId, partitionId: p.partition };
  const election = electLeader(image, p, replicas, isr, target.unclean ?? false);
  if (election.leader !== p.leader) {
    record.leader = election.leader;
    if (election.unclean) isr = [election.leader];
  } else if (!p.replicas.every((r) => replicas.includes(r))) {
    // Replicas removed under the same leader: a new leader epoch fences the removed ones.
    record.leader = p.leader;
  }
  if (isr.length > 0 && !sameList(isr, p.isr)) record.isr = [...isr];
  if (!sameList(replicas, p.replicas)) record.replicas = [...replicas];
  if (!sameList(adding, p.addingReplicas ?? [])) record.addingReplicas = [...adding];
  if (!sameList(removing, p.removingReplicas ?? [])) record.removingReplicas = [...removing];
  const noOp =
    record.leader === NO_LEADER_CHANGE &&
    record.isr === null &&
    record.replicas === null &&
    record.addingReplicas === null &&
    record.removingReplicas === null;
  return noOp ? null : { type: 'PartitionChangeRecord', data: record };
}

/**
 * Starts (or replaces) the reassignment of `p` to `targetReplicas` (already validated: non-empty,
 * no duplicates, registered brokers). The adding and removing sets are taken against the current
 * replicas, as Kafka takes them; null when nothing changes.
 */
export function startReassignment(
  image: MetadataImage,
  topic: TopicImage,
  p: PartitionState,
  targetReplicas: number[],
): MetadataRecord | null {
  const removing = sortedDifference(p.replicas, targetReplicas);
  const adding = sortedDifference(targetReplicas, p.replicas);
  return buildPartitionChange(image, topic, p, {
    replicas: [...targetReplicas, ...removing],
    isr: [...p.isr],
    adding,
    removing,
  });
}

export type CancelOutcome = { errorCode: number; errorMessage: string | null; record: MetadataRecord | null };

/** Cancels the reassignment in flight (AlterPartitionReassignments with null replicas). */
export function cancelReassignment(
  image: MetadataImage,
  topic: TopicImage,
  p: PartitionState,
  uncleanAllowed: boolean,
): CancelOutcome {
  if (!isReassigning(p))
    return {
      errorCode: ErrorCode.NO_REASSIGNMENT_IN_PROGRESS,
      errorMessage: 'No reassignment is in progress for this partition.',
      record: null,
    };
  const adding = p.addingReplicas ?? [];
  const replicas = originalReplicas(p);
  let isr = p.isr.filter((r) => !adding.includes(r));
  if (isr.length === 0) {
    if (!uncleanAllowed)
      return {
        errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT,
        errorMessage: `Unable to revert partition assignment for ${topic.name}:${p.partition} because it would require an unclean leader election.`,
        record: null,
      };
    isr = replicas.slice(0, 1);
  }
  const record = buildPartitionChange(image, topic, p, {
    replicas,
    isr,
    adding: [],
    removing: [],
    unclean: uncleanAllowed,
  });
  return { errorCode: ErrorCode.NONE, errorMessage: null, record };
}
