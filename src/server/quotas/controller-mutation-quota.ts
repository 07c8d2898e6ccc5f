/**
 * The `controller_mutation_rate` quota, as Kafka's ControllerMutationQuotaManager enforces it
 * (KIP-599): the partitions a client creates (CreateTopics, CreatePartitions) or deletes
 * (DeleteTopics) are counted against a token bucket per quota entity, refilled at the quota's rate
 * and holding at most `quota.window.num × quota.window.size.seconds × rate` tokens. The entity is
 * resolved as for the other client quotas (user / client-id precedence, ClientQuotaManager).
 *
 * Two modes, chosen by the request's version as Kafka chooses them:
 * - strict (CreateTopics v6+, CreatePartitions v3+, DeleteTopics v5+): a mutation is refused with
 *   THROTTLING_QUOTA_EXCEEDED while the bucket is below zero; one that finds it at zero or above is
 *   accepted whole, even if it takes the bucket below zero (so a single large topic is never
 *   refused for ever);
 * - permissive (older versions): every mutation is accepted and recorded.
 * Either way the response's throttle_time_ms is the time the bucket needs to be back at zero
 * (-tokens / rate), less the time elapsed since it was measured. Pure: time is a parameter.
 */
import { ClientQuotaManager, type QuotaSource } from './client-quota-manager.js';
import { TokenBucket, type QuotaWindowConfig } from './sampled-rate.js';

/** The versions from which a request's mutations are strictly limited (Kafka's strictSinceVersion). */
export const STRICT_MUTATION_QUOTA_SINCE: Readonly<
  Record<'createTopics' | 'createPartitions' | 'deleteTopics', number>
> = { createTopics: 6, createPartitions: 3, deleteTopics: 5 };

/** Buckets not used for this long are dropped (Kafka's inactive sensor expiry). */
const INACTIVE_EXPIRY_MS = 3_600_000;

/** One request's view of its client's quota. */
export interface MutationQuota {
  /**
   * Counts `partitions` mutations at `nowMs`. Strict and the bucket already below zero: nothing is
   * recorded and the answer is the throttle (> 0) the refusal carries. Otherwise 0.
   */
  record(partitions: number, nowMs: number): number;
  /** The throttle to answer with at `nowMs`: what the last violation asked, less the time since. */
  throttleMs(nowMs: number): number;
}

/** A quota that never limits (no controller_mutation_rate applies to the client). */
export const UNBOUNDED_MUTATION_QUOTA: MutationQuota = { record: () => 0, throttleMs: () => 0 };

interface Bucket {
  tokens: TokenBucket;
  /** The refill rate it was last used with (the quota then). */
  rate: number;
  lastUsedMs: number;
}

/** How often buckets are swept for inactivity. */
const SWEEP_EVERY_MS = 60_000;

export class ControllerMutationQuotas {
  private readonly resolver: ClientQuotaManager;
  private readonly buckets = new Map<string, Bucket>();
  private lastSweepMs = 0;

  constructor(
    readonly window: QuotaWindowConfig,
    source: () => QuotaSource,
  ) {
    this.resolver = new ClientQuotaManager('controller_mutation_rate', window, source);
  }

  /** The quota of one request from this client; strict or permissive by the request's version. */
  quotaFor(user: string, clientId: string, strict: boolean): MutationQuota {
    const resolved = this.resolver.resolve(user, clientId);
    if (resolved === null) return UNBOUNDED_MUTATION_QUOTA;
    const rate = resolved.limit;
    const tags = JSON.stringify([resolved.userTag, resolved.clientIdTag]);
    let lastThrottleMs = 0;
    let lastRecordedMs = 0;
    const violated = (tokens: number, nowMs: number): void => {
      lastThrottleMs = Math.round((-tokens / rate) * 1000);
      lastRecordedMs = nowMs;
    };
    return {
      record: (partitions, nowMs) => {
        const bucket = this.bucket(tags, rate, nowMs).tokens;
        if (strict) {
          const before = bucket.measure(rate, nowMs);
          if (before < 0) {
            violated(before, nowMs);
            return lastThrottleMs;
          }
          bucket.record(partitions, rate, nowMs);
          return 0;
        }
        bucket.record(partitions, rate, nowMs);
        const after = bucket.measure(rate, nowMs);
        if (after < 0) violated(after, nowMs);
        return 0;
      },
      throttleMs: (nowMs) => Math.max(0, lastThrottleMs - (nowMs - lastRecordedMs)),
    };
  }

  /** Tokens left per entity (user, client-id tags; '' when not part of the quota), for /metrics. */
  snapshot(nowMs: number): Array<{ user: string; clientId: string; tokens: number }> {
    const out: Array<{ user: string; clientId: string; tokens: number }> = [];
    for (const [tags, bucket] of this.buckets) {
      const [user, clientId] = JSON.parse(tags) as [string, string];
      out.push({ user, clientId, tokens: bucket.tokens.measure(bucket.rate, nowMs) });
    }
    return out;
  }

  private bucket(tags: string, rate: number, nowMs: number): Bucket {
    if (nowMs - this.lastSweepMs >= SWEEP_EVERY_MS) {
      this.lastSweepMs = nowMs;
      for (const [key, b] of this.buckets) if (nowMs - b.lastUsedMs >= INACTIVE_EXPIRY_MS) this.buckets.delete(key);
    }
    let bucket = this.buckets.get(tags);
    if (!bucket) {
      bucket = { tokens: new TokenBucket(this.window), rate, lastUsedMs: nowMs };
      this.buckets.set(tags, bucket);
    }
    bucket.rate = rate;
    bucket.lastUsedMs = nowMs;
    return bucket;
  }
}
