/**
 * Authorized-operation bit fields, as Metadata, DescribeCluster, DescribeGroups,
 * ConsumerGroupDescribe and DescribeTopicPartitions report them when asked: one bit per
 * Kafka AclOperation code the principal may do on the resource (authorizer/request-authz.ts;
 * without an authorizer every operation of the resource type).
 */
import type { RequestContext } from '../server/request-context.js';
import { RequestAuthz, OPERATIONS_NOT_REQUESTED } from '../server/request-authz.js';
import {
  CLUSTER_RESOURCE_NAME,
  OPERATIONS_BY_RESOURCE_TYPE,
  ResourceType,
  operationBits,
} from '../metadata/acl-types.js';

export { OPERATIONS_NOT_REQUESTED };

export function clusterOperations(ctx: RequestContext, requested: boolean): number {
  return new RequestAuthz(ctx).operationsIf(requested, ResourceType.CLUSTER, CLUSTER_RESOURCE_NAME);
}

export function topicOperations(ctx: RequestContext, requested: boolean, topic: string): number {
  return new RequestAuthz(ctx).operationsIf(requested, ResourceType.TOPIC, topic);
}

export function groupOperations(ctx: RequestContext, requested: boolean, groupId: string): number {
  return new RequestAuthz(ctx).operationsIf(requested, ResourceType.GROUP, groupId);
}

/** Every operation of the type: what the fields say without an authorizer. */
export const CLUSTER_OPERATIONS = operationBits(OPERATIONS_BY_RESOURCE_TYPE[ResourceType.CLUSTER] ?? []);
export const TOPIC_OPERATIONS = operationBits(OPERATIONS_BY_RESOURCE_TYPE[ResourceType.TOPIC] ?? []);
export const GROUP_OPERATIONS = operationBits(OPERATIONS_BY_RESOURCE_TYPE[ResourceType.GROUP] ?? []);
