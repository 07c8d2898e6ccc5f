/**
 * ElectLeaders (key 43), versions 0-2 (v0 has no election type: preferred), on the active
 * controller (forwarded there by other nodes; NOT_CONTROLLER when none takes it).
 *
 * Elections for real (src/metadata/partition-leadership.ts), as Kafka's controller makes them:
 * PREFERRED (0) makes the first replica leader when it is in the ISR and live (ELECTION_NOT_NEEDED
 * when it leads already); otherwise a partition whose leader is not in the ISR and live (or that has
 * none) gets the first other replica that is, and PREFERRED_LEADER_NOT_AVAILABLE when none is or
 * the leader stays; UNCLEAN
 * (1) gives a partition without a leader a live ISR member, else a live out-of-sync replica (which
 * may lose acknowledged records, as on Kafka), ELIGIBLE_LEADERS_NOT_AVAILABLE when none is live,
 * ELECTION_NOT_NEEDED when it has a leader. The moves commit as PartitionChangeRecords before the
 * answer. An unknown topic or partition gets UNKNOWN_TOPIC_OR_PARTITION; a null partition list
 * means every partition, and then, as in Kafka, only partitions that needed an election are
 * listed. An unknown election type gets INVALID_REQUEST. A timeout_ms of 0 or less elects nothing and
 * answers REQUEST_TIMED_OUT at the top and for each partition named, as Kafka's controller deadline
 * (handlers/controller-deadline.ts), unless the partition list is empty.
 * Leaves out: waiting for the new leaders to take over on the brokers (the answer comes once the
 * change is committed and applied on the controller; a positive timeout_ms is not used).
 */
import {
  ElectLeadersApi,
  type ElectLeadersResponsePartitionResult,
  type ElectLeadersResponseReplicaElectionResult,
} from '../../protocol/generated/messages/43-elect-leaders.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import type { MetadataImage } from '../metadata/image.js';
import type { MetadataRecord } from '../metadata/records.js';
import { electPreferred, electUnclean } from '../metadata/partition-leadership.js';
import { defineHandler } from './handler.js';
import { deadlinePassed } from './controller-deadline.js';

export const ElectionType = { PREFERRED: 0, UNCLEAN: 1 } as const;

function electOne(
  image: MetadataImage,
  topic: string,
  partitionId: number,
  electionType: number,
  records: MetadataRecord[],
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
  const outcome =
    electionType === ElectionType.PREFERRED
      ? electPreferred(image, info, partition)
      : electUnclean(image, info, partition);
  if (outcome.record) records.push(outcome.record);
  return result(outcome.errorCode, outcome.errorMessage);
}

export const electLeadersHandler = defineHandler({
  api: ElectLeadersApi,
  answerWhole(ctx, request) {
    // A null list means every partition; an empty one never reaches the controller.
    const partitions = request.topicPartitions;
    if (!deadlinePassed(ctx, request.timeoutMs, partitions === null || partitions.length > 0)) return null;
    const replicaElectionResults = (partitions ?? []).map((t) => ({
      topic: t.topic,
      partitionResult: t.partitions.map((partitionId) => ({
        partitionId,
        errorCode: ErrorCode.REQUEST_TIMED_OUT,
        errorMessage: null,
      })),
    }));
    return { throttleTimeMs: 0, errorCode: ErrorCode.REQUEST_TIMED_OUT, replicaElectionResults };
  },
  async handle(ctx, request) {
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
    const records: MetadataRecord[] = [];
    if (request.topicPartitions === null) {
      for (const topic of image.topicsByName.values()) {
        const needed = [...topic.partitions.keys()]
          .sort((a, b) => a - b)
          .map((p) => electOne(image, topic.name, p, electionType, records))
          .filter((r) => r.errorCode !== ErrorCode.ELECTION_NOT_NEEDED);
        if (needed.length > 0) results.push({ topic: topic.name, partitionResult: needed });
      }
    } else {
      for (const t of request.topicPartitions) {
        results.push({
          topic: t.topic,
          partitionResult: t.partitions.map((p) => electOne(image, t.topic, p, electionType, records)),
        });
      }
    }
    if (records.length > 0) {
      try {
        await controller.submit(records);
      } catch {
        const message = 'The controller lost its leadership before the election committed.';
        for (const topic of results)
          for (const p of topic.partitionResult)
            if (p.errorCode === ErrorCode.NONE)
              Object.assign(p, { errorCode: ErrorCode.NOT_CONTROLLER, errorMessage: message });
      }
    }
    return { throttleTimeMs: 0, errorCode: 0, replicaElectionResults: results };
  },
});
