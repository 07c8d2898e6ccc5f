/**
 * DescribeGroups, versions 0-6: state, protocol type, and members of each group; the
 * selected protocol and members' metadata and assignments only when the group is
 * Stable, as Kafka. A group that is not a classic group (unknown, or a KIP-848 consumer
 * group, whose members ConsumerGroupDescribe describes) is, as in Kafka: before v6 described
 * as Dead with no error; from v6 (Kafka 4.0, KIP-1043; the schema is an overlay)
 * GROUP_ID_NOT_FOUND with the message ("Group g not found." or "Group g is not a classic
 * group."). Authorized operations (v3+): what the principal may do to the group.
 * An id coordinated by another broker gets NOT_COORDINATOR (COORDINATOR_LOAD_IN_PROGRESS while its
 * partition loads) (docs/replication.md).
 */
import { DescribeGroupsApi } from '../../protocol/generated/messages/15-describe-groups.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { defineHandler } from './handler.js';
import { OPERATIONS_NOT_REQUESTED, groupOperations } from './authorized-operations.js';

export const describeGroupsHandler = defineHandler({
  api: DescribeGroupsApi,
  handle(ctx, request) {
    const v = ctx.apiVersion;
    return {
      throttleTimeMs: 0,
      groups: request.groups.map((groupId) => {
        const notHere = ctx.broker.groups.coordinatorError(groupId);
        if (notHere !== 0)
          return {
            errorCode: notHere,
            errorMessage: null,
            groupId,
            groupState: '',
            protocolType: '',
            protocolData: '',
            members: [],
            authorizedOperations: OPERATIONS_NOT_REQUESTED,
          };
        const { d, classic, consumer } = ctx.broker.groups.run((c) => ({
          d: c.admin.describe(groupId),
          classic: c.admin.isClassicGroup(groupId),
          consumer: c.consumer.admin.get(groupId) !== undefined,
        }));
        if (v >= 6 && d.errorCode === 0 && !classic) {
          return {
            ...d,
            errorCode: ErrorCode.GROUP_ID_NOT_FOUND,
            errorMessage: consumer ? `Group ${groupId} is not a classic group.` : `Group ${groupId} not found.`,
            groupState: '',
            authorizedOperations: OPERATIONS_NOT_REQUESTED,
          };
        }
        return {
          ...d,
          errorMessage: null,
          members: d.members.map((m) => ({ ...m, groupInstanceId: v >= 4 ? m.groupInstanceId : null })),
          authorizedOperations: groupOperations(ctx, v >= 3 && request.includeAuthorizedOperations, groupId),
        };
      }),
    };
  },
});
