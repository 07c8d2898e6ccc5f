/**
 * `gregor start --in-memory` from the built CLI: kafkajs produces and consumes through it,
 * and its working dir and TMPDIR (empty dirs) stay empty; conflicting settings are refused
 * at start with one clear line.
 */
import t from 'tap';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { CLI_SKIP, runCliToExit, startCli } from '../../test/helpers/cli.js';

t.test('gregor start --in-memory serves kafkajs and writes no file', { skip: CLI_SKIP }, async (t) => {
  const cwd = mkdtempSync(join(tmpdir(), 'gregor-cli-inmem-cwd-'));
  const tmp = mkdtempSync(join(tmpdir(), 'gregor-cli-inmem-tmp-'));
  t.teardown(() => {
    rmSync(cwd, { recursive: true, force: true });
    rmSync(tmp, { recursive: true, force: true });
  });
  const cli = await startCli(
    [
      '--in-memory',
      '--override',
      'listeners=PLAINTEXT://127.0.0.1:0',
      '--override',
      'offsets.topic.num.partitions=1',
      '--override',
      'group.initial.rebalance.delay.ms=0',
    ],
    { TMPDIR: tmp },
    cwd,
  );
  t.teardown(() => cli.stop('SIGKILL'));
  t.match(cli.output(), /in-memory storage/, 'the start-up log says so');
  const kafka = new Kafka({ clientId: 'cli-inmem', brokers: [`127.0.0.1:${cli.port}`], logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ allowAutoTopicCreation: true });
  await producer.connect();
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'cli-mem', numPartitions: 1 }], waitForLeaders: true });
  await producer.send({ topic: 'cli-mem', messages: Array.from({ length: 10 }, (_, i) => ({ value: `m${i}` })) });
  const consumer = kafka.consumer({ groupId: 'cli-mem-group' });
  await consumer.connect();
  await consumer.subscribe({ topic: 'cli-mem', fromBeginning: true });
  const seen: string[] = [];
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`only ${seen.length} of 10 consumed`)), 60_000);
    void consumer.run({
      eachMessage: async ({ message }) => {
        seen.push(message.value!.toString());
        if (seen.length === 10) {
          clearTimeout(timer);
          resolve();
        }
      },
    });
  });
  t.same(
    seen,
    Array.from({ length: 10 }, (_, i) => `m${i}`),
  );
  await consumer.disconnect();
  await producer.disconnect();
  await admin.disconnect();
  t.equal(await cli.stop('SIGTERM'), 0, 'a clean stop');
  t.same(readdirSync(cwd), [], 'no ./data, no .lock, no meta.properties under the working dir');
  t.same(readdirSync(tmp), [], 'nothing under TMPDIR');
});

t.test(
  '--in-memory with a disk log.dirs, or memory: mixed with disk dirs, fails at start',
  { skip: CLI_SKIP },
  async (t) => {
    const conflict = await runCliToExit([
      '--in-memory',
      '--override',
      'log.dirs=/tmp/gregor-never',
      '--override',
      'listeners=PLAINTEXT://127.0.0.1:0',
    ]);
    t.equal(conflict.code, 1);
    t.match(conflict.output, /--in-memory conflicts with --override log\.dirs=\/tmp\/gregor-never/);
    const mixed = await runCliToExit([
      '--override',
      'log.dirs=memory:,/tmp/gregor-never',
      '--override',
      'listeners=PLAINTEXT://127.0.0.1:0',
    ]);
    t.equal(mixed.code, 1);
    t.match(mixed.output, /mixes memory: with disk dirs/);
  },
);
