/**
 * `kafka-server-start.sh -daemon <server.properties>`, as Kafka's quickstarts and service scripts run
 * it: the script exits 0 at once, the broker runs detached with its console output in
 * $LOG_DIR/kafkaServer.out, kafka-topics.sh creates a topic on it, and kafka-server-stop.sh (by its
 * node id, so that no other test's broker is stopped) shuts it down cleanly. `-daemon` with no file
 * gets the usage line. Gregor refused -daemon.
 */
import t from 'tap';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { CLI_SKIP } from '../../test/helpers/cli.js';
import { freePort } from '../../test/helpers/ports.js';
import { run } from '../../test/helpers/external.js';
import { KAFKA_BIN, kafkaTool, TOOL_ENV } from '../../test/helpers/kafka-tools.js';
import { formatStorage, kraftProperties, writeProperties } from '../../test/helpers/kraft-properties.js';
import { pollUntil } from '../../test/helpers/poll.js';

/** Whether something accepts a TCP connection on 127.0.0.1:port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

const NODE_ID = 7391; // no other test uses it: kafka-server-stop --node-id stops only this broker

t.test('kafka-server-start.sh -daemon, then kafka-server-stop.sh', { skip: CLI_SKIP }, async (t) => {
  const dir = t.testdir();
  const [port, controllerPort] = [await freePort(), await freePort()];
  const file = writeProperties(
    dir,
    'server.properties',
    kraftProperties({
      nodeId: NODE_ID,
      roles: 'broker,controller',
      brokerPort: port,
      controllerPort,
      voters: `${NODE_ID}@127.0.0.1:${controllerPort}`,
      logDir: join(dir, 'kraft-combined-logs'),
    }),
  );
  await formatStorage(file, 'RGFlbW9uU3RhcnRUZXN0MQ');
  const logDir = join(dir, 'logs');
  const env = { ...TOOL_ENV, LOG_DIR: logDir };
  const stop = (): ReturnType<typeof run> =>
    run(`${KAFKA_BIN}kafka-server-stop.sh`, [`--node-id=${NODE_ID}`], { env, timeoutMs: 60_000 });
  t.teardown(async () => void (await stop()));

  const started = await run(`${KAFKA_BIN}kafka-server-start.sh`, ['-daemon', file], { env, timeoutMs: 30_000 });
  t.same([started.code, started.stdout, started.stderr], [0, '', ''], 'the script returns at once, silent');
  const bootstrap = ['--bootstrap-server', `127.0.0.1:${port}`];
  await pollUntil('the daemon serves', 60_000, async () => {
    const created = await kafkaTool('kafka-topics', [...bootstrap, '--create', '--topic', 'from-daemon']);
    return created.code === 0;
  });
  const listed = await kafkaTool('kafka-topics', [...bootstrap, '--list']);
  t.equal(listed.stdout, 'from-daemon\n');
  t.match(
    readFileSync(join(logDir, 'kafkaServer.out'), 'utf8'),
    /Kafka Server started/,
    'console output in kafkaServer.out',
  );

  const stopped = await stop();
  t.equal(stopped.code, 0, stopped.stderr);
  await pollUntil('the daemon gone', 60_000, async () => !(await listening(port)));
  // The listener closes before the broker's last writes (checkpoints, the log flush): wait for the
  // process itself, or the test directory's removal races them (ENOTEMPTY under load).
  await pollUntil('the daemon process gone', 60_000, async () => (await run('pgrep', ['-f', file])).code === 1);
  t.pass('kafka-server-stop.sh stopped the daemon');

  const usage = await run(`${KAFKA_BIN}kafka-server-start.sh`, ['-daemon'], { env, timeoutMs: 30_000 });
  t.equal(usage.code, 1);
  t.match(usage.stderr, /USAGE: .*kafka-server-start\.sh \[-daemon\] server\.properties/);
});
