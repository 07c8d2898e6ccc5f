/**
 * JoinGroup, versions 0-9: hands the join to the group coordinator and answers when the
 * rebalance completes (the answer may wait up to the rebalance timeout). v0 has no
 * rebalance timeout: the session timeout serves as one, as in Kafka. From v4 a first
 * join without a member id gets MEMBER_ID_REQUIRED (KIP-394) with the id to use; v5+
 * carries group.instance.id (static membership); v7+ returns the protocol type; v9 may
 * tell a restarted static leader to skip the assignment. The `reason` (v8) is ignored.
 * A KIP-848 consumer group id: an empty one is removed and the classic group takes it
 * (its offsets stay); a non-empty one answers INCONSISTENT_GROUP_PROTOCOL (classic
 * members inside a consumer group, Kafka's migration path, are not supported).
 * An id coordinated by another broker gets NOT_COORDINATOR (COORDINATOR_LOAD_IN_PROGRESS while its
 * partition loads); the answer waits until what it wrote is committed (docs/replication.md).
 */
import { JoinGroupApi, type JoinGroupResponse } from '../../protocol/generated/messages/11-join-group.js';
import type { JoinResult } from '../groups/classic-group.js';
import { defineHandler } from './handler.js';

function toResponse(r: JoinResult, v: number): JoinGroupResponse {
  return {
    throttleTimeMs: 0,
    errorCode: r.errorCode,
    generationId: r.generationId,
    protocolType: v >= 7 ? r.protocolType : null,
    protocolName: v >= 7 ? r.protocolName : (r.protocolName ?? ''),
    leader: r.leader,
    skipAssignment: v >= 9 ? r.skipAssignment : false,
    memberId: r.memberId,
    members: r.members.map((m) => ({
      memberId: m.memberId,
      groupInstanceId: v >= 5 ? m.groupInstanceId : null,
      metadata: m.metadata,
    })),
  };
}

export const joinGroupHandler = defineHandler({
  api: JoinGroupApi,
  handle(ctx, request) {
    const v = ctx.apiVersion;
    const groups = ctx.broker.groups;
    const notHere = groups.coordinatorError(request.groupId);
    const consumerGroupError =
      notHere !== 0 ? notHere : groups.run((c, now) => c.consumer.admin.classicJoinError(request.groupId, now));
    if (consumerGroupError !== 0) {
      return toResponse(
        {
          errorCode: consumerGroupError,
          generationId: -1,
          protocolType: null,
          protocolName: null,
          leader: '',
          skipAssignment: false,
          memberId: request.memberId,
          members: [],
        },
        v,
      );
    }
    return new Promise<JoinGroupResponse>((resolve) => {
      groups.run((c, now) =>
        c.membership.join(
          {
            groupId: request.groupId,
            memberId: request.memberId,
            groupInstanceId: v >= 5 ? request.groupInstanceId : null,
            sessionTimeoutMs: request.sessionTimeoutMs,
            rebalanceTimeoutMs: v >= 1 ? request.rebalanceTimeoutMs : request.sessionTimeoutMs,
            protocolType: request.protocolType,
            protocols: request.protocols.map((p) => ({ name: p.name, metadata: p.metadata })),
            clientId: ctx.clientId ?? '',
            clientHost: `/${ctx.clientHost}`,
            apiVersion: v,
          },
          now,
          (result) =>
            void groups
              .whenCommitted(request.groupId)
              .then((code) => resolve(toResponse(code !== 0 ? { ...result, errorCode: code } : result, v))),
        ),
      );
    });
  },
});
