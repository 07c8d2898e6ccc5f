/**
 * SyncGroup, versions 0-5: the leader sends the assignment of every member; each
 * member gets its own once the leader's has been written to `__consumer_offsets`
 * (followers that sync first wait for it). v3+ carries group.instance.id; v5 checks
 * the protocol type and name against the group's (INCONSISTENT_GROUP_PROTOCOL) and
 * returns them.
 * An id coordinated by another broker gets NOT_COORDINATOR (COORDINATOR_LOAD_IN_PROGRESS while its
 * partition loads); the answer waits until what it wrote is committed (docs/replication.md).
 */
import { SyncGroupApi, type SyncGroupResponse } from '../../protocol/generated/messages/14-sync-group.js';
import { defineHandler } from './handler.js';

export const syncGroupHandler = defineHandler({
  api: SyncGroupApi,
  handle(ctx, request) {
    const v = ctx.apiVersion;
    const groups = ctx.broker.groups;
    const notHere = groups.coordinatorError(request.groupId);
    if (notHere !== 0)
      return {
        throttleTimeMs: 0,
        errorCode: notHere,
        protocolType: null,
        protocolName: null,
        assignment: Buffer.alloc(0),
      };
    return new Promise<SyncGroupResponse>((resolve) => {
      groups.run((c, now) =>
        c.membership.sync(
          {
            groupId: request.groupId,
            generationId: request.generationId,
            memberId: request.memberId,
            groupInstanceId: v >= 3 ? request.groupInstanceId : null,
            protocolType: v >= 5 ? request.protocolType : null,
            protocolName: v >= 5 ? request.protocolName : null,
            assignments: request.assignments,
          },
          now,
          (r) =>
            void groups.whenCommitted(request.groupId).then((committed) =>
              resolve({
                throttleTimeMs: 0,
                errorCode: committed !== 0 && r.errorCode === 0 ? committed : r.errorCode,
                protocolType: v >= 5 ? r.protocolType : null,
                protocolName: v >= 5 ? r.protocolName : null,
                assignment: committed !== 0 ? Buffer.alloc(0) : r.assignment,
              }),
            ),
        ),
      );
    });
  },
});
