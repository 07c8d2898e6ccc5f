/**
 * kafka-python (Debian's python3-kafka): producer and consumer with every codec it
 * supports here, keys, values, headers and timestamps intact. Skips when the module is
 * not installed.
 */
import t from 'tap';
import { fileURLToPath } from 'node:url';
import { brokerFor } from '../../test/helpers/broker.js';
import { DEBIAN_PYTHON, hasPythonModule, run } from '../../test/helpers/external.js';

const script = fileURLToPath(new URL('./kafka_python_roundtrip.py', import.meta.url));
const available = hasPythonModule('kafka');

t.test(
  'kafka-python produces and consumes',
  { skip: available ? false : 'python3-kafka is not installed' },
  async (t) => {
    const { bootstrap } = await brokerFor(t);
    for (const codec of ['none', 'gzip', 'snappy', 'lz4']) {
      const probe = codec === 'none' ? 'kafka' : codec === 'gzip' ? 'gzip' : codec === 'snappy' ? 'snappy' : 'lz4';
      if (!hasPythonModule(probe)) {
        t.comment(`${codec}: the python module ${probe} is not installed; skipped`);
        continue;
      }
      const result = await run(DEBIAN_PYTHON, [script, bootstrap, `kp-${codec}`, '20', codec], { timeoutMs: 60_000 });
      t.equal(result.code, 0, `${codec}: ${result.stderr.slice(-2000)}`);
      const messages = result.stdout
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { key: string; value: string; headers: string[][]; timestamp: number });
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
