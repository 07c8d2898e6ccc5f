/**
 * The data path's counters as plain numbers: a Produce or Fetch partition adds to a map
 * entry, a request to an array slot, so the hot path does no prom-client label lookups.
 * src/ops/broker-metrics.ts copies them into prom-client metrics when /metrics is scraped.
 */
import type { TrafficMetrics } from '../broker/traffic-metrics.js';
import { RequestLatency } from './request-latency.js';

export interface TopicTraffic {
  messagesIn: number;
  bytesIn: number;
  bytesOut: number;
}

const newTraffic = (): TopicTraffic => ({ messagesIn: 0, bytesIn: 0, bytesOut: 0 });

export class TrafficCounters implements TrafficMetrics {
  /** Per topic, as BrokerTopicMetrics with a topic tag. */
  readonly topics = new Map<string, TopicTraffic>();
  /** All topics together, as BrokerTopicMetrics without a topic tag. */
  readonly allTopics: TopicTraffic = newTraffic();
  /** requests[apiKey][apiVersion] = count; names[apiKey] = the API name. */
  readonly requests: number[][] = [];
  readonly requestNames: string[] = [];
  readonly latency: RequestLatency;

  /** `now`: a monotonic time in ms (performance.now in the broker, a manual one in tests). */
  constructor(
    private readonly now: () => number,
    latencyWindowMs = 60_000,
  ) {
    this.latency = new RequestLatency(latencyWindowMs, now());
  }

  requestStarted(): number {
    return this.now();
  }

  requestDone(apiKey: number, requestName: string, apiVersion: number, startedAt: number): void {
    let versions = this.requests[apiKey];
    if (versions === undefined) {
      versions = [];
      this.requests[apiKey] = versions;
      this.requestNames[apiKey] = requestName;
    }
    versions[apiVersion] = (versions[apiVersion] ?? 0) + 1;
    const now = this.now();
    this.latency.record(requestName, now - startedAt, now);
  }

  private topic(name: string): TopicTraffic {
    let t = this.topics.get(name);
    if (t === undefined) {
      t = newTraffic();
      this.topics.set(name, t);
    }
    return t;
  }

  messagesIn(topic: string, records: number, bytes: number): void {
    const t = this.topic(topic);
    t.messagesIn += records;
    t.bytesIn += bytes;
    this.allTopics.messagesIn += records;
    this.allTopics.bytesIn += bytes;
  }

  bytesOut(topic: string, bytes: number): void {
    this.topic(topic).bytesOut += bytes;
    this.allTopics.bytesOut += bytes;
  }

  /** Drops a deleted topic's series, as Kafka removes its BrokerTopicMetrics. */
  forgetTopic(topic: string): void {
    this.topics.delete(topic);
  }
}
