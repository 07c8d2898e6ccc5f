/**
 * The prom-client registry /metrics serves: the data-path families (TrafficCounters), the
 * state families read from the broker when scraped, ISR shrink/expand counters, and
 * prom-client's default process and Node.js metrics. See docs/metrics.md for the names.
 */
import { collectDefaultMetrics, Counter, Registry } from 'prom-client';
import type { BrokerViewSource } from './broker-view.js';
import type { IsrChanges } from './isr-changes.js';
import { registerStateMetrics } from './state-metrics.js';
import { registerQuotaMetrics } from './quota-metrics.js';
import type { TrafficCounters } from './traffic-counters.js';
import { registerTrafficMetrics } from './traffic-metrics-prometheus.js';

export interface MetricsSources {
  traffic: TrafficCounters;
  isr: IsrChanges;
  view: BrokerViewSource;
  /** The monotonic ms clock TrafficCounters uses. */
  now: () => number;
}

export function createMetricsRegistry(sources: MetricsSources): Registry {
  const registry = new Registry();
  registerTrafficMetrics(registry, sources.traffic, sources.now);
  registerStateMetrics(registry, sources.view);
  registerQuotaMetrics(registry, sources.view);
  const isr = sources.isr;
  new Counter({
    name: 'kafka_server_replicamanager_isrshrinks_total',
    help: 'ISR shrinks of partitions this broker leads (IsrShrinksPerSec count).',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(isr.shrinks);
    },
  });
  new Counter({
    name: 'kafka_server_replicamanager_isrexpands_total',
    help: 'ISR expands of partitions this broker leads (IsrExpandsPerSec count).',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(isr.expands);
    },
  });
  collectDefaultMetrics({ register: registry });
  return registry;
}
