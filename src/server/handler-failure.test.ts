/**
 * A handler that throws: the request is answered with UNKNOWN_SERVER_ERROR in its API's
 * response shape (every topic and partition of a Produce mirrored with the error, as Kafka's
 * getErrorResponse does), the failure is logged once with the API and client id, and the
 * connection stays open for the next request. Raw frames and kafkajs.
 */
import t, { type Test } from 'tap';
import { Writable } from 'node:stream';
import pino from 'pino';
import kafkajs from 'kafkajs';
import { brokerFor } from '../../test/helpers/broker.js';
import { rawClient } from '../../test/helpers/raw-client.js';
import { createTopic } from '../../test/helpers/topics.js';
import { batchOf } from '../../test/helpers/data-path.js';
import { ProduceApi } from '../../protocol/generated/messages/00-produce.js';
import { ApiVersionsApi } from '../../protocol/generated/messages/18-api-versions.js';
import type { RunningBroker } from '../index.js';
import { HANDLER_BY_KEY } from '../handlers/table.js';
import { defineHandler, type RegisteredHandler } from '../handlers/handler.js';

const { Kafka, logLevel } = kafkajs;
const UNKNOWN_SERVER_ERROR = -1;

/** A broker whose log lines are kept, as JSON objects. */
async function loggedBroker(t: Test): Promise<{ running: RunningBroker; lines: () => Array<Record<string, unknown>> }> {
  let text = '';
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      text += chunk.toString();
      done();
    },
  });
  const running = await brokerFor(t, { logger: pino({ level: 'debug' }, sink) });
  const lines = (): Array<Record<string, unknown>> =>
    text
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { running, lines };
}

/** Makes the Produce handler throw until the returned function is called. */
function breakProduce(): () => void {
  const table = HANDLER_BY_KEY as Map<number, RegisteredHandler>;
  const original = table.get(ProduceApi.apiKey)!;
  const throwing = defineHandler({
    api: ProduceApi,
    maxVersion: original.maxVersion,
    handle: () => {
      throw new Error('injected handler failure');
    },
  });
  table.set(ProduceApi.apiKey, throwing);
  return () => table.set(ProduceApi.apiKey, original);
}

t.test('raw frames: every partition answered with UNKNOWN_SERVER_ERROR, logged once, connection kept', async (t) => {
  const { running, lines } = await loggedBroker(t);
  createTopic(running, 'a', { partitions: 2 });
  createTopic(running, 'b', { partitions: 1 });
  const restore = breakProduce();
  const c = await rawClient(running.port);
  t.teardown(() => c.close());

  const response = await c.call(ProduceApi, 9, {
    transactionalId: null,
    acks: 1,
    timeoutMs: 5000,
    topicData: [
      {
        name: 'a',
        topicId: 'AAAAAAAAAAAAAAAAAAAAAA',
        partitionData: [0, 1].map((index) => ({ index, records: batchOf(['x']) })),
      },
      { name: 'b', topicId: 'AAAAAAAAAAAAAAAAAAAAAA', partitionData: [{ index: 0, records: batchOf(['y']) }] },
    ],
  });
  t.same(
    response.responses.map((r) => ({
      name: r.name,
      partitions: r.partitionResponses.map((p) => [p.index, p.errorCode]),
    })),
    [
      {
        name: 'a',
        partitions: [
          [0, UNKNOWN_SERVER_ERROR],
          [1, UNKNOWN_SERVER_ERROR],
        ],
      },
      { name: 'b', partitions: [[0, UNKNOWN_SERVER_ERROR]] },
    ],
    'every topic and partition of the request, each with UNKNOWN_SERVER_ERROR',
  );

  const versions = await c.call(ApiVersionsApi, 3, { clientSoftwareName: 't', clientSoftwareVersion: '1' });
  t.equal(versions.errorCode, 0, 'the same connection serves the next request');
  restore();
  const ok = await c.call(ProduceApi, 9, {
    transactionalId: null,
    acks: 1,
    timeoutMs: 5000,
    topicData: [
      { name: 'b', topicId: 'AAAAAAAAAAAAAAAAAAAAAA', partitionData: [{ index: 0, records: batchOf(['z']) }] },
    ],
  });
  t.equal(ok.responses[0]!.partitionResponses[0]!.errorCode, 0, 'and produces once the fault is gone');

  const failures = lines().filter((l) => typeof l.msg === 'string' && l.msg.includes('handler failed'));
  t.equal(failures.length, 1, 'logged once');
  t.equal(failures[0]?.api, 'Produce', 'with the API name');
  t.equal(failures[0]?.clientId, 'raw-test', "and the client's id");
  t.equal(lines().filter((l) => l.msg === 'closing connection').length, 0, 'the connection was not closed');
});

t.test('kafkajs: the failure surfaces as UNKNOWN_SERVER_ERROR, not a lost connection', async (t) => {
  const { running } = await loggedBroker(t);
  createTopic(running, 'k');
  const kafka = new Kafka({ brokers: [running.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 0 } });
  const producer = kafka.producer();
  await producer.connect();
  t.teardown(() => producer.disconnect());
  await producer.send({ topic: 'k', messages: [{ value: 'before' }] });
  const restore = breakProduce();
  const err = await producer.send({ topic: 'k', messages: [{ value: 'during' }] }).then(
    () => null,
    (e: unknown) => e,
  );
  restore();
  t.match(
    String((err as { cause?: unknown } | null)?.cause ?? err),
    /unexpected error|UNKNOWN_SERVER_ERROR/i,
    'the client sees UNKNOWN_SERVER_ERROR',
  );
  t.notMatch(String(err), /Connection|closed|ECONNRESET/i, 'not a connection error');
  await producer.send({ topic: 'k', messages: [{ value: 'after' }] });
  t.pass('the producer goes on');
});

t.test('a connection closed for a protocol error logs "closing connection" once', async (t) => {
  const { running, lines } = await loggedBroker(t);
  const c = await rawClient(running.port);
  // API key 9999 is not served: Kafka closes the connection.
  c.send(c.frame({ ...ApiVersionsApi, apiKey: 9999 }, 0, { clientSoftwareName: '', clientSoftwareVersion: '' }, 1));
  await c.closed;
  const deadline = Date.now() + 10_000;
  while (lines().filter((l) => l.msg === 'closing connection').length === 0 && Date.now() < deadline)
    await new Promise((r) => setImmediate(r));
  t.equal(lines().filter((l) => l.msg === 'closing connection').length, 1, 'one log line, not an info and a debug one');
});
