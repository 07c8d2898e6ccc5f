/**
 * `kafka-storage.sh format --add-scram`, as Kafka 3.9's StorageTool takes it (the way
 * @testcontainers/kafka's withSaslSslListener creates its user in KRaft mode): the credentials are
 * salted and hashed into the metadata log dir at format time, and the node's first start commits
 * them, so a SCRAM client signs in at once; a bad entry is refused before anything is written.
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel, type SASLOptions } from 'kafkajs';
import { CLI_SKIP } from '../../test/helpers/cli.js';
import { freePort } from '../../test/helpers/ports.js';
import { KAFKA_BIN, kafkaTool, TOOL_ENV } from '../../test/helpers/kafka-tools.js';

const SCRAM_JAAS = 'org.apache.kafka.common.security.scram.ScramLoginModule required;';

t.test('format --add-scram: the first start knows the users', { skip: CLI_SKIP }, async (t) => {
  t.setTimeout(90_000);
  const dir = mkdtempSync(join(tmpdir(), 'gregor-add-scram-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const logDir = join(dir, 'logs');
  const config = join(dir, 'server.properties');
  const [port, saslPort, controllerPort] = [await freePort(), await freePort(), await freePort()];
  writeFileSync(
    config,
    [
      'process.roles=broker,controller',
      'node.id=1',
      `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
      `listeners=PLAINTEXT://127.0.0.1:${port},SASL_PLAINTEXT://127.0.0.1:${saslPort},CONTROLLER://127.0.0.1:${controllerPort}`,
      'inter.broker.listener.name=PLAINTEXT',
      'controller.listener.names=CONTROLLER',
      'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT',
      'sasl.enabled.mechanisms=SCRAM-SHA-256,SCRAM-SHA-512',
      `listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config=${SCRAM_JAAS}`,
      `listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=${SCRAM_JAAS}`,
      `log.dirs=${logDir}`,
      '',
    ].join('\n'),
  );
  const clusterId = 'MkU3OEVBNTcwNTJENDM2Qg';

  const bad = await kafkaTool('kafka-storage', [
    'format',
    '-t',
    clusterId,
    '-c',
    config,
    '--add-scram',
    'SCRAM-SHA-1=[name=x,password=y]',
  ]);
  t.equal(bad.code, 1, 'an unknown mechanism is refused');
  t.match(bad.stderr, /--add-scram: SCRAM-SHA-1 is not a SCRAM mechanism/);
  t.notOk(existsSync(join(logDir, 'meta.properties')), 'nothing was formatted');

  const formatted = await kafkaTool('kafka-storage', [
    'format',
    '-t',
    clusterId,
    '-c',
    config,
    '--add-scram',
    'SCRAM-SHA-256=[name=alice,password=alice-secret]',
    '-S',
    'SCRAM-SHA-512=[name="bob",password="bob secret",iterations=8192]',
  ]);
  t.equal(formatted.code, 0, formatted.stderr);
  t.notMatch(readFileSync(join(logDir, 'bootstrap.scram.json'), 'utf8'), /secret/, 'no password is stored');

  const server = spawn(`${KAFKA_BIN}kafka-server-start.sh`, [config], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, ...TOOL_ENV },
  });
  let stderr = '';
  server.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => server.on('exit', (code) => resolve(code)));
  t.teardown(async () => {
    server.kill('SIGTERM');
    await exited;
  });
  const signIn = async (
    mechanism: 'scram-sha-256' | 'scram-sha-512',
    username: string,
    password: string,
  ): Promise<void> => {
    const admin = new Kafka({
      brokers: [`127.0.0.1:${saslPort}`],
      sasl: { mechanism, username, password } as SASLOptions,
      logLevel: logLevel.NOTHING,
      retry: { retries: 30, initialRetryTime: 100, maxRetryTime: 500 },
    }).admin();
    await admin.connect();
    await admin.listTopics();
    await admin.disconnect();
  };
  await signIn('scram-sha-256', 'alice', 'alice-secret');
  t.pass('alice signs in with SCRAM-SHA-256 on the first start');
  await signIn('scram-sha-512', 'bob', 'bob secret');
  t.pass('bob (quoted values, 8192 iterations) signs in with SCRAM-SHA-512');
  const wrong = new Kafka({
    brokers: [`127.0.0.1:${saslPort}`],
    sasl: { mechanism: 'scram-sha-256', username: 'alice', password: 'nope' },
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
  }).admin();
  await t.rejects(wrong.connect(), /SASL SCRAM SHA256 authentication failed|invalid credentials/i, stderr);
});
