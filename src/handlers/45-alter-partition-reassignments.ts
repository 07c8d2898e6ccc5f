/**
 * AlterPartitionReassignments (key 45), versions 0-1 (v1 is Kafka 4.1's, KIP-860: with
 * allowReplicationFactorChange false, a target whose replica count differs from the partition's
 * replicas before any reassignment gets INVALID_REPLICATION_FACTOR; the answer echoes the option).
 * Served by the active controller (other nodes forward it in an Envelope).
 *
 * Validates each partition as Kafka's controller does: unknown topic or partition →
 * UNKNOWN_TOPIC_OR_PARTITION; a cancellation (null replicas) with nothing in progress →
 * NO_REASSIGNMENT_IN_PROGRESS; empty, duplicated or unregistered brokers →
 * INVALID_REPLICA_ASSIGNMENT, with Kafka 3.9's messages (a registered broker that is fenced, down,
 * may be a target: it joins the ISR, completing the move, once it is back). Accepted ones commit as PartitionChangeRecords
 * (src/metadata/partition-reassignment.ts): the target replicas are added (addingReplicas /
 * removingReplicas), fetch from the leader and join the ISR; the AlterPartition that brings in
 * the last one completes it (the removed replicas leave, the leader moves if it is removed, and
 * the removed brokers delete their copy). A reorder of the same replicas applies at once. A
 * cancellation goes back to the replicas before it (INVALID_REPLICA_ASSIGNMENT when that needs an
 * unclean election the topic does not allow). Top-level NOT_CONTROLLER when no active
 * controller takes it. A timeout_ms of 0 or less moves nothing and answers REQUEST_TIMED_OUT at the top
 * and for each partition, as Kafka's controller deadline (handlers/controller-deadline.ts), unless no
 * topic is named. Leaves out: replication throttles (the moves run at full speed).
 */
import { AlterPartitionReassignmentsApi } from '../../protocol/generated/messages/45-alter-partition-reassignments.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import type { MetadataRecord } from '../metadata/records.js';
import { cancelReassignment, originalReplicas, startReassignment } from '../metadata/partition-reassignment.js';
import { effectiveTopicConfig } from '../metadata/topic-configs.js';
import { defineHandler } from './handler.js';
import { deadlinePassed } from './controller-deadline.js';

export const alterPartitionReassignmentsHandler = defineHandler({
  api: AlterPartitionReassignmentsApi,
  answerWhole(ctx, request) {
    if (!deadlinePassed(ctx, request.timeoutMs, request.topics.length > 0)) return null;
    const responses = request.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => ({
        partitionIndex: p.partitionIndex,
        errorCode: ErrorCode.REQUEST_TIMED_OUT,
        errorMessage: null,
      })),
    }));
    return {
      throttleTimeMs: 0,
      allowReplicationFactorChange: request.allowReplicationFactorChange,
      errorCode: ErrorCode.REQUEST_TIMED_OUT,
      errorMessage: null,
      responses,
    };
  },
  async handle(ctx, request) {
    const controller = ctx.broker.controller;
    const allowReplicationFactorChange = request.allowReplicationFactorChange;
    if (!controller.isActive())
      return {
        throttleTimeMs: 0,
        allowReplicationFactorChange,
        errorCode: ErrorCode.NOT_CONTROLLER,
        errorMessage: 'This is not the correct controller for this cluster.',
        responses: [],
      };
    const records: MetadataRecord[] = [];
    const responses = request.topics.map((topic) => ({
      name: topic.name,
      partitions: topic.partitions.map((p) => {
        const result = (errorCode: number, errorMessage: string | null) => ({
          partitionIndex: p.partitionIndex,
          errorCode,
          errorMessage,
        });
        const image = controller.image.topicsByName.get(topic.name);
        if (!image) return result(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Unable to find a topic named ${topic.name}.`);
        const state = image.partitions.get(p.partitionIndex);
        if (!state)
          return result(
            ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
            `Unable to find partition ${topic.name}:${p.partitionIndex}.`,
          );
        if (p.replicas === null) {
          const unclean =
            effectiveTopicConfig('unclean.leader.election.enable', image.configs, ctx.broker.config) === 'true';
          const outcome = cancelReassignment(controller.image, image, state, unclean);
          if (outcome.record) records.push(outcome.record);
          return result(outcome.errorCode, outcome.errorMessage);
        }
        const before = originalReplicas(state);
        if (!allowReplicationFactorChange && p.replicas.length !== before.length)
          return result(
            ErrorCode.INVALID_REPLICATION_FACTOR,
            `The replication factor is changed from ${before.length} to ${p.replicas.length}`,
          );
        const problem = controller.checkAssignment([...p.replicas], null);
        if (problem) return result(problem.errorCode, problem.errorMessage);
        const record = startReassignment(controller.image, image, state, [...p.replicas]);
        if (record) records.push(record);
        return result(ErrorCode.NONE, null);
      }),
    }));
    const committed = await controller.commitAndWait(records);
    if (committed !== 0)
      return {
        throttleTimeMs: 0,
        allowReplicationFactorChange,
        errorCode: committed,
        errorMessage: 'This is not the correct controller for this cluster.',
        responses: [],
      };
    return { throttleTimeMs: 0, allowReplicationFactorChange, errorCode: 0, errorMessage: null, responses };
  },
});
