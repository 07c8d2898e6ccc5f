/**
 * A rate over sampled windows, as Kafka's quota sensors measure it (a Rate over a WindowedSum):
 * values are summed into `samples` windows of `windowMs` each (one more is kept for a window
 * that started before the monitored span but overlaps it); the rate is the sum over the windows
 * divided by the time they cover, counted as at least `samples - 1` whole windows so that a
 * client's first burst is not measured over a few milliseconds. A window with no value for
 * `samples × windowMs` is reset. Time comes in as a parameter (pure, deterministic).
 * Also the token bucket Kafka uses for controller mutations: refilled at the quota rate, holding
 * at most `samples × window seconds × quota` tokens.
 */

export interface QuotaWindowConfig {
  /** quota.window.num */
  samples: number;
  /** quota.window.size.seconds × 1000 */
  windowMs: number;
}

interface Sample {
  value: number;
  startMs: number;
  lastEventMs: number;
}

export class SampledRate {
  private readonly samples: Sample[] = [];
  private current = 0;

  constructor(private readonly config: QuotaWindowConfig) {}

  /** Adds `value` (negative to take back a recorded value) at `nowMs`. */
  record(value: number, nowMs: number): void {
    let sample = this.currentSample(nowMs);
    if (nowMs - sample.startMs >= this.config.windowMs) sample = this.advance(nowMs);
    sample.value += value;
    sample.lastEventMs = nowMs;
  }

  /** The rate per second at `nowMs`. */
  measure(nowMs: number): number {
    const windowMs = this.windowSizeMs(nowMs);
    let sum = 0;
    for (const s of this.samples) sum += s.value;
    return sum / (windowMs / 1000);
  }

  /** The span the rate is taken over at `nowMs`: what has elapsed since the oldest sample, at least `samples - 1` windows, at least 1 ms. */
  windowSizeMs(nowMs: number): number {
    this.purge(nowMs);
    let oldest = this.currentSample(nowMs).startMs;
    for (const s of this.samples) oldest = Math.min(oldest, s.startMs);
    let elapsed = nowMs - oldest;
    const fullWindows = Math.floor(elapsed / this.config.windowMs);
    const minFullWindows = this.config.samples - 1;
    if (fullWindows < minFullWindows) elapsed += (minFullWindows - fullWindows) * this.config.windowMs;
    return Math.max(elapsed, 1);
  }

  private currentSample(nowMs: number): Sample {
    if (this.samples.length === 0) this.samples.push({ value: 0, startMs: nowMs, lastEventMs: nowMs });
    return this.samples[this.current]!;
  }

  private advance(nowMs: number): Sample {
    this.current = (this.current + 1) % (this.config.samples + 1);
    if (this.current >= this.samples.length) {
      const fresh = { value: 0, startMs: nowMs, lastEventMs: nowMs };
      this.samples.push(fresh);
      return fresh;
    }
    const sample = this.samples[this.current]!;
    reset(sample, nowMs);
    return sample;
  }

  /** Resets the samples that saw no value within the monitored span. */
  private purge(nowMs: number): void {
    const expireMs = this.config.samples * this.config.windowMs;
    for (const s of this.samples) if (nowMs - s.lastEventMs >= expireMs) reset(s, nowMs);
  }
}

function reset(sample: Sample, nowMs: number): void {
  sample.value = 0;
  sample.startMs = nowMs;
  sample.lastEventMs = nowMs;
}

/** Kafka's TokenBucket: credits refill at `rate` per second up to the burst; a negative balance is a violation. */
export class TokenBucket {
  private tokens = 0;
  private lastUpdateMs = 0;

  constructor(private readonly config: QuotaWindowConfig) {}

  /** The balance at `nowMs` for a refill rate of `rate` per second. */
  measure(rate: number, nowMs: number): number {
    this.refill(rate, nowMs);
    return this.tokens;
  }

  record(value: number, rate: number, nowMs: number): void {
    this.refill(rate, nowMs);
    this.tokens = Math.min(this.burst(rate), this.tokens - value);
  }

  private burst(rate: number): number {
    return ((this.config.samples * this.config.windowMs) / 1000) * rate;
  }

  private refill(rate: number, nowMs: number): void {
    this.tokens = Math.min(this.burst(rate), this.tokens + (rate * (nowMs - this.lastUpdateMs)) / 1000);
    this.lastUpdateMs = nowMs;
  }
}
