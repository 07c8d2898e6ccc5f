/**
 * kafka-producer-perf-test.sh and kafka-consumer-perf-test.sh as processes (bin/kafka/<tool>.sh)
 * against a broker on 127.0.0.1: Kafka's output lines, the records checked with kafkajs, and the
 * refusals (argparse errors, --print-metrics, transactions, unknown producer settings).
 */
import t from 'tap';
import { Kafka, logLevel } from 'kafkajs';
import { brokerFor } from '../../test/helpers/broker.js';
import { CLI_SKIP } from '../../test/helpers/cli.js';
import { kafkaTool } from '../../test/helpers/kafka-tools.js';

const TOTAL_LINE =
  /^(\d+) records sent, \d+\.\d{6} records\/sec \(\d+\.\d\d MB\/sec\), \d+\.\d\d ms avg latency, \d+\.00 ms max latency, \d+ ms 50th, \d+ ms 95th, \d+ ms 99th, \d+ ms 99\.9th\.$/;
const WINDOW_LINE =
  /^(\d+) records sent, \d+\.\d records\/sec \(\d+\.\d\d MB\/sec\), \d+\.\d ms avg latency, \d+\.0 ms max latency\.$/;

t.test('kafka-producer-perf-test: records, lines, refusals', { skip: CLI_SKIP }, async (t) => {
  t.setTimeout(90_000);
  const broker = await brokerFor(t);
  const b = broker.bootstrap;
  const kafka = new Kafka({ brokers: [b], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
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
    [
      [
        '--topic',
        'perf',
        '--num-records',
        '0',
        '--record-size',
        '1',
        '--throughput',
        '-1',
        '--producer-props',
        `bootstrap.servers=${b}`,
      ],
      /--num-records should be greater than zero/,
    ],
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
        `bootstrap.servers=${b}`,
        '--print-metrics',
      ],
      /--print-metrics: Gregor's client keeps no Kafka producer metrics/,
    ],
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
        `bootstrap.servers=${b}`,
        '--transactional-id',
        'tx',
      ],
      /no transactional producer/,
    ],
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
        `bootstrap.servers=${b}`,
        'enable.idempotence=true',
      ],
      /not an idempotent producer/,
    ],
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
        `bootstrap.servers=${b}`,
        'buffer.pool.magic=1',
      ],
      /do not support the client setting buffer.pool.magic/,
    ],
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
        `bootstrap.servers=${b}`,
        'acks=2',
      ],
      /Invalid value 2 for configuration acks/,
    ],
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
