/**
 * Heartbeat, versions 0-4: keeps a member's session alive. REBALANCE_IN_PROGRESS tells
 * the member to rejoin; UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION and FENCED_INSTANCE_ID
 * (v3+, static members) as Kafka returns them.
 * An id coordinated by another broker gets NOT_COORDINATOR (COORDINATOR_LOAD_IN_PROGRESS while its
 * partition loads) (docs/replication.md).
 */
import { HeartbeatApi } from '../../protocol/generated/messages/12-heartbeat.js';
import { defineHandler } from './handler.js';

export const heartbeatHandler = defineHandler({
  api: HeartbeatApi,
  handle(ctx, request) {
    const instanceId = ctx.apiVersion >= 3 ? request.groupInstanceId : null;
    const notHere = ctx.broker.groups.coordinatorError(request.groupId);
    if (notHere !== 0) return { throttleTimeMs: 0, errorCode: notHere };
    const errorCode = ctx.broker.groups.run((c, now) =>
      c.membership.heartbeat(request.groupId, request.generationId, request.memberId, instanceId, now),
    );
    return { throttleTimeMs: 0, errorCode };
  },
});
