/**
 * startBroker()'s temporary data dir (deleted on stop) is written without fsync: nothing in it can
 * outlive the process. A data dir the caller gives (dataDir, or log.dirs / metadata.log.dir in the
 * configs) keeps every fsync. fsync/fdatasync of node:fs are counted (patched, and pushed to the ESM
 * named imports with syncBuiltinESMExports) while kafkajs creates a topic, produces with acks=-1 and
 * reads the records back, and while the broker stops (checkpoints, the clean-shutdown marker).
 */
import t, { type Test } from 'tap';
import fs, { mkdtempSync, rmSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { startBroker, type StartBrokerOptions } from '../index.js';

/** Counts fsync and fdatasync calls (all of them, by any code) until the returned function is called. */
function countSyncs(): { count: () => number; restore: () => void } {
  const original = { fsyncSync: fs.fsyncSync, fdatasyncSync: fs.fdatasyncSync };
  let calls = 0;
  fs.fsyncSync = (fd) => {
    calls++;
    original.fsyncSync(fd);
  };
  fs.fdatasyncSync = (fd) => {
    calls++;
    original.fdatasyncSync(fd);
  };
  syncBuiltinESMExports();
  return {
    count: () => calls,
    restore: () => {
      Object.assign(fs, original);
      syncBuiltinESMExports();
    },
  };
}

/** Starts a broker with `options`, round-trips records through kafkajs, stops it; the fsyncs counted meanwhile. */
async function syncsOfARun(t: Test, options: StartBrokerOptions): Promise<number> {
  const syncs = countSyncs();
  t.teardown(syncs.restore);
  const running = await startBroker(options);
  try {
    const kafka = new Kafka({ clientId: 'throwaway', brokers: [running.bootstrap], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'events', numPartitions: 1 }], waitForLeaders: true });
    await admin.disconnect();
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'events', acks: -1, messages: [{ value: 'one' }, { value: 'two' }] });
    await producer.disconnect();
    const consumer = kafka.consumer({ groupId: 'throwaway-group' });
    await consumer.connect();
    await consumer.subscribe({ topic: 'events', fromBeginning: true });
    const seen: string[] = [];
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          eachMessage: async ({ message }) => {
            seen.push(String(message.value));
            if (seen.length === 2) resolve();
          },
        })
        .catch(reject);
    });
    await consumer.disconnect();
    t.same(seen, ['one', 'two'], 'the records come back');
  } finally {
    await running.stop();
  }
  const count = syncs.count();
  syncs.restore();
  return count;
}

t.test('the temporary data dir is written without any fsync', async (t) => {
  t.setTimeout(60_000);
  t.equal(await syncsOfARun(t, {}), 0, 'no fsync from start to stop');
});

t.test('a dataDir the caller gives keeps its fsyncs', async (t) => {
  t.setTimeout(60_000);
  const dataDir = mkdtempSync(join(tmpdir(), 'gregor-given-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  t.ok((await syncsOfARun(t, { dataDir })) > 0, 'meta.properties, the metadata log and checkpoints are fsynced');
});

t.test('log.dirs in the configs (no dataDir) keeps its fsyncs too', async (t) => {
  t.setTimeout(60_000);
  const logDir = mkdtempSync(join(tmpdir(), 'gregor-given-logs-'));
  t.teardown(() => rmSync(logDir, { recursive: true, force: true }));
  t.ok((await syncsOfARun(t, { config: { 'log.dirs': logDir } })) > 0, 'the caller’s log dir is fsynced');
});
