/**
 * The kafkajs suite's `concurrentTransaction` spec on three real Gregor processes: two kafkajs
 * producers with one transactional id and a 100 ms `transactionTimeout`. The first opens a
 * transaction and "crashes"; the second initializes (its InitProducerId aborts the first's
 * transaction with a bumped epoch, CONCURRENT_TRANSACTIONS until the markers are written, retried),
 * sends, and commits after its own transaction is well past its 100 ms timeout.
 *
 * Kafka aborts timed-out transactions only in a scan every
 * `transaction.abort.timed.out.transaction.cleanup.interval.ms` (10 s by default), so the commit
 * succeeds there; Gregor aborted at the timeout itself (a timer at start + timeout) and fenced the
 * second producer (INVALID_PRODUCER_EPOCH) whenever its transaction took more than 100 ms, as it
 * does on a loaded three-node cluster. Here the scan interval is an hour, so no scan falls inside
 * the test; the scan itself is tested in src/transactions/coordinator.test.ts and, across a
 * coordinator failover, in transactions-fencing-failover.test.ts.
 */
import t from 'tap';
import { setTimeout as delay } from 'node:timers/promises';
import { Kafka, logLevel } from 'kafkajs';
import { FAST_QUORUM_SETTINGS, ProcessCluster } from '../../test/helpers/process-cluster.js';
import { rawClient } from '../../test/helpers/raw-client.js';
import {
  FindCoordinatorApi,
  defaultFindCoordinatorRequest,
} from '../../protocol/generated/messages/10-find-coordinator.js';
import { DescribeTransactionsApi } from '../../protocol/generated/messages/65-describe-transactions.js';

const TOPIC = 'concurrent-txn';
const TXN_ID = 'concurrent-txn-id';

t.test('a transaction past its 100 ms timeout commits before the next timed-out scan', async (t) => {
  t.setTimeout(180_000);
  const cluster = new ProcessCluster({
    ...FAST_QUORUM_SETTINGS,
    'transaction.state.log.num.partitions': '1',
    'transaction.abort.timed.out.transaction.cleanup.interval.ms': '3600000',
  });
  t.teardown(() => cluster.stop());
  await cluster.startRegistered(3);
  const kafka = new Kafka({
    clientId: 'timeout-scan',
    brokers: cluster.nodes.map((n) => `127.0.0.1:${n.port}`),
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  await admin.createTopics({
    topics: [{ topic: TOPIC, numPartitions: 2, replicationFactor: 2 }],
    waitForLeaders: true,
  });

  const newProducer = () =>
    kafka.producer({ idempotent: true, transactionalId: TXN_ID, transactionTimeout: 100, maxInFlightRequests: 1 });
  const producer1 = newProducer();
  t.teardown(() => producer1.disconnect());
  await producer1.connect();
  const transaction1 = await producer1.transaction();
  await transaction1.send({ topic: TOPIC, messages: [{ key: 'k', value: 'from the crashed producer' }] });

  const producer2 = newProducer();
  t.teardown(() => producer2.disconnect());
  await producer2.connect();
  const transaction2 = await producer2.transaction();
  await transaction2.send({ topic: TOPIC, messages: [{ key: 'k', value: 'from the second producer' }] });
  // Past its 100 ms timeout on purpose (a loaded cluster takes this long by itself).
  await delay(1500);
  await t.resolves(transaction2.commit(), 'the commit of a transaction past its timeout succeeds (no scan yet)');

  const c = await rawClient(cluster.nodes[0]!.port);
  t.teardown(() => c.close());
  const coordinator = await c.call(FindCoordinatorApi, 3, {
    ...defaultFindCoordinatorRequest(),
    key: TXN_ID,
    keyType: 1,
  });
  const onCoordinator = await rawClient(coordinator.port);
  t.teardown(() => onCoordinator.close());
  const state = await cluster.waitFor('the transaction complete', 30_000, async () => {
    const r = await onCoordinator.call(DescribeTransactionsApi, 0, { transactionalIds: [TXN_ID] });
    const s = r.transactionStates[0]?.transactionState;
    return s === 'CompleteCommit' || s === 'CompleteAbort' ? s : null;
  });
  t.equal(state, 'CompleteCommit', 'DescribeTransactions: CompleteCommit');

  const consumer = kafka.consumer({ groupId: 'timeout-scan-reader', readUncommitted: false });
  t.teardown(() => consumer.disconnect());
  await consumer.connect();
  await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
  const seen: string[] = [];
  await consumer.run({
    eachMessage: async ({ message }) => {
      seen.push(message.value?.toString() ?? '');
    },
  });
  await cluster.waitFor('a record for the read_committed consumer', 30_000, async () => seen.length > 0, 100);
  t.same(seen, ['from the second producer'], 'read_committed: only the committed record');
});
