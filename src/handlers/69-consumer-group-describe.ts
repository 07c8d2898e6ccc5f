/**
 * ConsumerGroupDescribe (KIP-848), version 0: each KIP-848 consumer group with its state
 * (Empty, Assigning, Reconciling, Stable), group and assignment epochs, the assignor in
 * use, and every member's subscription, current assignment and target assignment (topic
 * ids with names from the metadata image). A classic group or an unknown id answers
 * GROUP_ID_NOT_FOUND with Kafka's message. Authorized operations, when asked, are all
 * group operations (no ACLs yet).
 */
import { ConsumerGroupDescribeApi, type ConsumerGroupDescribeResponse } from '../../protocol/generated/messages/69-consumer-group-describe.js';
import { GROUP_OPERATIONS, OPERATIONS_NOT_REQUESTED } from './authorized-operations.js';
import { defineHandler } from './handler.js';

export const consumerGroupDescribeHandler = defineHandler({
  api: ConsumerGroupDescribeApi,
  handle(ctx, request): ConsumerGroupDescribeResponse {
    const operations = request.includeAuthorizedOperations ? GROUP_OPERATIONS : OPERATIONS_NOT_REQUESTED;
    return {
      throttleTimeMs: 0,
      groups: request.groupIds.map((groupId) => ({ ...ctx.broker.groups.run((c) => c.consumer.admin.describe(groupId)), authorizedOperations: operations })),
    };
  },
});
