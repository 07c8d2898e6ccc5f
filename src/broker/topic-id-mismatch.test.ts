/**
 * A partition folder whose partition.metadata names another topic id than the metadata
 * image is logged once replay is done, then moved aside as a stray log (kept on disk, as
 * Kafka's), and the metadata's partition is served from a fresh log.
 */
import t from 'tap';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { Kafka, logLevel } from 'kafkajs';
import { startBroker } from '../index.js';

const FOREIGN_ID = 'AAAAAAAAAAAAAAAAAAAAAg';

t.test(
  'a folder of another topic id is logged, moved aside as stray with its records, and the partition served fresh',
  async (t) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'gregor-topic-id-'));
    t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
    const first = await startBroker({ dataDir });
    const kafka = new Kafka({ brokers: [first.bootstrap], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'mismatch', numPartitions: 1 }], waitForLeaders: true });
    await admin.disconnect();
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'mismatch', acks: -1, messages: [{ value: 'a' }, { value: 'b' }] });
    await producer.disconnect();
    await first.stop();

    const folder = join(dataDir, 'mismatch-0');
    const ownId = /topic_id: (\S+)/.exec(readFileSync(join(folder, 'partition.metadata'), 'utf8'))![1]!;
    writeFileSync(join(folder, 'partition.metadata'), `version: 0\ntopic_id: ${FOREIGN_ID}\n`);
    // The clean stop's listing holds the topic ids it saw (storage/clean-listing.ts): a hand edit needs it gone.
    rmSync(join(dataDir, '.gregor_clean_listing'));
    const logBytes = statSync(join(folder, '00000000000000000000.log')).size;

    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(...chunk.toString().split('\n').filter(Boolean));
        done();
      },
    });
    const second = await startBroker({ dataDir, logger: pino({ level: 'info' }, sink) });
    t.teardown(() => second.stop());
    const complaint = lines.find((l) => l.includes('partition not served'));
    t.ok(complaint, 'logged at start');
    t.match(
      complaint,
      new RegExp(`mismatch-0 belongs to topic id ${FOREIGN_ID}, the metadata has ${ownId}`),
      'names both ids and the folder',
    );
    // As Kafka's stray-log check once caught up: the folder of a topic id the metadata does not
    // know is moved aside whole (kept, renamed <topic>-<p>.<id>-stray) and the partition of the
    // metadata's topic is served from a fresh log.
    const strayName = await waitForStray(dataDir);
    t.match(strayName, /^mismatch-0\.[0-9a-f]+-stray$/, 'the foreign folder is moved aside');
    const stray = join(dataDir, strayName);
    t.equal(statSync(join(stray, '00000000000000000000.log')).size, logBytes, 'its records are kept');
    t.equal(readFileSync(join(stray, 'partition.metadata'), 'utf8'), `version: 0\ntopic_id: ${FOREIGN_ID}\n`);
    t.ok(
      lines.some((l) => l.includes('stray log') && l.includes(strayName)),
      'the move is logged with where it went',
    );
    t.ok(second.broker.replicas.get('mismatch', 0), 'the partition of the metadata is served');
    t.equal(second.broker.replicas.unservedPartitions().size, 0);

    const kafka2 = new Kafka({ brokers: [second.bootstrap], logLevel: logLevel.NOTHING });
    const p2 = kafka2.producer();
    await p2.connect();
    const [sent] = await p2.send({ topic: 'mismatch', acks: -1, messages: [{ value: 'c' }] });
    await p2.disconnect();
    t.equal(sent?.baseOffset, '0', 'a fresh log: the foreign records are not served as this topic');
    t.equal(
      readFileSync(join(folder, 'partition.metadata'), 'utf8').includes(ownId),
      true,
      'the new folder has the topic id',
    );
  },
);

async function waitForStray(dataDir: string): Promise<string> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const found = readdirSync(dataDir).find((name) => name.startsWith('mismatch-0.') && name.endsWith('-stray'));
    if (found) return found;
    if (Date.now() > deadline) throw new Error('no stray folder after 30 s');
    await new Promise((r) => setTimeout(r, 20));
  }
}
