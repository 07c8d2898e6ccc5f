/**
 * connection.failed.authentication.delay.ms as Kafka: the answer to a failed SASL authentication,
 * and the close of the connection, wait that long (default 100 ms); 0 answers at once. Driven by
 * kafkajs with a wrong PLAIN password, timed from connect() to its SASL_AUTHENTICATION_FAILED
 * error. Also per listener (listener.name.<l>.connection.failed.authentication.delay.ms).
 */
import t from 'tap';
import { Kafka, logLevel } from 'kafkajs';
import { brokerFor } from '../../../test/helpers/broker.js';
import { startBroker } from '../../index.js';

const JAAS = 'org.apache.kafka.common.security.plain.PlainLoginModule required user_alice="alice-secret";';
const DELAY_MS = 2500;

async function failedLoginMs(config: Record<string, string | number>): Promise<{ ms: number; error: string }> {
  const broker = await startBroker({
    config: {
      listeners: 'SASL_PLAINTEXT://127.0.0.1:0,PLAINTEXT://127.0.0.1:0',
      'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT',
      'sasl.enabled.mechanisms': 'PLAIN',
      'listener.name.sasl_plaintext.plain.sasl.jaas.config': JAAS,
      ...config,
    },
  });
  try {
    const port = broker.broker.bound.find((b) => b.name === 'SASL_PLAINTEXT')!.port;
    const admin = new Kafka({
      brokers: [`127.0.0.1:${port}`],
      sasl: { mechanism: 'plain', username: 'alice', password: 'wrong' },
      retry: { retries: 0 },
      logLevel: logLevel.NOTHING,
    }).admin();
    const started = performance.now();
    const error = await admin.connect().then(
      () => 'connected',
      (e: Error) => e.name,
    );
    const ms = performance.now() - started;
    await admin.disconnect();
    return { ms, error };
  } finally {
    await broker.stop();
  }
}

t.test('the failure is answered after the delay', async (t) => {
  const delayed = await failedLoginMs({ 'connection.failed.authentication.delay.ms': DELAY_MS });
  t.equal(delayed.error, 'KafkaJSSASLAuthenticationError');
  t.ok(delayed.ms >= DELAY_MS, `answered after ${Math.round(delayed.ms)} ms`);
  const perListener = await failedLoginMs({
    'listener.name.sasl_plaintext.connection.failed.authentication.delay.ms': DELAY_MS,
  });
  t.ok(perListener.ms >= DELAY_MS, `per listener: after ${Math.round(perListener.ms)} ms`);
  const immediate = await failedLoginMs({ 'connection.failed.authentication.delay.ms': 0 });
  t.equal(immediate.error, 'KafkaJSSASLAuthenticationError');
  t.ok(immediate.ms < DELAY_MS, `0: answered after ${Math.round(immediate.ms)} ms`);
});

t.test('a negative delay stops start-up', async (t) => {
  await t.rejects(startBroker({ config: { 'connection.failed.authentication.delay.ms': -1 } }), {
    message: 'invalid value for connection.failed.authentication.delay.ms: "-1" (expected an integer ≥ 0)',
  });
});

t.test('a good login is not delayed', async (t) => {
  const broker = await brokerFor(t, {
    config: {
      listeners: 'SASL_PLAINTEXT://127.0.0.1:0,PLAINTEXT://127.0.0.1:0',
      'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT',
      'sasl.enabled.mechanisms': 'PLAIN',
      'listener.name.sasl_plaintext.plain.sasl.jaas.config': JAAS,
      'connection.failed.authentication.delay.ms': 60000,
    },
  });
  const port = broker.broker.bound.find((b) => b.name === 'SASL_PLAINTEXT')!.port;
  const admin = new Kafka({
    brokers: [`127.0.0.1:${port}`],
    sasl: { mechanism: 'plain', username: 'alice', password: 'alice-secret' },
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  t.ok((await admin.listTopics()).length >= 0, 'authenticated and served');
  await admin.disconnect();
});
