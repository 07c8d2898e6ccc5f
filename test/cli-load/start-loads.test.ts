/**
 * What a start loads, held to what it needs (issue 20's start-up time and idle RSS): a broker started
 * from the built bundle (dist/bundle/index.mjs) has not loaded node:assert (pino's dependencies get
 * scripts/bundle-shims/lazy-assert.cjs, which loads it on a failed assertion; kafkajs, loaded after,
 * does), node:crypto (src/common/node-crypto.ts; ids from storage/os-random.ts) or
 * node:worker_threads (pino's, rewritten by scripts/bundle.mjs), and once a topic has taken small
 * batches from kafkajs, still not the native CRC-32C binding (used from 1 KiB up:
 * protocol/records/crc32c.ts). The CLI's start (a data dir, logging at info) loads no node:crypto either.
 * And the shim is node:assert where it matters: a failed assertion throws node's AssertionError, other
 * members work. Runs in a fresh node each, on the build in dist/ (npm run build).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * A script that records which built-ins the code after it asks node for (\`wanted(name)\`). tap's hooks
 * (NODE_OPTIONS, put back into every child it spawns) load node:crypto before any script runs, so
 * what a start loads is what it asks for through the CommonJS loader, as the bundle does.
 */
const RECORD_BUILTINS = `
  import { createRequire } from 'node:module';
  const Module = createRequire(import.meta.url)('node:module');
  const asked = new Set();
  const load = Module._load;
  Module._load = function (request, ...rest) {
    asked.add(request.replace(/^node:/, ''));
    return load.call(this, request, ...rest);
  };
  const wanted = (name) => asked.has(name);
`;

function runNode(script: string): string {
  return execFileSync(process.execPath, ['--input-type=module', '-e', RECORD_BUILTINS + script], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
  });
}

t.test(
  'a start loads no node:assert, node:crypto or worker_threads, a broker that took small batches no CRC binding',
  async (t) => {
    const out = runNode(`
    import { readFileSync } from 'node:fs';
    const { startBroker } = await import('./dist/bundle/index.mjs');
    const broker = await startBroker({ storage: 'memory', config: { 'num.partitions': '1' } });
    const loaded = { assert: wanted('assert'), crypto: wanted('crypto'), workerThreads: wanted('worker_threads') };
    const { Kafka, logLevel } = await import('kafkajs');
    const kafka = new Kafka({ brokers: ['127.0.0.1:' + broker.port], logLevel: logLevel.NOTHING });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'small', messages: [{ value: 'a small record' }] });
    await producer.disconnect();
    await broker.stop();
    const maps = readFileSync('/proc/self/maps', 'utf8');
    console.log(JSON.stringify({ ...loaded, crcBinding: maps.includes('crc32') }));
  `);
    t.same(JSON.parse(out.trim().split('\n').pop()!), {
      assert: false,
      crypto: false,
      workerThreads: false,
      crcBinding: false,
    });
  },
);

t.test("the CLI's start, to its first ApiVersions answer, loads no node:crypto", async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'gregor-start-loads-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const out = runNode(`
    import net from 'node:net';
    const { main } = createRequire(import.meta.url)('./bin/load-cli.cjs').loadCli();
    // ApiVersions v3 (client id and software name "t"), answered once the broker serves clients.
    const request = Buffer.from([0, 0, 0, 17, 0, 18, 0, 3, 0, 0, 0, 1, 0, 1, 116, 0, 2, 116, 2, 49, 0]);
    const listen = net.Server.prototype.listen;
    net.Server.prototype.listen = function (...args) {
      this.once('listening', () => {
        const socket = net.connect(this.address().port, '127.0.0.1', () => socket.write(request));
        socket.once('data', () => {
          console.log(JSON.stringify({ crypto: wanted('crypto') }));
          process.exit(0);
        });
      });
      return listen.apply(this, args);
    };
    await main(['start', '--override', 'listeners=PLAINTEXT://127.0.0.1:0', '--override', 'log.dirs=${dataDir}']);
  `);
  // The broker's own log lines (pino, asynchronous) may come before or after the script's line.
  const line = out.split('\n').find((l) => l.startsWith('{"crypto":'));
  t.same(JSON.parse(line ?? 'null'), { crypto: false });
});

t.test('the assert shim is node:assert once used', async (t) => {
  const out = runNode(`
    const assert = createRequire(import.meta.url)('./scripts/bundle-shims/lazy-assert.cjs');
    assert(true, 'holds');
    const before = process.moduleLoadList.includes('NativeModule assert');
    let failed;
    try { assert(false, 'broken'); } catch (e) { failed = [e.name, e.code, e.message]; }
    assert.strictEqual(1, 1);
    let strict;
    try { assert.strictEqual(1, 2); } catch (e) { strict = e.code; }
    console.log(JSON.stringify({ before, failed, strict }));
  `);
  t.same(JSON.parse(out.trim()), {
    before: false,
    failed: ['AssertionError', 'ERR_ASSERTION', 'broken'],
    strict: 'ERR_ASSERTION',
  });
});
