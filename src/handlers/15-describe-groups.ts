/**
 * DescribeGroups, versions 0-5: state, protocol type, and members of each group; the
 * selected protocol and members' metadata and assignments only when the group is
 * Stable, as Kafka. An unknown group is described as Dead with no error (GROUP_ID_NOT_FOUND
 * comes with v6, not served); so is a KIP-848 consumer group, as Kafka does before v6 (its
 * members are described by ConsumerGroupDescribe). Authorized operations (v3+) are all
 * group operations: no ACLs yet.
 */
import { DescribeGroupsApi } from '../../protocol/generated/messages/15-describe-groups.js';
import { defineHandler } from './handler.js';
import { GROUP_OPERATIONS, OPERATIONS_NOT_REQUESTED } from './authorized-operations.js';

export const describeGroupsHandler = defineHandler({
  api: DescribeGroupsApi,
  maxVersion: 5,
  handle(ctx, request) {
    const v = ctx.apiVersion;
    const operations = v >= 3 && request.includeAuthorizedOperations ? GROUP_OPERATIONS : OPERATIONS_NOT_REQUESTED;
    return {
      throttleTimeMs: 0,
      groups: request.groups.map((groupId) => {
        const d = ctx.broker.groups.run((c) => c.admin.describe(groupId));
        return {
          ...d,
          members: d.members.map((m) => ({ ...m, groupInstanceId: v >= 4 ? m.groupInstanceId : null })),
          authorizedOperations: operations,
        };
      }),
    };
  },
});
