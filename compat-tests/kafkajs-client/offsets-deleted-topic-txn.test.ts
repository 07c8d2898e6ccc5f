/**
 * Offsets a transaction holds for a topic that is deleted before the transaction commits are
 * dropped, as Kafka's OffsetMetadataManager.onPartitionsDeleted drops them from the pending
 * transactional offsets too (it writes a tombstone, and replaying a tombstone removes the pending
 * offsets of that key). kafkajs sends offsets for two topics in a transaction, one topic is
 * deleted, the transaction commits: only the other topic's offset is committed, and still so
 * after a restart on the same data dir (the replay of `__consumer_offsets` keeps the rule).
 */
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { startBroker, type RunningBroker } from '../../src/index.js';

const GROUP = 'txn-group';

async function waitFor(condition: () => boolean | Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const kafkaFor = (running: RunningBroker) =>
  new Kafka({
    clientId: 'offsets-deleted-txn',
    brokers: [running.bootstrap],
    logLevel: logLevel.NOTHING,
    retry: { retries: 8, initialRetryTime: 50 },
  });

/** The group's committed offsets of partition 0 by topic (OffsetFetch for all topics). */
async function committedOf(running: RunningBroker): Promise<Map<string, string>> {
  const admin = kafkaFor(running).admin();
  await admin.connect();
  try {
    const all = await admin.fetchOffsets({ groupId: GROUP });
    return new Map(all.map((o) => [o.topic, o.partitions[0]?.offset ?? '?']));
  } finally {
    await admin.disconnect();
  }
}

t.test('offsets held by an open transaction on a deleted topic are dropped, after a restart too', async (t) => {
  t.setTimeout(60_000);
  const dataDir = mkdtempSync(join(tmpdir(), 'gregor-offsets-txn-'));
  let running: RunningBroker | null = null;
  t.teardown(async () => {
    await running?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });
  running = await startBroker({ dataDir, config: { 'transaction.state.log.min.isr': 1 } });
  const kafka = kafkaFor(running);
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  await admin.createTopics({ topics: [{ topic: 'doomed' }, { topic: 'kept' }], waitForLeaders: true });

  const producer = kafka.producer({ transactionalId: 'txn-offsets', idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  t.teardown(() => producer.disconnect());
  const transaction = await producer.transaction();
  await transaction.send({ topic: 'kept', messages: [{ value: 'one' }] });
  await transaction.sendOffsets({
    consumerGroupId: GROUP,
    topics: [
      { topic: 'doomed', partitions: [{ partition: 0, offset: '3' }] },
      { topic: 'kept', partitions: [{ partition: 0, offset: '4' }] },
    ],
  });

  await admin.deleteTopics({ topics: ['doomed'] });
  await waitFor(async () => !(await admin.listTopics()).includes('doomed'), 'the topic to be deleted');
  await transaction.commit();

  const afterCommit = await committedOf(running);
  t.equal(afterCommit.get('kept'), '4', 'the other topic offset is committed with the transaction');
  t.notOk(afterCommit.has('doomed'), 'no offset committed for the deleted topic');

  await producer.disconnect();
  await admin.disconnect();
  await running.stop();
  running = await startBroker({ dataDir, config: { 'transaction.state.log.min.isr': 1 } });
  const afterRestart = await committedOf(running);
  t.equal(afterRestart.get('kept'), '4', 'after a restart: the other topic keeps its offset');
  t.notOk(afterRestart.has('doomed'), 'after a restart: the replay does not bring the dropped offset back');
});
