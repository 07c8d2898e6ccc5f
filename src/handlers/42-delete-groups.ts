/**
 * DeleteGroups, versions 0-2: deletes empty groups and their committed offsets
 * (tombstones in `__consumer_offsets`). A group with members gets NON_EMPTY_GROUP, an
 * unknown one GROUP_ID_NOT_FOUND, an overlong id INVALID_GROUP_ID (the empty id is a group, as for
 * OffsetCommit: Kafka 3.9 keeps it for backwards compatibility). KIP-848
 * consumer groups are deleted the same way (all their records tombstoned).
 * An id coordinated by another broker gets NOT_COORDINATOR (COORDINATOR_LOAD_IN_PROGRESS while its
 * partition loads); the answer waits until what it wrote is committed (docs/replication.md).
 */
import { DeleteGroupsApi } from '../../protocol/generated/messages/42-delete-groups.js';
import { defineHandler } from './handler.js';

export const deleteGroupsHandler = defineHandler({
  api: DeleteGroupsApi,
  async handle(ctx, request) {
    const groups = ctx.broker.groups;
    const deleteOne = async (groupId: string): Promise<number> => {
      const notHere = groups.coordinatorError(groupId);
      if (notHere !== 0) return notHere;
      const code = groups.run(
        (c, now) => c.consumer.admin.deleteGroup(groupId, now) ?? c.admin.deleteGroup(groupId, now),
      );
      const committed = await groups.whenCommitted(groupId);
      return code === 0 ? committed : code;
    };
    const codes = await Promise.all(request.groupsNames.map(deleteOne));
    return {
      throttleTimeMs: 0,
      results: request.groupsNames.map((groupId, i) => ({ groupId, errorCode: codes[i] ?? 0 })),
    };
  },
});
