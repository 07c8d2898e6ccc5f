import t from 'tap';
import { connect, type Socket } from 'node:net';
import { once } from 'node:events';
import { ApiVersionsApi } from '../../protocol/generated/messages/18-api-versions.js';
import { brokerFor } from '../../test/helpers/broker.js';
import { rawClient } from '../../test/helpers/raw-client.js';
import { connectionRefusal, listenerMaxConnections, parsePerIpOverrides } from './connection-limits.js';

const open = (hosts: string[]) => hosts.map((clientHost) => ({ clientHost, listenerName: 'PLAINTEXT' }));

t.test('limits decided from the open connections', async (t) => {
  const settings = { maxConnections: 3, maxConnectionsPerIp: 2, perIpOverrides: parsePerIpOverrides('10.0.0.9:5') };
  t.equal(connectionRefusal(settings, open(['a', 'b']), 'PLAINTEXT', 'a', false), null);
  t.match(connectionRefusal(settings, open(['a', 'a']), 'PLAINTEXT', 'a', false), /max.connections.per.ip \(2\)/);
  t.match(connectionRefusal(settings, open(['a', 'b', 'c']), 'PLAINTEXT', 'd', false), /max.connections \(3\)/);
  t.equal(connectionRefusal(settings, open(['a', 'b', 'c']), 'INTERNAL', 'd', true), null, 'inter-broker exempt');
  t.equal(
    connectionRefusal({ ...settings, maxConnections: 10 }, open(['10.0.0.9', '10.0.0.9']), 'P', '10.0.0.9', false),
    null,
    'override',
  );
  t.match(
    connectionRefusal(
      { ...settings, maxConnections: 10, listenerMaxConnections: 1 },
      open(['a']),
      'PLAINTEXT',
      'b',
      false,
    ),
    /listener.name.plaintext.max.connections \(1\)/,
    'per-listener limit',
  );
  t.equal(
    connectionRefusal({ ...settings, maxConnections: 10, listenerMaxConnections: 1 }, open(['a']), 'OTHER', 'b', false),
    null,
    'only that listener counts',
  );
  t.equal(
    listenerMaxConnections(() => undefined, 'PLAINTEXT'),
    null,
  );
  t.equal(
    listenerMaxConnections((k) => (k === 'listener.name.plaintext.max.connections' ? '4' : undefined), 'PLAINTEXT'),
    4,
  );
  t.throws(() => listenerMaxConnections(() => '-1', 'X'), /listener.name.x.max.connections=-1/);
  t.throws(() => parsePerIpOverrides('nolimit'));
  t.same(
    [...parsePerIpOverrides(' a:1, ::1:2 ')],
    [
      ['a', 1],
      ['::1', 2],
    ],
  );
});

async function closedWithin(socket: Socket, ms: number): Promise<boolean> {
  const timer = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), ms).unref());
  return Promise.race([once(socket, 'close').then(() => true), timer]);
}

t.test('max.connections.per.ip closes the connection over the limit', async (t) => {
  const running = await brokerFor(t, { config: { 'max.connections.per.ip': '2' } });
  const first = await rawClient(running.port);
  const second = await rawClient(running.port);
  t.teardown(() => {
    first.close();
    second.close();
  });
  t.equal((await first.call(ApiVersionsApi, 3, { clientSoftwareName: 't', clientSoftwareVersion: '1' })).errorCode, 0);
  const third = connect(running.port, '127.0.0.1');
  t.ok(await closedWithin(third, 10_000), 'the third connection from 127.0.0.1 is closed');
  t.equal(
    (await second.call(ApiVersionsApi, 3, { clientSoftwareName: 't', clientSoftwareVersion: '1' })).errorCode,
    0,
    'the others are served',
  );
});

t.test('a negative max.connection.creation.rate is refused, per listener too', async (t) => {
  await t.rejects(brokerFor(t, { config: { 'max.connection.creation.rate': '-1' } }), /max.connection.creation.rate/);
  await t.rejects(
    brokerFor(t, { config: { 'listener.name.plaintext.max.connection.creation.rate': 'x' } }),
    /listener.name.plaintext.max.connection.creation.rate/,
  );
});

t.test('listener.name.<listener>.max.connections closes the connection over the limit on that listener', async (t) => {
  const running = await brokerFor(t, { config: { 'listener.name.plaintext.max.connections': '1' } });
  const first = await rawClient(running.port);
  t.teardown(() => first.close());
  const second = connect(running.port, '127.0.0.1');
  t.teardown(() => second.destroy());
  t.ok(await closedWithin(second, 10_000), 'the second connection is closed');
  const answer = await first.call(ApiVersionsApi, 3, { clientSoftwareName: 'raw', clientSoftwareVersion: '1' });
  t.equal(answer.errorCode, 0, 'the first is still served');
});
