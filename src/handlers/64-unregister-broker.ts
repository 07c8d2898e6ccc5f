/**
 * UnregisterBroker (key 64), version 0 (Admin.unregisterBroker, `kafka-cluster unregister --id`), on
 * the active controller: brokers forward it there (controller/forwarding.ts), as Kafka's KafkaApis
 * does; NOT_CONTROLLER where no active controller takes it. The broker leaves every ISR, its
 * leaderships move as when it is fenced, and its registration is removed (UnregisterBrokerRecord);
 * an id with no registration gets BROKER_ID_NOT_REGISTERED. As Kafka's ControllerApis, the answer
 * carries the error code alone (no message). Needs ALTER on the cluster with an authorizer
 * (server/api-rules.ts).
 */
import { UnregisterBrokerApi } from '../../protocol/generated/messages/64-unregister-broker.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { defineHandler } from './handler.js';

export const unregisterBrokerHandler = defineHandler({
  api: UnregisterBrokerApi,
  async handle(ctx, request) {
    const heartbeats = ctx.broker.brokerHeartbeats;
    if (!heartbeats || !ctx.broker.controller.isActive())
      return { throttleTimeMs: 0, errorCode: ErrorCode.NOT_CONTROLLER, errorMessage: null };
    const result = await heartbeats.unregister(request.brokerId);
    return { throttleTimeMs: 0, errorCode: result.errorCode, errorMessage: null };
  },
});
