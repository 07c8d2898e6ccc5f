/**
 * AlterPartition (key 56), versions 0-3, on the controller listener: a partition leader asks the
 * active controller to change its ISR (followers that caught up join, laggards leave). The checks
 * and the commit are src/controller/alter-partition.ts: no topics, an empty answer; NOT_CONTROLLER;
 * STALE_BROKER_EPOCH unless the sender is registered at the request's BrokerEpoch; and per
 * partition, in Kafka 3.9's order, UNKNOWN_TOPIC_ID (v2+) / UNKNOWN_TOPIC_OR_PARTITION,
 * NOT_CONTROLLER (epochs ahead), FENCED_LEADER_EPOCH, INVALID_REQUEST (not the leader),
 * INVALID_UPDATE_VERSION, INVALID_REQUEST (bad ISR), INELIGIBLE_REPLICA (OPERATION_NOT_ATTEMPTED
 * before v2), all against the controller's latest state, uncommitted records included. Topics by
 * name (v0-1) or id (v2+), ISR members with broker epochs from v3.
 * Leaves out: leader recovery state (always 0: recovered), eligible leader replicas (KIP-966).
 * With an authorizer, the sender's principal needs CLUSTER_ACTION on the cluster (else
 * CLUSTER_AUTHORIZATION_FAILED, checked first: server/controller-api-rules.ts), as Kafka's ControllerApis.
 */
import { AlterPartitionApi } from '../../protocol/generated/messages/56-alter-partition.js';
import { applyAlterPartition } from '../controller/alter-partition.js';
import { defineHandler } from './handler.js';

export const alterPartitionHandler = defineHandler({
  api: AlterPartitionApi,
  handle(ctx, request) {
    return applyAlterPartition(ctx.broker.controller, request, ctx.apiVersion);
  },
});
