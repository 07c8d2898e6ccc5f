/**
 * Start-up failures through the real CLI (bin/gregor.js from dist/): each bad config value
 * of issue #12, a port in use, a log dir that cannot be created and a missing --config file
 * end with exit code 1 and one clear line on stderr, no stack trace (GREGOR_LOG_LEVEL=debug
 * adds it). Unknown keys start the broker with one warning line naming them.
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { once } from 'node:events';

const bin = fileURLToPath(new URL('../../bin/gregor.js', import.meta.url));
const built = existsSync(fileURLToPath(new URL('../../dist/bundle/cli.cjs', import.meta.url)));
const skip = built ? false : 'dist/ is not built (npm install builds it)';

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `gregor start` with the arguments; resolves when it exits (or, with `untilStarted`, once it has started, then stops it). */
async function runCli(args: string[], logLevel = 'info', untilStarted = false): Promise<Outcome> {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, GREGOR_LOG_LEVEL: logLevel };
  const child = spawn(process.execPath, [bin, 'start', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
    if (untilStarted && stdout.includes('Gregor broker started')) child.kill('SIGTERM');
  });
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr };
}

const lines = (text: string): string[] => text.split('\n').filter((l) => l.trim() !== '');

t.test('start-up failures: exit 1, one line on stderr, no stack trace', { skip }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'gregor-startup-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const base = ['--override', 'listeners=PLAINTEXT://127.0.0.1:0', '--override', `log.dirs=${join(dir, 'data')}`];

  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  t.teardown(() => blocker.close());
  const busyPort = (blocker.address() as { port: number }).port;
  const aFile = join(dir, 'a-file');
  writeFileSync(aFile, 'not a directory');

  const cases: Array<{ what: string; args: string[]; line: RegExp }> = [
    {
      // Kafka's KafkaConfig check; a lone node skipped it (it needs no inter-broker link) and started.
      what: 'inter.broker.listener.name naming no listener',
      args: ['--override', 'inter.broker.listener.name=INTERNAL'],
      line: /^gregor: start-up failed: inter\.broker\.listener\.name must be a listener name defined in advertised\.listeners \(is INTERNAL\)\. The valid options based on currently configured listeners are PLAINTEXT$/,
    },
    {
      // KafkaConfig's combined-mode checks; a lone node with no CONTROLLER listener skipped them even
      // when controller.listener.names was set, and started.
      what: 'controller.listener.names naming no listener',
      args: ['--override', 'controller.listener.names=CTRL'],
      line: /^gregor: start-up failed: controller\.listener\.names must contain at least one value appearing in the 'listeners' configuration when running the KRaft controller role$/,
    },
    {
      what: 'controller.listener.names=CONTROLLER set, no CONTROLLER listener',
      args: ['--override', 'controller.listener.names=CONTROLLER', '--override', 'process.roles=broker,controller'],
      line: /^gregor: start-up failed: controller\.listener\.names must contain at least one value appearing in the 'listeners' configuration when running the KRaft controller role$/,
    },
    {
      what: 'controller.listener.names with a name not in listeners',
      args: [
        '--override',
        'listeners=PLAINTEXT://127.0.0.1:0,CONTROLLER://127.0.0.1:0',
        '--override',
        'controller.listener.names=CONTROLLER,CTRL',
      ],
      line: /^gregor: start-up failed: controller\.listener\.names must only contain values appearing in the 'listeners' configuration when running the KRaft controller role$/,
    },
    {
      what: 'num.partitions=abc',
      args: ['--override', 'num.partitions=abc'],
      line: /^gregor: start-up failed: invalid value for num\.partitions: "abc" \(expected an integer ≥ 1\)$/,
    },
    {
      what: 'log.retention.ms=0',
      args: ['--override', 'log.retention.ms=0'],
      line: /invalid value for log\.retention\.ms: "0" \(log\.retention\.ms must be unlimited \(-1\) or, greater than or equal to 1\)$/,
    },
    {
      what: 'message.max.bytes=abc',
      args: ['--override', 'message.max.bytes=abc'],
      line: /invalid value for message\.max\.bytes: "abc" \(expected an integer ≥ 0\)$/,
    },
    {
      what: 'auto.create.topics.enable=maybe',
      args: ['--override', 'auto.create.topics.enable=maybe'],
      line: /invalid value for auto\.create\.topics\.enable: "maybe" \(expected true or false\)$/,
    },
    {
      what: 'log.segment.bytes=10',
      args: ['--override', 'log.segment.bytes=10'],
      line: /invalid value for log\.segment\.bytes: "10" \(expected an integer ≥ 14\)$/,
    },
    {
      what: 'node.id=abc',
      args: ['--override', 'node.id=abc'],
      line: /invalid value for node\.id: "abc" \(expected an integer ≥ 0\)$/,
    },
    {
      what: 'node.id and broker.id disagree',
      args: ['--override', 'node.id=1', '--override', 'broker.id=2'],
      line: /You must set `node\.id` to the same value as `broker\.id`\.$/,
    },
    {
      what: 'port in use',
      args: ['--override', `listeners=PLAINTEXT://127.0.0.1:${busyPort}`],
      line: new RegExp(`Socket server failed to bind to 127\\.0\\.0\\.1:${busyPort}: Address already in use\\.$`),
    },
    {
      what: 'a log dir that cannot be created',
      args: ['--override', `log.dirs=${join(aFile, 'data')}`],
      line: new RegExp(
        `cannot mkdir ${join(aFile).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}.*: a path component is not a directory \\(ENOTDIR\\)$`,
      ),
    },
    {
      // Node's own recursive mkdir loops forever here (the parent exists, the child is refused
      // with ENOENT); start-up used to hang with no output.
      what: 'a log dir under /proc',
      args: ['--override', 'log.dirs=/proc/gregor-data'],
      line: /cannot mkdir \/proc\/gregor-data: no such file or directory \(ENOENT\)$/,
    },
    {
      what: 'missing --config file',
      args: ['--config', join(dir, 'missing.properties')],
      line: /cannot read config file .*missing\.properties: no such file$/,
    },
  ];
  for (const c of cases) {
    // Later arguments win: the case's override replaces the base one.
    const outcome = await runCli([...base, ...c.args]);
    t.equal(outcome.code, 1, `${c.what}: exit code 1`);
    const errLines = lines(outcome.stderr);
    t.equal(errLines.length, 1, `${c.what}: one line on stderr (got ${JSON.stringify(outcome.stderr)})`);
    t.match(errLines[0] ?? '', c.line, `${c.what}: the line says what is wrong`);
    t.notMatch(outcome.stderr + outcome.stdout, /\n\s+at /, `${c.what}: no stack trace`);
  }
});

t.test('GREGOR_LOG_LEVEL=debug adds the stack trace', { skip }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'gregor-startup-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const aFile = join(dir, 'a-file');
  writeFileSync(aFile, 'x');
  const outcome = await runCli(
    ['--override', 'listeners=PLAINTEXT://127.0.0.1:0', '--override', `log.dirs=${join(aFile, 'data')}`],
    'debug',
  );
  t.equal(outcome.code, 1);
  t.match(lines(outcome.stderr)[0], /^gregor: start-up failed: cannot mkdir/);
  t.match(outcome.stderr, /\n\s+at /, 'the stack follows');
});

t.test('unknown keys: the broker starts, with one warning line naming them', { skip }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'gregor-startup-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const outcome = await runCli(
    [
      '--override',
      'listeners=PLAINTEXT://127.0.0.1:0',
      '--override',
      `log.dirs=${join(dir, 'data')}`,
      '--override',
      'no.such.setting=1',
      '--override',
      'another.unknown=2',
    ],
    'info',
    true,
  );
  t.equal(outcome.code, 0, 'started, then stopped cleanly');
  const warnings = lines(outcome.stdout).filter((l) => l.includes('not known configs'));
  t.equal(warnings.length, 1, 'one warning line');
  t.match(warnings[0], /another\.unknown, no\.such\.setting/);
});
