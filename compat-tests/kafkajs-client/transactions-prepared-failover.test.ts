/**
 * Issue #15: a transaction held in PrepareCommit when its coordinator dies is finished by the next
 * coordinator. Three real Gregor processes (txn-failover-cluster.ts); a kafkajs transaction writes to
 * `out` and to `held`, whose only replica is the output broker. That broker is frozen (SIGSTOP): the
 * controller fences it, `held` has no leader, so after EndTxn the coordinator holds PrepareCommit
 * (DescribeTransactions) with the `held` marker retried. The coordinator's broker is then killed
 * (SIGKILL) and the frozen one resumed (SIGCONT; freezing keeps the metadata quorum able to elect
 * once it resumes, which two dead voters would not). The next leader of `__transaction_state`-0 loads
 * the PrepareCommit, sends both markers again and records CompleteCommit; read_committed readers see
 * the records once; after the old coordinator's restart nothing is open and no LSO is held.
 */
import t from 'tap';
import { Kafka, logLevel } from 'kafkajs';
import { DescribeTransactionsApi } from '../../protocol/generated/messages/65-describe-transactions.js';
import {
  checkSettled,
  coordinatorOf,
  partitionsOf,
  readCommittedToSentinel,
  restorePreferredLeaders,
  startTxnCluster,
  waitUntil,
  type TxnCluster,
} from './txn-failover-cluster.js';
import type { ClusterNode } from '../../test/helpers/process-cluster.js';

const TXN_ID = 'held-txn';

async function stateOn(tc: TxnCluster, node: ClusterNode): Promise<string | null> {
  const r = await tc.cluster.call(node, DescribeTransactionsApi, 0, { transactionalIds: [TXN_ID] });
  const s = r.transactionStates[0];
  return s && s.errorCode === 0 ? s.transactionState : null;
}

// Real processes on a possibly loaded 2-core machine: a file bound well above tap's 240 s (a node can take
// tens of seconds to start), so that a slow run finishes instead of being cut short.
t.setTimeout(600_000);

t.test('a PrepareCommit held by an unreachable partition is finished by the next coordinator', async (t) => {
  t.setTimeout(400_000);
  const tc = await startTxnCluster(t, TXN_ID);
  const coordinator = tc.node(tc.roles.coordinator);
  const output = tc.node(tc.roles.output);
  const input = tc.node(tc.roles.input);
  t.teardown(() => {
    output.process?.kill('SIGCONT');
  });
  const kafka = new Kafka({
    brokers: tc.bootstrap(),
    logLevel: logLevel.NOTHING,
    retry: { retries: 15, initialRetryTime: 200, maxRetryTime: 3000 },
  });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    waitForLeaders: true,
    topics: [{ topic: 'held', replicaAssignment: [{ partition: 0, replicas: [output.id] }] }],
  });
  await admin.disconnect();

  const producer = kafka.producer({ transactionalId: TXN_ID, idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const tx = await producer.transaction();
  await tx.send({ topic: 'out', messages: [{ value: 'out-1' }, { value: 'out-2' }] });
  await tx.send({ topic: 'held', messages: [{ value: 'held-1' }] });

  output.process?.kill('SIGSTOP');
  await waitUntil('the frozen broker fenced: held has no leader', 30_000, async () => {
    const p = await partitionsOf(tc, input, ['held']);
    return p.get('held-0')?.leader === -1;
  });
  await tx.commit();
  await producer.disconnect();
  const prepared = await waitUntil('PrepareCommit on the coordinator', 15_000, () => stateOn(tc, coordinator));
  t.equal(prepared, 'PrepareCommit', 'EndTxn answered; the held marker keeps the transaction in PrepareCommit');

  tc.cluster.kill(coordinator);
  output.process?.kill('SIGCONT');
  const next = await waitUntil('a new coordinator', 45_000, async () => {
    const id = await coordinatorOf(tc, input, TXN_ID, 1);
    return id !== coordinator.id ? tc.node(id) : null;
  });
  t.comment(`broker ${next.id} coordinates after broker ${coordinator.id} died`);
  const completed = await waitUntil('CompleteCommit on the new coordinator', 45_000, async () =>
    (await stateOn(tc, next)) === 'CompleteCommit' ? 'CompleteCommit' : null,
  );
  t.equal(completed, 'CompleteCommit', 'the new coordinator finished the PrepareCommit it loaded');

  tc.cluster.spawn(coordinator);
  await restorePreferredLeaders(tc);
  t.same(await readCommittedToSentinel(kafka, 'held', 'verify-held'), ['held-1'], 'held: the committed record, once');
  t.same(
    await readCommittedToSentinel(kafka, 'out', 'verify-out'),
    ['out-1', 'out-2'],
    'out: the committed records, once',
  );
  await checkSettled(t, tc);
});
