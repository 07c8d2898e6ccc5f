/**
 * kafka-consumer-groups --reset-offsets as Kafka 3.9's checkOffsetsRange: --to-offset, --shift-by and
 * --from-file offsets outside the log are moved to its end or start with log4j's WARN line on stderr
 * ("New offset (500) is higher than latest offset for topic partition t-0. Value will be set to 10");
 * --shift-by on a partition with no committed offset is an IllegalArgumentException, printed with the
 * usage, exit 1 (before, Gregor shifted from the log end). --to-current there takes the log end, as
 * Kafka. Offsets are set with kafkajs; the tool runs in-process.
 */
import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gregorInProcess } from '../../test/helpers/cli-in-process.js';
import { brokerWithAdmin } from '../../test/helpers/kafka-tools.js';

const WARN = (text: string): RegExp =>
  new RegExp(
    `^\\[\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d,\\d{3}\\] WARN ${text.replace(/[().]/g, '\\$&')} \\(org\\.apache\\.kafka\\.tools\\.consumer\\.group\\.ConsumerGroupCommand\\)\\n$`,
  );
const line = (cells: string[]): string =>
  `${cells[0]!.padEnd(30)} ${cells[1]!.padEnd(30)} ${cells[2]!.padEnd(10)} ${cells[3]!.padEnd(15)}\n`;
const table = (rows: string[][]): string =>
  `\n${line(['GROUP', 'TOPIC', 'PARTITION', 'NEW-OFFSET'])}${rows.map((r) => line(r)).join('')}`;

t.test('offsets outside the log are clamped with a WARN; --shift-by needs a committed offset', async (t) => {
  const { b, kafka, admin } = await brokerWithAdmin(t);
  await admin.createTopics({ topics: [{ topic: 'events', numPartitions: 2 }], waitForLeaders: true });
  const producer = kafka.producer();
  await producer.connect();
  t.teardown(() => producer.disconnect());
  await producer.send({
    topic: 'events',
    messages: Array.from({ length: 10 }, (_, i) => ({ value: `${i}`, partition: 0 })),
  });
  await admin.setOffsets({ groupId: 'g', topic: 'events', partitions: [{ partition: 0, offset: '4' }] });
  const reset = (...args: string[]): ReturnType<typeof gregorInProcess> =>
    gregorInProcess(['kafka-consumer-groups', '--bootstrap-server', b, '--reset-offsets', '--group', 'g', ...args]);

  const high = await reset('--topic', 'events:0', '--to-offset', '500', '--dry-run');
  t.equal(high.stdout, table([['g', 'events', '0', '10']]));
  t.match(
    high.stderr,
    WARN('New offset (500) is higher than latest offset for topic partition events-0. Value will be set to 10'),
  );

  const low = await reset('--topic', 'events:0', '--shift-by', '-100', '--dry-run');
  t.equal(low.stdout, table([['g', 'events', '0', '0']]));
  t.match(
    low.stderr,
    WARN('New offset (-96) is lower than earliest offset for topic partition events-0. Value will be set to 0'),
  );

  const inRange = await reset('--topic', 'events:0', '--shift-by', '-2', '--dry-run');
  t.equal(inRange.stdout, table([['g', 'events', '0', '2']]));
  t.equal(inRange.stderr, '', 'no warning when the offset is in the log');

  const plan = join(t.testdir(), 'plan.csv');
  writeFileSync(plan, 'events,0,12\n');
  const fromFile = await reset('--from-file', plan, '--dry-run');
  t.equal(fromFile.stdout, table([['g', 'events', '0', '10']]));
  t.match(
    fromFile.stderr,
    WARN('New offset (12) is higher than latest offset for topic partition events-0. Value will be set to 10'),
  );

  const noCommit = await reset('--topic', 'events', '--shift-by', '-1', '--dry-run');
  t.equal(noCommit.code, 1);
  t.equal(noCommit.stdout, '');
  t.match(
    noCommit.stderr,
    /^Cannot shift offset for partition events-1 since there is no current committed offset\nOption +Description\n/,
  );

  const current = await reset('--topic', 'events', '--to-current', '--dry-run');
  t.equal(
    current.stdout,
    table([
      ['g', 'events', '0', '4'],
      ['g', 'events', '1', '0'],
    ]),
  );
  t.equal(current.stderr, '');
});
