/**
 * Kafka's start-up checks of the listener lists (CoreUtils.listenerListToEndPoints and
 * KafkaConfig.validateValues): a name or a port twice in `listeners`, an advertised listener that is not
 * bound, an advertised 0.0.0.0 and a port above 65535 stop start-up with Kafka's message, where they
 * used to be bound twice or silently dropped. Also through `gregor start` (one line, exit 1) and kcat
 * against a broker whose advertised listener is given.
 */
import t from 'tap';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { assertAdvertisedListeners, assertDistinctListeners, parseListeners } from './listeners.js';
import { startBroker } from '../index.js';
import { hasCommand } from '../../test/helpers/external.js';

const run = promisify(execFile);
const bin = fileURLToPath(new URL('../../bin/gregor.js', import.meta.url));
const map = new Map([
  ['PLAINTEXT', 'PLAINTEXT'],
  ['EXTERNAL', 'PLAINTEXT'],
  ['CONTROLLER', 'PLAINTEXT'],
]);
const specs = (...l: string[]) => parseListeners(l, map);
const ROLES = ['broker', 'controller'];

t.test('listeners: each name and each port once', async (t) => {
  t.throws(
    () => assertDistinctListeners('listeners', specs('PLAINTEXT://127.0.0.1:9092', 'PLAINTEXT://127.0.0.1:9093'), true),
    {
      message:
        'Each listener must have a different name, listeners: PLAINTEXT://127.0.0.1:9092,PLAINTEXT://127.0.0.1:9093',
    },
  );
  t.throws(
    () => assertDistinctListeners('listeners', specs('PLAINTEXT://127.0.0.1:9092', 'EXTERNAL://127.0.0.2:9092'), true),
    {
      message: /^Each listener must have a different port, listeners: /,
    },
  );
  t.doesNotThrow(() =>
    assertDistinctListeners('listeners', specs('PLAINTEXT://127.0.0.1:0', 'EXTERNAL://127.0.0.1:0'), true),
  );
  t.doesNotThrow(() =>
    assertDistinctListeners('listeners', specs('PLAINTEXT://127.0.0.1:9092', 'EXTERNAL://[::1]:9092'), true),
  );
  t.doesNotThrow(() =>
    assertDistinctListeners('advertised.listeners', specs('PLAINTEXT://h:9092', 'EXTERNAL://h:9092'), false),
  );
  t.throws(() => parseListeners(['PLAINTEXT://127.0.0.1:99999'], map), {
    message: 'listener "PLAINTEXT://127.0.0.1:99999": port 99999 is out of range (0-65535)',
  });
});

t.test('advertised.listeners: names among the listeners, never 0.0.0.0', async (t) => {
  const bound = specs('PLAINTEXT://0.0.0.0:9092', 'CONTROLLER://127.0.0.1:9093');
  t.doesNotThrow(() => assertAdvertisedListeners(bound, specs('PLAINTEXT://kafka-1:9092'), ROLES, ['CONTROLLER']));
  t.doesNotThrow(() => assertAdvertisedListeners(bound, [], ROLES, ['CONTROLLER']));
  t.doesNotThrow(() =>
    assertAdvertisedListeners(bound, specs('PLAINTEXT://h:9092', 'CONTROLLER://h:9093'), ROLES, ['CONTROLLER']),
  );
  t.throws(() => assertAdvertisedListeners(bound, specs('EXTERNAL://h:1'), ROLES, ['CONTROLLER']), {
    message:
      'advertised.listeners listener names must be equal to or a subset of the ones defined in listeners. Found EXTERNAL. The valid options based on the current configuration are PLAINTEXT,CONTROLLER',
  });
  t.throws(() => assertAdvertisedListeners(bound, specs('PLAINTEXT://0.0.0.0:9092'), ROLES, ['CONTROLLER']), {
    message: 'advertised.listeners cannot use the nonroutable meta-address 0.0.0.0. Use a routable IP address.',
  });
  t.throws(() => assertAdvertisedListeners(bound, specs('PLAINTEXT://a:1', 'PLAINTEXT://b:2'), ROLES, ['CONTROLLER']), {
    message: /^Each listener must have a different name, advertised.listeners: /,
  });
});

t.test('startBroker refuses an advertised listener that is not bound', async (t) => {
  await t.rejects(
    startBroker({
      storage: 'memory',
      config: { listeners: 'PLAINTEXT://127.0.0.1:0', 'advertised.listeners': 'EXTERNAL://127.0.0.1:9092' },
    }),
    // As Kafka (KafkaConfigTest.testInvalidAdvertisedListenersProtocol): first the missing protocol...
    { name: 'ConfigError', message: /listener EXTERNAL: no security protocol defined for it/ },
  );
  await t.rejects(
    startBroker({
      storage: 'memory',
      config: {
        listeners: 'PLAINTEXT://127.0.0.1:0',
        'advertised.listeners': 'EXTERNAL://127.0.0.1:9092',
        'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,EXTERNAL:PLAINTEXT',
      },
    }),
    // ...then, with the map naming it, the listener that is not bound.
    { name: 'ConfigError', message: /advertised.listeners listener names must be equal to or a subset/ },
  );
  await t.rejects(
    startBroker({ storage: 'memory', config: { listeners: 'PLAINTEXT://127.0.0.1:0,PLAINTEXT://127.0.0.1:0' } }),
    { message: /Each listener must have a different name/ },
  );
});

t.test('gregor start: one line on stderr and exit 1', async (t) => {
  t.setTimeout(60_000);
  const failure = await run(process.execPath, [
    bin,
    'start',
    '--in-memory',
    '--override',
    'listeners=PLAINTEXT://127.0.0.1:0',
    '--override',
    'advertised.listeners=PLAINTEXT://0.0.0.0:9092',
  ]).then(
    () => null,
    (err: { code: number; stderr: string }) => err,
  );
  t.ok(failure, 'start-up failed');
  t.equal(failure?.code, 1);
  t.equal(
    failure?.stderr.trim(),
    'gregor: start-up failed: advertised.listeners cannot use the nonroutable meta-address 0.0.0.0. Use a routable IP address.',
  );
});

t.test(
  'kcat sees the advertised address of a listener bound to 0.0.0.0',
  { skip: hasCommand('kcat') ? false : 'kcat is not installed' },
  async (t) => {
    t.setTimeout(60_000);
    const broker = await startBroker({
      storage: 'memory',
      config: { listeners: 'PLAINTEXT://0.0.0.0:0' },
    });
    t.teardown(() => broker.stop());
    const port = broker.bootstrap.split(':')[1];
    const { stdout } = await run('kcat', ['-b', `127.0.0.1:${port}`, '-L', '-J']);
    const meta = JSON.parse(stdout) as { brokers: Array<{ name: string }> };
    t.same(
      meta.brokers.map((b) => b.name),
      [`127.0.0.1:${port}`],
      'bound to 0.0.0.0 without an advertised address: advertised as 127.0.0.1',
    );
  },
);
