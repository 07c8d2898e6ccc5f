/**
 * ConsumerGroupHeartbeat (KIP-848), versions 0-1. v0 as Kafka 3.9 serves it: joins with
 * member epoch 0 (the broker assigns the member id when it is empty). v1 as Kafka 4.0
 * released it (the schema is an overlay, protocol/schema-overlay/): the consumer generates
 * its member id (an empty one is INVALID_REQUEST, also when joining), and may subscribe with
 * SubscribedTopicRegex (RE2/J-like, see groups/consumer/topic-regex.ts;
 * INVALID_REGULAR_EXPRESSION for a bad one); with an authorizer a member's regex takes only the
 * topics its principal may DESCRIBE (as Kafka 4.0 filters them); topics a regex was resolved to stay
 * until no regex matches them or they are deleted (groups/consumer/heartbeat.ts, regexTakes). Both: heartbeats,
 * leaves with -1, and static members leave with -2 to come back under their instance id.
 * The group coordinator (groups/consumer/heartbeat.ts) validates (INVALID_REQUEST,
 * UNSUPPORTED_ASSIGNOR, UNKNOWN_MEMBER_ID, FENCED_MEMBER_EPOCH, UNRELEASED_INSTANCE_ID,
 * GROUP_MAX_SIZE_REACHED, GROUP_ID_NOT_FOUND for an active classic group), writes the
 * group's records to `__consumer_offsets`, and answers with the member epoch, the
 * heartbeat interval and, when it changed or the request was a full one, the assignment.
 * Error answers carry Kafka's error message.
 * An id coordinated by another broker gets NOT_COORDINATOR (COORDINATOR_LOAD_IN_PROGRESS while its
 * partition loads); the answer waits until what it wrote is committed (docs/replication.md).
 */
import {
  ConsumerGroupHeartbeatApi,
  type ConsumerGroupHeartbeatResponse,
} from '../../protocol/generated/messages/68-consumer-group-heartbeat.js';
import { defineHandler } from './handler.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { consumerProtocolEnabled } from '../groups/consumer/protocol-enabled.js';
import { AclOperation, RequestAuthz } from '../server/request-authz.js';

export const consumerGroupHeartbeatHandler = defineHandler({
  api: ConsumerGroupHeartbeatApi,
  async handle(ctx, request): Promise<ConsumerGroupHeartbeatResponse> {
    // group.coordinator.rebalance.protocols without consumer: Kafka answers before any other check.
    if (!consumerProtocolEnabled(ctx.broker.config))
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.UNSUPPORTED_VERSION,
        errorMessage: null,
        memberId: null,
        memberEpoch: 0,
        heartbeatIntervalMs: 0,
        assignment: null,
      };
    const groups = ctx.broker.groups;
    const notHere = groups.coordinatorError(request.groupId);
    if (notHere !== 0)
      return {
        throttleTimeMs: 0,
        errorCode: notHere,
        errorMessage: null,
        memberId: request.memberId,
        memberEpoch: request.memberEpoch,
        heartbeatIntervalMs: 0,
        assignment: null,
      };
    const authz = new RequestAuthz(ctx);
    // Topics a regex matches count only if this principal may DESCRIBE them (Kafka 4.0).
    const mayDescribeTopic = authz.enforcing
      ? (topic: string) => authz.onTopic(AclOperation.DESCRIBE, topic)
      : undefined;
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
          subscribedTopicRegex: request.subscribedTopicRegex,
          serverAssignor: request.serverAssignor,
          topicPartitions: request.topicPartitions,
          clientId: ctx.clientId ?? '',
          clientHost: `/${ctx.clientHost}`,
          memberIdRequired: ctx.apiVersion >= 1,
          ...(mayDescribeTopic ? { mayDescribeTopic } : {}),
        },
        now,
      ),
    );
    const committed = await groups.whenCommitted(request.groupId);
    if (committed !== 0 && r.errorCode === 0)
      return {
        throttleTimeMs: 0,
        errorCode: committed,
        errorMessage: null,
        memberId: request.memberId,
        memberEpoch: request.memberEpoch,
        heartbeatIntervalMs: 0,
        assignment: null,
      };
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
