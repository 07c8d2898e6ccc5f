/**
 * Auto-creation keeps `default.replication.factor` as Kafka does: with fewer live brokers than the
 * factor the controller refuses the topic (INVALID_REPLICATION_FACTOR), Metadata keeps answering
 * UNKNOWN_TOPIC_OR_PARTITION, and no under-replicated topic is made behind the user's back (Gregor
 * lowered the factor to the live brokers). The refusal is warned about once, not on every one of
 * the clients' Metadata retries.
 */
import t from 'tap';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { Kafka, logLevel } from 'kafkajs';
import { startBroker } from '../../src/index.js';

t.test('auto-creation with default.replication.factor above the live brokers is refused, warned once', async (t) => {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  const running = await startBroker({
    config: { 'auto.create.topics.enable': true, 'default.replication.factor': 2 },
    logger: pino({ level: 'info' }, sink),
  });
  t.teardown(() => running.stop());
  const kafka = new Kafka({
    brokers: [running.bootstrap],
    logLevel: logLevel.NOTHING,
    retry: { retries: 4, initialRetryTime: 20, maxRetryTime: 50 },
  });
  const producer = kafka.producer({ allowAutoTopicCreation: true });
  await producer.connect();
  t.teardown(() => producer.disconnect());
  const error = await producer.send({ topic: 'wants-two-replicas', messages: [{ value: 'v' }] }).then(
    () => null,
    (err: unknown) => err as { message?: string },
  );
  t.ok(error, 'the send fails: the topic is never created');

  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  t.notOk((await admin.listTopics()).includes('wants-two-replicas'), 'no topic with one replica was made');
  const warnings = lines.filter((line) => line.includes('auto-creation of topic wants-two-replicas was refused'));
  t.equal(warnings.length, 1, 'one warning for all the retries');
  t.match(warnings[0], /error 38/, 'INVALID_REPLICATION_FACTOR');
});
