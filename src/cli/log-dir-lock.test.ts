/**
 * Issue #12 item 3 with real processes: a second `gregor start` on a log dir that a running
 * broker holds fails at start with one clear line naming the dir, Kafka's (RaftManager's and
 * LogManager's "Failed to acquire lock on file .lock in <dir>. ..."); after the holder is
 * killed (SIGKILL, no clean-up) the lock is gone with it and the dir starts again. In one
 * process, a second embedded broker on the same dir is refused the same way.
 */
import t from 'tap';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBroker } from '../index.js';
import { CLI_SKIP, runCliToExit, startCli } from '../../test/helpers/cli.js';

function args(dataDir: string, extra: string[] = []): string[] {
  return ['--override', `log.dirs=${dataDir}`, '--override', 'listeners=PLAINTEXT://127.0.0.1:0', ...extra];
}

t.test('a second process on the same log dir fails at start with one clear line', { skip: CLI_SKIP }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'gregor-lock-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const shared = join(dir, 'shared');
  const other = join(dir, 'other');

  const holder = await startCli(args(shared));
  t.teardown(() => holder.stop('SIGKILL'));
  t.ok(existsSync(join(shared, '.lock')), 'the .lock file is there');

  const second = await runCliToExit(args(shared));
  t.equal(second.code, 1, 'exits with 1');
  const lines = second.output.trim().split('\n');
  t.equal(lines.length, 1, 'one line');
  t.equal(
    lines[0],
    `gregor: start-up failed: Failed to acquire lock on file .lock in ${shared}. A Kafka instance in another process or thread is using this directory.`,
    "Kafka's message",
  );
  t.notMatch(second.output, /\n\s+at /, 'no stack trace');

  // A second log dir that is locked is refused too, even when the first is free.
  const third = await runCliToExit([
    '--override',
    `log.dirs=${other},${shared}`,
    '--override',
    'listeners=PLAINTEXT://127.0.0.1:0',
  ]);
  t.equal(third.code, 1);
  t.match(third.output, `Failed to acquire lock on file .lock in ${shared}.`);

  t.equal(await holder.stop('SIGKILL'), null, 'the holder is killed without clean-up');
  const after = await startCli(args(shared));
  t.teardown(() => after.stop('SIGKILL'));
  t.ok(after.port > 0, 'the dir starts again: the lock died with its process');
  t.equal(await after.stop('SIGTERM'), 0);
});

t.test('two embedded brokers in one process cannot share a log dir; stop releases it', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'gregor-lock-embedded-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const first = await startBroker({ dataDir });
  await t.rejects(startBroker({ dataDir }), {
    name: 'StartupError',
    message: `Failed to acquire lock on file .lock in ${dataDir}. A Kafka instance in another process or thread is using this directory.`,
  });
  await first.stop();
  const again = await startBroker({ dataDir });
  t.ok(again.port > 0, 'free again after stop');
  await again.stop();
});
