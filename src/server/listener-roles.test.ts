/**
 * Kafka's start-up checks of listeners against process.roles (assertListenersFitRoles): a controller-only
 * process has controller listeners alone, a broker-only one none of them and a broker listener; combined
 * mode keeps Gregor's one-listener dev default. Also through the Broker: start() refuses with the message.
 */
import t from 'tap';
import { assertListenersFitRoles, parseListeners } from './listeners.js';
import { startBroker } from '../index.js';

const map = new Map([
  ['PLAINTEXT', 'PLAINTEXT'],
  ['CONTROLLER', 'PLAINTEXT'],
]);
const specs = (...l: string[]) => parseListeners(l, map);
const PLAIN = 'PLAINTEXT://127.0.0.1:9092';
const CTRL = 'CONTROLLER://127.0.0.1:9093';

t.test('controller-only: controller listeners alone', async (t) => {
  t.doesNotThrow(() => assertListenersFitRoles(specs(CTRL), ['controller'], ['CONTROLLER'], false));
  t.throws(() => assertListenersFitRoles(specs(PLAIN, CTRL), ['controller'], ['CONTROLLER'], false), {
    message:
      'The listeners config must only contain KRaft controller listeners from controller.listener.names when process.roles=controller',
  });
  t.throws(() => assertListenersFitRoles(specs(PLAIN), ['controller'], ['CONTROLLER'], false));
});

t.test('broker-only: no controller listener, at least one broker listener', async (t) => {
  t.doesNotThrow(() => assertListenersFitRoles(specs(PLAIN), ['broker'], ['CONTROLLER'], false));
  t.throws(() => assertListenersFitRoles(specs(PLAIN, CTRL), ['broker'], ['CONTROLLER'], false), {
    message:
      /must not contain a value appearing in the 'listeners' configuration when running KRaft with just the broker role/,
  });
  t.throws(() => assertListenersFitRoles(specs(PLAIN), ['broker'], [], false), {
    message: /controller.listener.names must contain at least one value/,
  });
});

t.test('combined: a broker listener is needed, a controller listener is optional on a lone voter', async (t) => {
  t.doesNotThrow(() => assertListenersFitRoles(specs(PLAIN), ['broker', 'controller'], ['CONTROLLER'], true));
  t.doesNotThrow(() => assertListenersFitRoles(specs(PLAIN, CTRL), ['broker', 'controller'], ['CONTROLLER'], true));
  t.throws(() => assertListenersFitRoles(specs(CTRL), ['broker', 'controller'], ['CONTROLLER'], true), {
    message: /There must be at least one broker advertised listener/,
  });
});

t.test("combined in a larger quorum: Kafka's controller listener checks", async (t) => {
  t.doesNotThrow(() => assertListenersFitRoles(specs(PLAIN, CTRL), ['broker', 'controller'], ['CONTROLLER'], false));
  t.throws(() => assertListenersFitRoles(specs(PLAIN), ['broker', 'controller'], ['CONTROLLER'], false), {
    message:
      "controller.listener.names must contain at least one value appearing in the 'listeners' configuration when running the KRaft controller role",
  });
  t.throws(
    () => assertListenersFitRoles(specs(PLAIN, CTRL), ['broker', 'controller'], ['CONTROLLER', 'CONTROLLER2'], true),
    {
      message:
        "controller.listener.names must only contain values appearing in the 'listeners' configuration when running the KRaft controller role",
    },
  );
});

t.test('the broker refuses to start a controller-only process with a client listener', async (t) => {
  await t.rejects(
    startBroker({
      storage: 'memory',
      config: {
        'process.roles': 'controller',
        'node.id': 1,
        'controller.quorum.voters': '1@127.0.0.1:1',
        listeners: 'PLAINTEXT://127.0.0.1:0,CONTROLLER://127.0.0.1:0',
      },
    }),
    { message: /must only contain KRaft controller listeners/ },
  );
});
