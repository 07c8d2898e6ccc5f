/**
 * A partition folder whose partition.metadata names another topic id than the metadata
 * image is not served, is logged once replay is done, and is left untouched on disk.
 */
import t from 'tap';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { Kafka, logLevel } from 'kafkajs';
import { startBroker } from '../index.js';

const FOREIGN_ID = 'AAAAAAAAAAAAAAAAAAAAAg';

t.test('a folder of another topic id is not served, logged, and kept as it is', async (t) => {
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
  t.equal(second.broker.replicas.get('mismatch', 0), undefined, 'not served');
  t.equal(second.broker.replicas.unservedPartitions().size, 1);

  const kafka2 = new Kafka({ brokers: [second.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 0 } });
  const p2 = kafka2.producer({ retry: { retries: 0 } });
  await p2.connect();
  await t.rejects(p2.send({ topic: 'mismatch', acks: -1, messages: [{ value: 'c' }] }), 'produce is refused');
  await p2.disconnect();
  t.equal(statSync(join(folder, '00000000000000000000.log')).size, logBytes, 'the folder is untouched');
  t.equal(readFileSync(join(folder, 'partition.metadata'), 'utf8'), `version: 0\ntopic_id: ${FOREIGN_ID}\n`);
});
