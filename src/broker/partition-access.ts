/**
 * How the data-path handlers (Produce, Fetch, ListOffsets, OffsetForLeaderEpoch,
 * DeleteRecords) find the partition a request names and check that this broker leads
 * it, with the error codes Kafka answers: unknown topic or partition, unknown topic id,
 * not the leader, storage error (its log dir failed), fenced or unknown leader epoch. Also the offset bounds every data-path
 * handler reads: high watermark and last stable offset (the LSO hook).
 * Leaves out: follower reads (KIP-392) and authorization (done by the dispatcher).
 */
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import type { TopicImage } from '../metadata/image.js';
import type { MetadataController } from '../metadata/controller.js';
import type { Partition, ReplicaManager } from './replica-manager.js';
import { producerStateOf } from './producer-state-registry.js';

export type PartitionLookup =
  | { ok: true; topic: TopicImage; partition: Partition }
  | { ok: false; errorCode: number; topic: TopicImage | undefined };

/** The isolation levels of Fetch and ListOffsets. */
export const IsolationLevel = { READ_UNCOMMITTED: 0, READ_COMMITTED: 1 } as const;

/** What a partition lookup reads (the handlers pass their BrokerServices). */
export interface PartitionScope {
  nodeId: number;
  replicas: ReplicaManager;
  controller: MetadataController;
}

/** Finds a partition of a known topic that this broker leads. */
export function partitionOf(services: PartitionScope, topic: TopicImage | undefined, index: number): PartitionLookup {
  if (!topic) return { ok: false, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, topic };
  const state = topic.partitions.get(index);
  if (!state) return { ok: false, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, topic };
  if (state.leader !== services.nodeId) return { ok: false, errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER, topic };
  // Kafka answers a partition whose log dir failed with KAFKA_STORAGE_ERROR (clients refresh metadata and see it offline).
  if (services.replicas.isOffline(topic.name, index))
    return { ok: false, errorCode: ErrorCode.KAFKA_STORAGE_ERROR, topic };
  const partition = services.replicas.get(topic.name, index);
  if (!partition) return { ok: false, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, topic };
  return { ok: true, topic, partition };
}

export function leaderPartition(services: PartitionScope, topicName: string, index: number): PartitionLookup {
  return partitionOf(services, services.controller.image.topicsByName.get(topicName), index);
}

/** The partition named by topic id (Fetch v13+); UNKNOWN_TOPIC_ID when the id is not known. */
export function leaderPartitionById(services: PartitionScope, topicId: string, index: number): PartitionLookup {
  const topic = services.controller.image.topicsById.get(topicId);
  if (!topic) return { ok: false, errorCode: ErrorCode.UNKNOWN_TOPIC_ID, topic };
  return partitionOf(services, topic, index);
}

/**
 * Kafka's check of a client's current leader epoch (-1: not given): an older epoch is
 * FENCED_LEADER_EPOCH, a newer one UNKNOWN_LEADER_EPOCH (this broker has not seen it yet).
 */
export function checkCurrentLeaderEpoch(partition: Partition, requested: number): number {
  if (requested < 0) return ErrorCode.NONE;
  if (requested < partition.leaderEpoch) return ErrorCode.FENCED_LEADER_EPOCH;
  if (requested > partition.leaderEpoch) return ErrorCode.UNKNOWN_LEADER_EPOCH;
  return ErrorCode.NONE;
}

/**
 * The last stable offset: the first offset of the earliest open transaction, or the high
 * watermark when none is open (producer state: src/broker/producer-state.ts).
 */
export function lastStableOffset(partition: Partition): number {
  return producerStateOf(partition).lastStableOffset(partition.highWatermark);
}

/** The first offset a reader may not see: the LSO for read_committed, else the high watermark. */
export function fetchableEnd(partition: Partition, isolationLevel: number): number {
  return isolationLevel === IsolationLevel.READ_COMMITTED ? lastStableOffset(partition) : partition.highWatermark;
}
