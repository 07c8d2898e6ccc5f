/**
 * How long Kafka's tools wait when no broker answers, and what they then say (bin/kafka/<tool>.sh as
 * processes), after Kafka 3.9's tools:
 * - kafka-configs (ConfigCommand) waits for a describe's answer with KafkaFuture.get(30, SECONDS):
 *   with the default default.api.timeout.ms (60 s) it ends after 30 s with
 *   java.util.concurrent.TimeoutException; with default.api.timeout.ms below 30 s the admin call
 *   ends first ("Timed out waiting for a node assignment. Call: describeClientQuotas"). Gregor waited
 *   60 s for configs, and failed users/clients/ips at once with the connection error.
 * - kafka-console-producer (ConsoleProducer): each record's send waits max.block.ms (--max-block-ms,
 *   60 s) for the topic's metadata, then ErrorLoggingCallback logs "Topic t not present in metadata
 *   after N ms." and the tool reads on (exit 0); with --sync the ExecutionException ends it (exit 1).
 *   A record whose broker went away is tried for delivery.timeout.ms, then "Expiring 1 record(s) for
 *   t-0:N ms has passed since batch creation". Gregor used default.api.timeout.ms (a consumer and
 *   admin setting) and accepted max.block.ms and delivery.timeout.ms without using them.
 * - kafka-console-consumer (ConsoleConsumer): poll() never fails for a broker that does not answer;
 *   ConsumerWrapper.receive throws TimeoutException after --timeout-ms without a record, which
 *   process() logs before the tool ends normally (exit 0); without --timeout-ms it waits until
 *   stopped. Gregor failed after default.api.timeout.ms ("Unknown error when running consumer", exit 1).
 * The settings are passed low so that no test waits a default, except ConfigCommand's fixed 30 s.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { Kafka, logLevel } from 'kafkajs';
import { CLI_SKIP } from '../../test/helpers/cli.js';
import {
  KAFKA_BIN,
  TOOL_ENV,
  kafkaTool,
  startKafkaTool,
  withoutClientWarnings,
} from '../../test/helpers/kafka-tools.js';
import { brokerFor } from '../../test/helpers/broker.js';
import { pollUntil } from '../../test/helpers/poll.js';

/** A port of this suite's range (42000-42999) that nothing listens on. */
async function silentPort(): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = 42000 + Math.floor(Math.random() * 1000);
    const free = await new Promise<boolean>((resolve) => {
      const s = createServer();
      s.once('error', () => resolve(false));
      s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error('no free port in 42000-42999');
}

const timed = async <T>(work: Promise<T>): Promise<{ result: T; ms: number }> => {
  const began = Date.now();
  const result = await work;
  return { result, ms: Date.now() - began };
};

t.test('kafka-configs: 30 s for a describe, or default.api.timeout.ms when lower', { skip: CLI_SKIP }, async (t) => {
  t.setTimeout(90_000);
  const dir = mkdtempSync(join(tmpdir(), 'gregor-tool-waits-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const b = `127.0.0.1:${await silentPort()}`;
  // ConfigCommand's own 30 s: started first, checked last.
  const longWait = timed(
    kafkaTool('kafka-configs', [
      '--describe',
      '--entity-type',
      'topics',
      '--entity-name',
      'foo',
      '--bootstrap-server',
      b,
    ]),
  );

  const config = join(dir, 'admin.properties');
  writeFileSync(config, 'default.api.timeout.ms=1500\nrequest.timeout.ms=1000\n');
  const users = await timed(
    kafkaTool('kafka-configs', [
      '--describe',
      '--entity-type',
      'users',
      '--entity-name',
      'alice',
      '--bootstrap-server',
      b,
      '--command-config',
      config,
    ]),
  );
  t.ok(users.ms >= 1500, `users: waited out default.api.timeout.ms (${users.ms} ms)`);
  t.equal(users.result.code, 1);
  t.equal(
    withoutClientWarnings(users.result.stderr).split('\n')[1],
    'java.util.concurrent.ExecutionException: org.apache.kafka.common.errors.TimeoutException: Timed out waiting for a node assignment. Call: describeClientQuotas',
  );

  const { result, ms } = await longWait;
  t.ok(ms >= 30_000 && ms < 45_000, `a topic's configs: 30 s (${ms} ms)`);
  t.equal(result.code, 1);
  t.equal(result.stdout, 'Dynamic configs for topic foo are:\n');
  t.equal(
    withoutClientWarnings(result.stderr),
    `Error while executing config command with args '--describe --entity-type topics --entity-name foo --bootstrap-server ${b}'\njava.util.concurrent.TimeoutException\n`,
  );
});

t.test('kafka-console-producer: max.block.ms for metadata, as Kafka', { skip: CLI_SKIP }, async (t) => {
  const b = `127.0.0.1:${await silentPort()}`;
  const args = ['--bootstrap-server', b, '--topic', 't', '--max-block-ms', '1000'];
  const async = await timed(kafkaTool('kafka-console-producer', args, 'a\nbb\n'));
  t.ok(async.ms >= 2000 && async.ms < 15_000, `each record waited max.block.ms (${async.ms} ms)`);
  t.equal(async.result.code, 0, 'the tool reads on and ends normally');
  const error = (bytes: number) =>
    `ERROR Error when sending message to topic t with key: null, value: ${bytes} bytes with error: (org.apache.kafka.clients.producer.internals.ErrorLoggingCallback)\norg.apache.kafka.common.errors.TimeoutException: Topic t not present in metadata after 1000 ms.\n`;
  t.equal(withoutClientWarnings(async.result.stderr), error(1) + error(2));

  const sync = await kafkaTool('kafka-console-producer', [...args, '--sync'], 'a\nbb\n');
  t.equal(sync.code, 1);
  t.equal(
    withoutClientWarnings(sync.stderr),
    'java.util.concurrent.ExecutionException: org.apache.kafka.common.errors.TimeoutException: Topic t not present in metadata after 1000 ms.\n',
  );

  const tooShort = await kafkaTool(
    'kafka-console-producer',
    [...args, '--producer-property', 'delivery.timeout.ms=100'],
    'a\n',
  );
  t.equal(tooShort.code, 1, 'delivery.timeout.ms below linger.ms + request.timeout.ms is refused');
  t.match(
    tooShort.stderr,
    /delivery\.timeout\.ms should be equal to or larger than linger\.ms \+ request\.timeout\.ms/,
  );
});

t.test('kafka-console-producer: a broker gone away, delivery.timeout.ms', { skip: CLI_SKIP }, async (t) => {
  t.setTimeout(60_000);
  const running = await brokerFor(t);
  const admin = new Kafka({ brokers: [running.bootstrap], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'gone' }], waitForLeaders: true });
  await admin.disconnect();
  const tool = spawn(
    `${KAFKA_BIN}kafka-console-producer.sh`,
    ['--bootstrap-server', running.bootstrap, '--topic', 'gone', '--producer-property', 'delivery.timeout.ms=3000'],
    { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...TOOL_ENV } },
  );
  let stderr = '';
  tool.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = once(tool, 'exit');
  tool.stdin.write('first\n');
  await pollUntil('the first record', 20_000, () => running.broker.replicas.get('gone', 0)?.log.logEndOffset === 1);
  await running.stop();
  const began = Date.now();
  tool.stdin.end('second\n');
  const [code] = await exited;
  const ms = Date.now() - began;
  t.equal(code, 0, 'ErrorLoggingCallback logs it and the tool ends normally');
  t.ok(ms >= 2500 && ms < 20_000, `the record was tried for delivery.timeout.ms (${ms} ms)`);
  t.match(
    withoutClientWarnings(stderr),
    /^ERROR Error when sending message to topic gone with key: null, value: 6 bytes with error: \(org\.apache\.kafka\.clients\.producer\.internals\.ErrorLoggingCallback\)\norg\.apache\.kafka\.common\.errors\.TimeoutException: Expiring 1 record\(s\) for gone-0:\d+ ms has passed since batch creation\n$/,
  );
});

const TIMEOUT_LOG =
  'ERROR Error processing message, terminating consumer process:  (org.apache.kafka.tools.consumer.ConsoleConsumer)\norg.apache.kafka.common.errors.TimeoutException\n';

t.test('kafka-console-consumer: polls on, ended by --timeout-ms or a signal', { skip: CLI_SKIP }, async (t) => {
  t.setTimeout(60_000);
  const b = `127.0.0.1:${await silentPort()}`;
  const timedOut = await timed(
    kafkaTool('kafka-console-consumer', ['--bootstrap-server', b, '--topic', 't', '--timeout-ms', '1500']),
  );
  t.ok(timedOut.ms >= 1500 && timedOut.ms < 15_000, `--timeout-ms ended it (${timedOut.ms} ms)`);
  t.equal(timedOut.result.code, 0);
  t.equal(withoutClientWarnings(timedOut.result.stderr), `${TIMEOUT_LOG}Processed a total of 0 messages\n`);

  // Without --timeout-ms it keeps trying past default.api.timeout.ms, until stopped.
  const port = await silentPort();
  const attempts: number[] = [];
  const refusing = createServer((socket) => {
    attempts.push(Date.now());
    socket.destroy();
  });
  await new Promise<void>((resolve) => refusing.listen(port, '127.0.0.1', resolve));
  t.teardown(() => refusing.close());
  const tool = startKafkaTool('kafka-console-consumer', [
    '--bootstrap-server',
    `127.0.0.1:${port}`,
    '--topic',
    't',
    '--consumer-property',
    'default.api.timeout.ms=1000',
  ]);
  await pollUntil(
    'attempts past default.api.timeout.ms',
    20_000,
    () => attempts.length > 0 && attempts.at(-1)! - attempts[0]! > 2500,
  );
  t.equal(await tool.stop('SIGINT'), 130);
  t.equal(withoutClientWarnings(tool.output().stderr), 'Processed a total of 0 messages\n');
});

t.test('kafka-console-consumer: a broker gone away, then --timeout-ms', { skip: CLI_SKIP }, async (t) => {
  t.setTimeout(60_000);
  const running = await brokerFor(t);
  const kafka = new Kafka({ brokers: [running.bootstrap], logLevel: logLevel.NOTHING });
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic: 'away', messages: [{ value: 'first' }] });
  await producer.disconnect();
  const tool = startKafkaTool('kafka-console-consumer', [
    '--bootstrap-server',
    running.bootstrap,
    '--topic',
    'away',
    '--from-beginning',
    '--timeout-ms',
    '3000',
  ]);
  await tool.waitForStdout((out) => out === 'first\n');
  await running.stop();
  const began = Date.now();
  const code = await tool.exited;
  const ms = Date.now() - began;
  t.equal(code, 0);
  t.ok(ms < 20_000, `--timeout-ms ended it (${ms} ms after the broker stopped)`);
  t.equal(withoutClientWarnings(tool.output().stderr), `${TIMEOUT_LOG}Processed a total of 1 messages\n`);
});
