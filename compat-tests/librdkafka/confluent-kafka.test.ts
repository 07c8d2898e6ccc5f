/**
 * librdkafka through Debian's python3-confluent-kafka: a producer (every codec) and a
 * consumer with assign, keys, values, headers and timestamps intact. Skips when the
 * module is not installed.
 */
import t from 'tap';
import { fileURLToPath } from 'node:url';
import { brokerFor } from '../../test/helpers/broker.js';
import { DEBIAN_PYTHON, hasPythonModule, run } from '../../test/helpers/external.js';

const script = fileURLToPath(new URL('./confluent_roundtrip.py', import.meta.url));
const available = hasPythonModule('confluent_kafka');

t.test(
  'confluent-kafka produces and consumes with every codec',
  { skip: available ? false : 'python3-confluent-kafka is not installed' },
  async (t) => {
    const { bootstrap } = await brokerFor(t);
    for (const codec of ['none', 'gzip', 'snappy', 'lz4', 'zstd']) {
      const result = await run(DEBIAN_PYTHON, [script, bootstrap, `ck-${codec}`, '20', codec], { timeoutMs: 60_000 });
      t.equal(result.code, 0, `${codec}: ${result.stderr}`);
      const messages = result.stdout
        .trim()
        .split('\n')
        .map(
          (l) =>
            JSON.parse(l) as { key: string; value: string; headers: string[][]; timestamp: number; offset: number },
        );
      t.equal(messages.length, 20, `${codec}: 20 messages`);
      t.same(
        messages.map((m) => m.key),
        Array.from({ length: 20 }, (_, i) => `k${i}`),
        `${codec}: keys`,
      );
      t.same(
        messages.map((m) => m.value),
        Array.from({ length: 20 }, (_, i) => `v${i}`),
        `${codec}: values`,
      );
      t.same(
        messages.map((m) => m.headers),
        Array.from({ length: 20 }, (_, i) => [['h', `x${i}`]]),
        `${codec}: headers`,
      );
      t.same(
        messages.map((m) => m.timestamp),
        Array.from({ length: 20 }, (_, i) => 1700000000000 + i),
        `${codec}: timestamps`,
      );
    }
  },
);
