/**
 * A listener with an empty host (`PLAINTEXT://:9092`, as Kafka's quickstart server.properties) is
 * bound on every interface, as Kafka binds it, and the start-up log says so: Kafka's
 * "Awaiting socket connections on 0.0.0.0:9092." (SocketServer's acceptor) and Gregor's own
 * "Gregor broker started" listing `PLAINTEXT://0.0.0.0:9092`. Clients are still given 127.0.0.1
 * (advertised; Gregor's dev default where Kafka would advertise the host name), and a listener on
 * 127.0.0.1 is logged as 127.0.0.1. Gregor logged 127.0.0.1 for a listener bound to all interfaces.
 */
import t from 'tap';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { brokerFor } from '../../test/helpers/broker.js';

function capturedLogger(): { logger: pino.Logger; messages: Array<Record<string, unknown>> } {
  const messages: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n'))
        if (line !== '') messages.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), messages };
}

t.test('an empty host binds and is logged as 0.0.0.0', async (t) => {
  const { logger, messages } = capturedLogger();
  const running = await brokerFor(t, { config: { listeners: 'PLAINTEXT://:0' }, logger });
  const port = running.port;
  t.ok(
    messages.some((m) => m.msg === `Awaiting socket connections on 0.0.0.0:${port}.`),
    "Kafka's acceptor line names the wildcard address",
  );
  const started = messages.find((m) => m.msg === 'Gregor broker started');
  t.same(started?.listeners, [`PLAINTEXT://0.0.0.0:${port}`]);
  t.same(
    running.broker.advertisedListeners().map((l) => `${l.host}:${l.port}`),
    [`127.0.0.1:${port}`],
    'clients are given 127.0.0.1',
  );
});

t.test('a listener on 127.0.0.1 is logged as bound there', async (t) => {
  const { logger, messages } = capturedLogger();
  const running = await brokerFor(t, { logger });
  t.ok(messages.some((m) => m.msg === `Awaiting socket connections on 127.0.0.1:${running.port}.`));
  t.same(messages.find((m) => m.msg === 'Gregor broker started')?.listeners, [`PLAINTEXT://127.0.0.1:${running.port}`]);
});
