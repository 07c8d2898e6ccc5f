/**
 * The Scheduler port: time and timers as an injected dependency of every driver (the Raft driver,
 * broker registration and heartbeats, the replica fetchers, the ISR check, delayed produce/fetch,
 * the group and transaction deadlines, the peer clients' request timeouts).
 * NodeScheduler runs on Node's timers (unref'd unless `keepAlive`, as each driver had them);
 * ManualScheduler only moves when a test or the simulation runs it, one timer at a time in due
 * order (ties in the order they were set), so a seeded run is reproducible.
 * ScopedScheduler is a view on another scheduler whose timers all stop at once (a node's crash).
 * Pure state machines do not take a Scheduler: they keep taking `now` as a parameter.
 * Leaves out: wall-clock (Date) time of day; priorities.
 */
import { ManualClock, SystemClock, type Clock } from './clock.js';

/** A timer that has been set; cancel() is idempotent and harmless after it fired. */
export interface Timer {
  cancel(): void;
}

export interface Scheduler extends Clock {
  /** Calls `fire` once, `ms` milliseconds from now (negative counts as 0). */
  after(ms: number, fire: () => void): Timer;
  /** Calls `fire` every `ms` milliseconds (at least 1) until cancelled. */
  every(ms: number, fire: () => void): Timer;
  /** Calls `fire` once the current work is done, before any timer due later. */
  soon(fire: () => void): Timer;
}

/** Node's setTimeout takes at most 2^31 - 1 ms. */
const MAX_DELAY_MS = 2 ** 31 - 1;

function clampDelay(ms: number): number {
  return Math.max(0, Math.min(Number.isFinite(ms) ? ms : MAX_DELAY_MS, MAX_DELAY_MS));
}

export interface NodeSchedulerOptions {
  /** Timers keep the process alive (Node's default); otherwise they are unref'd. */
  readonly keepAlive?: boolean;
}

export class NodeScheduler implements Scheduler {
  private readonly keepAlive: boolean;

  constructor(
    private readonly clock: Clock = new SystemClock(),
    options: NodeSchedulerOptions = {},
  ) {
    this.keepAlive = options.keepAlive === true;
  }

  now(): number {
    return this.clock.now();
  }

  after(ms: number, fire: () => void): Timer {
    const timer = setTimeout(fire, clampDelay(ms));
    if (!this.keepAlive) timer.unref();
    return { cancel: () => clearTimeout(timer) };
  }

  every(ms: number, fire: () => void): Timer {
    const timer = setInterval(fire, Math.max(1, clampDelay(ms)));
    if (!this.keepAlive) timer.unref();
    return { cancel: () => clearInterval(timer) };
  }

  /**
   * Always a referenced immediate: Node runs an unref'd immediate only once the event loop wakes for
   * something else (its poll phase blocks while no referenced immediate is pending), so an unref'd
   * one waited for the next timer or socket event. That delayed a lone broker's first heartbeat
   * after registration by up to a second (startBroker() took ~1 s in most calls after the first).
   * A pending immediate keeps the process alive for one loop turn at most.
   */
  soon(fire: () => void): Timer {
    const immediate = setImmediate(fire);
    return { cancel: () => clearImmediate(immediate) };
  }
}

/** The scheduler a component gets when its caller gave only a Clock. */
export function schedulerFor(clock: Clock, scheduler?: Scheduler, options?: NodeSchedulerOptions): Scheduler {
  return scheduler ?? (isScheduler(clock) ? clock : new NodeScheduler(clock, options));
}

function isScheduler(clock: Clock): clock is Scheduler {
  const candidate = clock as Partial<Scheduler>;
  return typeof candidate.after === 'function' && typeof candidate.soon === 'function';
}

interface ManualTimer {
  at: number;
  readonly seq: number;
  readonly fire: () => void;
  readonly intervalMs: number | null;
  cancelled: boolean;
}

export class ManualScheduler implements Scheduler {
  readonly clock: ManualClock;
  private queue: ManualTimer[] = [];
  private seq = 0;
  /** Timers fired so far. */
  fired = 0;

  constructor(start = 0) {
    this.clock = new ManualClock(start);
  }

  now(): number {
    return this.clock.now();
  }

  after(ms: number, fire: () => void): Timer {
    return this.add(this.now() + clampDelay(ms), fire, null);
  }

  every(ms: number, fire: () => void): Timer {
    const interval = Math.max(1, clampDelay(ms));
    return this.add(this.now() + interval, fire, interval);
  }

  soon(fire: () => void): Timer {
    return this.add(this.now(), fire, null);
  }

  private add(at: number, fire: () => void, intervalMs: number | null): Timer {
    const timer: ManualTimer = { at, seq: this.seq++, fire, intervalMs, cancelled: false };
    this.queue.push(timer);
    return {
      cancel: () => {
        timer.cancelled = true;
      },
    };
  }

  /** Timers set and not yet fired or cancelled. */
  pending(): number {
    return this.queue.filter((t) => !t.cancelled).length;
  }

  /** When the next timer is due (Infinity when none is set). */
  nextAt(): number {
    const next = this.peek();
    return next ? next.at : Number.POSITIVE_INFINITY;
  }

  private peek(): ManualTimer | undefined {
    let best: ManualTimer | undefined;
    const live: ManualTimer[] = [];
    for (const t of this.queue) {
      if (t.cancelled) continue;
      live.push(t);
      if (!best || t.at < best.at || (t.at === best.at && t.seq < best.seq)) best = t;
    }
    this.queue = live;
    return best;
  }

  /**
   * Moves the clock to the next timer (never backwards) and fires it; returns false when no timer
   * is set, or when the next one is later than `until`.
   */
  runNext(until = Number.POSITIVE_INFINITY): boolean {
    const next = this.peek();
    if (!next || next.at > until) return false;
    if (next.at > this.now()) this.clock.set(next.at);
    if (next.intervalMs === null) next.cancelled = true;
    else next.at = this.now() + next.intervalMs;
    this.fired++;
    next.fire();
    return true;
  }

  /** Fires every timer due within `ms` from now, in order (bounded by `maxTimers`), then sets the clock to now + ms. */
  advance(ms: number, maxTimers = 1_000_000): number {
    const end = this.now() + Math.max(0, ms);
    let count = 0;
    while (count < maxTimers && this.runNext(end)) count++;
    if (this.now() < end) this.clock.set(end);
    return count;
  }
}

/**
 * A view on another scheduler that remembers the timers set through it, so that close() stops them
 * all at once (a simulated node's crash, a component's stop). After close() new timers never fire.
 */
export class ScopedScheduler implements Scheduler {
  private readonly live = new Set<Timer>();
  private closed = false;

  constructor(private readonly inner: Scheduler) {}

  now(): number {
    return this.inner.now();
  }

  after(ms: number, fire: () => void): Timer {
    return this.track((wrapped) => this.inner.after(ms, wrapped), fire, true);
  }

  every(ms: number, fire: () => void): Timer {
    return this.track((wrapped) => this.inner.every(ms, wrapped), fire, false);
  }

  soon(fire: () => void): Timer {
    return this.track((wrapped) => this.inner.soon(wrapped), fire, true);
  }

  private track(set: (wrapped: () => void) => Timer, fire: () => void, once: boolean): Timer {
    if (this.closed) return { cancel: () => {} };
    let timer: Timer | null = null;
    const handle: Timer = {
      cancel: () => {
        timer?.cancel();
        this.live.delete(handle);
      },
    };
    timer = set(() => {
      if (this.closed) return;
      if (once) this.live.delete(handle);
      fire();
    });
    this.live.add(handle);
    return handle;
  }

  isClosed(): boolean {
    return this.closed;
  }

  /** Cancels every timer set through this view; later ones are refused (never fire). */
  close(): void {
    this.closed = true;
    for (const timer of [...this.live]) timer.cancel();
    this.live.clear();
  }
}
