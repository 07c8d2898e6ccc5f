/**
 * The console's login mode: browser users sign in with HTTP Basic and the console acts as their
 * own SASL user on the cluster, both when the broker serves it at /ui (a broker whose only Kafka
 * listener is SASL_PLAINTEXT) and with `gregor console --login`. No credentials: 401 with a Basic
 * challenge; refused credentials: 401; accepted ones: the pages. Settings that cannot work are
 * usage errors.
 */
import t, { type Test } from 'tap';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { Kafka, logLevel } from 'kafkajs';
import { brokerFor } from '../../test/helpers/broker.js';
import { run } from '../../test/helpers/external.js';
import { CLI_SKIP, GREGOR_BIN } from '../../test/helpers/cli.js';

const PLAIN_JAAS =
  'org.apache.kafka.common.security.plain.PlainLoginModule required user_alice="alice-secret" user_bob="bob-secret";';
const basic = (user: string, password: string): Record<string, string> => ({
  authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
});

async function saslBroker(t: Test, extra: Record<string, string> = {}) {
  const running = await brokerFor(t, {
    config: {
      listeners: 'SASL_PLAINTEXT://127.0.0.1:0',
      'sasl.enabled.mechanisms': 'PLAIN',
      'listener.name.sasl_plaintext.plain.sasl.jaas.config': PLAIN_JAAS,
      ...extra,
    },
  });
  const kafka = new Kafka({
    brokers: [`127.0.0.1:${running.port}`],
    sasl: { mechanism: 'plain', username: 'alice', password: 'alice-secret' },
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'behind-login' }], waitForLeaders: true });
  await admin.disconnect();
  return running;
}

t.test('the broker-served console signs users in through its SASL_PLAINTEXT listener', async (t) => {
  const running = await saslBroker(t, { 'metrics.listener': 'http://127.0.0.1:0' });
  const base = `http://127.0.0.1:${running.broker.ops!.address!.port}`;
  const anonymous = await fetch(`${base}/ui`);
  t.equal(anonymous.status, 401);
  t.match(anonymous.headers.get('www-authenticate') ?? '', /^Basic realm="Gregor console"/);
  const wrong = await fetch(`${base}/ui`, { headers: basic('alice', 'nope') });
  t.equal(wrong.status, 401, 'refused by the listener: 401 again');
  t.match(await wrong.text(), /Authentication failed|SASL_AUTHENTICATION_FAILED|invalid/i);
  const alice = await fetch(`${base}/ui`, { headers: basic('alice', 'alice-secret') });
  t.equal(alice.status, 200);
  t.match(await alice.text(), /behind-login/);
  const bob = await fetch(`${base}/ui/topics/behind-login`, { headers: basic('bob', 'bob-secret') });
  t.equal(bob.status, 200, 'a second user gets a client of their own');
  t.equal((await fetch(`${base}/metrics`)).status, 200, '/metrics needs no sign-in');
});

t.test('gregor console --login', { skip: CLI_SKIP }, async (t) => {
  const running = await saslBroker(t);
  const settings = [
    '-b',
    `127.0.0.1:${running.port}`,
    '-X',
    'security.protocol=SASL_PLAINTEXT',
    '-X',
    'sasl.mechanism=PLAIN',
  ];
  const withUser = await run(
    process.execPath,
    [GREGOR_BIN, 'console', '--login', ...settings, '-X', 'sasl.username=x'],
    {
      input: '',
      timeoutMs: 30_000,
    },
  );
  t.equal(withUser.code, 2);
  t.match(withUser.stderr, /--login takes the user name and password from the browser: drop sasl\.username/);
  const plaintext = await run(process.execPath, [GREGOR_BIN, 'console', '--login', '-b', '127.0.0.1:1'], {
    input: '',
    timeoutMs: 30_000,
  });
  t.equal(plaintext.code, 2);
  t.match(plaintext.stderr, /--login needs security\.protocol=SASL_PLAINTEXT or SASL_SSL/);

  const child = spawn(process.execPath, [GREGOR_BIN, 'console', '--login', '-l', '127.0.0.1:0', ...settings], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const exited = once(child, 'exit');
  t.teardown(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  const url = await new Promise<string>((resolve, reject) => {
    let err = '';
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /console on (\S+)/.exec(err);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`console exited with ${code}: ${err}`)));
  });
  t.equal((await fetch(url)).status, 401);
  t.equal((await fetch(url, { headers: basic('bob', 'wrong') })).status, 401);
  const page = await fetch(url, { headers: basic('bob', 'bob-secret') });
  t.equal(page.status, 200);
  t.match(await page.text(), /behind-login/);
  child.kill('SIGTERM');
  await exited;
});
