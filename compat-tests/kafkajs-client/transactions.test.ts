/**
 * kafkajs against Gregor's transactions and idempotence: a read-process-write pipeline
 * (consume, produce, sendOffsets in one transaction, some aborted on purpose, one run
 * killed mid-transaction and restarted under the same transactional.id) must deliver
 * its input exactly once to read_committed readers; zombie fencing; idempotent retries
 * after a lost produce response.
 */
import t from 'tap';
import { Kafka, logLevel, type Consumer, type Producer } from 'kafkajs';
import { brokerFor } from '../../test/helpers/broker.js';
import { createTopic } from '../../test/helpers/topics.js';
import { dropProxy } from './drop-proxy.js';
import { TxnState } from '../../src/transactions/txn-state.js';
import type { RunningBroker } from '../../src/index.js';

const PARTITIONS = 2;
const PER_PARTITION = 30;
const CHUNK = 5;

async function eventually(condition: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

function kafkaFor(bootstrap: string, clientId = 'txn-test'): Kafka {
  return new Kafka({
    brokers: [bootstrap],
    clientId,
    logLevel: logLevel.NOTHING,
    retry: { retries: 8, initialRetryTime: 50 },
  });
}

/** Reads a topic with read_committed until a sentinel has arrived on every partition. */
async function readCommitted(
  kafka: Kafka,
  topic: string,
  groupId: string,
  partitions = PARTITIONS,
): Promise<Map<number, string[]>> {
  const sentinel = kafka.producer();
  await sentinel.connect();
  for (let p = 0; p < partitions; p++) await sentinel.send({ topic, messages: [{ partition: p, value: 'END' }] });
  await sentinel.disconnect();
  const consumer = kafka.consumer({ groupId, readUncommitted: false });
  const got = new Map<number, string[]>();
  const ended = new Set<number>();
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      const value = String(message.value);
      if (value === 'END') ended.add(partition);
      else got.set(partition, [...(got.get(partition) ?? []), value]);
    },
  });
  await eventually(() => ended.size === partitions);
  await consumer.disconnect();
  return got;
}

interface PipelineRun {
  producer: Producer;
  consumer: Consumer;
  committed: number;
  aborted: number;
  /** Set once the run has left a transaction open on purpose. */
  crashed: boolean;
}

/**
 * One pipeline process: each chunk of input goes out in a transaction with its offsets;
 * every fourth transaction is aborted first and redone. With `crashAfter`, the run
 * leaves its next transaction open (records and offsets sent, no EndTxn) and stops.
 */
async function startPipeline(kafka: Kafka, crashAfter: number | null): Promise<PipelineRun> {
  const producer = kafka.producer({ transactionalId: 'pipeline', idempotent: true, maxInFlightRequests: 1 });
  const consumer = kafka.consumer({ groupId: 'pipeline-group', readUncommitted: false });
  const run: PipelineRun = { producer, consumer, committed: 0, aborted: 0, crashed: false };
  await producer.connect();
  await consumer.connect();
  await consumer.subscribe({ topic: 'in', fromBeginning: true });
  let attempts = 0;
  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    eachBatch: async ({ batch, resolveOffset }) => {
      for (let i = 0; i < batch.messages.length && !run.crashed; i += CHUNK) {
        const chunk = batch.messages.slice(i, i + CHUNK);
        const next = String(Number(chunk[chunk.length - 1]!.offset) + 1);
        for (;;) {
          const tx = await producer.transaction();
          await tx.send({ topic: 'out', messages: chunk.map((m) => ({ partition: batch.partition, value: m.value })) });
          await tx.sendOffsets({
            consumerGroupId: 'pipeline-group',
            topics: [{ topic: 'in', partitions: [{ partition: batch.partition, offset: next }] }],
          });
          attempts++;
          if (crashAfter !== null && run.committed >= crashAfter) {
            run.crashed = true;
            return;
          }
          if (attempts % 4 === 0) {
            await tx.abort();
            run.aborted++;
            continue;
          }
          await tx.commit();
          run.committed++;
          break;
        }
        resolveOffset(chunk[chunk.length - 1]!.offset);
      }
    },
  });
  return run;
}

async function fillInput(kafka: Kafka): Promise<Map<number, string[]>> {
  const producer = kafka.producer();
  await producer.connect();
  const input = new Map<number, string[]>();
  for (let p = 0; p < PARTITIONS; p++) {
    const values = Array.from({ length: PER_PARTITION }, (_, i) => `p${p}-m${i}`);
    input.set(p, values);
    // Several produce requests, so fetches see several batches.
    for (let i = 0; i < values.length; i += 7)
      await producer.send({ topic: 'in', messages: values.slice(i, i + 7).map((value) => ({ partition: p, value })) });
  }
  await producer.disconnect();
  return input;
}

function committedInput(running: RunningBroker): number {
  let total = 0;
  for (let p = 0; p < PARTITIONS; p++)
    total += Number(running.broker.groups.coordinator.store.committed('pipeline-group', 'in', p)?.offset ?? 0n);
  return total;
}

t.test('read-process-write pipeline: aborts, a killed run and a restart deliver the input exactly once', async (t) => {
  const running = await brokerFor(t);
  createTopic(running, 'in', { partitions: PARTITIONS });
  createTopic(running, 'out', { partitions: PARTITIONS });
  const kafka = kafkaFor(running.bootstrap);
  const input = await fillInput(kafka);

  const first = await startPipeline(kafka, 3);
  await eventually(() => first.crashed);
  t.equal(
    running.broker.transactions.coordinator.stateOf('pipeline'),
    TxnState.Ongoing,
    'the killed run left its transaction open',
  );
  await first.consumer.disconnect();
  await first.producer.disconnect();

  const second = await startPipeline(kafka, null);
  await eventually(() => committedInput(running) === PARTITIONS * PER_PARTITION);
  await second.consumer.disconnect();
  await second.producer.disconnect();
  t.ok(first.aborted + second.aborted > 0, 'some transactions were aborted on purpose');

  const output = await readCommitted(kafka, 'out', 'verify-committed');
  for (let p = 0; p < PARTITIONS; p++)
    t.same(output.get(p), input.get(p), `partition ${p}: every input once, in order`);
  for (let p = 0; p < PARTITIONS; p++) {
    const partition = running.broker.replicas.get('out', p)!;
    t.ok(partition.log.logEndOffset > PER_PARTITION, `partition ${p} holds aborted data and markers too`);
  }
});

t.test('a zombie producer with an old epoch can neither write nor commit', async (t) => {
  const running = await brokerFor(t);
  createTopic(running, 'z', { partitions: 1 });
  const kafka = kafkaFor(running.bootstrap);
  const zombie = kafka.producer({
    transactionalId: 'zombie',
    idempotent: true,
    maxInFlightRequests: 1,
    retry: { retries: 1, initialRetryTime: 10 },
  });
  await zombie.connect();
  const ztx = await zombie.transaction();
  await ztx.send({ topic: 'z', messages: [{ value: 'zombie-1' }] });

  const fresh = kafka.producer({ transactionalId: 'zombie', idempotent: true, maxInFlightRequests: 1 });
  await fresh.connect();
  const ftx = await fresh.transaction();
  await ftx.send({ topic: 'z', messages: [{ value: 'fresh-1' }] });
  await ftx.commit();

  await t.rejects(ztx.send({ topic: 'z', messages: [{ value: 'zombie-2' }] }), 'the zombie cannot write');
  await t.rejects(ztx.commit(), 'the zombie cannot commit');
  await zombie.disconnect();
  await fresh.disconnect();
  const got = await readCommitted(kafka, 'z', 'verify-zombie', 1);
  t.same(got.get(0), ['fresh-1']);
});

t.test('an idempotent retry after a lost produce response is not duplicated', async (t) => {
  const proxy = await dropProxy();
  t.teardown(() => proxy.close());
  const running = await brokerFor(t, { config: { 'advertised.listeners': `PLAINTEXT://127.0.0.1:${proxy.port}` } });
  proxy.target.port = running.port;
  createTopic(running, 'idem', { partitions: 1 });
  const kafka = kafkaFor(`127.0.0.1:${proxy.port}`);
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  await producer.send({ topic: 'idem', messages: [{ value: 'a' }] });
  proxy.dropNextResponse(0);
  const [result] = await producer.send({ topic: 'idem', messages: [{ value: 'b' }, { value: 'c' }] });
  t.equal(proxy.dropped, 1, 'one produce response was lost');
  t.equal(result!.baseOffset, '1', 'the retry is answered with the original offset');
  await producer.send({ topic: 'idem', messages: [{ value: 'd' }] });
  await producer.disconnect();
  t.equal(running.broker.replicas.get('idem', 0)!.log.logEndOffset, 4, 'four records, none twice');
});
