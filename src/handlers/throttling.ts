/**
 * Client quotas applied to requests (src/server/quotas/): every handler's request time is recorded
 * against request_percentage by defineHandler, Produce and Fetch record their bytes; the largest
 * throttle is kept in the request context, from which the response's throttle_time_ms is set and
 * after which the connection is muted (KIP-219: respond first, then mute). Exempt, as on Kafka:
 * requests from other nodes (controller listeners), follower fetches (their handler records
 * nothing), requests forwarded in an Envelope (the forwarding broker throttles its own client), and
 * the request quota of Produce with acks=0. The controller mutation quota (CreateTopics,
 * CreatePartitions, DeleteTopics) is applied where Kafka applies it, on the active controller, so
 * forwarded requests count there (as their client: the Envelope's principal and the inner client
 * id) and only other nodes' own requests are exempt.
 */
import type { RequestContext } from '../server/request-context.js';
import { UNBOUNDED_MUTATION_QUOTA, type MutationQuota } from '../server/quotas/controller-mutation-quota.js';

/** The message Kafka gives with THROTTLING_QUOTA_EXCEEDED. */
export const THROTTLING_QUOTA_EXCEEDED_MESSAGE = 'The throttling quota has been exceeded.';

/** Whether quotas apply to this request at all: not to other nodes' requests nor forwarded ones. */
export function quotasApply(ctx: RequestContext): boolean {
  return ctx.broker.quotas !== undefined && ctx.interBroker !== true && ctx.forwarded !== true;
}

/** The user part of a client's quota identity: the principal's name (ANONYMOUS on PLAINTEXT). */
export function quotaUser(ctx: RequestContext): string {
  return ctx.principal.name;
}

/** Folds a throttle into the request's: the response carries the largest, and the connection mutes for it. */
export function throttleBy(ctx: RequestContext, throttleMs: number): void {
  if (throttleMs > (ctx.throttleTimeMs ?? 0)) ctx.throttleTimeMs = throttleMs;
}

/**
 * Records the event-loop time a request took (`busyMs`) against the client's request_percentage
 * quota and folds the throttle into the context.
 */
export function noteRequestTime(ctx: RequestContext, busyMs: number): void {
  const quotas = ctx.broker.quotas;
  if (quotas === undefined || !quotasApply(ctx) || !quotas.request.enabled()) return;
  const now = ctx.clock.now();
  const user = quotaUser(ctx);
  const clientId = ctx.clientId ?? '';
  // percentage of one second: 1 ms busy is 0.1 %
  const throttleMs = quotas.request.recordAndGetThrottleMs(user, clientId, busyMs / 10, now);
  if (throttleMs > 0) quotas.request.noteThrottle(user, clientId, throttleMs, now);
  throttleBy(ctx, throttleMs);
}

/** Produce: records the request's size against producer_byte_rate (whatever acks is). */
export function throttleProduce(ctx: RequestContext): void {
  const quotas = ctx.broker.quotas;
  if (quotas === undefined || !quotasApply(ctx) || !quotas.produce.enabled()) return;
  const now = ctx.clock.now();
  const user = quotaUser(ctx);
  const clientId = ctx.clientId ?? '';
  const throttleMs = quotas.produce.recordAndGetThrottleMs(user, clientId, ctx.requestBytes ?? 0, now);
  if (throttleMs > 0) quotas.produce.noteThrottle(user, clientId, throttleMs, now);
  throttleBy(ctx, throttleMs);
}

/** Fetch from a consumer: the most it may read at once (consumer_byte_rate × (samples - 1) windows). */
export function fetchQuotaBytes(ctx: RequestContext): number {
  const quotas = ctx.broker.quotas;
  if (quotas === undefined || !quotasApply(ctx) || !quotas.fetch.enabled()) return Number.POSITIVE_INFINITY;
  return quotas.fetch.maxValueInWindow(quotaUser(ctx), ctx.clientId ?? '');
}

/**
 * Fetch from a consumer about to return `bytes`: records them against consumer_byte_rate; over
 * the quota they are taken back (the answer carries no data, as Kafka's) and true is returned.
 */
export function throttleFetch(ctx: RequestContext, bytes: number): boolean {
  const quotas = ctx.broker.quotas;
  if (quotas === undefined || !quotasApply(ctx) || !quotas.fetch.enabled()) return false;
  const now = ctx.clock.now();
  const user = quotaUser(ctx);
  const clientId = ctx.clientId ?? '';
  const throttleMs = quotas.fetch.recordAndGetThrottleMs(user, clientId, bytes, now);
  if (throttleMs <= 0) return false;
  quotas.fetch.unrecord(user, clientId, bytes, now);
  quotas.fetch.noteThrottle(user, clientId, throttleMs, now);
  throttleBy(ctx, throttleMs);
  return true;
}

/**
 * The controller mutation quota of a CreateTopics, CreatePartitions or DeleteTopics request:
 * strict from `strictSinceVersion` on, permissive before; unbounded for other nodes' own requests
 * and clients without a controller_mutation_rate.
 */
export function mutationQuota(ctx: RequestContext, strictSinceVersion: number): MutationQuota {
  const quotas = ctx.broker.quotas;
  if (quotas === undefined || ctx.interBroker === true) return UNBOUNDED_MUTATION_QUOTA;
  return quotas.mutation.quotaFor(quotaUser(ctx), ctx.clientId ?? '', ctx.apiVersion >= strictSinceVersion);
}

/** Counts `partitions` mutations; true when the quota refuses them (strict and already exceeded). */
export function mutationRefused(ctx: RequestContext, quota: MutationQuota, partitions: number): boolean {
  return quota.record(partitions, ctx.clock.now()) > 0;
}

/** At the end of the request: its throttle (what the bucket needs to be back at zero) into the response. */
export function throttleMutations(ctx: RequestContext, quota: MutationQuota): void {
  throttleBy(ctx, quota.throttleMs(ctx.clock.now()));
}
