/**
 * What a start loads, held to what it needs (issue 20's start-up time and idle RSS): a broker started
 * from the built bundle (dist/bundle/index.mjs) has not loaded node:assert (pino's dependencies get
 * scripts/bundle-shims/lazy-assert.cjs, which loads it on a failed assertion; kafkajs, loaded after,
 * does), and once a topic has taken small batches from kafkajs, still not the native CRC-32C binding
 * (used from 1 KiB up: protocol/records/crc32c.ts).
 * And the shim is node:assert where it matters: a failed assertion throws node's AssertionError, other
 * members work. Runs in a fresh node each, on the build in dist/ (npm run build).
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import t from 'tap';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function runNode(script: string): string {
  return execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8' });
}

t.test('a start loads no node:assert, a broker that took small batches no CRC binding', async (t) => {
  const out = runNode(`
    import { readFileSync } from 'node:fs';
    const { startBroker } = await import('./dist/bundle/index.mjs');
    const broker = await startBroker({ storage: 'memory', config: { 'num.partitions': '1' } });
    const assertLoaded = process.moduleLoadList.includes('NativeModule assert');
    const { Kafka, logLevel } = await import('kafkajs');
    const kafka = new Kafka({ brokers: ['127.0.0.1:' + broker.port], logLevel: logLevel.NOTHING });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'small', messages: [{ value: 'a small record' }] });
    await producer.disconnect();
    await broker.stop();
    const maps = readFileSync('/proc/self/maps', 'utf8');
    console.log(JSON.stringify({
      assert: assertLoaded,
      crcBinding: maps.includes('crc32'),
    }));
  `);
  t.same(JSON.parse(out.trim().split('\n').pop()!), { assert: false, crcBinding: false });
});

t.test('the assert shim is node:assert once used', async (t) => {
  const out = runNode(`
    import { createRequire } from 'node:module';
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
