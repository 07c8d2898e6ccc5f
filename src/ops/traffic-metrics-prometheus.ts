/**
 * The data-path families of /metrics, filled from TrafficCounters at scrape time:
 * BrokerTopicMetrics (MessagesInPerSec, BytesInPerSec, BytesOutPerSec, per topic and for
 * all topics together) and RequestMetrics (RequestsPerSec by request and version,
 * TotalTimeMs percentiles and count by request), named as the Prometheus JMX exporter
 * names them with the Strimzi/Confluent rules.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import { QUANTILES } from './request-latency.js';
import type { TrafficCounters, TopicTraffic } from './traffic-counters.js';

function topicCounter(
  registry: Registry,
  name: string,
  help: string,
  traffic: TrafficCounters,
  field: keyof TopicTraffic,
): void {
  new Counter({
    name,
    help,
    labelNames: ['topic'],
    registers: [registry],
    collect() {
      this.reset();
      this.inc(traffic.allTopics[field]);
      for (const [topic, t] of traffic.topics) this.inc({ topic }, t[field]);
    },
  });
}

export function registerTrafficMetrics(registry: Registry, traffic: TrafficCounters, now: () => number): void {
  topicCounter(
    registry,
    'kafka_server_brokertopicmetrics_messagesin_total',
    'Records appended as leader (MessagesInPerSec count).',
    traffic,
    'messagesIn',
  );
  topicCounter(
    registry,
    'kafka_server_brokertopicmetrics_bytesin_total',
    'Record bytes produced (BytesInPerSec count).',
    traffic,
    'bytesIn',
  );
  topicCounter(
    registry,
    'kafka_server_brokertopicmetrics_bytesout_total',
    'Record bytes fetched (BytesOutPerSec count).',
    traffic,
    'bytesOut',
  );
  new Counter({
    name: 'kafka_network_requestmetrics_requests_total',
    help: 'Requests served, by API and version (RequestsPerSec count).',
    labelNames: ['request', 'version'],
    registers: [registry],
    collect() {
      this.reset();
      traffic.requests.forEach((versions, apiKey) => {
        const request = traffic.requestNames[apiKey]!;
        versions.forEach((count, version) => this.inc({ request, version: String(version) }, count));
      });
    },
  });
  new Gauge({
    name: 'kafka_network_requestmetrics_totaltimems',
    help: 'Request total time in ms, from frame decoded to response encoded, over the last 1-2 minutes (TotalTimeMs percentiles).',
    labelNames: ['request', 'quantile'],
    registers: [registry],
    collect() {
      this.reset();
      const at = now();
      for (const request of traffic.latency.names()) {
        for (const q of QUANTILES) this.set({ request, quantile: String(q) }, traffic.latency.quantile(request, q, at));
      }
    },
  });
  new Counter({
    name: 'kafka_network_requestmetrics_totaltimems_count',
    help: 'Requests timed (TotalTimeMs count).',
    labelNames: ['request'],
    registers: [registry],
    collect() {
      this.reset();
      for (const request of traffic.latency.names()) this.inc({ request }, traffic.latency.totals(request).count);
    },
  });
}
