/**
 * "Log this at most once per interval per key": the throttle the quorum's error reports share
 * (cluster id mismatches, refused cluster authorization), so that a node stuck retrying logs a line a
 * minute per peer instead of one per retry. Time is injected (a Clock).
 */
import type { Clock } from '../common/clock.js';

export class ReportThrottle {
  /** key -> when it was last reported. */
  private readonly lastReported = new Map<string, number>();

  constructor(
    private readonly clock: Clock,
    private readonly intervalMs: number,
  ) {}

  /** True (and remembered) when `key` was not reported within the interval. */
  due(key: string): boolean {
    const now = this.clock.now();
    const last = this.lastReported.get(key);
    if (last !== undefined && now - last < this.intervalMs) return false;
    this.lastReported.set(key, now);
    return true;
  }
}
