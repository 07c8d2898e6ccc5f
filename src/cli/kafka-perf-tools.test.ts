/**
 * kafka-producer-perf-test.sh and kafka-consumer-perf-test.sh as processes (bin/kafka/<tool>.sh)
 * against a broker on 127.0.0.1: Kafka's output lines, the records checked with kafkajs, and the
 * refusals (argparse errors, --print-metrics, transactions, unknown producer settings).
 */
import t from 'tap';
import { CLI_SKIP } from '../../test/helpers/cli.js';
import { brokerWithAdmin, kafkaTool } from '../../test/helpers/kafka-tools.js';

const TOTAL_LINE =
  /^(\d+) records sent, \d+\.\d{6} records\/sec \(\d+\.\d\d MB\/sec\), \d+\.\d\d ms avg latency, \d+\.00 ms max latency, \d+ ms 50th, \d+ ms 95th, \d+ ms 99th, \d+ ms 99\.9th\.$/;
const WINDOW_LINE =
  /^(\d+) records sent, \d+\.\d records\/sec \(\d+\.\d\d MB\/sec\), \d+\.\d ms avg latency, \d+\.0 ms max latency\.$/;

t.test('kafka-producer-perf-test: records, lines, refusals', { skip: CLI_SKIP }, async (t) => {
  t.setTimeout(90_000);
  const { b, kafka, admin } = await brokerWithAdmin(t);
  await admin.createTopics({ topics: [{ topic: 'perf', numPartitions: 3 }] });

  const run = await kafkaTool('kafka-producer-perf-test', [
    '--topic',
    'perf',
    '--num-records',
    '5000',
    '--record-size',
    '100',
    '--throughput',
    '-1',
    '--producer-props',
    `bootstrap.servers=${b}`,
    'acks=all',
    'compression.type=gzip',
    'linger.ms=2',
    'batch.size=4096',
  ]);
  t.equal(run.code, 0, run.stderr);
  t.equal(run.stderr, '');
  const lines = run.stdout.split('\n').filter((l) => l !== '');
  t.match(lines.at(-1), TOTAL_LINE);
  t.equal(TOTAL_LINE.exec(lines.at(-1)!)?.[1], '5000');
  const offsets = await admin.fetchTopicOffsets('perf');
  t.equal(
    offsets.reduce((n, o) => n + Number(o.high), 0),
    5000,
    'every record is written',
  );
  t.ok(
    offsets.every((o) => Number(o.high) > 1000),
    'records go round the partitions',
  );
  const consumer = kafka.consumer({ groupId: 'check' });
  await consumer.connect();
  t.teardown(() => consumer.disconnect());
  await consumer.subscribe({ topic: 'perf', fromBeginning: true });
  const first = await new Promise<Buffer>((resolve) => {
    void consumer.run({ eachMessage: ({ message }) => Promise.resolve(resolve(message.value!)) });
  });
  t.match(first.toString(), /^[A-Z]{100}$/, 'a payload of 100 uppercase letters');
  await consumer.stop();

  // The 5 s window line, with a throttled run of a little over 5 s; --payload-monotonic and an
  // auto-created topic.
  const throttled = await kafkaTool('kafka-producer-perf-test', [
    '--topic',
    'auto-created',
    '--num-records',
    '1100',
    '--payload-monotonic',
    '--throughput',
    '200',
    '--producer-props',
    `bootstrap.servers=${b}`,
  ]);
  t.equal(throttled.code, 0, throttled.stderr);
  const tLines = throttled.stdout.split('\n').filter((l) => l !== '');
  t.match(tLines[0], WINDOW_LINE);
  t.match(tLines.at(-1), TOTAL_LINE);
  const [auto] = await admin.fetchTopicOffsets('auto-created');
  t.equal(auto?.high, '1100');

  // The refused runs differ only after `--producer-props bootstrap.servers=...`.
  const oneRecord = (records = '1'): string[] => [
    '--topic',
    'perf',
    '--num-records',
    records,
    '--record-size',
    '1',
    '--throughput',
    '-1',
    '--producer-props',
    `bootstrap.servers=${b}`,
  ];
  const refusals: Array<[string[], RegExp]> = [
    [
      ['--topic', 'perf', '--num-records', '1', '--record-size', '1'],
      /producer-performance: error: argument --throughput is required/,
    ],
    [
      ['--topic', 'perf', '--num-records', '1', '--record-size', '1', '--payload-monotonic', '--throughput', '-1'],
      /error: argument --payload-monotonic: not allowed with argument --record-size/,
    ],
    [
      ['--topic', 'perf', '--num-records', '1', '--record-size', '1', '--throughput', '-1'],
      /Either --producer-props or --producer.config must be specified./,
    ],
    [oneRecord('0'), /--num-records should be greater than zero/],
    [[...oneRecord(), '--print-metrics'], /--print-metrics: Gregor's client keeps no Kafka producer metrics/],
    [[...oneRecord(), '--transactional-id', 'tx'], /no transactional producer/],
    [[...oneRecord(), 'interceptor.classes=x'], /do not support the client setting interceptor.classes/],
    [[...oneRecord(), 'acks=2'], /Invalid value 2 for configuration acks/],
    [
      [
        '--topic',
        'perf',
        '--num-records',
        '1',
        '--record-size',
        '1',
        '--throughput',
        '-1',
        '--producer-props',
        'acks=1',
      ],
      /Missing required configuration "bootstrap.servers"/,
    ],
  ];
  for (const [args, message] of refusals) {
    const r = await kafkaTool('kafka-producer-perf-test', args);
    t.equal(r.code, 1, args.join(' '));
    t.match(r.stderr, message);
  }
  const help = await kafkaTool('kafka-producer-perf-test', []);
  t.equal(help.code, 0);
  t.match(help.stdout, /^usage: producer-performance \[-h\] --topic TOPIC --num-records NUM-RECORDS/);
});

const DATE = '\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d:\\d{3}';
const F4 = '\\d+\\.\\d{4}';

t.test('kafka-consumer-perf-test: the CSV lines, commits, timeout, refusals', { skip: CLI_SKIP }, async (t) => {
  t.setTimeout(90_000);
  const { b, kafka, admin } = await brokerWithAdmin(t);
  await admin.createTopics({ topics: [{ topic: 'reads', numPartitions: 2 }] });
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({
    topic: 'reads',
    messages: Array.from({ length: 3000 }, (_, i) => ({ key: 'k', value: 'x'.repeat(99), partition: i % 2 })),
  });
  await producer.disconnect();

  const total = await kafkaTool('kafka-consumer-perf-test', [
    '--bootstrap-server',
    b,
    '--topic',
    'reads',
    '--messages',
    '3000',
    '--group',
    'pg',
  ]);
  t.equal(total.code, 0, total.stderr);
  const [header, line, ...rest] = total.stdout.split('\n');
  t.equal(
    header,
    'start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec',
  );
  t.match(line, new RegExp(`^${DATE}, ${DATE}, 0\\.2861, ${F4}, 3000, ${F4}, \\d+, \\d+, ${F4}, ${F4}$`));
  t.same(rest, ['']);
  const committed = await admin.fetchOffsets({ groupId: 'pg', topics: ['reads'] });
  t.same(
    committed[0]?.partitions.map((p) => p.offset).sort(),
    ['1500', '1500'],
    'the group commits what it read on exit',
  );

  // Detailed stats: a line a reporting interval, no total; the header hidden.
  const detailed = await kafkaTool('kafka-consumer-perf-test', [
    '--bootstrap-server',
    b,
    '--topic',
    'reads',
    '--messages',
    '3000',
    '--show-detailed-stats',
    '--reporting-interval',
    '1',
    '--hide-header',
    '--date-format',
    "yyyy-MM-dd'T'HH:mm:ss",
  ]);
  t.equal(detailed.code, 0, detailed.stderr);
  const dLines = detailed.stdout.split('\n').filter((l) => l !== '');
  t.ok(dLines.length >= 1);
  for (const l of dLines)
    t.match(
      l,
      new RegExp(
        `^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d, 0, ${F4}, ${F4}, \\d+, ${F4}, \\d+, -?\\d+, ${F4}, ${F4}$`,
      ),
    );

  // Nothing new past the latest offset: the timeout's warning and a zero total.
  const idle = await kafkaTool('kafka-consumer-perf-test', [
    '--bootstrap-server',
    b,
    '--topic',
    'reads',
    '--messages',
    '10',
    '--from-latest',
    '--timeout',
    '300',
    '--hide-header',
  ]);
  t.equal(idle.code, 0, idle.stderr);
  const [warning, zero] = idle.stdout.split('\n');
  t.equal(
    warning,
    'WARNING: Exiting before consuming the expected number of messages: timeout (300 ms) exceeded. You can use the --timeout option to increase the timeout.',
  );
  t.match(zero, new RegExp(`^${DATE}, ${DATE}, 0\\.0000, 0\\.0000, 0, 0\\.0000, \\d+, \\d+, 0\\.0000, 0\\.0000$`));

  const refusals: Array<[string[], RegExp]> = [
    [['--bootstrap-server', b, '--topic', 'reads'], /^Missing required argument "\[messages\]"/],
    [
      ['--bootstrap-server', b, '--messages', '1'],
      /^Exactly one of the following arguments is required: \[topic\], \[include\]/,
    ],
    [['--bootstrap-server', b, '--topic', 'reads', '--messages', '1', '--print-metrics'], /no Kafka consumer metrics/],
    [['--bootstrap-server', b, '--topic', 'reads', '--messages', 'x'], /Cannot parse argument 'x' of option messages/],
    [
      ['--bootstrap-server', b, '--topic', 'reads', '--messages', '1', '--reporting-interval', '0'],
      /Reporting interval must be greater than 0./,
    ],
  ];
  for (const [args, message] of refusals) {
    const r = await kafkaTool('kafka-consumer-perf-test', args);
    t.equal(r.code, 1, args.join(' '));
    t.match(r.stderr, message);
  }
});
