/**
 * ElectLeaders (key 43), versions 0-2 (v0 has no election type: preferred).
 *
 * Answers per partition as Kafka's controller does: an unknown topic or partition gets
 * UNKNOWN_TOPIC_OR_PARTITION; a PREFERRED (0) election where the first replica already leads,
 * or an UNCLEAN (1) one where the partition has a leader, gets ELECTION_NOT_NEEDED. A null
 * partition list means every partition, and then, as in Kafka, only partitions that needed an
 * election are listed (on a single node: none). An unknown election type gets INVALID_REQUEST.
 * Forwarded to the active controller; NOT_CONTROLLER when none takes it.
 * Leaves out: moving a leader. Gregor has no replication yet, so a partition that would need a
 * new leader is answered PREFERRED_LEADER_NOT_AVAILABLE (preferred) or
 * ELIGIBLE_LEADERS_NOT_AVAILABLE (unclean), never success; the replication work gives
 * ElectLeaders real elections.
 */
import {
  ElectLeadersApi,
  type ElectLeadersResponsePartitionResult,
  type ElectLeadersResponseReplicaElectionResult,
} from '../../protocol/generated/messages/43-elect-leaders.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import type { MetadataImage } from '../metadata/image.js';
import { defineHandler } from './handler.js';

export const ElectionType = { PREFERRED: 0, UNCLEAN: 1 } as const;

const NO_REPLICATION = 'Gregor does not move partition leaders yet (no replication).';

function electOne(
  image: MetadataImage,
  topic: string,
  partitionId: number,
  electionType: number,
): ElectLeadersResponsePartitionResult {
  const result = (errorCode: number, errorMessage: string | null): ElectLeadersResponsePartitionResult => ({
    partitionId,
    errorCode,
    errorMessage,
  });
  const info = image.topicsByName.get(topic);
  if (!info) return result(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `No such topic as ${topic}`);
  const partition = info.partitions.get(partitionId);
  if (!partition) return result(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `No such partition as ${topic}-${partitionId}`);
  if (electionType === ElectionType.PREFERRED) {
    if (partition.leader === partition.replicas[0])
      return result(ErrorCode.ELECTION_NOT_NEEDED, 'Leader election not needed for topic partition.');
    return result(
      ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE,
      `The preferred leader was not available. ${NO_REPLICATION}`,
    );
  }
  if (partition.leader >= 0)
    return result(ErrorCode.ELECTION_NOT_NEEDED, 'Leader election not needed for topic partition.');
  return result(
    ErrorCode.ELIGIBLE_LEADERS_NOT_AVAILABLE,
    `Eligible topic partition leaders are not available. ${NO_REPLICATION}`,
  );
}

export const electLeadersHandler = defineHandler({
  api: ElectLeadersApi,
  handle(ctx, request) {
    const controller = ctx.broker.controller;
    const electionType = ctx.apiVersion === 0 ? ElectionType.PREFERRED : request.electionType;
    const known = electionType === ElectionType.PREFERRED || electionType === ElectionType.UNCLEAN;
    const refuse = (errorCode: number, errorMessage: string): ElectLeadersResponseReplicaElectionResult[] =>
      (request.topicPartitions ?? []).map((t) => ({
        topic: t.topic,
        partitionResult: t.partitions.map((partitionId) => ({ partitionId, errorCode, errorMessage })),
      }));
    if (!known) {
      const message = `Unknown election type ${electionType}`;
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.INVALID_REQUEST,
        replicaElectionResults: refuse(ErrorCode.INVALID_REQUEST, message),
      };
    }
    if (!controller.isActive()) {
      const message = 'This is not the correct controller for this cluster.';
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.NOT_CONTROLLER,
        replicaElectionResults: refuse(ErrorCode.NOT_CONTROLLER, message),
      };
    }
    const image = controller.image;
    const results: ElectLeadersResponseReplicaElectionResult[] = [];
    if (request.topicPartitions === null) {
      for (const topic of image.topicsByName.values()) {
        const needed = [...topic.partitions.keys()]
          .sort((a, b) => a - b)
          .map((p) => electOne(image, topic.name, p, electionType))
          .filter((r) => r.errorCode !== ErrorCode.ELECTION_NOT_NEEDED);
        if (needed.length > 0) results.push({ topic: topic.name, partitionResult: needed });
      }
    } else {
      for (const t of request.topicPartitions) {
        results.push({
          topic: t.topic,
          partitionResult: t.partitions.map((p) => electOne(image, t.topic, p, electionType)),
        });
      }
    }
    return { throttleTimeMs: 0, errorCode: 0, replicaElectionResults: results };
  },
});
