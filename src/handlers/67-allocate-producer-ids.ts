/**
 * AllocateProducerIds (key 67), version 0, on the controller listener: a broker whose controller
 * is not the active one asks the active controller for its next block of producer ids (1000, as
 * Kafka's controller hands out); the block is committed as a ProducerIdsRecord before the answer.
 * NOT_CONTROLLER on any other node; STALE_BROKER_EPOCH unless the broker is registered (in the
 * controller's latest state) at exactly the request's epoch, -1 and unknown brokers included, as
 * Kafka 3.9's ProducerIdControlManager (ClusterControlManager.checkBrokerEpoch). Refusals carry
 * ProducerIdStart 0 and ProducerIdLen 0, as Kafka's error response.
 * Leaves out: nothing of the API; blocks of a failed commit are skipped, never handed out twice.
 * With an authorizer, the sender's principal needs CLUSTER_ACTION on the cluster (else
 * CLUSTER_AUTHORIZATION_FAILED, checked first: server/controller-api-rules.ts), as Kafka's ControllerApis.
 */
import {
  AllocateProducerIdsApi,
  type AllocateProducerIdsResponse,
} from '../../protocol/generated/messages/67-allocate-producer-ids.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { defineHandler } from './handler.js';

const refused = (errorCode: number): AllocateProducerIdsResponse => ({
  throttleTimeMs: 0,
  errorCode,
  producerIdStart: 0n,
  producerIdLen: 0,
});

export const allocateProducerIdsHandler = defineHandler({
  api: AllocateProducerIdsApi,
  async handle(ctx, request) {
    const controller = ctx.broker.controller;
    if (!controller.isActive()) return refused(ErrorCode.NOT_CONTROLLER);
    const registration = controller.latestImage().brokers.get(request.brokerId);
    if (!registration || (registration.brokerEpoch ?? -1n) !== request.brokerEpoch)
      return refused(ErrorCode.STALE_BROKER_EPOCH);
    const result = controller.allocateProducerIds(request.brokerId, request.brokerEpoch);
    if (!result.ok) return refused(result.error.errorCode);
    const committed = await controller.commitAndWait(result.records);
    if (committed !== ErrorCode.NONE) return refused(committed);
    return {
      throttleTimeMs: 0,
      errorCode: 0,
      producerIdStart: result.value.firstProducerId,
      producerIdLen: Number(result.value.size),
    };
  },
});
