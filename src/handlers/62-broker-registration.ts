/**
 * BrokerRegistration (key 62), versions 0-4, on the controller listener: a broker registers with the
 * active controller, which commits a RegisterBrokerRecord through the quorum and answers with the
 * broker epoch. NOT_CONTROLLER on any other node, INCONSISTENT_CLUSTER_ID for another cluster.
 * Gaps: features and log dirs are not checked; previousBrokerEpoch is ignored; the broker is
 * registered unfenced (a missed heartbeat session fences it, see broker-heartbeats.ts).
 * With an authorizer, the sender's principal needs CLUSTER_ACTION on the cluster (else
 * CLUSTER_AUTHORIZATION_FAILED, checked first: server/controller-api-rules.ts), as Kafka's ControllerApis.
 */
import { BrokerRegistrationApi } from '../../protocol/generated/messages/62-broker-registration.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { defineHandler } from './handler.js';

export const brokerRegistrationHandler = defineHandler({
  api: BrokerRegistrationApi,
  async handle(ctx, request) {
    const heartbeats = ctx.broker.brokerHeartbeats;
    if (!heartbeats) return { throttleTimeMs: 0, errorCode: ErrorCode.NOT_CONTROLLER, brokerEpoch: -1n };
    const result = await heartbeats.register({
      brokerId: request.brokerId,
      clusterId: request.clusterId,
      incarnationId: request.incarnationId,
      endPoints: request.listeners.map((l) => ({
        name: l.name,
        host: l.host,
        port: l.port,
        securityProtocol: l.securityProtocol,
      })),
      rack: request.rack,
      connectionId: ctx.connectionId,
    });
    return { throttleTimeMs: 0, errorCode: result.errorCode, brokerEpoch: result.brokerEpoch };
  },
});
