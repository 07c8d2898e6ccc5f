/**
 * kafka-console-producer.sh's line reader properties (parse.key, parse.headers, null.marker, --sync,
 * --compression-codec) and kafka-console-consumer.sh's DefaultMessageFormatter properties, as
 * processes against a broker on 127.0.0.1, cross-checked with kafkajs (what one writes the other
 * reads); --timeout-ms, --partition/--offset, and the settings refused.
 */
import t from 'tap';
import { CLI_SKIP } from '../../test/helpers/cli.js';
import { brokerWithAdmin, kafkaTool } from '../../test/helpers/kafka-tools.js';

t.test(
  'console producer properties and consumer formatter, cross-checked with kafkajs',
  { skip: CLI_SKIP },
  async (t) => {
    t.setTimeout(90_000);
    const { b, kafka, admin } = await brokerWithAdmin(t);
    await admin.createTopics({ topics: [{ topic: 'keyed', numPartitions: 1 }] });
    const produced = await kafkaTool(
      'kafka-console-producer',
      [
        '--topic',
        'keyed',
        '--bootstrap-server',
        b,
        '--sync',
        '--property',
        'parse.key=true',
        '--property',
        'key.separator=:',
        '--property',
        'parse.headers=true',
        '--property',
        'headers.delimiter=|',
        '--property',
        'null.marker=NULL',
        '--producer-property',
        'acks=all',
        '--compression-codec',
        'gzip',
      ],
      'h1:v1,h2:v2|k1:value one\nsrc:cli|NULL:value two\nNULL|k3:NULL\n',
    );
    t.equal(produced.code, 0, produced.stderr);
    const consumer = kafka.consumer({ groupId: 'check' });
    await consumer.connect();
    t.teardown(() => consumer.disconnect());
    await consumer.subscribe({ topic: 'keyed', fromBeginning: true });
    const seen: Array<{ key: string | null; value: string | null; headers: Record<string, string> }> = [];
    await new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: async ({ message }) => {
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(v);
          seen.push({ key: message.key?.toString() ?? null, value: message.value?.toString() ?? null, headers });
          if (seen.length === 3) resolve();
        },
      });
    });
    t.same(seen, [
      { key: 'k1', value: 'value one', headers: { h1: 'v1', h2: 'v2' } },
      { key: null, value: 'value two', headers: { src: 'cli' } },
      { key: 'k3', value: null, headers: {} },
    ]);
    const printed = await kafkaTool('kafka-console-consumer', [
      '--topic',
      'keyed',
      '--from-beginning',
      '--max-messages',
      '3',
      '--bootstrap-server',
      b,
      '--property',
      'print.key=true',
      '--property',
      'print.headers=true',
      '--property',
      'print.partition=true',
      '--property',
      'print.offset=true',
      '--property',
      'key.separator= | ',
    ]);
    t.equal(printed.code, 0, printed.stderr);
    t.equal(
      printed.stdout,
      'Partition:0 | Offset:0 | h1:v1,h2:v2 | k1 | value one\n' +
        'Partition:0 | Offset:1 | src:cli | null | value two\n' +
        'Partition:0 | Offset:2 | NO_HEADERS | k3 | null\n',
    );
    t.equal(printed.stderr, 'Processed a total of 3 messages\n');
    const stamped = await kafkaTool('kafka-console-consumer', [
      '--topic',
      'keyed',
      '--partition',
      '0',
      '--offset',
      '1',
      '--max-messages',
      '1',
      '--bootstrap-server',
      b,
      '--property',
      'print.timestamp=true',
    ]);
    t.match(stamped.stdout, /^CreateTime:\d{13}\tvalue two\n$/);
    const bad = await kafkaTool(
      'kafka-console-producer',
      ['--topic', 'keyed', '--bootstrap-server', b, '--property', 'parse.key=true'],
      'no separator here\n',
    );
    t.equal(bad.code, 1);
    t.match(bad.stderr, /No key separator found on line number 1: 'no separator here'/);
    const timeout = await kafkaTool('kafka-console-consumer', [
      '--topic',
      'keyed',
      '--bootstrap-server',
      b,
      '--timeout-ms',
      '1000',
    ]);
    t.equal(timeout.code, 0);
    t.match(
      timeout.stderr,
      /TimeoutException\nProcessed a total of 0 messages\n$/,
      'nothing new within --timeout-ms: the consumer stops',
    );
    const refused = await kafkaTool(
      'kafka-console-producer',
      ['--topic', 'keyed', '--bootstrap-server', b, '--producer-property', 'enable.idempotence=maybe'],
      'x\n',
    );
    t.equal(refused.code, 1);
    t.match(
      refused.stderr,
      /ConfigException: Invalid value maybe for configuration enable.idempotence: Expected value to be either true or false/,
    );
    const unknownSetting = await kafkaTool('kafka-console-consumer', [
      '--topic',
      'keyed',
      '--bootstrap-server',
      b,
      '--consumer-property',
      'interceptor.classes=x.Y',
    ]);
    t.equal(unknownSetting.code, 1);
    t.match(unknownSetting.stderr, /do not support the client setting interceptor.classes/);
  },
);
