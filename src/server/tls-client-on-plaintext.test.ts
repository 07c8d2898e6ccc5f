/**
 * A TLS client on a PLAINTEXT listener (security.protocol=SSL against a plaintext port): its
 * ClientHello's first bytes read as a frame size far over socket.request.max.bytes, and the broker
 * closes the connection with Kafka's WARN (Selector, NetworkReceive): "Unexpected error from
 * /127.0.0.1; closing connection" with "org.apache.kafka.common.network.InvalidReceiveException:
 * Invalid receive (size = N larger than 104857600)". Gregor logged "frame size out of bounds; closing".
 */
import t from 'tap';
import { connect } from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { brokerFor } from '../../test/helpers/broker.js';
import { pollUntil } from '../../test/helpers/poll.js';

t.test('a TLS ClientHello on a plaintext listener: closed with Kafka’s WARN', async (t) => {
  const messages: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n'))
        if (line !== '') messages.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const running = await brokerFor(t, { logger: pino({ level: 'info' }, stream) });
  // A TLS record header (handshake, TLS 1.0 record version, length 0x0200) and a ClientHello type byte.
  const hello = Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc]);
  const size = hello.readInt32BE(0);
  await new Promise<void>((resolve) => {
    const socket = connect(running.port, '127.0.0.1', () => socket.write(hello));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve());
  });
  const line = await pollUntil('the WARN line', 10_000, () =>
    messages.find((m) => m.msg === 'Unexpected error from /127.0.0.1; closing connection'),
  );
  t.equal(line.level, 40, 'WARN');
  t.equal(
    line.err,
    `org.apache.kafka.common.network.InvalidReceiveException: Invalid receive (size = ${size} larger than 104857600)`,
  );
});
