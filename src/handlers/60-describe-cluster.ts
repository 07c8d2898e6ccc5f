/**
 * DescribeCluster (key 60), versions 0-2 (v2 as Kafka 4.0, KIP-1073: the schema is an overlay).
 *
 * The live (unfenced) brokers, and with IncludeFencedBrokers (v2) the fenced ones too, each
 * flagged IsFenced, with their endpoint on the listener the request came in on, the
 * cluster id, a controller id (this node, as a KRaft broker names a live broker) and,
 * when asked, the cluster's authorized operations (what the principal may do). v1: the
 * endpoint type must be BROKER (1) on a broker listener and CONTROLLER (2) on a controller
 * listener, else MISMATCHED_ENDPOINT_TYPE; any other UNSUPPORTED_ENDPOINT_TYPE (INVALID_REQUEST in
 * v0), as Kafka answers. On a controller listener (KIP-919) the answer lists the quorum's voters at
 * their controller.quorum.voters address and names the Raft leader as the controller (Kafka lists
 * the controllers' registrations, the same nodes in a static quorum).
 * On a controller listener, with an authorizer, it needs ALTER on the cluster (Kafka's ControllerApis:
 * "unlike on the broker"), else CLUSTER_AUTHORIZATION_FAILED (server/controller-api-rules.ts).
 */
import {
  DescribeClusterApi,
  type DescribeClusterResponse,
} from '../../protocol/generated/messages/60-describe-cluster.js';
import type { RequestContext } from '../server/request-context.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { defineHandler } from './handler.js';
import { OPERATIONS_NOT_REQUESTED, clusterOperations } from './authorized-operations.js';

const EndpointType = { BROKER: 1, CONTROLLER: 2 } as const;

export const describeClusterHandler = defineHandler({
  api: DescribeClusterApi,
  handle(ctx, request) {
    const { broker, apiVersion } = ctx;
    const empty = {
      throttleTimeMs: 0,
      endpointType: EndpointType.BROKER,
      clusterId: '',
      controllerId: -1,
      brokers: [],
      clusterAuthorizedOperations: OPERATIONS_NOT_REQUESTED,
    };
    if (request.endpointType !== EndpointType.BROKER && request.endpointType !== EndpointType.CONTROLLER) {
      return {
        ...empty,
        errorCode: apiVersion === 0 ? ErrorCode.INVALID_REQUEST : ErrorCode.UNSUPPORTED_ENDPOINT_TYPE,
        errorMessage: `Unsupported endpoint type ${request.endpointType}`,
      };
    }
    if (ctx.controllerListener === true) {
      if (request.endpointType !== EndpointType.CONTROLLER)
        return mismatched(empty, apiVersion, 'CONTROLLER', 'BROKER');
      return describeControllers(ctx, request.includeClusterAuthorizedOperations);
    }
    if (request.endpointType !== EndpointType.BROKER) return mismatched(empty, apiVersion, 'BROKER', 'CONTROLLER');
    const includeFenced = apiVersion >= 2 && request.includeFencedBrokers;
    const brokers = [...broker.controller.image.brokers.values()]
      .filter((b) => includeFenced || !b.fenced)
      .sort((a, b) => a.brokerId - b.brokerId)
      .flatMap((b) => {
        const endpoint = b.endpoints.find((e) => e.name === ctx.listenerName) ?? b.endpoints[0];
        return endpoint
          ? [{ brokerId: b.brokerId, host: endpoint.host, port: endpoint.port, rack: b.rack, isFenced: b.fenced }]
          : [];
      });
    return {
      throttleTimeMs: 0,
      errorCode: 0,
      errorMessage: null,
      endpointType: EndpointType.BROKER,
      clusterId: broker.clusterId,
      controllerId: brokers.some((b) => b.brokerId === broker.nodeId && !b.isFenced)
        ? broker.nodeId
        : (brokers.find((b) => !b.isFenced)?.brokerId ?? -1),
      brokers,
      clusterAuthorizedOperations: clusterOperations(ctx, request.includeClusterAuthorizedOperations),
    };
  },
});

/** MISMATCHED_ENDPOINT_TYPE (INVALID_REQUEST in v0) with Kafka's computeDescribeClusterResponse message. */
function mismatched(
  empty: Omit<DescribeClusterResponse, 'errorCode' | 'errorMessage'>,
  apiVersion: number,
  served: string,
  wanted: string,
): DescribeClusterResponse {
  return {
    ...empty,
    errorCode: apiVersion === 0 ? ErrorCode.INVALID_REQUEST : ErrorCode.MISMATCHED_ENDPOINT_TYPE,
    errorMessage: `The request was sent to an endpoint of type ${served}, but we wanted an endpoint of type ${wanted}`,
  };
}

/**
 * On a controller listener (KIP-919, what an admin client given bootstrap.controllers asks): the
 * quorum's controllers at their controller listener, as Kafka's ControllerApis answers from the
 * controller registrations, and the Raft leader as the controller id (-1 while there is none).
 */
function describeControllers(ctx: RequestContext, includeOperations: boolean): DescribeClusterResponse {
  const voters = ctx.broker.quorumVoters ?? new Map<number, { host: string; port: number }>();
  return {
    throttleTimeMs: 0,
    errorCode: 0,
    errorMessage: null,
    endpointType: EndpointType.CONTROLLER,
    clusterId: ctx.broker.clusterId,
    controllerId: ctx.broker.quorum?.leaderId() ?? -1,
    brokers: [...voters.entries()]
      .sort(([a], [b]) => a - b)
      .map(([id, address]) => ({ brokerId: id, host: address.host, port: address.port, rack: null, isFenced: false })),
    clusterAuthorizedOperations: clusterOperations(ctx, includeOperations),
  };
}
