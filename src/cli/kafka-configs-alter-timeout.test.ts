/**
 * kafka-configs --alter whose change is never answered: Kafka 3.9's ConfigCommand gives the
 * IncrementalAlterConfigs call a budget of its own, AlterConfigsOptions.timeoutMs(30000), whatever
 * default.api.timeout.ms says, so the tool ends after about 30 s with the admin client's
 * TimeoutException (in an ExecutionException). Gregor's tool used default.api.timeout.ms (here 120 s)
 * and ended only at its 60 s wait for the answer (java.util.concurrent.TimeoutException).
 *
 * The broker is reached through a proxy it advertises, which passes every request on but swallows
 * IncrementalAlterConfigs (api key 44): the describe the tool sends first is answered, the change is not.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { CLI_SKIP } from '../../test/helpers/cli.js';
import { brokerFor } from '../../test/helpers/broker.js';
import { kafkaTool, withoutClientWarnings } from '../../test/helpers/kafka-tools.js';
import { freePort } from '../../test/helpers/ports.js';

const INCREMENTAL_ALTER_CONFIGS = 44;

/** Forwards the client's request frames to `port` except those of `swallowedApiKey`; answers flow back. */
function swallowingProxy(port: number, swallowedApiKey: number): Promise<{ port: number; close: () => void }> {
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = createConnection({ host: '127.0.0.1', port });
    sockets.add(client).add(upstream);
    upstream.pipe(client);
    let pending = Buffer.alloc(0);
    client.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 6 && pending.length >= 4 + pending.readInt32BE(0)) {
        const frame = pending.subarray(0, 4 + pending.readInt32BE(0));
        pending = pending.subarray(frame.length);
        if (frame.readInt16BE(4) !== swallowedApiKey) upstream.write(frame);
      }
    });
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.on('error', () => undefined);
    upstream.on('error', () => undefined);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        port: (server.address() as AddressInfo).port,
        close: () => {
          for (const s of sockets) s.destroy();
          server.close();
        },
      }),
    ),
  );
}

t.test('kafka-configs --alter: the change call has its own 30 s budget', { skip: CLI_SKIP }, async (t) => {
  t.setTimeout(120_000);
  const [brokerPort, controllerPort] = [await freePort(), await freePort()];
  const proxy = await swallowingProxy(brokerPort, INCREMENTAL_ALTER_CONFIGS);
  t.teardown(proxy.close);
  // The broker advertises the proxy: after the bootstrap's metadata the tools talk to the brokers as
  // advertised, as Kafka's clients do, so their calls go through it.
  const running = await brokerFor(t, {
    config: {
      'process.roles': 'broker,controller',
      'node.id': 1,
      listeners: `PLAINTEXT://127.0.0.1:${brokerPort},CONTROLLER://127.0.0.1:${controllerPort}`,
      'advertised.listeners': `PLAINTEXT://127.0.0.1:${proxy.port}`,
      'controller.listener.names': 'CONTROLLER',
      'controller.quorum.voters': `1@127.0.0.1:${controllerPort}`,
    },
  });
  const created = await kafkaTool('kafka-topics', [
    '--create',
    '--topic',
    'slow',
    '--bootstrap-server',
    running.bootstrap,
  ]);
  t.equal(created.code, 0, created.stderr);
  const dir = mkdtempSync(join(tmpdir(), 'gregor-configs-alter-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const config = join(dir, 'admin.properties');
  writeFileSync(config, 'default.api.timeout.ms=120000\n');

  const args = ['--alter', '--entity-type', 'topics', '--entity-name', 'slow', '--add-config', 'retention.ms=1000'];
  const began = Date.now();
  const altered = await kafkaTool('kafka-configs', [
    ...args, '--bootstrap-server', `127.0.0.1:${proxy.port}`, '--command-config', config,
  ]); // prettier-ignore
  const ms = Date.now() - began;
  t.ok(ms >= 29_000 && ms < 45_000, `ended after the call's 30 s (${ms} ms)`);
  t.equal(altered.code, 1);
  const lines = withoutClientWarnings(altered.stderr).split('\n');
  t.match(lines[0], /^Error while executing config command with args '--alter /);
  t.match(
    lines[1],
    /^java\.util\.concurrent\.ExecutionException: org\.apache\.kafka\.common\.errors\.TimeoutException: /,
    'the admin call timed out (not the tool\'s own 60 s wait: "java.util.concurrent.TimeoutException")',
  );
});
