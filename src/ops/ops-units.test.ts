/** The pure parts of the operations listener: latency percentiles, traffic counters, ISR changes, the listener setting. */
import t from 'tap';
import { RequestLatency } from './request-latency.js';
import { TrafficCounters } from './traffic-counters.js';
import { IsrChanges } from './isr-changes.js';
import { parseMetricsListener } from './http-listener.js';
import { readiness } from './readiness.js';
import { ConfigError } from '../common/config.js';
import type { TopicImage, PartitionState } from '../metadata/image.js';

t.test('percentiles are within a bucket (~19%) of the true value and follow the last two windows', async (t) => {
  const latency = new RequestLatency(60_000, 0);
  for (let i = 1; i <= 1000; i++) latency.record('Produce', i / 10, 10); // 0.1 .. 100 ms
  const p50 = latency.quantile('Produce', 0.5, 20);
  const p99 = latency.quantile('Produce', 0.99, 20);
  t.ok(p50 >= 50 && p50 <= 50 * 1.19, `p50 ${p50}`);
  t.ok(p99 >= 99 && p99 <= 99 * 1.19, `p99 ${p99}`);
  t.equal(latency.totals('Produce').count, 1000);
  t.equal(latency.quantile('Fetch', 0.5, 20), 0, 'nothing recorded: 0');
  // One window later the old samples are still counted; two later they are gone.
  for (let i = 0; i < 1000; i++) latency.record('Produce', 1000, 60_001);
  const mixed = latency.quantile('Produce', 0.25, 60_002);
  t.ok(mixed < 100, `previous window still counts (p25 ${mixed})`);
  t.ok(latency.quantile('Produce', 0.25, 120_003) >= 1000, 'two windows on, only the recent samples');
  t.ok(latency.quantile('Produce', 0.5, 500_000) === 0, 'long idle: nothing left');
  t.equal(latency.totals('Produce').count, 2000, 'the count is since start');
});

t.test('traffic counters add per topic and for all topics; requests by key and version', async (t) => {
  let now = 100;
  const traffic = new TrafficCounters(() => now);
  traffic.messagesIn('a', 10, 1000);
  traffic.messagesIn('b', 5, 500);
  traffic.bytesOut('a', 300);
  t.same(traffic.topics.get('a'), { messagesIn: 10, bytesIn: 1000, bytesOut: 300 });
  t.same(traffic.allTopics, { messagesIn: 15, bytesIn: 1500, bytesOut: 300 });
  const started = traffic.requestStarted();
  now += 7;
  traffic.requestDone(0, 'Produce', 9, started);
  traffic.requestDone(0, 'Produce', 9, started);
  traffic.requestDone(0, 'Produce', 3, started);
  t.equal(traffic.requests[0]![9], 2);
  t.equal(traffic.requests[0]![3], 1);
  t.equal(traffic.requestNames[0], 'Produce');
  const p50 = traffic.latency.quantile('Produce', 0.5, now);
  t.ok(p50 >= 7 && p50 < 7 * 1.19, `p50 ${p50}`);
  traffic.forgetTopic('a');
  t.notOk(traffic.topics.has('a'));
});

t.test('ISR shrinks and expands count on led partitions only', async (t) => {
  const isr = new IsrChanges(1);
  const state = (isrIds: number[], leader = 1): PartitionState => ({
    partition: 0,
    leader,
    leaderEpoch: 0,
    partitionEpoch: 0,
    replicas: [1, 2, 3],
    isr: isrIds,
  });
  const topic: TopicImage = {
    name: 't',
    topicId: 'id',
    partitions: new Map([[0, state([1, 2, 3])]]),
    configs: new Map(),
  };
  isr.observe({ kind: 'topic-created', topic });
  isr.observe({ kind: 'partition-changed', topic, partition: state([1, 2]) });
  isr.observe({ kind: 'partition-changed', topic, partition: state([1]) });
  isr.observe({ kind: 'partition-changed', topic, partition: state([1, 3]) });
  isr.observe({ kind: 'partition-changed', topic, partition: state([3], 3) });
  t.equal(isr.shrinks, 2);
  t.equal(isr.expands, 1);
});

t.test('metrics.listener takes http://host:port only', async (t) => {
  t.same(parseMetricsListener('http://127.0.0.1:9644'), { host: '127.0.0.1', port: 9644 });
  t.same(parseMetricsListener('http://[::1]:0'), { host: '::1', port: 0 });
  for (const bad of [
    'https://127.0.0.1:9644',
    '127.0.0.1:9644',
    'http://127.0.0.1',
    'http://127.0.0.1:9644/metrics',
    'nonsense',
  ]) {
    t.throws(() => parseMetricsListener(bad), ConfigError, bad);
  }
});

t.test('readiness before the broker serves says so', async (t) => {
  t.same(readiness(null), [{ name: 'started', ok: false, detail: 'recovering logs or binding listeners' }]);
});
