/**
 * The operations listener (metrics.listener) of a real broker, driven by kafkajs: /livez,
 * /readyz, and /metrics counting what a producer and a consumer group did, with the
 * JMX-exporter and kafka_exporter names of docs/metrics.md.
 */
import t from 'tap';
import kafkajs from 'kafkajs';
import { startBroker } from '../../src/index.js';
import { ConfigError } from '../../src/common/config.js';
import { brokerFor } from '../../test/helpers/broker.js';
import { sampleValue, scrape } from '../../test/helpers/prometheus-text.js';

const { Kafka, logLevel } = kafkajs;

t.test('metrics, liveness and readiness over HTTP', async (t) => {
  const running = await brokerFor(t, { config: { 'metrics.listener': 'http://127.0.0.1:0' } });
  const address = running.broker.ops?.address;
  if (!address) throw new Error('no operations listener');
  const base = `http://127.0.0.1:${address.port}`;

  const live = await fetch(`${base}/livez`);
  t.equal(live.status, 200);
  const ready = await fetch(`${base}/readyz`);
  t.equal(ready.status, 200);
  const body = (await ready.json()) as { ready: boolean; checks: Array<{ name: string; ok: boolean }> };
  t.same(
    body.checks.map((c) => [c.name, c.ok]),
    [
      ['started', true],
      ['metadata-caught-up', true],
      ['unfenced', true],
    ],
  );
  t.equal((await fetch(`${base}/nope`)).status, 404);
  t.equal((await fetch(`${base}/metrics`, { method: 'POST' })).status, 405);

  const kafka = new Kafka({
    brokers: [running.bootstrap],
    logLevel: logLevel.NOTHING,
    retry: { retries: 3, initialRetryTime: 50 },
  });
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  await admin.createTopics({ topics: [{ topic: 'measured', numPartitions: 2 }] });
  const producer = kafka.producer();
  await producer.connect();
  t.teardown(() => producer.disconnect());
  await producer.send({
    topic: 'measured',
    messages: Array.from({ length: 10 }, (_, i) => ({ partition: 0, value: `v${i}` })),
  });
  await producer.send({
    topic: 'measured',
    messages: Array.from({ length: 5 }, (_, i) => ({ partition: 1, value: `w${i}` })),
  });

  const consumer = kafka.consumer({ groupId: 'metered', maxWaitTimeInMs: 100 });
  await consumer.connect();
  t.teardown(() => consumer.disconnect());
  await consumer.subscribe({ topics: ['measured'], fromBeginning: true });
  let seen = 0;
  const allSeen = new Promise<void>((resolve) => {
    void consumer.run({
      eachMessage: async () => {
        if (++seen === 15) resolve();
      },
    });
  });
  await allSeen;
  await consumer.stop(); // commits what it consumed
  await producer.send({
    topic: 'measured',
    messages: Array.from({ length: 3 }, (_, i) => ({ partition: 0, value: `late${i}` })),
  });

  const s = await scrape(base);
  const topic = { topic: 'measured' };
  t.equal(sampleValue(s, 'kafka_server_brokertopicmetrics_messagesin_total', topic), 18, 'messages in, per topic');
  t.ok((sampleValue(s, 'kafka_server_brokertopicmetrics_messagesin_total') ?? 0) >= 18, 'messages in, all topics');
  t.ok((sampleValue(s, 'kafka_server_brokertopicmetrics_bytesin_total', topic) ?? 0) > 18 * 2, 'bytes in');
  t.ok((sampleValue(s, 'kafka_server_brokertopicmetrics_bytesout_total', topic) ?? 0) > 15 * 2, 'bytes out');
  t.ok(
    (sampleValue(s, 'kafka_network_requestmetrics_requests_total', { request: 'Produce' }) ?? 0) >= 3,
    'Produce requests',
  );
  t.ok(
    (sampleValue(s, 'kafka_network_requestmetrics_requests_total', { request: 'ApiVersions' }) ?? 0) >= 1,
    'ApiVersions requests',
  );
  t.ok(
    (sampleValue(s, 'kafka_network_requestmetrics_totaltimems_count', { request: 'Produce' }) ?? 0) >= 3,
    'Produce timed',
  );
  t.ok(
    (sampleValue(s, 'kafka_network_requestmetrics_totaltimems', { request: 'Produce', quantile: '0.99' }) ?? 0) > 0,
    'Produce p99',
  );
  t.ok((sampleValue(s, 'kafka_log_log_size', { topic: 'measured', partition: '0' }) ?? 0) > 0, 'log size');
  t.equal(sampleValue(s, 'kafka_log_log_logendoffset', { topic: 'measured', partition: '0' }), 13);
  t.equal(sampleValue(s, 'kafka_topic_partition_current_offset', { topic: 'measured', partition: '0' }), 13);
  t.equal(sampleValue(s, 'kafka_topic_partition_current_offset', { topic: 'measured', partition: '1' }), 5);
  t.equal(sampleValue(s, 'kafka_topic_partitions', topic), 2);
  const group = { consumergroup: 'metered', topic: 'measured' };
  t.equal(sampleValue(s, 'kafka_consumergroup_current_offset', { ...group, partition: '0' }), 10);
  t.equal(
    sampleValue(s, 'kafka_consumergroup_lag', { ...group, partition: '0' }),
    3,
    'three produced after the commit',
  );
  t.equal(sampleValue(s, 'kafka_consumergroup_lag', { ...group, partition: '1' }), 0);
  t.equal(sampleValue(s, 'kafka_brokers'), 1);
  t.equal(sampleValue(s, 'kafka_controller_kafkacontroller_activecontrollercount'), 1);
  t.equal(sampleValue(s, 'kafka_controller_kafkacontroller_offlinepartitionscount'), 0);
  t.equal(sampleValue(s, 'kafka_server_replicamanager_underreplicatedpartitions'), 0);
  t.equal(sampleValue(s, 'kafka_server_replicamanager_isrshrinks_total'), 0);
  t.equal(sampleValue(s, 'kafka_server_raftmetrics_current_state', { current_state: 'leader' }), 1);
  t.equal(sampleValue(s, 'kafka_server_raftmetrics_current_leader'), 1);
  t.ok((sampleValue(s, 'kafka_server_raftmetrics_high_watermark') ?? 0) > 0, 'raft high watermark');
  t.ok((sampleValue(s, 'process_resident_memory_bytes') ?? 0) > 0, 'process metrics');

  await admin.deleteTopics({ topics: ['measured'] });
  const after = await scrape(base);
  t.equal(
    sampleValue(after, 'kafka_server_brokertopicmetrics_messagesin_total', topic),
    undefined,
    'a deleted topic loses its series',
  );
});

t.test('off unless set; a bad value stops start-up naming the setting', async (t) => {
  const plain = await brokerFor(t);
  t.equal(plain.broker.ops, null);
  await t.rejects(startBroker({ config: { 'metrics.listener': 'https://127.0.0.1:0' } }), ConfigError);
  await t.rejects(startBroker({ config: { 'metrics.listener': 'https://127.0.0.1:0' } }), /metrics\.listener/);
});
