/**
 * ConsumerGroupHeartbeat (KIP-848), version 0 (v1, which adds SubscribedTopicRegex and
 * client-generated member ids, is marked unstable in Kafka 3.9 and not served). Joins
 * with member epoch 0 (the broker assigns the member id when it is empty), heartbeats,
 * leaves with -1, and static members leave with -2 to come back under their instance id.
 * The group coordinator (groups/consumer/heartbeat.ts) validates (INVALID_REQUEST,
 * UNSUPPORTED_ASSIGNOR, UNKNOWN_MEMBER_ID, FENCED_MEMBER_EPOCH, UNRELEASED_INSTANCE_ID,
 * GROUP_MAX_SIZE_REACHED, GROUP_ID_NOT_FOUND for an active classic group), writes the
 * group's records to `__consumer_offsets`, and answers with the member epoch, the
 * heartbeat interval and, when it changed or the request was a full one, the assignment.
 * Error answers carry Kafka's error message.
 */
import { ConsumerGroupHeartbeatApi, type ConsumerGroupHeartbeatResponse } from '../../protocol/generated/messages/68-consumer-group-heartbeat.js';
import { defineHandler } from './handler.js';

export const consumerGroupHeartbeatHandler = defineHandler({
  api: ConsumerGroupHeartbeatApi,
  handle(ctx, request): ConsumerGroupHeartbeatResponse {
    const groups = ctx.broker.groups;
    groups.ensureOffsetsTopic();
    const r = groups.run((c, now) =>
      c.consumer.heartbeats.heartbeat(
        {
          groupId: request.groupId,
          memberId: request.memberId,
          memberEpoch: request.memberEpoch,
          instanceId: request.instanceId,
          rackId: request.rackId,
          rebalanceTimeoutMs: request.rebalanceTimeoutMs,
          subscribedTopicNames: request.subscribedTopicNames,
          serverAssignor: request.serverAssignor,
          topicPartitions: request.topicPartitions,
          clientId: ctx.clientId ?? '',
          clientHost: `/${ctx.clientHost}`,
        },
        now,
      ),
    );
    return {
      throttleTimeMs: 0,
      errorCode: r.errorCode,
      errorMessage: r.errorMessage,
      memberId: r.memberId,
      memberEpoch: r.memberEpoch,
      heartbeatIntervalMs: r.heartbeatIntervalMs,
      assignment: r.assignment === null ? null : { topicPartitions: r.assignment },
    };
  },
});
