import type { Clock } from './clock.js';
import type { Logger } from './logger.js';

/** How often one key's warning may repeat: clients retrying every few ms must not flood the log. */
export const WARN_INTERVAL_MS = 30_000;

/**
 * Warnings about a condition clients run into again and again (a topic that cannot be created,
 * an internal topic waiting for brokers): each key is warned about at most once per interval.
 */
export class WarnOncePerInterval {
  private readonly lastWarned = new Map<string, number>();

  constructor(
    private readonly log: Logger,
    private readonly clock: Clock,
    private readonly intervalMs = WARN_INTERVAL_MS,
  ) {}

  /** Logs `message` unless `key` was warned about within the interval; true when it logged. */
  warn(key: string, fields: object, message: string): boolean {
    const now = this.clock.now();
    const last = this.lastWarned.get(key);
    if (last !== undefined && now - last < this.intervalMs) return false;
    this.lastWarned.set(key, now);
    this.log.warn(fields, message);
    return true;
  }
}
