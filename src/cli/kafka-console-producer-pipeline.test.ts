/**
 * kafka-console-producer pipelines its Produce requests as Kafka's does (the Java producer's
 * max.in.flight.requests.per.connection 5), keeping each partition's order, and, idempotent by
 * default, never writes a retried batch twice: a proxy between the tool and the broker counts the
 * Produce requests in flight and loses the answer of one the broker wrote (closing the connection),
 * so the tool retries it. Gregor's tool waited for each batch's answer before sending the next.
 */
import t, { type Test } from 'tap';
import { CLI_SKIP } from '../../test/helpers/cli.js';
import { brokerWithAdmin, kafkaTool } from '../../test/helpers/kafka-tools.js';
import { freePort } from '../../test/helpers/ports.js';
import { ProduceProxy } from '../../test/helpers/produce-proxy.js';

const LINES = 20_000;
const input = Array.from({ length: LINES }, (_, i) => `line-${String(i).padStart(6, '0')}-payload`);

async function proxiedBroker(t: Test): Promise<{ proxy: ProduceProxy; bootstrap: string; b: string }> {
  const proxyPort = await freePort();
  const { broker, b, admin } = await brokerWithAdmin(t, {
    config: { 'advertised.listeners': `PLAINTEXT://127.0.0.1:${proxyPort}` },
  });
  const proxy = new ProduceProxy(broker.port);
  await proxy.start(proxyPort);
  t.teardown(() => proxy.close());
  await admin.createTopics({ topics: [{ topic: 'lines' }], waitForLeaders: true });
  return { proxy, bootstrap: `127.0.0.1:${proxyPort}`, b };
}

async function readBack(bootstrap: string): Promise<string[]> {
  const r = await kafkaTool('kafka-console-consumer', [
    '--bootstrap-server',
    bootstrap,
    '--topic',
    'lines',
    '--from-beginning',
    '--timeout-ms',
    '5000',
  ]);
  return r.stdout.split('\n').filter((l) => l !== '');
}

t.test('the console producer has several Produce requests in flight, in order', { skip: CLI_SKIP }, async (t) => {
  t.setTimeout(120_000);
  const { proxy, bootstrap } = await proxiedBroker(t);
  const r = await kafkaTool(
    'kafka-console-producer',
    ['--bootstrap-server', bootstrap, '--topic', 'lines'],
    input.join('\n') + '\n',
  );
  t.equal(r.code, 0);
  t.equal(r.stderr, '');
  t.ok(proxy.produceRequests > 10, `${proxy.produceRequests} Produce requests`);
  t.ok(proxy.maxProduceInFlight > 1, `at most ${proxy.maxProduceInFlight} in flight at once`);
  t.ok(proxy.maxProduceInFlight <= 5, 'never more than max.in.flight.requests.per.connection');
  t.same(await readBack(bootstrap), input, 'every line once, in order');
});

t.test('a batch whose answer was lost is retried and written once', { skip: CLI_SKIP }, async (t) => {
  t.setTimeout(120_000);
  const { proxy, bootstrap } = await proxiedBroker(t);
  proxy.loseProduceAnswer(3);
  const r = await kafkaTool(
    'kafka-console-producer',
    ['--bootstrap-server', bootstrap, '--topic', 'lines'],
    input.join('\n') + '\n',
  );
  t.equal(r.code, 0);
  t.equal(r.stderr, '');
  t.equal(proxy.answersLost, 1, 'one answer lost after the broker wrote the batch');
  t.same(await readBack(bootstrap), input, 'every line once, in order: the retry was not written again');
});
