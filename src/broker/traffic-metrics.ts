/**
 * The data path's metric hooks: the dispatcher times every request, Produce counts what it
 * appended and Fetch what it sends, per topic. The broker passes NO_TRAFFIC_METRICS unless
 * `metrics.listener` is set; src/ops/traffic-metrics-prometheus.ts is the real one.
 */
export interface TrafficMetrics {
  /** A start mark for `requestDone` (a monotonic time in ms). */
  requestStarted(): number;
  /** One request answered (or dropped) by handler `requestName` at `apiVersion`, started at `startedAt`. */
  requestDone(apiKey: number, requestName: string, apiVersion: number, startedAt: number): void;
  /** Records appended to a partition of `topic` as leader, and their size in bytes. */
  messagesIn(topic: string, records: number, bytes: number): void;
  /** Record bytes a consumer or follower fetch of `topic` returns. */
  bytesOut(topic: string, bytes: number): void;
}

export const NO_TRAFFIC_METRICS: TrafficMetrics = {
  requestStarted: () => 0,
  requestDone: () => undefined,
  messagesIn: () => undefined,
  bytesOut: () => undefined,
};
