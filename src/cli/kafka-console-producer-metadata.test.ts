/**
 * The console producer keeps the partition leaders it learned, as the Java producer keeps its
 * metadata: a file piped in goes out as many 16 KiB batches (batch.size), and each used to ask for
 * Metadata before its Produce, a second round trip per batch (a 50 MB pipe took 6.3 s against 1.7 s
 * before batches were cut at batch.size). Counted on the broker's request metrics.
 */
import t from 'tap';
import { CLI_SKIP } from '../../test/helpers/cli.js';
import { brokerWithAdmin, kafkaTool } from '../../test/helpers/kafka-tools.js';
import { scrape, type Sample } from '../../test/helpers/prometheus-text.js';

const requests = (samples: Sample[], api: string): number =>
  samples
    .filter((s) => s.name === 'kafka_network_requestmetrics_requests_total' && s.labels.request === api)
    .reduce((sum, s) => sum + s.value, 0);

t.test('a piped file: one Produce per batch, Metadata only at the start', { skip: CLI_SKIP }, async (t) => {
  const { broker, b, admin } = await brokerWithAdmin(t, { config: { 'metrics.listener': 'http://127.0.0.1:0' } });
  const base = `http://127.0.0.1:${broker.broker.ops!.address!.port}`;
  await admin.createTopics({ topics: [{ topic: 'piped' }], waitForLeaders: true });
  const before = await scrape(base);
  const lines = Array.from({ length: 400 }, (_, i) => `${String(i).padStart(5, '0')}${'y'.repeat(1000)}`);
  const r = await kafkaTool(
    'kafka-console-producer',
    ['--bootstrap-server', b, '--topic', 'piped'],
    lines.join('\n') + '\n',
  );
  t.equal(r.code, 0, r.stderr);
  const after = await scrape(base);
  const produces = requests(after, 'Produce') - requests(before, 'Produce');
  const metadata = requests(after, 'Metadata') - requests(before, 'Metadata');
  t.ok(produces >= 25, `400 lines of 1 KB went in batches of 16 KiB (${produces} Produce requests)`);
  t.ok(metadata <= 3, `Metadata asked ${metadata} times, not once per batch`);
  const offsets = await admin.fetchTopicOffsets('piped');
  t.equal(offsets[0]?.high, '400', 'every line written');
});
