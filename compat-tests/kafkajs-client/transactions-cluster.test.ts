/**
 * Issue #15, transactions across brokers: three real Gregor processes, with the transaction
 * coordinator (leader of the transactional id's `__transaction_state` partition), the input
 * topic's leader and the output topic's leader on three different brokers, so every marker
 * travels as WriteTxnMarkers and every first transactional write is verified with
 * AddPartitionsToTxn verifyOnly between brokers. A kafkajs read-process-write pipeline (some
 * transactions aborted on purpose) must deliver its input exactly once to a read_committed reader,
 * and the committed consumer offsets (TxnOffsetCommit on the group's broker, settled by the
 * marker the coordinator sends there) must end at the input's end. Then python3-confluent-kafka's
 * transactional producer (librdkafka) commits and aborts on the same cluster (skipped without it).
 * Second test: kill -9 of the output partition's leader in the middle of a transaction; the
 * commit's marker is retried until the new leader (elected from the ISR) takes it, and the
 * transaction ends CompleteCommit (DescribeTransactions) with its records read exactly once.
 * kill -9 of the coordinator's and the input leader's brokers, fencing and timeouts across a
 * coordinator failover: transactions-failover, transactions-fencing-failover and
 * transactions-prepared-failover tests, and compat-tests/librdkafka/transactions-failover.test.ts.
 */
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { Kafka, logLevel } from 'kafkajs';
import { FAST_QUORUM_SETTINGS, ProcessCluster, type ClusterNode } from '../../test/helpers/process-cluster.js';
import { rawClient } from '../../test/helpers/raw-client.js';
import { readCommittedToSentinel } from './txn-failover-cluster.js';
import {
  FindCoordinatorApi,
  defaultFindCoordinatorRequest,
} from '../../protocol/generated/messages/10-find-coordinator.js';
import { DescribeTransactionsApi } from '../../protocol/generated/messages/65-describe-transactions.js';

const TXN_ID = 'cluster-pipeline';
const INPUT = 40;
const CHUNK = 5;

async function eventually<T>(what: string, check: () => Promise<T | null | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== null && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The coordinator node of a key (0 group, 1 transaction), asked until the internal topic exists. */
async function coordinatorOf(node: ClusterNode, key: string, keyType: number): Promise<number> {
  const c = await rawClient(node.port);
  try {
    return await eventually(`the coordinator of ${key}`, async () => {
      const r = await c.call(FindCoordinatorApi, 3, { ...defaultFindCoordinatorRequest(), key, keyType });
      return r.errorCode === 0 ? r.nodeId : null;
    });
  } finally {
    c.close();
  }
}

// Real processes on a possibly loaded 2-core machine: a file bound well above tap's 240 s (a node can take
// tens of seconds to start), so that a slow run finishes instead of being cut short.
t.setTimeout(600_000);

t.test('a transactional pipeline across three brokers delivers exactly once', async (t) => {
  const cluster = new ProcessCluster({
    ...FAST_QUORUM_SETTINGS,
    'offsets.topic.num.partitions': '3',
    'offsets.topic.replication.factor': '3',
    'transaction.state.log.num.partitions': '1',
    'transaction.state.log.replication.factor': '3',
  });
  t.teardown(() => cluster.stop());
  await cluster.start(3);
  const nodes = cluster.nodes;
  await cluster.waitFor('a leader', 30_000, () => cluster.agreedLeader(nodes));
  const first = nodes[0]!;
  const txnCoordinator = await coordinatorOf(first, TXN_ID, 1);
  // KIP-447 across brokers: a group whose coordinator is not the transaction coordinator.
  let GROUP = '';
  let groupCoordinator = -1;
  for (let i = 0; i < 30 && (GROUP === '' || groupCoordinator === txnCoordinator); i++) {
    GROUP = `cluster-pipeline-group-${i}`;
    groupCoordinator = await coordinatorOf(first, GROUP, 0);
  }
  const others = nodes.map((n) => n.id).filter((id) => id !== txnCoordinator);
  const inputLeader = others[0]!;
  const outputLeader = others[1]!;
  t.comment(
    `transaction coordinator ${txnCoordinator}, group coordinator ${groupCoordinator}, input leader ${inputLeader}, output leader ${outputLeader}`,
  );

  const kafka = new Kafka({
    brokers: nodes.map((n) => `127.0.0.1:${n.port}`),
    clientId: 'txn-cluster-test',
    logLevel: logLevel.NOTHING,
    retry: { retries: 10, initialRetryTime: 100 },
  });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    waitForLeaders: true,
    topics: [
      { topic: 'in', replicaAssignment: [{ partition: 0, replicas: [inputLeader, outputLeader, txnCoordinator] }] },
      { topic: 'out', replicaAssignment: [{ partition: 0, replicas: [outputLeader, txnCoordinator, inputLeader] }] },
    ],
  });
  const leaders = await eventually('the topics led as assigned', async () => {
    const md = await admin.fetchTopicMetadata({ topics: ['in', 'out'] });
    const leaderOf = (topic: string) => md.topics.find((x) => x.name === topic)?.partitions[0]?.leader;
    return leaderOf('in') === inputLeader && leaderOf('out') === outputLeader ? md : null;
  });
  t.ok(leaders, 'input, output and transaction coordinator are on three different brokers');
  t.not(groupCoordinator, txnCoordinator, 'the group is coordinated by another broker than the transaction');
  await admin.disconnect();

  const plain = kafka.producer();
  await plain.connect();
  const input = Array.from({ length: INPUT }, (_, i) => `m${i}`);
  for (let i = 0; i < input.length; i += 8)
    await plain.send({ topic: 'in', acks: -1, messages: input.slice(i, i + 8).map((value) => ({ value })) });

  const producer = kafka.producer({ transactionalId: TXN_ID, idempotent: true, maxInFlightRequests: 1 });
  const consumer = kafka.consumer({ groupId: GROUP, readUncommitted: false });
  await producer.connect();
  await consumer.connect();
  await consumer.subscribe({ topic: 'in', fromBeginning: true });
  let committed = 0;
  let aborted = 0;
  let attempts = 0;
  let consumed = 0;
  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    eachBatch: async ({ batch, resolveOffset }) => {
      for (let i = 0; i < batch.messages.length; i += CHUNK) {
        const chunk = batch.messages.slice(i, i + CHUNK);
        const next = String(Number(chunk[chunk.length - 1]!.offset) + 1);
        for (;;) {
          const tx = await producer.transaction();
          await tx.send({ topic: 'out', messages: chunk.map((m) => ({ value: m.value })) });
          await tx.sendOffsets({
            consumerGroupId: GROUP,
            topics: [{ topic: 'in', partitions: [{ partition: 0, offset: next }] }],
          });
          attempts++;
          if (attempts % 3 === 0) {
            await tx.abort();
            aborted++;
            continue;
          }
          await tx.commit();
          committed++;
          break;
        }
        resolveOffset(chunk[chunk.length - 1]!.offset);
        consumed += chunk.length;
      }
    },
  });
  await eventually('the pipeline to consume the input', () => Promise.resolve(consumed >= INPUT));
  await consumer.disconnect();
  await producer.disconnect();
  t.ok(committed >= INPUT / CHUNK && aborted > 0, `${committed} transactions committed, ${aborted} aborted`);

  const offsetsAdmin = kafka.admin();
  await offsetsAdmin.connect();
  const offsets = await eventually('the committed offset', async () => {
    const o = await offsetsAdmin.fetchOffsets({ groupId: GROUP, topics: ['in'] });
    const offset = o[0]?.partitions[0]?.offset;
    return offset === String(INPUT) ? offset : null;
  });
  t.equal(offsets, String(INPUT), 'the transactional offsets, written on the group coordinator, were committed');
  await offsetsAdmin.disconnect();

  // read_committed: a sentinel written after the pipeline marks the end.
  await plain.disconnect();
  const got = await readCommittedToSentinel(kafka, 'out', 'cluster-verify');
  t.same(got, input, 'read_committed output equals the input exactly once, in order');

  const probe = spawnSync('/usr/bin/python3', ['-c', 'import confluent_kafka'], { encoding: 'utf8' });
  const skip = probe.status !== 0 ? 'python3-confluent-kafka is not installed' : false;
  await t.test('python3-confluent-kafka transactional producer on the three nodes', { skip }, async (t) => {
    const script = `
import sys
from confluent_kafka import Producer
p = Producer({'bootstrap.servers': sys.argv[1], 'transactional.id': 'py-cluster-txn', 'enable.idempotence': True})
p.init_transactions(30)
p.begin_transaction()
for i in range(5):
    p.produce('out', value=('py-aborted-%d' % i).encode())
p.flush(30)
p.abort_transaction(30)
p.begin_transaction()
for i in range(5):
    p.produce('out', value=('py-%d' % i).encode())
p.commit_transaction(30)
print('done')
`;
    const bootstrap = nodes.map((n) => `127.0.0.1:${n.port}`).join(',');
    const run = spawnSync('/usr/bin/python3', ['-c', script, bootstrap], { encoding: 'utf8', timeout: 90_000 });
    t.equal(run.stdout.trim(), 'done', `python exited ${run.status}: ${run.stderr.slice(-500)}`);
    const pyReader = kafka.consumer({ groupId: 'cluster-verify-py', readUncommitted: false });
    const seen: string[] = [];
    const producerEnd = kafka.producer();
    await producerEnd.connect();
    await producerEnd.send({ topic: 'out', acks: -1, messages: [{ value: 'END2' }] });
    await producerEnd.disconnect();
    let done = false;
    await pyReader.connect();
    await pyReader.subscribe({ topic: 'out', fromBeginning: true });
    await pyReader.run({
      eachMessage: async ({ message }) => {
        const value = String(message.value);
        if (value === 'END2') done = true;
        else if (value.startsWith('py')) seen.push(value);
      },
    });
    await eventually('the reader to reach the second sentinel', () => Promise.resolve(done));
    await pyReader.disconnect();
    t.same(seen, ['py-0', 'py-1', 'py-2', 'py-3', 'py-4'], 'only the committed python transaction is read');
  });
});

t.test('kill -9 of the output leader mid-transaction: the commit marker reaches the new leader', async (t) => {
  const cluster = new ProcessCluster({
    ...FAST_QUORUM_SETTINGS,
    'broker.session.timeout.ms': '2000',
    'offsets.topic.num.partitions': '3',
    'transaction.state.log.num.partitions': '1',
    'transaction.state.log.replication.factor': '3',
  });
  t.teardown(() => cluster.stop());
  await cluster.start(3);
  const nodes = cluster.nodes;
  await cluster.waitFor('a leader', 30_000, () => cluster.agreedLeader(nodes));
  const txnId = 'leader-kill';
  const coordinator = await coordinatorOf(nodes[0]!, txnId, 1);
  const victim = nodes.find((n) => n.id !== coordinator)!;
  const survivor = nodes.find((n) => n.id !== coordinator && n.id !== victim.id)!;
  t.comment(`transaction coordinator ${coordinator}; output leader ${victim.id} is killed; ${survivor.id} takes over`);
  const kafka = new Kafka({
    brokers: nodes.map((n) => `127.0.0.1:${n.port}`),
    clientId: 'txn-leader-kill',
    logLevel: logLevel.NOTHING,
    retry: { retries: 15, initialRetryTime: 200 },
  });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    waitForLeaders: true,
    topics: [{ topic: 'out2', replicaAssignment: [{ partition: 0, replicas: [victim.id, survivor.id, coordinator] }] }],
  });
  await admin.disconnect();
  // The read-back group's __consumer_offsets exists before the kill, as on a cluster that served groups
  // (with two live brokers Kafka does not create it at offsets.topic.replication.factor 3).
  await coordinatorOf(nodes[0]!, 'leader-kill-verify', 0);

  const producer = kafka.producer({ transactionalId: txnId, idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const tx = await producer.transaction();
  const values = Array.from({ length: 10 }, (_, i) => `k${i}`);
  await tx.send({ topic: 'out2', messages: values.map((value) => ({ value })) });
  cluster.kill(victim);
  await tx.commit();
  await producer.disconnect();

  const c = await rawClient(nodes.find((n) => n.id === coordinator)!.port);
  t.teardown(() => c.close());
  const state = await eventually('CompleteCommit after the markers reached the new leader', async () => {
    const r = await c.call(DescribeTransactionsApi, 0, { transactionalIds: [txnId] });
    const s = r.transactionStates[0]?.transactionState;
    return s === 'CompleteCommit' ? s : null;
  });
  t.equal(state, 'CompleteCommit');

  const live = kafka.producer();
  await live.connect();
  await live.send({ topic: 'out2', acks: -1, messages: [{ value: 'END' }] });
  await live.disconnect();
  const reader = kafka.consumer({ groupId: 'leader-kill-verify', readUncommitted: false });
  const got: string[] = [];
  let ended = false;
  await reader.connect();
  await reader.subscribe({ topic: 'out2', fromBeginning: true });
  await reader.run({
    eachMessage: async ({ message }) => {
      const value = String(message.value);
      if (value === 'END') ended = true;
      else got.push(value);
    },
  });
  await eventually('the read_committed reader to reach the sentinel', () => Promise.resolve(ended));
  await reader.disconnect();
  t.same(got, values, 'the committed records, once, from the new leader');
});
