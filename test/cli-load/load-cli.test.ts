/**
 * bin/load-cli.cjs (how `gregor` loads its CLI bundle): V8's code cache is used only for the very
 * bundle it was made from (matched by size and modification time), a changed bundle is loaded from
 * its source, a bundle with characters outside ASCII (read as UTF-8, not latin1) keeps them, the cache
 * is made after warm-up starts (in memory, in a throwaway dir, on a data dir with one request), and the package's entry
 * (dist/bundle/index.mjs, when built) serves the embedded API from the cached bundle.
 * Each case copies the loader next to a tiny bundle in a temp dir and runs it in a fresh node.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';

const LOADER = fileURLToPath(new URL('../../bin/load-cli.cjs', import.meta.url));

function layout(dir: string, source: string): { bundle: string; loader: string } {
  mkdirSync(join(dir, 'bin'), { recursive: true });
  mkdirSync(join(dir, 'dist/bundle'), { recursive: true });
  const loader = join(dir, 'bin/load-cli.cjs');
  copyFileSync(LOADER, loader);
  const bundle = join(dir, 'dist/bundle/cli.cjs');
  writeFileSync(bundle, source);
  return { bundle, loader };
}

/** Script prelude for a fresh node: `cacheGiven` becomes true when V8 accepts a code cache handed to vm.Script. */
const CACHE_SPY = `
    const vm = require('node:vm');
    let cacheGiven = false;
    const Script = vm.Script;
    vm.Script = class extends Script {
      constructor(source, options) {
        super(source, options);
        if (options && options.cachedData) cacheGiven = !this.cachedDataRejected;
      }
    };
`;

/** What the bundle exports as `value`, and whether V8 was handed a cache and rejected it, in a fresh node. */
function load(loader: string): { value: string; cacheGiven: boolean } {
  const script = `
${CACHE_SPY}    const { value } = require(${JSON.stringify(loader)}).loadCli();
    process.stdout.write(JSON.stringify({ value, cacheGiven }));`;
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })) as {
    value: string;
    cacheGiven: boolean;
  };
}

t.test('the code cache is used for the bundle it was made from, and not once the bundle changed', async (t) => {
  const dir = t.testdir();
  const { bundle, loader } = layout(dir, "module.exports = { value: 'first' };\n");
  execFileSync(process.execPath, [loader, '--make-cache']);
  const stamp = readFileSync(`${bundle}.v8-cache.stamp`, 'utf8').trim();
  t.match(stamp, /^\d+ \d+$/, 'the stamp is the size and the modification time in ns');
  t.same(load(loader), { value: 'first', cacheGiven: true }, 'the cache is used');

  // Same size, other content, another modification time: V8 alone would accept the cache (it checks the length).
  writeFileSync(bundle, "module.exports = { value: 'other' };\n");
  utimesSync(bundle, new Date(), new Date(Date.now() + 5_000));
  t.same(load(loader), { value: 'other', cacheGiven: false }, 'the changed bundle is compiled from its source');
});

t.test('a bundle with characters outside ASCII loads them intact (with or without the cache)', async (t) => {
  const dir = t.testdir();
  const { loader } = layout(dir, "module.exports = { value: 'a → b · c' };\n");
  t.same(load(loader), { value: 'a → b · c', cacheGiven: false });
  execFileSync(process.execPath, [loader, '--make-cache']);
  t.same(load(loader), { value: 'a → b · c', cacheGiven: true });
});

t.test(
  'the cache is made after a warm-up: in memory, in a throwaway dir, on a data dir answering one request',
  async (t) => {
    const dir = t.testdir();
    const calls = join(dir, 'calls.txt');
    // A stand-in bundle: startBroker records how it was called and answers any request with an empty frame.
    const { loader } = layout(
      dir,
      `const fs = require('node:fs');
     const net = require('node:net');
     exports.value = 'warm';
     exports.startBroker = async (options = {}) => {
       const where = options.storage ?? (options.dataDir && fs.existsSync(options.dataDir) ? 'dataDir' : 'throwaway');
       fs.appendFileSync(${JSON.stringify(calls)}, 'start ' + where + '\\n');
       const server = net.createServer((socket) => socket.on('data', () => {
         fs.appendFileSync(${JSON.stringify(calls)}, 'request\\n');
         socket.end(Buffer.from([0, 0, 0, 0]));
       }));
       await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
       return { port: server.address().port, stop: async () => {
         fs.appendFileSync(${JSON.stringify(calls)}, 'stop\\n');
         await new Promise((resolve) => server.close(resolve));
       } };
     };
    `,
    );
    execFileSync(process.execPath, [loader, '--make-cache'], { timeout: 30_000 });
    t.equal(readFileSync(calls, 'utf8'), 'start memory\nstop\nstart throwaway\nstop\nstart dataDir\nrequest\nstop\n');
    t.same(load(loader), { value: 'warm', cacheGiven: true });
  },
);

const PACKAGE_ENTRY = fileURLToPath(new URL('../../dist/bundle/index.mjs', import.meta.url));
const BUILT = existsSync(PACKAGE_ENTRY) ? false : 'not built (npm run build)';
t.test(
  'the package entry (dist/bundle/index.mjs) takes the embedded API from the cached bundle',
  { skip: BUILT },
  async (t) => {
    const script = `
${CACHE_SPY}    import(${JSON.stringify(PACKAGE_ENTRY)}).then(async (gregor) => {
      const running = await gregor.startBroker({ storage: 'memory' });
      const answer = { exports: Object.keys(gregor).sort(), cacheGiven, bootstrap: running.bootstrap, isBroker: running.broker instanceof gregor.Broker };
      await running.stop();
      process.stdout.write(JSON.stringify(answer));
    });`;
    const answer = JSON.parse(
      execFileSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 30_000 }),
    ) as {
      exports: string[];
      cacheGiven: boolean;
      bootstrap: string;
      isBroker: boolean;
    };
    t.same(answer.exports, ['Broker', 'BrokerConfig', 'ConfigError', 'startBroker']);
    const bundle = fileURLToPath(new URL('../../dist/bundle/cli.cjs', import.meta.url));
    t.match(
      readFileSync(bundle, 'latin1').slice(0, 14),
      /^'use strict';/,
      'strict mode, as the ES modules it is made of',
    );
    t.equal(answer.cacheGiven, true, 'V8 took the code cache');
    t.match(answer.bootstrap, /^127\.0\.0\.1:\d+$/);
    t.equal(answer.isBroker, true);
  },
);
