/**
 * The fetch purgatory: a fetch that has not gathered minBytes is parked until one of
 * its partitions changes (append, truncation, deletion: `Partition.waitForChange`) or
 * its maxWaitMs deadline passes, then tried again. No polling: a parked fetch costs a
 * waiter per partition and one timer. Wake-ups are coalesced into one retry per
 * microtask. `close()` completes every parked fetch at once (broker shutdown).
 * The timer source is injected so tests can fire deadlines by hand.
 */
import type { Partition } from './replica-manager.js';
import { NodeScheduler, type Scheduler } from '../common/scheduler.js';

/** Schedules `fire` after `ms` milliseconds; returns a canceller. */
export type Schedule = (ms: number, fire: () => void) => () => void;

/** A Schedule on a Scheduler's timers (common/scheduler.ts). */
export function scheduleOn(scheduler: Scheduler): Schedule {
  return (ms, fire) => {
    const timer = scheduler.after(ms, fire);
    return () => timer.cancel();
  };
}

/** Node's timers, unref'd so a parked fetch never keeps the process alive. */
export const timerSchedule: Schedule = scheduleOn(new NodeScheduler());

/**
 * One try of a fetch: the result if it may be sent now (`final` forces it), or null to
 * keep waiting. `watch` lists the partitions whose changes should trigger a retry.
 */
export interface FetchAttempt<T> {
  attempt(final: boolean): T | null;
  watch(): Iterable<Partition>;
}

interface Parked {
  finish(): void;
}

export class FetchPurgatory {
  private readonly parked = new Set<Parked>();

  constructor(private readonly schedule: Schedule = timerSchedule) {}

  /** Fetches waiting right now. */
  get size(): number {
    return this.parked.size;
  }

  /** Tries now; if not satisfied, parks until a watched partition changes or `maxWaitMs` passes. */
  run<T>(maxWaitMs: number, fetch: FetchAttempt<T>): Promise<T> {
    const first = fetch.attempt(maxWaitMs <= 0);
    if (first !== null) return Promise.resolve(first);
    return new Promise<T>((resolve, reject) => {
      let cancels: Array<() => void> = [];
      let retryQueued = false;
      let done = false;
      const unwatch = (): void => {
        for (const cancel of cancels) cancel();
        cancels = [];
      };
      const complete = (final: boolean): void => {
        if (done) return;
        let result: T | null;
        try {
          result = fetch.attempt(final);
        } catch (error) {
          finishWith(() => reject(error));
          return;
        }
        if (result === null) {
          watch();
          return;
        }
        const value = result;
        finishWith(() => resolve(value));
      };
      const onChange = (): void => {
        if (retryQueued || done) return;
        retryQueued = true;
        queueMicrotask(() => {
          retryQueued = false;
          unwatch();
          complete(false);
        });
      };
      const watch = (): void => {
        for (const partition of fetch.watch()) cancels.push(partition.waitForChange(onChange));
      };
      const cancelTimer = this.schedule(maxWaitMs, () => {
        unwatch();
        complete(true);
      });
      const entry: Parked = {
        finish: () => {
          unwatch();
          complete(true);
        },
      };
      const finishWith = (settle: () => void): void => {
        done = true;
        unwatch();
        cancelTimer();
        this.parked.delete(entry);
        settle();
      };
      this.parked.add(entry);
      watch();
    });
  }

  /** Completes every parked fetch with what it has now. */
  close(): void {
    for (const entry of [...this.parked]) entry.finish();
  }
}
