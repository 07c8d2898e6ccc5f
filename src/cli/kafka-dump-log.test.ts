/**
 * kafka-dump-log.sh (bin/kafka, as a user runs it) on a segment a Gregor broker process wrote
 * (Kafka's on-disk format): kafkajs produces two records (a key, a header) and a committed
 * transaction; the dump shows Kafka's batch lines (offsets, sequences, producer, flags, position,
 * size, crc, isvalid: true), with --print-data-log a line a record with its key and payload, and the
 * COMMIT marker. Then the refusals (an index file, a decoder option).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { Kafka, logLevel } from 'kafkajs';
import { CLI_SKIP, startCli } from '../../test/helpers/cli.js';
import { kafkaTool } from '../../test/helpers/kafka-tools.js';

t.test('kafka-dump-log --print-data-log on a segment Gregor wrote', { skip: CLI_SKIP }, async (t) => {
  t.setTimeout(60_000);
  const dir = mkdtempSync(join(tmpdir(), 'gregor-dump-log-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const data = join(dir, 'data');
  const broker = await startCli(['--override', 'listeners=PLAINTEXT://127.0.0.1:0', '--override', `log.dirs=${data}`]);
  t.teardown(() => broker.stop('SIGKILL'));
  const kafka = new Kafka({ brokers: [`127.0.0.1:${broker.port}`], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  await admin.createTopics({ topics: [{ topic: 'dumped', numPartitions: 1 }], waitForLeaders: true });
  const producer = kafka.producer();
  await producer.connect();
  t.teardown(() => producer.disconnect());
  await producer.send({
    topic: 'dumped',
    acks: -1,
    messages: [{ key: 'k1', value: 'hello', headers: { h: 'x' } }, { value: 'world' }],
  });
  const txn = kafka.producer({ transactionalId: 'dumper', idempotent: true, maxInFlightRequests: 1 });
  await txn.connect();
  t.teardown(() => txn.disconnect());
  const tx = await txn.transaction();
  await tx.send({ topic: 'dumped', acks: -1, messages: [{ value: 'in-txn' }] });
  await tx.commit();

  const segment = join(data, 'dumped-0', '00000000000000000000.log');
  const r = await kafkaTool('kafka-dump-log', ['--files', segment, '--print-data-log']);
  t.equal(r.code, 0, r.stderr);
  const lines = r.stdout.split('\n');
  t.same(lines.slice(0, 2), [`Dumping ${segment}`, 'Log starting offset: 0']);
  const batch =
    /^baseOffset: (\d+) lastOffset: (\d+) count: (\d+) baseSequence: -?\d+ lastSequence: -?\d+ producerId: (-?\d+) producerEpoch: -?\d+ partitionLeaderEpoch: 0 isTransactional: (true|false) isControl: (true|false) deleteHorizonMs: OptionalLong\.empty position: (\d+) CreateTime: \d{13} size: (\d+) magic: 2 compresscodec: none crc: \d+ isvalid: true$/;
  const batches = lines.filter((l) => l.startsWith('baseOffset: ')).map((l) => batch.exec(l));
  t.equal(batches.length, 3, r.stdout);
  t.same(
    batches.map((m) => m && [m[1], m[2], m[3], m[5], m[6]]),
    [
      ['0', '1', '2', 'false', 'false'],
      ['2', '2', '1', 'true', 'false'],
      ['3', '3', '1', 'true', 'true'],
    ],
  );
  t.equal(Number(batches[1]![7]), Number(batches[0]![7]) + Number(batches[0]![8]), 'positions follow the sizes');
  const records = lines.filter((l) => l.startsWith('| '));
  t.match(records, [
    /^\| offset: 0 CreateTime: \d{13} keySize: 2 valueSize: 5 sequence: -?\d+ headerKeys: \[h\] key: k1 payload: hello$/,
    /^\| offset: 1 CreateTime: \d{13} keySize: -1 valueSize: 5 sequence: -?\d+ headerKeys: \[\] payload: world$/,
    /^\| offset: 2 CreateTime: \d{13} keySize: -1 valueSize: 6 sequence: 0 headerKeys: \[\] payload: in-txn$/,
    /^\| offset: 3 CreateTime: \d{13} keySize: 4 valueSize: 6 sequence: -1 headerKeys: \[\] endTxnMarker: COMMIT coordinatorEpoch: \d+$/,
  ]);
  t.equal(records.length, 4);

  const shallow = await kafkaTool('kafka-dump-log', ['--files', segment]);
  t.equal(shallow.stdout.split('\n').filter((l) => l.startsWith('| ')).length, 0, 'no records without deep iteration');
  const index = await kafkaTool('kafka-dump-log', ['--files', segment.replace(/\.log$/, '.index')]);
  t.equal(index.code, 1);
  t.match(index.stderr, /reads log segments \(\.log\) only/);
  const decoder = await kafkaTool('kafka-dump-log', ['--files', segment, '--offsets-decoder']);
  t.equal(decoder.code, 1);
  t.match(decoder.stderr, /does not support --offsets-decoder/);
});
