/**
 * The retry budget of Kafka's tools (bin/kafka/<tool>.sh as processes): as Kafka's admin client, a
 * call is retried until default.api.timeout.ms (60 s; kafka-consumer-groups: its --timeout) has
 * passed, so a tool started before its broker, or while the broker restarts, succeeds once the
 * broker answers; with nothing listening it waits out the budget and fails with Kafka's
 * TimeoutException and exit code.
 *
 * "Not up yet" is a listener on the broker's port that closes every connection it accepts (what a
 * client sees of a restarting broker): the test counts the tool's attempts there, more than the old
 * fixed budget of 6 tries, before starting the real broker on that port.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { CLI_SKIP, startCli } from '../../test/helpers/cli.js';
import { kafkaTool, withoutClientWarnings } from '../../test/helpers/kafka-tools.js';

/** A free port of this suite's range (22000-22999). */
async function freeToolPort(): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = 22000 + Math.floor(Math.random() * 1000);
    const free = await new Promise<boolean>((resolve) => {
      const s = createServer();
      s.once('error', () => resolve(false));
      s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error('no free port in 22000-22999');
}

/** Listens on `port`, closing each connection at once; resolves after `count` connections. */
async function refuseConnections(port: number, count: number): Promise<void> {
  const server = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  await new Promise<void>((resolve) => {
    let seen = 0;
    server.on('connection', () => {
      if (++seen === count) resolve();
    });
  });
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

function brokerArgs(port: number, dataDir: string): string[] {
  return ['--override', `listeners=PLAINTEXT://127.0.0.1:${port}`, '--override', `log.dirs=${dataDir}`];
}

t.test('a tool started before its broker waits for it, as Kafka admin client does', { skip: CLI_SKIP }, async (t) => {
  t.setTimeout(90_000);
  const dir = mkdtempSync(join(tmpdir(), 'gregor-tool-retry-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const port = await freeToolPort();
  const b = `127.0.0.1:${port}`;
  const refusing = refuseConnections(port, 8);
  const create = kafkaTool('kafka-topics', [
    '--create',
    '--topic',
    'early',
    '--partitions',
    '2',
    '--bootstrap-server',
    b,
  ]);
  await refusing;
  const broker = await startCli(brokerArgs(port, join(dir, 'data')));
  t.teardown(() => broker.stop('SIGKILL'));
  const created = await create;
  t.equal(created.code, 0, created.stdout + created.stderr);
  t.equal(created.stdout, 'Created topic early.\n');

  // A restart: the broker goes away while a tool runs, and comes back on its port.
  t.equal(await broker.stop('SIGTERM'), 0);
  const refusingAgain = refuseConnections(port, 8);
  const describe = kafkaTool('kafka-topics', ['--describe', '--topic', 'early', '--bootstrap-server', b]);
  const groups = kafkaTool('kafka-consumer-groups', ['--list', '--timeout', '30000', '--bootstrap-server', b]);
  await refusingAgain;
  const again = await startCli(brokerArgs(port, join(dir, 'data')));
  t.teardown(() => again.stop('SIGKILL'));
  const described = await describe;
  t.equal(described.code, 0, described.stdout + described.stderr);
  t.match(described.stdout, /^Topic: early\tTopicId: \S+\tPartitionCount: 2\t/);
  const listed = await groups;
  t.equal(listed.code, 0);
  t.equal(listed.stdout, '', listed.stderr);

  // A topic the broker does not know is an answer, not a reason to retry (Kafka's admin client
  // completes the call with UnknownTopicOrPartitionException at once).
  const began = Date.now();
  const missing = await kafkaTool('kafka-configs', [
    '--describe',
    '--entity-type',
    'topics',
    '--entity-name',
    'missing',
    '--bootstrap-server',
    b,
  ]);
  t.equal(missing.code, 1);
  t.ok(Date.now() - began < 20_000, 'not retried for default.api.timeout.ms');
  t.notMatch(missing.stderr, /timed out|Timed out/);
});

t.test(
  'nothing listening: the tool waits out its budget, then prints Kafka TimeoutException',
  { skip: CLI_SKIP },
  async (t) => {
    t.setTimeout(60_000);
    const dir = mkdtempSync(join(tmpdir(), 'gregor-tool-timeout-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const config = join(dir, 'admin.properties');
    writeFileSync(config, 'default.api.timeout.ms=1500\nretry.backoff.ms=50\n');
    const b = `127.0.0.1:${await freeToolPort()}`;

    const began = Date.now();
    const listed = await kafkaTool('kafka-topics', ['--list', '--bootstrap-server', b, '--command-config', config]);
    t.ok(Date.now() - began >= 1500, 'it waited out default.api.timeout.ms');
    t.equal(listed.code, 1);
    t.equal(
      listed.stdout,
      'Error while executing topic command : Timed out waiting for a node assignment. Call: listTopics\n',
    );
    // Each attempt that reached no broker is logged as Kafka's NetworkClient logs it (WARN, stderr).
    t.match(
      listed.stderr,
      `] WARN [AdminClient clientId=adminclient-1] Connection to node -1 (/${b}) could not be established. Node may not be available. (org.apache.kafka.clients.NetworkClient)\n`,
    );
    t.match(
      withoutClientWarnings(listed.stderr),
      /^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}\] ERROR org\.apache\.kafka\.common\.errors\.TimeoutException: Timed out waiting for a node assignment\. Call: listTopics\n \(org\.apache\.kafka\.tools\.TopicCommand\)\n$/,
    );

    const groupsBegan = Date.now();
    const groups = await kafkaTool('kafka-consumer-groups', ['--list', '--timeout', '1000', '--bootstrap-server', b]);
    t.ok(Date.now() - groupsBegan >= 1000, 'it waited out --timeout');
    t.equal(groups.code, 0, 'ConsumerGroupCommand exits 0 after printing the error');
    t.equal(
      groups.stdout,
      '\nError: Executing consumer group command failed due to java.util.concurrent.ExecutionException: org.apache.kafka.common.errors.TimeoutException: Timed out waiting for a node assignment. Call: findAllBrokers\n',
    );

    writeFileSync(config, 'default.api.timeout.ms=soon\n');
    const bad = await kafkaTool('kafka-topics', ['--list', '--bootstrap-server', b, '--command-config', config]);
    t.equal(bad.code, 1);
    t.match(bad.stderr, /Invalid value soon for configuration default\.api\.timeout\.ms/);
  },
);
