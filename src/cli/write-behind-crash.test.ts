/**
 * Write-behind (storage/write-behind.ts, forced on) through the real CLI and librdkafka: 96 MiB produced with
 * acks=1 by python3-confluent-kafka (1 MB requests, so the Produce frames are pooled shared memory and
 * the write-behind worker starts after 64 MiB), the broker killed with SIGKILL as soon as the producer
 * has every acknowledgement, then restarted: every acknowledged message is there, exactly once.
 */
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI_SKIP, runCliToExit, startCli } from '../../test/helpers/cli.js';
import { DEBIAN_PYTHON, hasCommand, hasPythonModule, run } from '../../test/helpers/external.js';

const MESSAGES = 96 * 1024;
const TOPIC = 'behind';

const PRODUCE = `
import sys
from confluent_kafka import Producer
from confluent_kafka.admin import AdminClient, NewTopic
bootstrap, topic, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
admin = AdminClient({'bootstrap.servers': bootstrap})
admin.create_topics([NewTopic(topic, 1, 1)])[topic].result(30)
acked = 0
failed = 0
def report(err, msg):
    global acked, failed
    if err is None: acked += 1
    else: failed += 1
p = Producer({'bootstrap.servers': bootstrap, 'acks': 1, 'linger.ms': 20, 'batch.size': 1000000,
              'enable.idempotence': False})
pad = b'x' * 1000
for i in range(count):
    while True:
        try:
            p.produce(topic, value=b'%08d' % i + pad, on_delivery=report)
            break
        except BufferError:
            p.poll(0.05)
p.flush(60)
print(acked, failed)
`;

function cliArgs(dataDir: string): string[] {
  return ['--override', `log.dirs=${dataDir}`, '--override', 'listeners=PLAINTEXT://127.0.0.1:0'];
}

const skip =
  CLI_SKIP ||
  (!hasPythonModule('confluent_kafka') ? 'python3-confluent-kafka missing' : false) ||
  (!hasCommand('kcat') ? 'kcat missing' : false);

t.test('96 MiB acked with acks=1 survive a SIGKILL right after the last acknowledgement', { skip }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'gregor-write-behind-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const dataDir = join(dir, 'data');

  // Every large append handed off, however cheap this machine's copies are now.
  const first = await startCli(cliArgs(dataDir), { GREGOR_WRITE_BEHIND: 'always' });
  t.teardown(() => first.stop('SIGKILL'));
  const produced = await run(DEBIAN_PYTHON, ['-c', PRODUCE, `127.0.0.1:${first.port}`, TOPIC, String(MESSAGES)], {
    timeoutMs: 120_000,
  });
  t.equal(produced.code, 0, produced.stderr);
  t.equal(produced.stdout.trim(), `${MESSAGES} 0`, 'every message acknowledged');
  await first.stop('SIGKILL');
  t.match(first.output(), /write-behind started/, 'the appends went through the write-behind worker');

  const second = await startCli(cliArgs(dataDir));
  t.teardown(() => second.stop('SIGKILL'));
  // Each line cut to its offset and the value's first 8 bytes (the index): 96 MiB would not fit in memory twice.
  const consumed = await run(
    'sh',
    ['-c', `kcat -b 127.0.0.1:${second.port} -C -t ${TOPIC} -o beginning -e -q -f '%o %s\n' | cut -c1-20`],
    { timeoutMs: 120_000 },
  );
  t.equal(consumed.code, 0, consumed.stderr);
  const lines = consumed.stdout.split('\n').filter((l) => l.length > 0);
  t.equal(lines.length, MESSAGES, 'every acknowledged message is read back');
  let inOrder = 0;
  for (let i = 0; i < lines.length; i++) {
    const [offset, value] = lines[i]!.split(' ');
    if (Number(offset) === i && value!.startsWith(String(i).padStart(8, '0'))) inOrder++;
  }
  t.equal(inOrder, MESSAGES, 'message i at offset i, each exactly once');
  await second.stop('SIGTERM');
});

t.test('an unknown GREGOR_WRITE_BEHIND stops the start with a message naming it', { skip: CLI_SKIP }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'gregor-write-behind-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const { code, output } = await runCliToExit(cliArgs(join(dir, 'data')), { GREGOR_WRITE_BEHIND: 'yes' });
  t.equal(code, 1);
  t.match(output, /GREGOR_WRITE_BEHIND must be off, auto or always, not "yes"/);
});
