/**
 * Requests served per API, read from each broker's Prometheus endpoint (`metrics.listener`,
 * kafka_network_requestmetrics_requests_total), for the replication benchmark's BENCH_REQUESTS=1:
 * how many Produce and Fetch requests (the followers' fetches, empty long polls included) each
 * configuration served per MB produced. Each node of a cluster gets a metrics listener on a free port
 * of 127.0.0.1 (set before the cluster starts); the counts are summed over the cluster's nodes.
 */
import type { ProcessCluster } from '../../test/helpers/process-cluster.js';
import { freePort } from './procs.js';

const COUNTER = 'kafka_network_requestmetrics_requests_total';

/** Gives every node of `cluster` (ids 1..count) a metrics listener; returns the ports by node id. */
export async function withMetricsListeners(cluster: ProcessCluster, count: number): Promise<Map<number, number>> {
  const ports = new Map<number, number>();
  for (let id = 1; id <= count; id++) ports.set(id, await freePort());
  cluster.perNode = (node) => ({ 'metrics.listener': `http://127.0.0.1:${ports.get(node.id)}` });
  return ports;
}

/** Requests served so far by the nodes on `ports`, summed per API name (all versions). */
export async function requestCounts(ports: Iterable<number>): Promise<Map<string, number>> {
  const total = new Map<string, number>();
  for (const port of ports) {
    const text = await (
      await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(10_000) })
    ).text();
    for (const line of text.split('\n')) {
      if (!line.startsWith(`${COUNTER}{`)) continue;
      const request = /request="([^"]+)"/.exec(line)?.[1];
      const value = Number(line.slice(line.lastIndexOf(' ') + 1));
      if (request && Number.isFinite(value)) total.set(request, (total.get(request) ?? 0) + value);
    }
  }
  return total;
}

/** `after` minus `before`, per API, only the APIs that moved. */
export function countsSince(before: Map<string, number>, after: Map<string, number>): Map<string, number> {
  const out = new Map<string, number>();
  for (const [request, n] of after)
    if (n - (before.get(request) ?? 0) > 0) out.set(request, n - (before.get(request) ?? 0));
  return out;
}
