/**
 * createLogger: a silent logger (startBroker()'s default) writes nothing and opens no stream, yet
 * writes JSON lines to stdout once its level is raised (AlterConfigs on a broker logger does this).
 * Each case runs in a fresh node (through the tests' TypeScript loader) and reads its stdout.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import t from 'tap';

const LOADER = fileURLToPath(new URL('../../test/loader/register.mjs', import.meta.url));
const LOGGER = new URL('./logger.ts', import.meta.url).href;

function run(body: string): string {
  const script = `const { createLogger } = await import(${JSON.stringify(LOGGER)});\n${body}`;
  return execFileSync(process.execPath, ['--import', LOADER, '--input-type=module', '-e', script], {
    encoding: 'utf8',
    timeout: 30_000,
  });
}

t.test('a silent logger writes nothing and does not make process.stdout', async (t) => {
  const out = run(`
    let made = false;
    const descriptor = Object.getOwnPropertyDescriptor(process, 'stdout');
    Object.defineProperty(process, 'stdout', { configurable: true, get() { made = true; return descriptor.get.call(process); } });
    const log = createLogger({ level: 'silent', pretty: false });
    log.error('not written');
    log.child({ logger: 'kafka.server' }).warn('nor this');
    Object.defineProperty(process, 'stdout', descriptor);
    console.log(JSON.stringify({ made }));`);
  t.same(JSON.parse(out.trim()), { made: false });
});

t.test('raising a silent logger’s level writes JSON lines to stdout', async (t) => {
  const out = run(`
    const log = createLogger({ level: 'silent', pretty: false });
    log.info('before');
    log.level = 'info';
    log.info({ n: 1 }, 'after');`);
  const lines = out.trim().split('\n');
  t.equal(lines.length, 1, 'only the line after the level was raised');
  t.match(JSON.parse(lines[0]!), { level: 30, msg: 'after', n: 1 });
});

t.test('a logger with a level writes to stdout from the start', async (t) => {
  const out = run(`createLogger({ level: 'info', pretty: false }).info('hello');`);
  t.match(JSON.parse(out.trim()), { level: 30, msg: 'hello' });
});

t.test('GREGOR_LOG_LEVEL: empty is unset (info); an unknown level is an error naming the variable', async (t) => {
  const prior = process.env.GREGOR_LOG_LEVEL;
  t.teardown(() => {
    if (prior === undefined) delete process.env.GREGOR_LOG_LEVEL;
    else process.env.GREGOR_LOG_LEVEL = prior;
  });
  const { createLogger } = (await import(LOGGER)) as typeof import('./logger.js');
  process.env.GREGOR_LOG_LEVEL = '';
  t.equal(createLogger({ pretty: false }).level, 'info');
  process.env.GREGOR_LOG_LEVEL = 'verbose';
  t.throws(() => createLogger({ pretty: false }), /invalid log level "verbose" in GREGOR_LOG_LEVEL/);
});
