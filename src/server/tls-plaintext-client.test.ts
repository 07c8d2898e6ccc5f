/**
 * A plaintext client on an SSL listener (a common mistake: security.protocol left at PLAINTEXT)
 * is cut off as Kafka cuts it, and the broker says why at INFO, as Kafka's Selector does:
 * "Failed authentication with /127.0.0.1 (SSL handshake failed)". Gregor logged it only at debug,
 * so a user looking at the broker's log saw nothing.
 */
import t from 'tap';
import { connect } from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { brokerFor } from '../../test/helpers/broker.js';
import { makeTestCerts, opensslAvailable } from '../../test/helpers/certs.js';
import { pollUntil } from '../../test/helpers/poll.js';

const skip = opensslAvailable() ? false : 'openssl is not installed';

t.test('a plaintext ApiVersions on an SSL listener: closed, and logged at INFO', { skip }, async (t) => {
  const certs = makeTestCerts();
  t.teardown(() => certs.cleanup());
  const messages: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n'))
        if (line !== '') messages.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const running = await brokerFor(t, {
    config: {
      listeners: 'SSL://127.0.0.1:0',
      'listener.security.protocol.map': 'SSL:SSL',
      'ssl.keystore.type': 'PEM',
      'ssl.keystore.location': certs.serverPemStore,
    },
    logger: pino({ level: 'info' }, stream),
  });
  // An ApiVersions v0 request frame, as a plaintext client's first bytes.
  const header = Buffer.from([0, 18, 0, 0, 0, 0, 0, 1, 0, 0]);
  const frame = Buffer.concat([Buffer.from([0, 0, 0, header.length]), header]);
  const closed = await new Promise<boolean>((resolve) => {
    const socket = connect(running.port, '127.0.0.1', () => socket.write(frame));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(true));
  });
  t.ok(closed, 'the connection is closed');
  const line = await pollUntil('the INFO line', 10_000, () =>
    messages.find((m) => m.msg === 'Failed authentication with /127.0.0.1 (SSL handshake failed)'),
  );
  t.equal(line.level, 30, 'at INFO');
});
