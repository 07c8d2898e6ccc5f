/**
 * The `gregor` tools over TLS and SASL against a broker with an SSL listener (mTLS required), a
 * SASL_SSL listener (SCRAM-SHA-256/512) and a SASL_PLAINTEXT listener (PLAIN). A SCRAM user is
 * created with `gregor user create` over PLAIN, then used with `gregor topic create/list -X ...`
 * and `gregor console`; settings come from -X and --command-config. The built binary runs the
 * password read from stdin, a refused login (exit 1), an mTLS call, the console and the terminal
 * prompt (tmux); the other commands run in this process (test/helpers/cli-in-process.ts).
 */
import t, { type Test } from 'tap';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brokerFor } from '../../test/helpers/broker.js';
import { makeTestCerts, opensslAvailable, type TestCerts } from '../../test/helpers/certs.js';
import { hasCommand, run, type RunResult } from '../../test/helpers/external.js';
import { CLI_SKIP, GREGOR_BIN } from '../../test/helpers/cli.js';
import { gregorInProcess } from '../../test/helpers/cli-in-process.js';

// The broker's own login (username/password) for the inter-broker listener, and its users.
const PLAIN_JAAS =
  'org.apache.kafka.common.security.plain.PlainLoginModule required username="alice" password="alice-secret" user_alice="alice-secret";';
const haveOpenssl = opensslAvailable();
const skip = !haveOpenssl ? 'openssl is not installed' : CLI_SKIP;
const certs: TestCerts | null = haveOpenssl ? makeTestCerts() : null;
t.teardown(() => certs?.cleanup());

/** The command in this process. */
function gregor(args: string[], input?: string): Promise<RunResult> {
  return gregorInProcess(args, { input: input ?? '', env: { GREGOR_LOG_LEVEL: '' } });
}

/** The built binary, spawned. */
function gregorBinary(args: string[], input?: string): Promise<RunResult> {
  return run(process.execPath, [GREGOR_BIN, ...args], {
    input: input ?? '',
    timeoutMs: 60_000,
    env: { GREGOR_LOG_LEVEL: '' },
  });
}

interface Ports {
  ssl: number;
  saslSsl: number;
  saslPlaintext: number;
}

async function secureBroker(t: Test): Promise<Ports> {
  const c = certs!;
  const running = await brokerFor(t, {
    config: {
      listeners: 'SSL://127.0.0.1:0,SASL_SSL://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0',
      'listener.security.protocol.map': 'SSL:SSL,SASL_SSL:SASL_SSL,SASL_PLAINTEXT:SASL_PLAINTEXT',
      'inter.broker.listener.name': 'SASL_PLAINTEXT',
      // As Kafka, the inter-broker mechanism (default GSSAPI) must be one the listener enables.
      'sasl.mechanism.inter.broker.protocol': 'PLAIN',
      'ssl.keystore.type': 'PEM',
      'ssl.keystore.location': c.serverPemStore,
      'listener.name.ssl.ssl.client.auth': 'required',
      'listener.name.ssl.ssl.truststore.type': 'PEM',
      'listener.name.ssl.ssl.truststore.location': c.caFile,
      'listener.name.sasl_ssl.sasl.enabled.mechanisms': 'SCRAM-SHA-256,SCRAM-SHA-512',
      'listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config':
        'org.apache.kafka.common.security.scram.ScramLoginModule required;',
      'listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config':
        'org.apache.kafka.common.security.scram.ScramLoginModule required;',
      'listener.name.sasl_plaintext.sasl.enabled.mechanisms': 'PLAIN',
      'listener.name.sasl_plaintext.plain.sasl.jaas.config': PLAIN_JAAS,
    },
  });
  const port = (name: string): number => running.broker.bound.find((b) => b.name === name)!.port;
  return { ssl: port('SSL'), saslSsl: port('SASL_SSL'), saslPlaintext: port('SASL_PLAINTEXT') };
}

t.test('SCRAM users made with `gregor user`, then used over SASL_SSL', { skip }, async (t) => {
  const p = await secureBroker(t);
  const c = certs!;
  const plainAdmin = [
    '-b',
    `127.0.0.1:${p.saslPlaintext}`,
    '-X',
    'security.protocol=SASL_PLAINTEXT',
    '-X',
    'sasl.mechanism=PLAIN',
    '-X',
    `sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="alice" password="alice-secret";`,
  ];

  const created256 = await gregorBinary(
    ['user', 'create', 'carol', '--mechanism', 'SCRAM-SHA-256', ...plainAdmin],
    'carol-pw\n',
  );
  t.equal(created256.code, 0, created256.stderr);
  t.match(created256.stdout, /carol: SCRAM-SHA-256 credential set \(4096 iterations\)/);

  const adminFile = join(c.dir, 'admin.properties');
  writeFileSync(
    adminFile,
    '# PLAIN admin\nsecurity.protocol=SASL_PLAINTEXT\nsasl.mechanism=PLAIN\nsasl.username=alice\nsasl.password=alice-secret\n',
  );
  const created512 = await gregor([
    'user',
    'create',
    'carol',
    '--mechanism',
    'SCRAM-SHA-512',
    '--iterations',
    '8192',
    '--password',
    'carol-512',
    '-b',
    `127.0.0.1:${p.saslPlaintext}`,
    '--command-config',
    adminFile,
  ]);
  t.equal(created512.code, 0, created512.stderr);

  const listed = await gregor([
    'user',
    'list',
    '--format',
    'json',
    '-b',
    `127.0.0.1:${p.saslPlaintext}`,
    '--command-config',
    adminFile,
  ]);
  t.equal(listed.code, 0, listed.stderr);
  t.same(JSON.parse(listed.stdout), [
    { user: 'carol', mechanism: 'SCRAM-SHA-256', iterations: 4096 },
    { user: 'carol', mechanism: 'SCRAM-SHA-512', iterations: 8192 },
  ]);

  const scram = (mechanism: string, password: string): string[] => [
    '-b',
    `127.0.0.1:${p.saslSsl}`,
    '-X',
    'security.protocol=SASL_SSL',
    '-X',
    `sasl.mechanisms=${mechanism}`,
    '-X',
    'sasl.username=carol',
    '-X',
    `sasl.password=${password}`,
    '-X',
    `ssl.ca.location=${c.caFile}`,
  ];
  const createdTopic = await gregor([
    'topic',
    'create',
    'scram-orders',
    '-p',
    '2',
    ...scram('SCRAM-SHA-256', 'carol-pw'),
  ]);
  t.equal(createdTopic.code, 0, createdTopic.stderr);
  const topics = await gregor(['topic', 'list', '--format', 'json', ...scram('SCRAM-SHA-512', 'carol-512')]);
  t.equal(topics.code, 0, topics.stderr);
  t.match(topics.stdout, /scram-orders/);

  const jaas = await gregor([
    'topic',
    'list',
    '-b',
    `127.0.0.1:${p.saslSsl}`,
    '-X',
    'security.protocol=SASL_SSL',
    '-X',
    'sasl.mechanism=SCRAM-SHA-512',
    '-X',
    `ssl.truststore.location=${c.caFile}`,
    '-X',
    'sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="carol" password="carol-512";',
  ]);
  t.equal(jaas.code, 0, jaas.stderr);
  t.match(jaas.stdout, /scram-orders/);

  const consoleChild = spawn(
    process.execPath,
    [GREGOR_BIN, 'console', '-l', '127.0.0.1:0', '--read-only', ...scram('SCRAM-SHA-256', 'carol-pw')],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const consoleExit = once(consoleChild, 'exit');
  t.teardown(() => {
    if (consoleChild.exitCode === null) consoleChild.kill('SIGKILL');
  });
  const url = await new Promise<string>((resolve, reject) => {
    let err = '';
    consoleChild.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /console on (\S+)/.exec(err);
      if (m) resolve(m[1]!);
    });
    consoleChild.once('exit', (code) => reject(new Error(`console exited with ${code}: ${err}`)));
  });
  const overview = await fetch(url).then((r) => r.text());
  t.match(overview, /scram-orders/, 'the console reads the cluster over SASL_SSL with SCRAM');
  consoleChild.kill('SIGTERM');
  await consoleExit;

  const wrong = await gregorBinary(['topic', 'list', ...scram('SCRAM-SHA-256', 'not-it')]);
  t.equal(wrong.code, 1, 'a wrong password exits 1');
  t.match(wrong.stderr, /SASL_AUTHENTICATION_FAILED/);

  const deleted = await gregor(['user', 'delete', 'carol', '--mechanism', 'SCRAM-SHA-512', ...plainAdmin]);
  t.equal(deleted.code, 0, deleted.stderr);
  const after = await gregor(['user', 'list', '--format', 'json', ...plainAdmin]);
  t.same(JSON.parse(after.stdout), [{ user: 'carol', mechanism: 'SCRAM-SHA-256', iterations: 4096 }]);
  const gone = await gregor(['topic', 'list', ...scram('SCRAM-SHA-512', 'carol-512')]);
  t.equal(gone.code, 1, 'the deleted credential no longer authenticates');
  t.match(gone.stderr, /SASL_AUTHENTICATION_FAILED/);

  const fewIterations = await gregor([
    'user',
    'create',
    'dave',
    '--mechanism',
    'SCRAM-SHA-256',
    '--iterations',
    '1000',
    '--password',
    'x',
    ...plainAdmin,
  ]);
  t.equal(fewIterations.code, 1, 'the broker refuses too few iterations');
  t.match(fewIterations.stderr, /UNACCEPTABLE_CREDENTIAL/);
  const deleteMissing = await gregor(['user', 'delete', 'nobody', '--mechanism', 'SCRAM-SHA-256', ...plainAdmin]);
  t.equal(deleteMissing.code, 1);
  t.match(deleteMissing.stderr, /user nobody: RESOURCE_NOT_FOUND/);

  const badMechanism = await gregor([
    'user',
    'create',
    'dave',
    '--mechanism',
    'SCRAM-SHA-1',
    '--password',
    'x',
    ...plainAdmin,
  ]);
  t.equal(badMechanism.code, 2);
  t.match(badMechanism.stderr, /--mechanism takes SCRAM-SHA-256 or SCRAM-SHA-512/);
});

t.test('SSL with a client certificate (mTLS), and refusals', { skip }, async (t) => {
  const p = await secureBroker(t);
  const c = certs!;
  const ssl = ['-b', `127.0.0.1:${p.ssl}`, '-X', 'security.protocol=SSL', '-X', `ssl.ca.location=${c.caFile}`];
  const withCert = await gregorBinary([
    'cluster',
    'info',
    '--format',
    'json',
    ...ssl,
    '-X',
    `ssl.certificate.location=${c.clientCertFile}`,
    '-X',
    `ssl.key.location=${c.clientKeyFile}`,
  ]);
  t.equal(withCert.code, 0, withCert.stderr);
  t.match(JSON.parse(withCert.stdout), { brokers: [{ port: p.ssl }] });

  const store = join(c.dir, 'client-store.pem');
  writeFileSync(store, readFileSync(c.clientKeyFile, 'utf8') + readFileSync(c.clientCertFile, 'utf8'));
  const withStore = await gregor([
    'topic',
    'list',
    ...ssl,
    '-X',
    `ssl.keystore.location=${store}`,
    '-X',
    'ssl.endpoint.identification.algorithm=https',
  ]);
  t.equal(withStore.code, 0, withStore.stderr);

  const noCert = await gregor(['topic', 'list', ...ssl, '--request-timeout', '5000']);
  t.equal(noCert.code, 1, 'the broker requires a client certificate');

  const untrusted = await gregor([
    'topic',
    'list',
    '-b',
    `127.0.0.1:${p.ssl}`,
    '-X',
    'security.protocol=SSL',
    '-X',
    `ssl.ca.location=${join(c.dir, 'other-ca.pem')}`,
    '-X',
    `ssl.keystore.location=${store}`,
  ]);
  t.equal(untrusted.code, 1);
  t.match(untrusted.stderr, /TLS: .*certificate/i);

  const unknown = await gregor(['topic', 'list', ...ssl, '-X', 'ssl.cipher.suites=x']);
  t.equal(unknown.code, 2);
  t.match(unknown.stderr, /unknown client setting ssl\.cipher\.suites/);
  const badValue = await gregor(['topic', 'list', '-X', 'security.protocol=SASL_SSLX']);
  t.equal(badValue.code, 2);
  t.match(badValue.stderr, /security\.protocol: "SASL_SSLX"/);
  const unused = await gregor(['topic', 'list', '-X', 'sasl.username=u']);
  t.equal(unused.code, 2);
  t.match(unused.stderr, /sasl\.username has no effect with security\.protocol=PLAINTEXT/);
  const missing = await gregor(['topic', 'list', '--command-config', join(c.dir, 'absent.properties')]);
  t.equal(missing.code, 2);
  t.match(missing.stderr, /--command-config: cannot read/);
  const consoleBad = await gregor([
    'console',
    '-l',
    '127.0.0.1:0',
    '-X',
    'sasl.mechanism=GSSAPI',
    '-X',
    'security.protocol=SASL_PLAINTEXT',
  ]);
  t.equal(consoleBad.code, 2);
  t.match(consoleBad.stderr, /sasl\.mechanism: "GSSAPI"/);
});

const tmuxSkip = CLI_SKIP !== false ? CLI_SKIP : hasCommand('tmux') ? false : 'tmux is not installed';
t.test(
  'on a terminal, `gregor user create` asks for the password without echoing it',
  { skip: tmuxSkip },
  async (t) => {
    const running = await brokerFor(t, {
      config: {
        listeners: 'PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0',
        'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT',
        'listener.name.sasl_plaintext.sasl.enabled.mechanisms': 'SCRAM-SHA-256',
        'listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config':
          'org.apache.kafka.common.security.scram.ScramLoginModule required;',
      },
    });
    const plaintext = running.broker.bound.find((b) => b.name === 'PLAINTEXT')!.port;
    const sasl = running.broker.bound.find((b) => b.name === 'SASL_PLAINTEXT')!.port;
    const session = `gregor-user-${process.pid}`;
    const command = `${process.execPath} ${GREGOR_BIN} user create erin --mechanism SCRAM-SHA-256 -b 127.0.0.1:${plaintext}; echo DONE-$?; sleep 30`;
    const started = await run('tmux', ['new-session', '-d', '-s', session, '-x', '120', '-y', '20', command]);
    t.equal(started.code, 0, started.stderr);
    t.teardown(() => run('tmux', ['kill-session', '-t', session]).then(() => undefined));
    t.match(await waitForScreen(session, /Password:/), /Password:/);
    await run('tmux', ['send-keys', '-t', session, '-l', 'erin-secretX']);
    await run('tmux', ['send-keys', '-t', session, 'BSpace', 'Enter']);
    const screen = await waitForScreen(session, /DONE-\d/);
    t.match(screen, /DONE-0/, screen);
    t.match(screen, /erin: SCRAM-SHA-256 credential set/);
    t.notMatch(screen, /erin-secret/, 'the password is not echoed');
    const used = await gregor([
      'topic',
      'list',
      '-b',
      `127.0.0.1:${sasl}`,
      '-X',
      'security.protocol=SASL_PLAINTEXT',
      '-X',
      'sasl.mechanism=SCRAM-SHA-256',
      '-X',
      'sasl.username=erin',
      '-X',
      'sasl.password=erin-secret',
    ]);
    t.equal(used.code, 0, `the typed password (backspace applied) authenticates: ${used.stderr}`);
  },
);

/** Polls the tmux pane until `pattern` shows (bounded), returning the screen. */
async function waitForScreen(session: string, pattern: RegExp): Promise<string> {
  let screen = '';
  for (let i = 0; i < 300; i++) {
    screen = (await run('tmux', ['capture-pane', '-p', '-t', session])).stdout;
    if (pattern.test(screen)) return screen;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return screen;
}
