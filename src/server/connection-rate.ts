/**
 * Connection creation rate limits, as Kafka's ConnectionQuotas applies them (KIP-612):
 *
 * - `max.connection.creation.rate` (the broker's client listeners together; the inter-broker
 *   listener is exempt when there are others) and `listener.name.<listener>.max.connection.creation.rate`:
 *   every new connection is counted; one that takes a rate over its limit is held, unserved, for
 *   the time the rate needs to come back to it (at most one quota window), and so is every
 *   connection arriving on that listener meanwhile, in order (Kafka's acceptor blocks). Then it is
 *   served.
 * - the `connection_creation_rate` quota of ip entities (ClientQuotaRecords: an IP, else the
 *   default ip entity): a connection that takes its IP's rate over the quota is not counted (nor
 *   for the broker and listener rates) and is closed once that throttle time has passed.
 *
 * Rates are Kafka's sampled rates over `quota.window.num` windows of `quota.window.size.seconds`
 * (sampled-rate.ts); a rate over its limit asks (rate - limit) / limit × the span measured,
 * bounded by one window. Controller listeners (other nodes) are not limited. `ConnectionRates` is
 * pure (time is a parameter); `ConnectionRateGate` holds the sockets and timers for a listener set.
 * Leaves out: IP matching by host name (an ip entity is an address literal; IPv4-mapped IPv6
 * client addresses match their IPv4 form).
 */
import { QuotaEntityType, type ClientQuotaEntry } from '../metadata/client-quotas.js';
import type { Scheduler, Timer } from '../common/scheduler.js';
import { SampledRate, type QuotaWindowConfig } from './quotas/sampled-rate.js';

/** Kafka's "no limit" for every connection rate. */
export const UNLIMITED_RATE = 2147483647;

/** Rates not recorded to for this long are dropped (Kafka's sensor expiry for ip entities). */
const INACTIVE_EXPIRY_MS = 3_600_000;

export interface ConnectionRateSettings {
  /** max.connection.creation.rate */
  brokerRate: number;
  /** listener.name.<listener>.max.connection.creation.rate, UNLIMITED_RATE when not set. */
  listenerRate(listenerName: string): number;
  /** The ip entity's connection_creation_rate for this client address, UNLIMITED_RATE when none. */
  ipRate(clientHost: string): number;
  /** Exempt from the broker-wide rate: the inter-broker listener, when there are other listeners. */
  protectedListener(listenerName: string): boolean;
}

/** The address as ip entities name it: an IPv4-mapped IPv6 address as its IPv4 form. */
export function normalizedIp(host: string): string {
  const lower = host.toLowerCase();
  return lower.startsWith('::ffff:') && lower.includes('.') ? lower.slice(7) : lower;
}

/** The connection_creation_rate of an ip (its own entity, else the default ip entity), from the image's quotas. */
export function ipConnectionRate(quotas: ReadonlyMap<string, ClientQuotaEntry>, clientHost: string): number {
  const ip = normalizedIp(clientHost);
  let fallback = UNLIMITED_RATE;
  for (const entry of quotas.values()) {
    const part = entry.entity[0];
    if (entry.entity.length !== 1 || part?.entityType !== QuotaEntityType.IP) continue;
    const rate = entry.quotas.get('connection_creation_rate');
    if (rate === undefined) continue;
    if (part.entityName === null) fallback = rate;
    else if (normalizedIp(part.entityName) === ip) return rate;
  }
  return fallback;
}

interface Tracked {
  rate: SampledRate;
  lastUsedMs: number;
}

export class ConnectionRates {
  private readonly rates = new Map<string, Tracked>();
  private lastSweepMs = 0;

  constructor(
    readonly window: QuotaWindowConfig,
    private readonly settings: () => ConnectionRateSettings,
  ) {}

  /**
   * Counts a new connection on `listenerName` against the broker and listener rates and answers how
   * long it must wait before it is served (0: at once).
   */
  recordConnection(listenerName: string, nowMs: number): number {
    const s = this.settings();
    const broker = s.protectedListener(listenerName) ? 0 : this.record('broker', s.brokerRate, 1, nowMs);
    return Math.max(broker, this.record(`listener:${listenerName}`, s.listenerRate(listenerName), 1, nowMs));
  }

  /**
   * Counts a connection against its IP's rate, once it is through the broker and listener rates.
   * Over the quota: not counted (here, nor for the broker and listener rates), and the answer is how
   * long to wait before closing it; 0 to serve it.
   */
  recordIp(listenerName: string, clientHost: string, nowMs: number): number {
    const s = this.settings();
    const limit = s.ipRate(clientHost);
    if (limit >= UNLIMITED_RATE) return 0;
    const key = `ip:${normalizedIp(clientHost)}`;
    const throttleMs = this.record(key, limit, 1, nowMs);
    if (throttleMs === 0) return 0;
    this.record(key, limit, -1, nowMs);
    if (!s.protectedListener(listenerName)) this.record('broker', s.brokerRate, -1, nowMs);
    this.record(`listener:${listenerName}`, s.listenerRate(listenerName), -1, nowMs);
    return throttleMs;
  }

  /** The rate measured now for a key (`broker`, `listener:<name>`, `ip:<address>`), for tests and metrics. */
  measure(key: string, nowMs: number): number {
    return this.rates.get(key)?.rate.measure(nowMs) ?? 0;
  }

  /** Records `value` on a rate with this limit; the throttle it asks (0 within the limit). Unlimited rates record nothing. */
  private record(key: string, limit: number, value: number, nowMs: number): number {
    if (limit >= UNLIMITED_RATE) return 0;
    if (nowMs - this.lastSweepMs >= 60_000) {
      this.lastSweepMs = nowMs;
      for (const [k, t] of this.rates) if (nowMs - t.lastUsedMs >= INACTIVE_EXPIRY_MS) this.rates.delete(k);
    }
    let tracked = this.rates.get(key);
    if (!tracked) {
      tracked = { rate: new SampledRate(this.window), lastUsedMs: nowMs };
      this.rates.set(key, tracked);
    }
    tracked.lastUsedMs = nowMs;
    tracked.rate.record(value, nowMs);
    if (value < 0) return 0;
    const rate = tracked.rate.measure(nowMs);
    if (rate <= limit) return 0;
    const throttleMs = Math.round(((rate - limit) / limit) * tracked.rate.windowSizeMs(nowMs));
    return Math.min(throttleMs, this.window.windowMs);
  }
}

interface Waiting<S> {
  socket: S;
  serve: () => void;
}

/**
 * Applies the rates to the sockets of a node's listeners: each listener admits its new
 * connections in order, one at a time, waiting while a rate asks it to (Kafka's blocked acceptor).
 * `serve` makes the socket a connection; a socket over its IP's quota is destroyed after its
 * throttle time. Controller listeners go straight through.
 */
export class ConnectionRateGate<S extends { destroy(): void }> {
  private readonly queues = new Map<string, Array<Waiting<S>>>();
  private readonly blockedUntil = new Map<string, number>();
  private readonly timers = new Set<Timer>();
  private readonly throttled = new Set<S>();

  constructor(
    private readonly rates: ConnectionRates,
    private readonly scheduler: Scheduler,
    private readonly exempt: (listenerName: string) => boolean,
    private readonly onThrottled: (listenerName: string, clientHost: string, throttleMs: number) => void,
  ) {}

  /** A new socket on `listenerName` from `clientHost`: served now, later, or closed after a throttle. */
  admit(listenerName: string, clientHost: string, socket: S, serve: () => void): void {
    if (this.exempt(listenerName)) {
      serve();
      return;
    }
    const queue = this.queues.get(listenerName) ?? [];
    this.queues.set(listenerName, queue);
    queue.push({ socket, serve: () => this.afterRates(listenerName, clientHost, socket, serve) });
    if (queue.length === 1) this.drain(listenerName);
  }

  /** Sockets waiting or throttled: destroyed, timers cancelled (the node stops). */
  close(): void {
    for (const timer of this.timers) timer.cancel();
    this.timers.clear();
    for (const queue of this.queues.values()) for (const w of queue) w.socket.destroy();
    this.queues.clear();
    for (const socket of this.throttled) socket.destroy();
    this.throttled.clear();
  }

  /** Sockets held (waiting for a rate, or throttled before closing), for tests. */
  held(): number {
    let n = this.throttled.size;
    for (const queue of this.queues.values()) n += queue.length;
    return n;
  }

  private drain(listenerName: string): void {
    const queue = this.queues.get(listenerName);
    while (queue && queue.length > 0) {
      const now = this.scheduler.now();
      const until = this.blockedUntil.get(listenerName) ?? 0;
      if (now < until) {
        this.later(until - now, () => this.drain(listenerName));
        return;
      }
      const delayMs = this.rates.recordConnection(listenerName, now);
      const next = queue[0]!;
      if (delayMs > 0) {
        this.blockedUntil.set(listenerName, now + delayMs);
        this.later(delayMs, () => {
          queue.shift();
          next.serve();
          this.drain(listenerName);
        });
        return;
      }
      queue.shift();
      next.serve();
    }
  }

  private afterRates(listenerName: string, clientHost: string, socket: S, serve: () => void): void {
    const throttleMs = this.rates.recordIp(listenerName, clientHost, this.scheduler.now());
    if (throttleMs === 0) {
      serve();
      return;
    }
    this.onThrottled(listenerName, clientHost, throttleMs);
    this.throttled.add(socket);
    this.later(throttleMs, () => {
      this.throttled.delete(socket);
      socket.destroy();
    });
  }

  private later(ms: number, fire: () => void): void {
    const timer = this.scheduler.after(ms, () => {
      this.timers.delete(timer);
      fire();
    });
    this.timers.add(timer);
  }
}
