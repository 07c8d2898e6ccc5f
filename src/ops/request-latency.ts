/**
 * Request total-time percentiles, as Kafka's RequestMetrics TotalTimeMs histogram reports
 * them (the JMX exporter turns its 50th..999th percentiles into `quantile` labels).
 * Pure: times come from the caller. Each request name keeps counts in log-spaced buckets
 * (4 per doubling, so a percentile is within ~9% of the true value) for the current and
 * the previous window; percentiles cover both, so they follow the recent past as Kafka's
 * decaying reservoir does. Recording is an index computation and an increment (prom-client's
 * Summary costs ~18 us an observation here; see docs/metrics.md).
 */
export const QUANTILES = [0.5, 0.75, 0.95, 0.98, 0.99, 0.999] as const;

const SMALLEST_MS = 0.01;
const BUCKETS_PER_DOUBLING = 4;
const BUCKET_COUNT = 96; // 0.01 ms .. ~0.01 * 2^24 ms (~168 s); slower ones land in the last

function bucketOf(ms: number): number {
  if (!(ms > SMALLEST_MS)) return 0;
  const i = Math.floor(Math.log2(ms / SMALLEST_MS) * BUCKETS_PER_DOUBLING);
  return i >= BUCKET_COUNT ? BUCKET_COUNT - 1 : i;
}

/** The upper bound of bucket `i`, in ms. */
function upperBound(i: number): number {
  return SMALLEST_MS * 2 ** ((i + 1) / BUCKETS_PER_DOUBLING);
}

class Windowed {
  current = new Float64Array(BUCKET_COUNT);
  previous = new Float64Array(BUCKET_COUNT);
  count = 0;
  sumMs = 0;
}

export class RequestLatency {
  private readonly byName = new Map<string, Windowed>();
  private windowStart: number;

  /** `windowMs`: how long a window lasts; percentiles cover one to two windows. */
  constructor(
    private readonly windowMs: number,
    now: number,
  ) {
    this.windowStart = now;
  }

  record(requestName: string, elapsedMs: number, now: number): void {
    if (now - this.windowStart >= this.windowMs) this.rotate(now);
    let w = this.byName.get(requestName);
    if (w === undefined) {
      w = new Windowed();
      this.byName.set(requestName, w);
    }
    w.current[bucketOf(elapsedMs)]! += 1;
    w.count += 1;
    w.sumMs += elapsedMs;
  }

  /** Starts a new window; the one that ends becomes the previous one. */
  private rotate(now: number): void {
    const skipped = now - this.windowStart >= 2 * this.windowMs;
    for (const w of this.byName.values()) {
      const old = w.previous;
      w.previous = skipped ? new Float64Array(BUCKET_COUNT) : w.current;
      old.fill(0);
      w.current = old;
    }
    this.windowStart = now;
  }

  names(): IterableIterator<string> {
    return this.byName.keys();
  }

  /** Requests recorded since start, and their total time in ms. */
  totals(requestName: string): { count: number; sumMs: number } {
    const w = this.byName.get(requestName);
    return { count: w?.count ?? 0, sumMs: w?.sumMs ?? 0 };
  }

  /** The `q` percentile in ms over the last one to two windows (0 when nothing was recorded). */
  quantile(requestName: string, q: number, now: number): number {
    if (now - this.windowStart >= this.windowMs) this.rotate(now);
    const w = this.byName.get(requestName);
    if (w === undefined) return 0;
    let total = 0;
    for (let i = 0; i < BUCKET_COUNT; i++) total += w.current[i]! + w.previous[i]!;
    if (total === 0) return 0;
    const rank = q * total;
    let seen = 0;
    for (let i = 0; i < BUCKET_COUNT; i++) {
      seen += w.current[i]! + w.previous[i]!;
      if (seen >= rank) return upperBound(i);
    }
    return upperBound(BUCKET_COUNT - 1);
  }
}
