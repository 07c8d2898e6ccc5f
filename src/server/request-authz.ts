/**
 * Authorization as a handler asks for it: "may the sender of this request do OP on this
 * resource", answered by the broker's StandardAuthorizer for the connection's principal and
 * address. Without an authorizer (`authorizer.class.name` empty) everything is allowed, as on
 * Kafka. Requests on controller listeners are checked as the connection's principal too (the
 * other node's login; controller-api-rules.ts); a forwarded client request (Envelope) runs as the
 * client's principal, a node's own forwarded request unchecked (`trusted`: its sender passed
 * CLUSTER_ACTION).
 */
import type { RequestContext } from './request-context.js';
import { principalToString } from './principal.js';
import {
  AclOperation,
  CLUSTER_RESOURCE_NAME,
  OPERATIONS_BY_RESOURCE_TYPE,
  ResourceType,
  operationBits,
} from '../metadata/acl-types.js';
import type { Requester } from '../metadata/standard-authorizer.js';

/** Sent in authorized-operation fields when the client did not ask for them. */
export const OPERATIONS_NOT_REQUESTED = -2147483648;

export class RequestAuthz {
  private readonly who: Requester;

  constructor(private readonly ctx: RequestContext) {
    this.who = { principal: principalToString(ctx.principal), host: ctx.clientHost };
  }

  /** False when every check passes anyway (no authorizer, or a trusted request). */
  get enforcing(): boolean {
    return this.ctx.broker.authorizer !== undefined && this.ctx.trusted !== true;
  }

  allowed(operation: number, resourceType: number, resourceName: string): boolean {
    const authorizer = this.ctx.broker.authorizer;
    if (authorizer === undefined || this.ctx.trusted === true) return true;
    return authorizer.authorize(this.who, operation, resourceType, resourceName);
  }

  onCluster(operation: number): boolean {
    return this.allowed(operation, ResourceType.CLUSTER, CLUSTER_RESOURCE_NAME);
  }

  onTopic(operation: number, topic: string): boolean {
    return this.allowed(operation, ResourceType.TOPIC, topic);
  }

  onGroup(operation: number, group: string): boolean {
    return this.allowed(operation, ResourceType.GROUP, group);
  }

  onTransactionalId(operation: number, transactionalId: string): boolean {
    return this.allowed(operation, ResourceType.TRANSACTIONAL_ID, transactionalId);
  }

  /** Whether OP is allowed on at least one resource of the type (Kafka's authorizeByResourceType). */
  onAnyOfType(operation: number, resourceType: number): boolean {
    const authorizer = this.ctx.broker.authorizer;
    if (authorizer === undefined || this.ctx.trusted === true) return true;
    return authorizer.authorizeByResourceType(this.who, operation, resourceType);
  }

  /** The authorized-operations bit field of a resource (every operation of its type checked). */
  operations(resourceType: number, resourceName: string): number {
    const ops = OPERATIONS_BY_RESOURCE_TYPE[resourceType] ?? [];
    return operationBits(ops.filter((op) => this.allowed(op, resourceType, resourceName)));
  }

  /** The bit field when asked for, else OPERATIONS_NOT_REQUESTED. */
  operationsIf(requested: boolean, resourceType: number, resourceName: string): number {
    return requested ? this.operations(resourceType, resourceName) : OPERATIONS_NOT_REQUESTED;
  }

  /** The name of a topic by id, for requests that name topics by id (null when unknown). */
  topicNameById(topicId: string): string | null {
    return this.ctx.broker.controller.image.topicsById.get(topicId)?.name ?? null;
  }
}

export function authz(ctx: RequestContext): RequestAuthz {
  return new RequestAuthz(ctx);
}

export { AclOperation, ResourceType };
