/**
 * A start-up that fails after something was bound closes what it opened: startBroker() with two
 * listeners whose second port is taken used to leave the first listener (and the operations listener,
 * and the quorum's timers) open, so the port stayed taken and the test process never exited. Now the
 * same ports serve a broker started right after, which kafkajs produces to and reads from; this file
 * exits by itself (tap fails it on its timeout otherwise).
 */
import t from 'tap';
import { createServer, type Server } from 'node:net';
import { once } from 'node:events';
import { Kafka, logLevel } from 'kafkajs';
import { startBroker } from '../index.js';
import { freePort } from '../../test/helpers/ports.js';

async function occupy(port: number): Promise<Server> {
  const server = createServer();
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  return server;
}

t.test('a start that fails after binding frees its ports for the next broker', async (t) => {
  const [first, second, metrics] = [await freePort(), await freePort(), await freePort()];
  const config = {
    listeners: `PLAINTEXT://127.0.0.1:${first},SECOND://127.0.0.1:${second}`,
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,SECOND:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'metrics.listener': `http://127.0.0.1:${metrics}`,
  };
  const blocker = await occupy(second);
  await t.rejects(startBroker({ storage: 'memory', config }), { code: 'EADDRINUSE' }, 'the second listener fails');
  await new Promise<void>((resolve) => blocker.close(() => resolve()));

  const broker = await startBroker({ storage: 'memory', config });
  t.teardown(() => broker.stop());
  t.equal(broker.port, first, 'the first listener bound the same port again');
  const kafka = new Kafka({ brokers: [`127.0.0.1:${second}`], logLevel: logLevel.NOTHING });
  const producer = kafka.producer();
  await producer.connect();
  const [sent] = await producer.send({ topic: 'after-failed-start', messages: [{ value: 'v' }] });
  await producer.disconnect();
  t.equal(sent?.errorCode, 0, 'a client is served on the other listener');
  const metricsAnswer = await fetch(`http://127.0.0.1:${metrics}/livez`);
  t.equal(metricsAnswer.status, 200, 'the operations listener bound its port again');
});
