/**
 * Issue #12 item 1, through the real CLI and kafkajs: a topic deleted and created again
 * under the same name keeps what was produced to it (acks=-1) across a crash (SIGKILL)
 * and a clean restart; the old data never shows; its partition folder carries
 * partition.metadata and the old folder is removed in the background.
 */
import t from 'tap';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { CLI_SKIP, startCli } from '../../test/helpers/cli.js';

const TOPIC = 'recreated';

function cliArgs(dataDir: string): string[] {
  return [
    '--override',
    `log.dirs=${dataDir}`,
    '--override',
    'listeners=PLAINTEXT://127.0.0.1:0',
    '--override',
    'log.segment.delete.delay.ms=0',
  ];
}

async function countOf(admin: Admin): Promise<number> {
  const offsets = await admin.fetchTopicOffsets(TOPIC);
  return offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
}

/** The values in the topic, read by a consumer from the beginning (bounded by `expected` and a deadline). */
async function valuesOf(kafka: Kafka, expected: number): Promise<string[]> {
  const consumer = kafka.consumer({ groupId: `reader-${Date.now()}-${Math.random()}` });
  await consumer.connect();
  await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
  const values: string[] = [];
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`read ${values.length} of ${expected} messages in 60 s`)), 60_000);
    void consumer.run({
      eachMessage: async ({ message }) => {
        values.push(message.value?.toString() ?? '');
        if (values.length >= expected) {
          clearTimeout(timer);
          resolve();
        }
      },
    });
  });
  await consumer.disconnect();
  return values;
}

t.test(
  'delete, create again, produce 5 with acks=-1: all 5 survive SIGKILL and a clean restart',
  { skip: CLI_SKIP },
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'gregor-recreate-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const dataDir = join(dir, 'data');
    const kafka = (port: number): Kafka => new Kafka({ brokers: [`127.0.0.1:${port}`], logLevel: logLevel.NOTHING });

    const first = await startCli(cliArgs(dataDir));
    t.teardown(() => first.stop('SIGKILL'));
    const admin = kafka(first.port).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 1 }], waitForLeaders: true });
    const producer = kafka(first.port).producer();
    await producer.connect();
    await producer.send({
      topic: TOPIC,
      acks: -1,
      messages: [{ value: 'old-1' }, { value: 'old-2' }, { value: 'old-3' }],
    });
    await admin.deleteTopics({ topics: [TOPIC] });
    await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 1 }], waitForLeaders: true });
    await producer.send({ topic: TOPIC, acks: -1, messages: [1, 2, 3, 4, 5].map((i) => ({ value: `new-${i}` })) });
    await producer.disconnect();
    t.equal(await countOf(admin), 5, 'the new topic holds 5 messages before the restart');
    await admin.disconnect();
    const metadataFile = readFileSync(join(dataDir, `${TOPIC}-0`, 'partition.metadata'), 'utf8');
    t.match(metadataFile, /^version: 0\ntopic_id: [A-Za-z0-9_-]{22}\n$/, 'partition.metadata in Kafka format');
    await first.stop('SIGKILL');

    const second = await startCli(cliArgs(dataDir));
    t.teardown(() => second.stop('SIGKILL'));
    const admin2 = kafka(second.port).admin();
    await admin2.connect();
    t.equal(await countOf(admin2), 5, 'after SIGKILL the 5 acknowledged messages are there');
    t.same(
      await valuesOf(kafka(second.port), 5),
      ['new-1', 'new-2', 'new-3', 'new-4', 'new-5'],
      'only the new messages, in order',
    );
    await admin2.disconnect();
    t.equal(await second.stop('SIGTERM'), 0, 'clean shutdown');

    const third = await startCli(cliArgs(dataDir));
    t.teardown(() => third.stop('SIGKILL'));
    const admin3 = kafka(third.port).admin();
    await admin3.connect();
    t.equal(await countOf(admin3), 5, 'after a clean restart too');
    await admin3.disconnect();
    t.equal(
      readFileSync(join(dataDir, `${TOPIC}-0`, 'partition.metadata'), 'utf8'),
      metadataFile,
      'same topic id on disk',
    );
    t.notOk(/partition not served/.test(third.output()), 'no partition left unserved after replay');
    t.equal(await third.stop('SIGTERM'), 0, 'clean shutdown');
    t.same(
      readdirSync(dataDir).filter((name) => name.endsWith('-delete')),
      [],
      'the old folder is gone (removed in the background with log.segment.delete.delay.ms=0)',
    );
  },
);
