/**
 * ConsumerGroupDescribe (KIP-848), versions 0-1 (v1, Kafka 4.0, KIP-1099: each member's
 * MemberType, always 1 "consumer" here since Gregor's consumer groups hold no classic-protocol
 * members; the schema is an overlay, protocol/schema-overlay/): each KIP-848 consumer group with its state
 * (Empty, Assigning, Reconciling, Stable), group and assignment epochs, the assignor in
 * use, and every member's subscription, current assignment and target assignment (topic
 * ids with names from the metadata image). A classic group or an unknown id answers
 * GROUP_ID_NOT_FOUND with Kafka's message. Authorized operations, when asked: what the
 * principal may do to the group.
 * An id coordinated by another broker gets NOT_COORDINATOR (COORDINATOR_LOAD_IN_PROGRESS while its
 * partition loads) (docs/replication.md).
 */
import {
  ConsumerGroupDescribeApi,
  type ConsumerGroupDescribeResponse,
} from '../../protocol/generated/messages/69-consumer-group-describe.js';
import { OPERATIONS_NOT_REQUESTED, groupOperations } from './authorized-operations.js';
import { defineHandler } from './handler.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { consumerProtocolEnabled } from '../groups/consumer/protocol-enabled.js';

/** KIP-1099 member types: -1 unknown, 0 classic protocol, 1 consumer protocol. */
const CONSUMER_MEMBER_TYPE = 1;

export const consumerGroupDescribeHandler = defineHandler({
  api: ConsumerGroupDescribeApi,
  handle(ctx, request): ConsumerGroupDescribeResponse {
    // group.coordinator.rebalance.protocols without consumer: every group UNSUPPORTED_VERSION, as Kafka.
    const disabled = !consumerProtocolEnabled(ctx.broker.config);
    return {
      throttleTimeMs: 0,
      groups: request.groupIds.map((groupId) => {
        const notHere = disabled ? ErrorCode.UNSUPPORTED_VERSION : ctx.broker.groups.coordinatorError(groupId);
        if (notHere !== 0)
          return {
            errorCode: notHere,
            errorMessage: null,
            groupId,
            groupState: '',
            groupEpoch: 0,
            assignmentEpoch: 0,
            assignorName: '',
            members: [],
            authorizedOperations: OPERATIONS_NOT_REQUESTED,
          };
        const described = ctx.broker.groups.run((c) => c.consumer.admin.describe(groupId));
        const members = described.members.map((m) => ({ ...m, memberType: CONSUMER_MEMBER_TYPE }));
        return {
          ...described,
          members,
          authorizedOperations: groupOperations(ctx, request.includeAuthorizedOperations, groupId),
        };
      }),
    };
  },
});
