/**
 * LeaveGroup, versions 0-5: v0-2 remove one member by id (its error is the top-level
 * error); v3+ remove a batch of members by member id and/or group.instance.id with an
 * error each (UNKNOWN_MEMBER_ID, FENCED_INSTANCE_ID). The group rebalances without
 * them. The `reason` (v5) is ignored.
 * An id coordinated by another broker gets NOT_COORDINATOR (COORDINATOR_LOAD_IN_PROGRESS while its
 * partition loads); the answer waits until what it wrote is committed (docs/replication.md).
 */
import { LeaveGroupApi } from '../../protocol/generated/messages/13-leave-group.js';
import { defineHandler } from './handler.js';

export const leaveGroupHandler = defineHandler({
  api: LeaveGroupApi,
  async handle(ctx, request) {
    const v = ctx.apiVersion;
    const notHere = ctx.broker.groups.coordinatorError(request.groupId);
    if (notHere !== 0) return { throttleTimeMs: 0, errorCode: notHere, members: [] };
    const identities =
      v >= 3
        ? request.members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId }))
        : [{ memberId: request.memberId, groupInstanceId: null }];
    const left = ctx.broker.groups.run((c, now) => c.membership.leave(request.groupId, identities, now));
    const committed = await ctx.broker.groups.whenCommitted(request.groupId);
    const result = committed !== 0 && left.errorCode === 0 ? { ...left, errorCode: committed } : left;
    if (v < 3)
      return {
        throttleTimeMs: 0,
        errorCode: result.errorCode !== 0 ? result.errorCode : (result.members[0]?.errorCode ?? 0),
        members: [],
      };
    return { throttleTimeMs: 0, errorCode: result.errorCode, members: result.members };
  },
});
