/**
 * The web console served by the broker itself at /ui of `metrics.listener`, reading the
 * broker through its own PLAINTEXT listener; `console.read.only` refuses changes there too.
 */
import t from 'tap';
import { Kafka, logLevel } from 'kafkajs';
import { brokerFor } from '../../test/helpers/broker.js';

t.test('the broker serves the console at /ui of its HTTP listener', async (t) => {
  const running = await brokerFor(t, {
    config: { 'metrics.listener': 'http://127.0.0.1:0', 'console.read.only': true },
  });
  const kafka = new Kafka({ brokers: [running.bootstrap], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'served-by-broker', numPartitions: 2 }] });
  await admin.disconnect();
  const address = running.broker.ops?.address;
  t.ok(address, 'the HTTP listener is bound');
  const base = `http://127.0.0.1:${address!.port}`;
  const overview = await fetch(`${base}/ui`);
  t.equal(overview.status, 200);
  const body = await overview.text();
  t.match(body, /href="\/ui\/topics\/served-by-broker"/);
  t.match(body, /\(read-only\)/);
  const topic = await fetch(`${base}/ui/topics/served-by-broker`).then((r) => r.text());
  t.match(topic, /Topic served-by-broker/);
  const refused = await fetch(`${base}/ui/produce`, { method: 'POST', body: 'topic=served-by-broker&value=x' });
  t.equal(refused.status, 403);
  t.equal((await fetch(`${base}/metrics`)).status, 200, '/metrics still answers');
  t.equal((await fetch(`${base}/metrics`, { method: 'POST' })).status, 405);
});
