/**
 * The per-call cost of the metrics hooks on the data path: `npx tsx bench/ops/hook-cost.ts`.
 * Times TrafficCounters.requestStarted + requestDone (a request), messagesIn (a produced
 * partition) and bytesOut (a fetched partition) over many calls, and, for comparison,
 * prom-client's Counter child inc(), Histogram and Summary observe().
 */
import { Counter, Histogram, Registry, Summary } from 'prom-client';
import { performance } from 'node:perf_hooks';
import { TrafficCounters } from '../../src/ops/traffic-counters.js';

const N = Number(process.env.BENCH_CALLS ?? 1_000_000);
const topics = Array.from({ length: 16 }, (_, i) => `topic-${i}`);

function time(label: string, calls: number, fn: (i: number) => void): string {
  for (let i = 0; i < Math.min(calls, 100_000); i++) fn(i); // warm up
  const began = performance.now();
  for (let i = 0; i < calls; i++) fn(i);
  const ns = ((performance.now() - began) * 1e6) / calls;
  return `| ${label} | ${ns.toFixed(0)} ns |`;
}

const traffic = new TrafficCounters(() => performance.now());
const registry = new Registry();
const counter = new Counter({
  name: 'c_total',
  help: 'c',
  labelNames: ['request', 'version'],
  registers: [registry],
}).labels('Produce', '9');
const histogram = new Histogram({ name: 'h', help: 'h', labelNames: ['request'], registers: [registry] }).labels(
  'Produce',
);
const summary = new Summary({
  name: 's',
  help: 's',
  labelNames: ['request'],
  percentiles: [0.5, 0.75, 0.95, 0.98, 0.99, 0.999],
  maxAgeSeconds: 300,
  ageBuckets: 5,
  registers: [registry],
}).labels('Produce');

const rows = [
  time('request: requestStarted + requestDone (Gregor)', N, () =>
    traffic.requestDone(0, 'Produce', 9, traffic.requestStarted()),
  ),
  time('produced partition: messagesIn (Gregor)', N, (i) => traffic.messagesIn(topics[i & 15]!, 100, 10_000)),
  time('fetched partition: bytesOut (Gregor)', N, (i) => traffic.bytesOut(topics[i & 15]!, 10_000)),
  time('prom-client Counter child inc()', N, () => counter.inc()),
  time('prom-client Histogram child observe()', N, (i) => histogram.observe(i & 127)),
  time('prom-client Summary child observe() (5 age buckets)', N / 10, (i) => summary.observe(i & 127)),
];
console.log(['| call | time per call |', '| --- | ---: |', ...rows].join('\n'));
