/**
 * The `gregor` tools on a real terminal (tmux): `produce -f` draws its progress line on
 * stderr when stderr is a terminal, and tables come out aligned.
 */
import t from 'tap';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brokerFor } from '../../test/helpers/broker.js';
import { hasCommand, run } from '../../test/helpers/external.js';

const bin = fileURLToPath(new URL('../../bin/gregor.js', import.meta.url));
const built = existsSync(fileURLToPath(new URL('../../dist/bundle/cli.cjs', import.meta.url)));
const skip = !built ? 'dist/ is not built' : !hasCommand('tmux') ? 'tmux is not installed' : false;

/** Polls the pane until `pattern` shows (bounded), returning the screen. */
async function waitForScreen(session: string, pattern: RegExp): Promise<string> {
  let screen = '';
  for (let i = 0; i < 300; i++) {
    screen = (await run('tmux', ['capture-pane', '-p', '-t', session])).stdout;
    if (pattern.test(screen)) return screen;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return screen;
}

t.test('progress line and aligned tables in a terminal', { skip }, async (t) => {
  const broker = await brokerFor(t);
  const dir = mkdtempSync(join(tmpdir(), 'gregor-tty-'));
  const file = join(dir, 'messages.txt');
  writeFileSync(file, Array.from({ length: 20_000 }, (_, i) => `message number ${i}`).join('\n') + '\n');
  const session = `gregor-tools-${process.pid}`;
  const command = `GREGOR_BROKERS=${broker.bootstrap} ${process.execPath} ${bin} topic create tty -p 2 >/dev/null && GREGOR_BROKERS=${broker.bootstrap} ${process.execPath} ${bin} produce tty -f ${file} && GREGOR_BROKERS=${broker.bootstrap} ${process.execPath} ${bin} topic describe tty; echo DONE-$?`;
  const started = await run('tmux', [
    'new-session',
    '-d',
    '-s',
    session,
    '-x',
    '120',
    '-y',
    '40',
    command + '; sleep 30',
  ]);
  t.equal(started.code, 0, started.stderr);
  t.teardown(() => run('tmux', ['kill-session', '-t', session]).then(() => undefined));
  const screen = await waitForScreen(session, /DONE-\d/);
  t.match(screen, /DONE-0/);
  t.match(screen, /\[#{30}\] 100% 20000 msgs\s+[\d.]+ (KiB|MiB)\s+\d+ msg\/s/, 'the progress line ends full');
  t.match(screen, /produced 20000 message\(s\)/);
  const lines = screen.split('\n');
  const header = lines.find((l) => l.startsWith('PARTITION '));
  t.ok(header, 'the partitions table is shown');
  const columnStart = header!.indexOf('LOG-END-OFFSET');
  const rows = lines.filter((l) => /^[01]\s/.test(l));
  t.equal(rows.length, 2);
  const ends = rows.map((r) => Number(r.slice(columnStart).trim()));
  t.equal(ends[0]! + ends[1]!, 20_000, 'each LOG-END-OFFSET value sits under its heading', { screen });
});
