/**
 * startBroker()'s temporary data dir (deleted on stop) is written without fsync: nothing in it can
 * outlive the process; it holds only the partitions' data (the metadata log, quorum state and
 * meta.properties stay in memory, the dir is not locked, and the stop writes no checkpoints or
 * clean-shutdown marker).
 * A data dir the caller gives (dataDir, or log.dirs / metadata.log.dir in the configs) keeps every
 * file and every fsync. fsync/fdatasync of node:fs are counted (patched, and pushed to the ESM
 * named imports with syncBuiltinESMExports) while kafkajs creates a topic, produces with acks=-1 and
 * reads the records back, and while the broker stops (checkpoints, the clean-shutdown marker).
 */
import t, { type Test } from 'tap';
import fs, { mkdtempSync, readdirSync, rmSync } from 'node:fs';
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

interface Run {
  /** fsync and fdatasync calls from start to stop. */
  syncs: number;
  /** The files of the broker's (first) log dir, relative, while it ran with records in it, and once stopped. */
  running: string[];
  stopped: string[];
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(dir.length + 1))
    .sort();
}

/** Starts a broker with `options`, round-trips records through kafkajs, stops it: the fsyncs and files meanwhile. */
async function aRun(t: Test, options: StartBrokerOptions): Promise<Run> {
  const syncs = countSyncs();
  t.teardown(syncs.restore);
  const running = await startBroker(options);
  const dir = running.broker.config.logDirs()[0]!;
  const files = { running: [] as string[], stopped: [] as string[] };
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
    files.running = filesUnder(dir);
    await running.broker.stop();
    files.stopped = filesUnder(dir);
  } finally {
    await running.stop();
  }
  const count = syncs.count();
  syncs.restore();
  return { syncs: count, ...files };
}

const METADATA_FILES = ['meta.properties', '__cluster_metadata-0/quorum-state'];
const STOP_FILES = ['.kafka_cleanshutdown', 'recovery-point-offset-checkpoint', 'log-start-offset-checkpoint'];

t.test('the temporary data dir is written without any fsync and holds only the partitions', async (t) => {
  t.setTimeout(60_000);
  const run = await aRun(t, {});
  t.equal(run.syncs, 0, 'no fsync from start to stop');
  t.ok(
    run.running.some((f) => f.startsWith('events-0/') && f.endsWith('.log')),
    `the partition's segment is a file (${run.running.join(', ')})`,
  );
  for (const file of [...METADATA_FILES, '__cluster_metadata-0/00000000000000000000.log'])
    t.notOk(run.running.includes(file), `no ${file}: the metadata stays in memory`);
  for (const file of STOP_FILES) t.notOk(run.stopped.includes(file), `the stop writes no ${file}`);
  t.notOk(run.running.includes('.lock'), 'no lock file: mkdtemp made the dir for this broker alone');
});

t.test('a dataDir the caller gives keeps its fsyncs', async (t) => {
  t.setTimeout(60_000);
  const dataDir = mkdtempSync(join(tmpdir(), 'gregor-given-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const run = await aRun(t, { dataDir });
  t.ok(run.syncs > 0, 'meta.properties, the metadata log and checkpoints are fsynced');
  for (const file of METADATA_FILES) t.ok(run.running.includes(file), `${file} is on disk`);
  for (const file of STOP_FILES) t.ok(run.stopped.includes(file), `the stop writes ${file}`);
  t.ok(run.running.includes('.lock'), 'the dir is locked while the broker runs');
});

t.test('log.dirs in the configs (no dataDir) keeps its fsyncs too', async (t) => {
  t.setTimeout(60_000);
  const logDir = mkdtempSync(join(tmpdir(), 'gregor-given-logs-'));
  t.teardown(() => rmSync(logDir, { recursive: true, force: true }));
  const run = await aRun(t, { config: { 'log.dirs': logDir } });
  t.ok(run.syncs > 0, 'the caller’s log dir is fsynced');
  t.ok(run.running.includes('meta.properties'), 'meta.properties is on disk');
});
