/**
 * DeleteGroups, versions 0-2: deletes empty groups and their committed offsets
 * (tombstones in `__consumer_offsets`). A group with members gets NON_EMPTY_GROUP, an
 * unknown one GROUP_ID_NOT_FOUND, an empty or overlong id INVALID_GROUP_ID. KIP-848
 * consumer groups are deleted the same way (all their records tombstoned).
 */
import { DeleteGroupsApi } from '../../protocol/generated/messages/42-delete-groups.js';
import { defineHandler } from './handler.js';

export const deleteGroupsHandler = defineHandler({
  api: DeleteGroupsApi,
  handle(ctx, request) {
    return {
      throttleTimeMs: 0,
      results: request.groupsNames.map((groupId) => ({
        groupId,
        errorCode: ctx.broker.groups.run(
          (c, now) => c.consumer.admin.deleteGroup(groupId, now) ?? c.admin.deleteGroup(groupId, now),
        ),
      })),
    };
  },
});
