/**
 * librdkafka through Debian's kcat against a Gregor on 127.0.0.1: produce and consume
 * with every codec (-z none/gzip/snappy/lz4/zstd), keys and headers intact; metadata
 * listing (-L); offsets by timestamp (-Q). Skips when kcat is not installed.
 */
import t from 'tap';
import { brokerFor } from '../../test/helpers/broker.js';
import { hasCommand, run } from '../../test/helpers/external.js';

const available = hasCommand('kcat');

t.test(
  'kcat produces and consumes with every codec',
  { skip: available ? false : 'kcat is not installed' },
  async (t) => {
    const { bootstrap } = await brokerFor(t);
    for (const codec of ['none', 'gzip', 'snappy', 'lz4', 'zstd']) {
      const topic = `kcat-${codec}`;
      const lines = Array.from({ length: 50 }, (_, i) => `key-${i}:value-${codec}-${i}`);
      const produced = await run(
        'kcat',
        ['-P', '-b', bootstrap, '-t', topic, '-p', '0', '-z', codec, '-K', ':', '-H', 'origin=kcat'],
        {
          input: lines.join('\n') + '\n',
        },
      );
      t.equal(produced.code, 0, `${codec}: kcat -P exits 0 ${produced.stderr}`);
      const consumed = await run('kcat', [
        '-C',
        '-b',
        bootstrap,
        '-t',
        topic,
        '-p',
        '0',
        '-o',
        'beginning',
        '-e',
        '-f',
        '%k:%s|%h|%o\\n',
      ]);
      t.equal(consumed.code, 0, `${codec}: kcat -C exits 0 ${consumed.stderr}`);
      const got = consumed.stdout.trim().split('\n');
      t.same(
        got.map((l) => l.split('|')[0]),
        lines,
        `${codec}: every key and value comes back in order`,
      );
      t.ok(
        got.every((l) => l.split('|')[1] === 'origin=kcat'),
        `${codec}: headers intact`,
      );
      t.same(
        got.map((l) => Number(l.split('|')[2])),
        lines.map((_, i) => i),
        `${codec}: offsets 0..49`,
      );
    }
  },
);

t.test(
  'kcat -L lists brokers and topics; -Q finds offsets by time',
  { skip: available ? false : 'kcat is not installed' },
  async (t) => {
    const { bootstrap } = await brokerFor(t, { config: { 'num.partitions': 2 } });
    const before = Date.now();
    await run('kcat', ['-P', '-b', bootstrap, '-t', 'timed', '-p', '0'], { input: 'a\nb\nc\n' });
    const listing = await run('kcat', ['-L', '-b', bootstrap, '-t', 'timed']);
    t.match(listing.stdout, /1 brokers:/);
    t.match(listing.stdout, /topic "timed" with 2 partitions/);
    const q = await run('kcat', ['-Q', '-b', bootstrap, '-t', `timed:0:${before - 1000}`]);
    t.equal(q.code, 0, q.stderr);
    t.match(q.stdout, /timed \[0\] offset 0/, 'the first message at or after the timestamp is offset 0');
    const future = await run('kcat', ['-Q', '-b', bootstrap, '-t', `timed:0:${Date.now() + 3_600_000}`]);
    t.match(future.stdout, /timed \[0\] offset -1/, 'no message after a future timestamp');
  },
);
