/**
 * Time as an injected dependency. Logic never reads the wall clock directly: it asks a Clock.
 * SystemClock reads Date.now(); ManualClock only moves when a test or simulation advances it.
 * Leaves out: timers and scheduling (a Clock only tells the time).
 */

export interface Clock {
  /** Milliseconds since an arbitrary epoch; never decreases. */
  now(): number;
}

export class SystemClock implements Clock {
  now(): number {
    return Date.now();
  }
}

export class ManualClock implements Clock {
  private current: number;

  constructor(start = 0) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  /** Moves time forward by `ms` (must be >= 0). */
  advance(ms: number): number {
    if (!(ms >= 0)) throw new RangeError(`ManualClock cannot go backwards (advance ${ms})`);
    this.current += ms;
    return this.current;
  }

  /** Sets the time to `to`, which must not be earlier than now. */
  set(to: number): number {
    if (!(to >= this.current)) throw new RangeError(`ManualClock cannot go backwards (${this.current} -> ${to})`);
    this.current = to;
    return this.current;
  }
}
