/**
 * In-memory mode driven by kafkajs: produce, a consumer group with committed offsets, and
 * transactions (one committed, one aborted, read_committed) on startBroker({ storage:
 * 'memory' }); the process's working dir and TMPDIR are empty dirs checked to stay empty.
 */
import t from 'tap';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { startBroker } from '../index.js';

t.test('kafkajs produce, group consume and transactions on an in-memory broker write no file', async (t) => {
  const cwd = mkdtempSync(join(tmpdir(), 'gregor-inmem-cwd-'));
  const tmp = mkdtempSync(join(tmpdir(), 'gregor-inmem-tmp-'));
  const previous = { cwd: process.cwd(), tmp: process.env.TMPDIR };
  process.chdir(cwd);
  process.env.TMPDIR = tmp;
  t.teardown(() => {
    process.chdir(previous.cwd);
    if (previous.tmp === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous.tmp;
    rmSync(cwd, { recursive: true, force: true });
    rmSync(tmp, { recursive: true, force: true });
  });

  const running = await startBroker({ storage: 'memory' });
  t.equal(running.broker.inMemory, true);
  const kafka = new Kafka({ clientId: 'inmem', brokers: [running.bootstrap], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    topics: [
      { topic: 'plain', numPartitions: 2 },
      { topic: 'txn', numPartitions: 1 },
    ],
    waitForLeaders: true,
  });

  const producer = kafka.producer();
  await producer.connect();
  await producer.send({
    topic: 'plain',
    messages: Array.from({ length: 20 }, (_, i) => ({ key: `k${i}`, value: `v${i}` })),
  });

  const txProducer = kafka.producer({ transactionalId: 'inmem-tx', idempotent: true, maxInFlightRequests: 1 });
  await txProducer.connect();
  const committed = await txProducer.transaction();
  await committed.send({ topic: 'txn', messages: [{ value: 'kept-1' }, { value: 'kept-2' }] });
  await committed.commit();
  const aborted = await txProducer.transaction();
  await aborted.send({ topic: 'txn', messages: [{ value: 'dropped' }] });
  await aborted.abort();

  const consumer = kafka.consumer({ groupId: 'inmem-group' });
  await consumer.connect();
  await consumer.subscribe({ topics: ['plain', 'txn'], fromBeginning: true });
  const seen: string[] = [];
  const done = new Promise<void>((resolve) => {
    void consumer.run({
      eachMessage: async ({ message }) => {
        seen.push(message.value!.toString());
        if (seen.length === 22) resolve();
      },
    });
  });
  await Promise.race([
    done,
    new Promise((_, reject) =>
      setTimeout(() => reject(new Error(`only ${seen.length} messages: ${seen.join(',')}`)), 60_000).unref(),
    ),
  ]);
  await consumer.stop();
  await consumer.disconnect();
  t.same(
    seen.filter((v) => v.startsWith('kept')),
    ['kept-1', 'kept-2'],
    'read_committed sees the committed transaction only',
  );
  t.notOk(seen.includes('dropped'), 'the aborted record is not delivered');
  t.equal(seen.filter((v) => v.startsWith('v')).length, 20);

  const offsets = await admin.fetchOffsets({ groupId: 'inmem-group', topics: ['plain'] });
  const committedTotal = offsets[0]!.partitions.reduce((sum, p) => sum + Number(p.offset), 0);
  t.equal(committedTotal, 20, 'the group committed its offsets (in the in-memory __consumer_offsets)');

  await txProducer.disconnect();
  await producer.disconnect();
  await admin.disconnect();
  await running.stop();
  t.same(readdirSync(cwd), [], 'nothing was written under the working dir');
  t.same(readdirSync(tmp), [], 'nothing was written under TMPDIR');
});

t.test("startBroker refuses storage 'memory' with a data dir or a disk log.dirs", async (t) => {
  await t.rejects(startBroker({ storage: 'memory', dataDir: '/tmp/somewhere' }), {
    name: 'ConfigError',
    message: /writes no files/,
  });
  await t.rejects(startBroker({ storage: 'memory', config: { 'log.dirs': '/tmp/x' } }), {
    name: 'ConfigError',
    message: /conflicts with log\.dirs=\/tmp\/x/,
  });
  await t.rejects(startBroker({ config: { 'log.dirs': 'memory:,/tmp/x' } }), {
    name: 'ConfigError',
    message: /mixes memory: with disk dirs/,
  });
});
