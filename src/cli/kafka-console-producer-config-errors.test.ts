/**
 * kafka-console-producer's bad producer settings end it as Kafka's does: ProducerConfig's
 * ConfigException, printed with its class name (ConsoleProducer prints the exception's stack trace),
 * exit code 1, nothing sent. Gregor printed the message without the class.
 */
import t from 'tap';
import { gregorInProcess } from '../../test/helpers/cli-in-process.js';

const producer = (extra: string[]): string[] => [
  'kafka-console-producer',
  '--bootstrap-server',
  '127.0.0.1:1',
  '--topic',
  't',
  ...extra,
];

t.test('a bad compression codec or acks: ConfigException, exit 1', async (t) => {
  for (const [extra, message] of [
    [
      ['--compression-codec', 'brotli'],
      'org.apache.kafka.common.config.ConfigException: Invalid value brotli for configuration compression.type: String must be one of: none, gzip, snappy, lz4, zstd',
    ],
    [
      ['--request-required-acks', '2'],
      'org.apache.kafka.common.config.ConfigException: Invalid value 2 for configuration acks: String must be one of: all, -1, 0, 1',
    ],
    [
      ['--producer-property', 'acks=some'],
      'org.apache.kafka.common.config.ConfigException: Invalid value some for configuration acks: String must be one of: all, -1, 0, 1',
    ],
  ] as const) {
    const r = await gregorInProcess(producer([...extra]), { input: 'x\n' });
    t.equal(r.code, 1, extra.join(' '));
    t.equal(r.stderr.split('\n')[0], message);
  }
});
