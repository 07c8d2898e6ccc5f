/**
 * Client quota families of /metrics, read when scraped, with the Prometheus JMX exporter's names
 * for Kafka's `kafka.server:type=Produce|Fetch|Request,user=...,client-id=...` MBeans: the rate each
 * quota is measured on (`byte_rate`, `request_time` in % of a second), and the throttle answered
 * as a counter of milliseconds, `throttle_time_ms_total` (Kafka's `throttle-time` is an average
 * over the quota windows; a counter's rate gives it here). One series per tracked rate, labelled
 * as Kafka tags it (user and client_id, '' when not part of the quota). Rates idle for an hour
 * are dropped.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { BrokerViewSource } from './broker-view.js';
import type { ClientQuotaManager } from '../server/quotas/client-quota-manager.js';
import type { ClientQuotas } from '../server/quotas/client-quotas.js';

const KINDS: ReadonlyArray<[string, string, (q: ClientQuotas) => ClientQuotaManager]> = [
  ['produce', 'byte_rate', (q) => q.produce],
  ['fetch', 'byte_rate', (q) => q.fetch],
  ['request', 'request_time', (q) => q.request],
];

export function registerQuotaMetrics(registry: Registry, view: BrokerViewSource): void {
  for (const [type, rateName, manager] of KINDS) {
    const snapshot = () => {
      const quotas = view()?.quotas;
      return quotas ? manager(quotas).snapshot(quotas.now()) : [];
    };
    new Gauge({
      name: `kafka_server_${type}_${rateName}`,
      help: `The ${type} quota rate per user/client-id (${rateName === 'byte_rate' ? 'bytes a second' : '% of a second'}).`,
      labelNames: ['user', 'client_id'],
      registers: [registry],
      collect() {
        this.reset();
        for (const r of snapshot()) this.set({ user: r.user, client_id: r.clientId }, r.rate);
      },
    });
    new Counter({
      name: `kafka_server_${type}_throttle_time_ms_total`,
      help: `Milliseconds of ${type} quota throttling answered per user/client-id.`,
      labelNames: ['user', 'client_id'],
      registers: [registry],
      collect() {
        this.reset();
        for (const r of snapshot()) this.inc({ user: r.user, client_id: r.clientId }, r.throttleMsTotal);
      },
    });
  }
}
