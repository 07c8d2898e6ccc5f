/**
 * One kind of client quota (producer_byte_rate, consumer_byte_rate, request_percentage), enforced
 * as Kafka's ClientQuotaManager does. The quota of a client (its user principal's name and its
 * client id) is the most specific of the stored ClientQuotaRecords, in Kafka's order:
 * user + client-id, user + default client-id, user, default user + client-id, default user +
 * default client-id, default user, client-id, default client-id. Clients that resolve to the same
 * entry share one sampled rate: a user quota is shared by all the user's clients, a default
 * user quota is applied to each user separately. Recording a value that brings the rate over the
 * quota answers the time to wait so the rate falls back to it (Kafka's QuotaUtils.throttleTime:
 * (rate - quota) / quota × the span measured), capped for request_percentage at one window.
 * Rates unused for an hour are dropped. Pure: time is a parameter; the quotas are read from the
 * metadata image through `source`, indexed again only when they change.
 */
import { QuotaEntityType, type ClientQuotaEntry } from '../../metadata/client-quotas.js';
import { SampledRate, type QuotaWindowConfig } from './sampled-rate.js';

export type ClientQuotaKey =
  | 'producer_byte_rate'
  | 'consumer_byte_rate'
  | 'request_percentage'
  /** Only resolved here (the most specific entry); its token buckets are in controller-mutation-quota.ts. */
  | 'controller_mutation_rate';

/** Where the quotas live: the metadata image's map and a counter that moves when it changes. */
export interface QuotaSource {
  readonly clientQuotas: ReadonlyMap<string, ClientQuotaEntry>;
  readonly clientQuotasVersion: number;
}

/** Rates not recorded to for this long are dropped (Kafka's inactive sensor expiry). */
const INACTIVE_EXPIRY_MS = 3_600_000;
const SWEEP_EVERY_MS = 60_000;

/** absent / default / a name, in an index key. */
type Part = { kind: 'absent' } | { kind: 'default' } | { kind: 'name'; name: string };
const ABSENT: Part = { kind: 'absent' };
const DEFAULT: Part = { kind: 'default' };
const named = (name: string): Part => ({ kind: 'name', name });

function indexKey(user: Part, clientId: Part): string {
  const enc = (p: Part): string => (p.kind === 'name' ? `n${p.name}` : p.kind === 'default' ? 'd' : 'a');
  return JSON.stringify([enc(user), enc(clientId)]);
}

/** The rate a client is measured on: its metric tags (user, client-id; '' when not part of the quota) and limit. */
export interface ResolvedQuota {
  userTag: string;
  clientIdTag: string;
  limit: number;
}

interface Tracked {
  rate: SampledRate;
  lastUsedMs: number;
  /** Sum of the throttle times answered, for /metrics. */
  throttleMsTotal: number;
}

export class ClientQuotaManager {
  private index = new Map<string, number>();
  private indexedMap: ReadonlyMap<string, ClientQuotaEntry> | null = null;
  private indexedVersion = -1;
  private readonly tracked = new Map<string, Tracked>();
  private lastSweepMs = 0;

  constructor(
    readonly key: ClientQuotaKey,
    readonly window: QuotaWindowConfig,
    private readonly source: () => QuotaSource,
    /** The longest throttle answered (request_percentage: one window, as Kafka). */
    private readonly maxThrottleMs = Number.POSITIVE_INFINITY,
  ) {}

  /** Whether any quota of this kind is set: when none is, nothing is recorded. */
  enabled(): boolean {
    return this.refreshedIndex().size > 0;
  }

  /** The quota applying to a client, with the tags of the rate it is measured on; null when none. */
  resolve(user: string, clientId: string): ResolvedQuota | null {
    const index = this.refreshedIndex();
    if (index.size === 0) return null;
    const u = named(user);
    const c = named(clientId);
    const steps: Array<[Part, Part, boolean, boolean]> = [
      [u, c, true, true],
      [u, DEFAULT, true, true],
      [u, ABSENT, true, false],
      [DEFAULT, c, true, true],
      [DEFAULT, DEFAULT, true, true],
      [DEFAULT, ABSENT, true, false],
      [ABSENT, c, false, true],
      [ABSENT, DEFAULT, false, true],
    ];
    for (const [userPart, clientPart, tagUser, tagClient] of steps) {
      const limit = index.get(indexKey(userPart, clientPart));
      if (limit !== undefined) return { userTag: tagUser ? user : '', clientIdTag: tagClient ? clientId : '', limit };
    }
    return null;
  }

  /**
   * Records `value` for the client at `nowMs` and answers how long it must wait (0 within quota).
   * Clients with no quota record nothing.
   */
  recordAndGetThrottleMs(user: string, clientId: string, value: number, nowMs: number): number {
    const quota = this.resolve(user, clientId);
    if (quota === null) return 0;
    const tracked = this.trackedFor(quota, nowMs);
    tracked.rate.record(value, nowMs);
    const rate = tracked.rate.measure(nowMs);
    if (rate <= quota.limit) return 0;
    const throttleMs = Math.round(((rate - quota.limit) / quota.limit) * tracked.rate.windowSizeMs(nowMs));
    return Math.min(throttleMs, this.maxThrottleMs);
  }

  /** Takes back a value recorded at `nowMs` (a throttled Fetch returns no data, so its bytes do not count). */
  unrecord(user: string, clientId: string, value: number, nowMs: number): void {
    const quota = this.resolve(user, clientId);
    if (quota === null) return;
    this.trackedFor(quota, nowMs).rate.record(-value, nowMs);
  }

  /** Notes a throttle answered to the client, for /metrics. */
  noteThrottle(user: string, clientId: string, throttleMs: number, nowMs: number): void {
    const quota = this.resolve(user, clientId);
    if (quota !== null) this.trackedFor(quota, nowMs).throttleMsTotal += throttleMs;
  }

  /**
   * The most that can be recorded at once without being throttled for sure (quota × (samples - 1)
   * windows): Fetch caps its size to it so a consumer always makes progress. Infinity without a quota.
   */
  maxValueInWindow(user: string, clientId: string): number {
    const quota = this.resolve(user, clientId);
    if (quota === null) return Number.POSITIVE_INFINITY;
    return quota.limit * (this.window.samples - 1) * (this.window.windowMs / 1000);
  }

  /** The rates measured now, by tags, for /metrics. */
  snapshot(nowMs: number): Array<{ user: string; clientId: string; rate: number; throttleMsTotal: number }> {
    return [...this.tracked.entries()].map(([tags, t]) => {
      const [user, clientId] = JSON.parse(tags) as [string, string];
      return { user, clientId, rate: t.rate.measure(nowMs), throttleMsTotal: t.throttleMsTotal };
    });
  }

  private trackedFor(quota: ResolvedQuota, nowMs: number): Tracked {
    if (nowMs - this.lastSweepMs >= SWEEP_EVERY_MS) this.sweep(nowMs);
    const tags = JSON.stringify([quota.userTag, quota.clientIdTag]);
    let tracked = this.tracked.get(tags);
    if (!tracked) {
      tracked = { rate: new SampledRate(this.window), lastUsedMs: nowMs, throttleMsTotal: 0 };
      this.tracked.set(tags, tracked);
    }
    tracked.lastUsedMs = nowMs;
    return tracked;
  }

  private sweep(nowMs: number): void {
    this.lastSweepMs = nowMs;
    for (const [tags, t] of this.tracked) if (nowMs - t.lastUsedMs >= INACTIVE_EXPIRY_MS) this.tracked.delete(tags);
  }

  /** The entries with this quota key, by user / client-id part, rebuilt when the image's quotas change. */
  private refreshedIndex(): Map<string, number> {
    const src = this.source();
    if (src.clientQuotas === this.indexedMap && src.clientQuotasVersion === this.indexedVersion) return this.index;
    const index = new Map<string, number>();
    for (const entry of src.clientQuotas.values()) {
      const limit = entry.quotas.get(this.key);
      if (limit === undefined) continue;
      let user: Part = ABSENT;
      let clientId: Part = ABSENT;
      let other = false;
      for (const part of entry.entity) {
        const value = part.entityName === null ? DEFAULT : named(part.entityName);
        if (part.entityType === QuotaEntityType.USER) user = value;
        else if (part.entityType === QuotaEntityType.CLIENT_ID) clientId = value;
        else other = true;
      }
      if (!other) index.set(indexKey(user, clientId), limit);
    }
    this.index = index;
    this.indexedMap = src.clientQuotas;
    this.indexedVersion = src.clientQuotasVersion;
    return index;
  }
}
