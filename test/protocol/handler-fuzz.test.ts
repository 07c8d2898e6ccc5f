/**
 * Well-formed but arbitrary requests, for every API and version, sent to a running broker
 * (test/protocol/handler-fuzz.ts): whatever they ask (absurd counts, sizes, ids, timeouts, names
 * of real and unknown topics and groups), the broker answers, or closes that connection where
 * Kafka does (an API it does not serve, a failed acks=0 Produce), logs no error and stays up and
 * serving. A crash, a heap blow-up, a response that does not encode or a broker that stops
 * answering others fails the test.
 */
import t from 'tap';
import { Writable } from 'node:stream';
import pino from 'pino';
import { brokerFor } from '../helpers/broker.js';
import { rawClient } from '../helpers/raw-client.js';
import {
  CreateTopicsApi,
  defaultCreateTopicsRequestCreatableTopic,
} from '../../protocol/generated/messages/19-create-topics.js';
import { fuzzBroker } from './handler-fuzz.js';

t.test('arbitrary well-formed requests of every API and version leave the broker serving', async (t) => {
  t.setTimeout(120_000);
  let logged = '';
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logged += chunk.toString();
      done();
    },
  });
  const running = await brokerFor(t, {
    logger: pino({ level: 'warn' }, sink),
    storage: 'memory',
    config: { 'group.initial.rebalance.delay.ms': 0, 'offsets.topic.replication.factor': 1 },
  });
  const admin = await rawClient(running.port);
  t.teardown(() => admin.close());
  const created = await admin.call(CreateTopicsApi, 7, {
    topics: [{ ...defaultCreateTopicsRequestCreatableTopic(), name: 'fuzz', numPartitions: 3, replicationFactor: 1 }],
    timeoutMs: 1000,
    validateOnly: false,
  });
  t.equal(created.topics[0]!.errorCode, 0, 'a topic for the requests to name');

  const outcome = await fuzzBroker(t, running.port);
  t.equal(outcome.stoppedAfter, null, 'the broker answered ApiVersions after every API');
  t.ok(outcome.answered > 0, 'requests were answered');
  t.same(outcome.wronglyClosed, [], 'no connection closed over a request of a version the broker advertises');
  const errors = logged
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as { level: number; msg: string; api?: string; err?: { message?: string } })
    .filter((line) => line.level >= Number(process.env.GREGOR_FUZZ_LOG_LEVEL ?? 50))
    .map((line) => `${line.api ?? ''}: ${line.msg}: ${line.err?.message ?? ''}`);
  t.same([...new Set(errors)], [], 'no error logged (a handler that threw, a response that did not encode)');
  t.pass('the broker served every API after arbitrary requests');
});
