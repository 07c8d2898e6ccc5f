/**
 * BrokerHeartbeat (key 63), versions 0-1, on the controller listener: keeps a registered broker's
 * session alive; a fenced broker that heartbeats is unfenced. NOT_CONTROLLER on a non-leader,
 * STALE_BROKER_EPOCH for a broker with no registration or at another epoch than its registration's
 * (-1 included), as Kafka 3.9's QuorumController and checkBrokerEpoch.
 * wantShutDown starts or continues a controlled shutdown (src/controller/broker-heartbeats.ts):
 * shouldShutDown once the broker leads nothing and has applied the metadata that says so.
 * The connection is remembered: when it closes the broker is fenced at once (process died).
 * Gaps: offline log dirs are ignored.
 * With an authorizer, the sender's principal needs CLUSTER_ACTION on the cluster (else
 * CLUSTER_AUTHORIZATION_FAILED, checked first: server/controller-api-rules.ts), as Kafka's ControllerApis.
 */
import { BrokerHeartbeatApi } from '../../protocol/generated/messages/63-broker-heartbeat.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { defineHandler } from './handler.js';

export const brokerHeartbeatHandler = defineHandler({
  api: BrokerHeartbeatApi,
  async handle(ctx, request) {
    const heartbeats = ctx.broker.brokerHeartbeats;
    const base = { throttleTimeMs: 0, isCaughtUp: false, isFenced: true, shouldShutDown: false };
    if (!heartbeats) return { ...base, errorCode: ErrorCode.NOT_CONTROLLER };
    const result = await heartbeats.heartbeat(request.brokerId, request.brokerEpoch, {
      wantShutDown: request.wantShutDown,
      wantFence: request.wantFence,
      currentMetadataOffset: Number(request.currentMetadataOffset),
      connectionId: ctx.connectionId,
    });
    return { ...base, ...result };
  },
});
