/**
 * kafka-consumer-groups.sh --reset-offsets with --by-duration, --export and --from-file, as Kafka
 * 3.9: a duration back from now picks the first record at or after that time; --export prints
 * the plan as CSV instead of the table; --from-file applies such a CSV (one group:
 * topic,partition,offset; several: group,topic,partition,offset); a group the file does not name
 * gets "No reset plan"; a text that is no duration gets Java's message. A kafkajs consumer of the
 * group then starts where the plan said. --all-topics resets the partitions the group has offsets
 * for, and nothing (no error) for a group without any. Processes against a broker on 127.0.0.1.
 */
import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kafka } from 'kafkajs';
import { CLI_SKIP } from '../../test/helpers/cli.js';
import { brokerWithAdmin, kafkaTool } from '../../test/helpers/kafka-tools.js';

/** The offset of the first record a new consumer of `groupId` reads from `topic` partition 0. */
async function firstOffsetRead(kafka: Kafka, groupId: string, topic: string): Promise<string> {
  const consumer = kafka.consumer({ groupId });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic });
    return await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no record within 30 s')), 30_000);
      void consumer
        .run({
          autoCommit: false,
          eachMessage: async ({ message }) => {
            clearTimeout(timer);
            resolve(message.offset);
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
}

t.test('reset-offsets --by-duration, --export and --from-file', { skip: CLI_SKIP }, async (t) => {
  t.setTimeout(120_000);
  const { b, kafka, admin } = await brokerWithAdmin(t);
  const dir = mkdtempSync(join(tmpdir(), 'gregor-reset-plan-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  await admin.createTopics({ topics: [{ topic: 'timed', numPartitions: 1 }] });
  const producer = kafka.producer();
  await producer.connect();
  const now = Date.now();
  // Six records, 6 h ago to 1 h ago, one an hour.
  await producer.send({
    topic: 'timed',
    messages: Array.from({ length: 6 }, (_, i) => ({ value: `r${i}`, timestamp: String(now - (6 - i) * 3_600_000) })),
  });
  await producer.disconnect();
  const groups = (args: string[]) =>
    kafkaTool('kafka-consumer-groups', ['--bootstrap-server', b, '--reset-offsets', ...args]);
  const rows = (stdout: string): string[][] =>
    stdout
      .split('\n')
      .filter((l) => l !== '')
      .map((r) => r.trim().split(/ +/));

  const byDuration = await groups(['--group', 'g', '--topic', 'timed', '--by-duration', 'PT2H30M', '--execute']);
  t.equal(byDuration.code, 0, byDuration.stderr);
  t.same(rows(byDuration.stdout), [
    ['GROUP', 'TOPIC', 'PARTITION', 'NEW-OFFSET'],
    ['g', 'timed', '0', '4'],
  ]);
  t.equal(await firstOffsetRead(kafka, 'g', 'timed'), '4', 'the consumer starts 2.5 h back: the record of 2 h ago');
  const day = await groups(['--group', 'g', '--topic', 'timed', '--by-duration', 'P1D', '--dry-run']);
  t.same(rows(day.stdout)[1], ['g', 'timed', '0', '0'], 'a day back: the first record');

  const exported = await groups(['--group', 'g', '--topic', 'timed', '--by-duration', 'PT4H30M', '--export']);
  t.equal(exported.code, 0, exported.stderr);
  t.equal(exported.stdout, 'timed,0,2\n\n', 'one CSV line, then println');
  const twoGroups = await groups(['--group', 'g', '--group', 'h', '--topic', 'timed', '--to-latest', '--export']);
  t.equal(twoGroups.stdout, 'g,timed,0,6\nh,timed,0,6\n\n', 'several groups: the group column');

  const single = join(dir, 'single.csv');
  writeFileSync(single, exported.stdout);
  const fromFile = await groups(['--group', 'g', '--from-file', single, '--execute']);
  t.equal(fromFile.code, 0, fromFile.stderr);
  t.same(rows(fromFile.stdout)[1], ['g', 'timed', '0', '2']);
  t.equal(await firstOffsetRead(kafka, 'g', 'timed'), '2', 'the consumer starts where the file said');

  const multi = join(dir, 'multi.csv');
  writeFileSync(multi, 'g,timed,0,5\nh,timed,0,99\n');
  const fromMulti = await groups(['--group', 'g', '--group', 'h', '--group', 'k', '--from-file', multi, '--execute']);
  t.equal(fromMulti.code, 0, fromMulti.stderr);
  t.match(fromMulti.stdout, /\nError: No reset plan for group k found\n/);
  t.same(rows(fromMulti.stdout).slice(-2), [
    ['g', 'timed', '0', '5'],
    ['h', 'timed', '0', '6'],
  ]);
  t.equal(await firstOffsetRead(kafka, 'g', 'timed'), '5');
  const h = await admin.fetchOffsets({ groupId: 'h', topics: ['timed'] });
  t.equal(h[0]?.partitions[0]?.offset, '6', 'an offset past the end is set to the log end');

  const bad = await groups(['--group', 'g', '--topic', 'timed', '--by-duration', '2h', '--execute']);
  t.equal(bad.code, 0, 'exit 0, as ConsumerGroupCommand after an error');
  t.equal(bad.stdout, '\nError: Executing consumer group command failed due to Text cannot be parsed to a Duration\n');
  const missing = await groups(['--group', 'g', '--from-file', join(dir, 'nope.csv'), '--execute']);
  t.match(missing.stdout, /failed due to java\.nio\.file\.NoSuchFileException: .*nope\.csv/);
});

t.test('reset-offsets --all-topics: only the partitions the group has offsets for', { skip: CLI_SKIP }, async (t) => {
  t.setTimeout(60_000);
  const { b, kafka, admin } = await brokerWithAdmin(t);
  await admin.createTopics({ topics: [{ topic: 'two', numPartitions: 2 }] });
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({
    topic: 'two',
    messages: [
      { value: 'a', partition: 0 },
      { value: 'b', partition: 0 },
      { value: 'c', partition: 1 },
    ],
  });
  await producer.disconnect();
  await admin.setOffsets({ groupId: 'one-partition', topic: 'two', partitions: [{ partition: 0, offset: '2' }] });
  const reset = await kafkaTool('kafka-consumer-groups', [
    '--bootstrap-server',
    b,
    '--reset-offsets',
    '--group',
    'one-partition',
    '--all-topics',
    '--to-earliest',
    '--execute',
  ]);
  t.equal(reset.code, 0, reset.stderr);
  t.same(
    reset.stdout
      .split('\n')
      .filter((l) => l !== '')
      .map((r) => r.trim().split(/ +/)),
    [
      ['GROUP', 'TOPIC', 'PARTITION', 'NEW-OFFSET'],
      ['one-partition', 'two', '0', '0'],
    ],
    'partition 1, which has no committed offset, is left out',
  );
  const offsets = await admin.fetchOffsets({ groupId: 'one-partition', topics: ['two'] });
  t.same(offsets[0]?.partitions.map((p) => [p.partition, p.offset]).sort(), [
    [0, '0'],
    [1, '-1'],
  ]);
  const none = await kafkaTool('kafka-consumer-groups', [
    '--bootstrap-server',
    b,
    '--reset-offsets',
    '--group',
    'no-offsets',
    '--all-topics',
    '--to-earliest',
    '--execute',
  ]);
  t.equal(none.code, 0, none.stderr);
  t.equal(
    none.stdout,
    `\n${'GROUP'.padEnd(30)} ${'TOPIC'.padEnd(30)} ${'PARTITION'.padEnd(10)} ${'NEW-OFFSET'.padEnd(15)}\n`,
    'a group without offsets: nothing to reset, no error; the header, as printOffsetsToReset prints it for an empty plan',
  );
});
