/**
 * The latency statistics of kafka-producer-perf-test.sh (Kafka's ProducerPerformance.Stats): every
 * completed record's latency and size; a window line each 5 s, printed when a record completes
 * after the window's end; the total with percentiles from at most 500,000 sampled latencies
 * (every `numRecords / min(numRecords, 500000)`-th record). The text is Kafka's printf output.
 * Left out: the steady-state (--warmup-records) lines of later Kafka versions.
 */

/** Java's `%.Nf`: fixed decimals; NaN and Infinity as Java spells them. */
export function javaFixed(value: number, decimals: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity';
  return value.toFixed(decimals);
}

const REPORTING_INTERVAL_MS = 5000;
const MIB = 1024 * 1024;

export class LatencyStats {
  private readonly start = Date.now();
  private readonly sampling: number;
  private readonly latencies: Int32Array;
  private iteration = 0;
  private index = 0;
  private count = 0;
  private bytes = 0;
  private maxLatency = 0;
  private totalLatency = 0;
  private windowStart = Date.now();
  private windowCount = 0;
  private windowMaxLatency = 0;
  private windowTotalLatency = 0;
  private windowBytes = 0;

  constructor(
    numRecords: number,
    private readonly print: (line: string) => void,
  ) {
    this.sampling = Math.floor(numRecords / Math.min(numRecords, 500_000));
    this.latencies = new Int32Array(Math.floor(numRecords / this.sampling) + 1);
  }

  record(latency: number, bytes: number, time: number): void {
    this.count++;
    this.bytes += bytes;
    this.totalLatency += latency;
    this.maxLatency = Math.max(this.maxLatency, latency);
    this.windowCount++;
    this.windowBytes += bytes;
    this.windowTotalLatency += latency;
    this.windowMaxLatency = Math.max(this.windowMaxLatency, latency);
    if (this.iteration % this.sampling === 0 && this.index < this.latencies.length)
      this.latencies[this.index++] = latency;
    if (time - this.windowStart >= REPORTING_INTERVAL_MS) {
      this.printWindow();
      this.newWindow();
    }
    this.iteration++;
  }

  private printWindow(): void {
    const elapsed = Date.now() - this.windowStart;
    this.print(
      `${this.windowCount} records sent, ${javaFixed((1000 * this.windowCount) / elapsed, 1)} records/sec ` +
        `(${javaFixed((1000 * this.windowBytes) / elapsed / MIB, 2)} MB/sec), ` +
        `${javaFixed(this.windowTotalLatency / this.windowCount, 1)} ms avg latency, ` +
        `${javaFixed(this.windowMaxLatency, 1)} ms max latency.\n`,
    );
  }

  private newWindow(): void {
    this.windowStart = Date.now();
    this.windowCount = 0;
    this.windowMaxLatency = 0;
    this.windowTotalLatency = 0;
    this.windowBytes = 0;
  }

  printTotal(): void {
    const elapsed = Date.now() - this.start;
    const size = Math.min(this.index, this.latencies.length);
    const sorted = this.latencies.slice(0, size).sort();
    const pct = (p: number): number => sorted[Math.floor(p * size)] ?? 0;
    this.print(
      `${this.count} records sent, ${javaFixed((1000 * this.count) / elapsed, 6)} records/sec ` +
        `(${javaFixed((1000 * this.bytes) / elapsed / MIB, 2)} MB/sec), ` +
        `${javaFixed(this.totalLatency / this.count, 2)} ms avg latency, ${javaFixed(this.maxLatency, 2)} ms max latency, ` +
        `${pct(0.5)} ms 50th, ${pct(0.95)} ms 95th, ${pct(0.99)} ms 99th, ${pct(0.999)} ms 99.9th.\n`,
    );
  }
}
