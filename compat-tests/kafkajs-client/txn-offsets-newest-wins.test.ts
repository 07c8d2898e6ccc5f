/**
 * A transaction's offsets, once it commits, replace a group's committed offset only if they were
 * written to `__consumer_offsets` after it, as Kafka keeps the most recent commit record when
 * transactional and plain commits mix (GroupMetadata.completePendingTxnOffsetCommit's olderThan;
 * OffsetMetadataManager.replayEndTransactionMarker's recordOffset check). kafkajs: (1) a transaction
 * sends offset 7, an admin then sets the group to 3 (a plain OffsetCommit, as
 * kafka-consumer-groups --reset-offsets does), the transaction commits: the group stays at 3;
 * (2) two transactions send 5 and then 9 for the same group partition, the second commits first:
 * the first one's later commit leaves 9. Both hold after a restart on the same data dir (the
 * replay of `__consumer_offsets`). (3) kafka-consumer-groups --delete-offsets while a transaction
 * holds an offset of that partition drops the held one too (Kafka's GroupMetadata.removeOffsets,
 * OffsetMetadataManager's tombstone replay): the commit then brings nothing back.
 */
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { startBroker, type RunningBroker } from '../../src/index.js';
import { kafkaTool } from '../../test/helpers/kafka-tools.js';

const TOPIC = 'in';

const kafkaFor = (running: RunningBroker) =>
  new Kafka({
    clientId: 'txn-offsets-newest',
    brokers: [running.bootstrap],
    logLevel: logLevel.NOTHING,
    retry: { retries: 8, initialRetryTime: 50 },
  });

async function committed(running: RunningBroker, groupId: string): Promise<string | undefined> {
  const admin = kafkaFor(running).admin();
  await admin.connect();
  try {
    const [offsets] = await admin.fetchOffsets({ groupId, topics: [TOPIC] });
    return offsets?.partitions[0]?.offset;
  } finally {
    await admin.disconnect();
  }
}

async function transactional(kafka: Kafka, transactionalId: string): Promise<Producer> {
  const producer = kafka.producer({ transactionalId, idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  return producer;
}

const offsetsOf = (groupId: string, offset: string) => ({
  consumerGroupId: groupId,
  topics: [{ topic: TOPIC, partitions: [{ partition: 0, offset }] }],
});

t.test('a committed transaction does not replace a newer committed offset', async (t) => {
  t.setTimeout(90_000);
  const dataDir = mkdtempSync(join(tmpdir(), 'gregor-txn-offsets-newest-'));
  let running: RunningBroker | null = null;
  t.teardown(async () => {
    await running?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });
  running = await startBroker({ dataDir, config: { 'transaction.state.log.min.isr': 1 } });
  const kafka = kafkaFor(running);
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: TOPIC }], waitForLeaders: true });
  const first = await transactional(kafka, 'newest-first');
  const second = await transactional(kafka, 'newest-second');

  const reset = await first.transaction();
  await reset.sendOffsets(offsetsOf('reset-group', '7'));
  await admin.setOffsets({ groupId: 'reset-group', topic: TOPIC, partitions: [{ partition: 0, offset: '3' }] });
  await reset.commit();
  t.equal(await committed(running, 'reset-group'), '3', 'the reset written after the transactional offset stays');

  const older = await first.transaction();
  await older.sendOffsets(offsetsOf('two-txns', '5'));
  const newer = await second.transaction();
  await newer.sendOffsets(offsetsOf('two-txns', '9'));
  await newer.commit();
  t.equal(await committed(running, 'two-txns'), '9');
  await older.commit();
  t.equal(await committed(running, 'two-txns'), '9', "the older transaction's offset does not replace the newer");

  await Promise.all([first.disconnect(), second.disconnect(), admin.disconnect()]);
  await running.stop();
  running = await startBroker({ dataDir, config: { 'transaction.state.log.min.isr': 1 } });
  t.equal(await committed(running, 'reset-group'), '3', 'after a restart: the reset');
  t.equal(await committed(running, 'two-txns'), '9', 'after a restart: the newer transaction');
});

t.test('offsets deleted while a transaction holds one: the commit brings nothing back', async (t) => {
  t.setTimeout(60_000);
  const running = await startBroker({ config: { 'transaction.state.log.min.isr': 1 } });
  t.teardown(() => running.stop());
  const kafka = kafkaFor(running);
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  await admin.createTopics({ topics: [{ topic: TOPIC }], waitForLeaders: true });
  await admin.setOffsets({ groupId: 'deleted-group', topic: TOPIC, partitions: [{ partition: 0, offset: '2' }] });
  const producer = await transactional(kafka, 'deleted-offsets');
  t.teardown(() => producer.disconnect());
  const txn = await producer.transaction();
  await txn.sendOffsets(offsetsOf('deleted-group', '7'));
  const deleted = await kafkaTool('kafka-consumer-groups', [
    '--bootstrap-server',
    running.bootstrap,
    '--delete-offsets',
    '--group',
    'deleted-group',
    '--topic',
    TOPIC,
  ]);
  t.equal(deleted.code, 0, 'kafka-consumer-groups --delete-offsets exits 0');
  t.match(deleted.stdout, /Successful/);
  await txn.commit();
  t.equal(await committed(running, 'deleted-group'), '-1', 'the pending offset went with the deleted one');
});
