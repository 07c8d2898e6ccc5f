/**
 * AlterPartitionReassignments (key 45), versions 0-1 (v1 is Kafka 4.1's, KIP-860: with
 * allowReplicationFactorChange false, a target whose replica count differs from the current
 * one gets INVALID_REPLICATION_FACTOR; the answer echoes the option).
 *
 * Validates each partition as Kafka's controller does: unknown topic or partition →
 * UNKNOWN_TOPIC_OR_PARTITION; a cancellation (null replicas) with nothing in progress →
 * NO_REASSIGNMENT_IN_PROGRESS; empty, duplicated or unknown brokers →
 * INVALID_REPLICA_ASSIGNMENT. A new order of the same replicas is applied at once through
 * a PartitionChangeRecord (top-level NOT_CONTROLLER when no active controller takes it). Left out: moving replicas to other brokers (data movement
 * comes with replication); such requests get INVALID_REPLICA_ASSIGNMENT with a message.
 */
import { AlterPartitionReassignmentsApi } from '../../protocol/generated/messages/45-alter-partition-reassignments.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { defaultPartitionChangeRecord } from '../../protocol/generated/records/metadata/PartitionChangeRecord.js';
import type { MetadataRecord } from '../metadata/records.js';
import { defineHandler } from './handler.js';

export const alterPartitionReassignmentsHandler = defineHandler({
  api: AlterPartitionReassignmentsApi,
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
    const brokers = new Set(controller.liveBrokerIds());
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
        const state = image?.partitions.get(p.partitionIndex);
        if (!image || !state) return result(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'The partition does not exist.');
        if (p.replicas === null)
          return result(ErrorCode.NO_REASSIGNMENT_IN_PROGRESS, 'No reassignment is in progress for this partition.');
        if (!allowReplicationFactorChange && p.replicas.length !== state.replicas.length)
          return result(
            ErrorCode.INVALID_REPLICATION_FACTOR,
            `The replication factor is changed from ${state.replicas.length} to ${p.replicas.length}`,
          );
        if (p.replicas.length === 0)
          return result(
            ErrorCode.INVALID_REPLICA_ASSIGNMENT,
            'The manual partition assignment includes an empty replica list.',
          );
        if (new Set(p.replicas).size !== p.replicas.length)
          return result(
            ErrorCode.INVALID_REPLICA_ASSIGNMENT,
            'The manual partition assignment includes duplicate replicas.',
          );
        const unknown = p.replicas.find((r) => !brokers.has(r));
        if (unknown !== undefined)
          return result(
            ErrorCode.INVALID_REPLICA_ASSIGNMENT,
            `The manual partition assignment includes broker ${unknown}, which is not registered.`,
          );
        const sameSet =
          p.replicas.length === state.replicas.length && p.replicas.every((r) => state.replicas.includes(r));
        if (!sameSet)
          return result(ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'Moving replicas to other brokers is not supported yet.');
        records.push({
          type: 'PartitionChangeRecord',
          data: {
            ...defaultPartitionChangeRecord(),
            topicId: image.topicId,
            partitionId: p.partitionIndex,
            replicas: [...p.replicas],
          },
        });
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
