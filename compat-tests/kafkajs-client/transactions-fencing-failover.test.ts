/**
 * Issue #15, producer fencing and transaction timeouts across a failover of the transaction
 * coordinator, on three real Gregor processes (txn-failover-cluster.ts). Before the coordinator's
 * broker is killed (SIGKILL): a zombie (raw InitProducerId + AddPartitionsToTxn) holds an Ongoing
 * transaction, and a kafkajs producer with a 4 s `transactionTimeout` leaves records in `out` without
 * ending its transaction. On the new coordinator (the next leader of `__transaction_state`-0): a new
 * kafkajs producer with the zombie's transactional id is initialized (the zombie's transaction is
 * aborted with a bumped epoch), the zombie's EndTxn gets PRODUCER_FENCED (v3) and
 * INVALID_PRODUCER_EPOCH (v1), the new producer commits, the abandoned transaction is aborted by its
 * timeout (ListTransactions shows nothing open), and its producer's next send is refused. After the
 * restart: read_committed reads only the committed records; the LSO is not held anywhere.
 */
import t from 'tap';
import { Kafka, logLevel } from 'kafkajs';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { InitProducerIdApi } from '../../protocol/generated/messages/22-init-producer-id.js';
import { AddPartitionsToTxnApi } from '../../protocol/generated/messages/24-add-partitions-to-txn.js';
import { EndTxnApi } from '../../protocol/generated/messages/26-end-txn.js';
import { DescribeTransactionsApi } from '../../protocol/generated/messages/65-describe-transactions.js';
import {
  bounce,
  checkSettled,
  coordinatorOf,
  openTransactions,
  readCommittedToSentinel,
  startTxnCluster,
  waitUntil,
} from './txn-failover-cluster.js';

const ZOMBIE = 'zombie-txn';
const ABANDONED = 'abandoned-txn';

// Real processes on a possibly loaded 2-core machine: a file bound well above tap's 240 s (a node can take
// tens of seconds to start), so that a slow run finishes instead of being cut short.
t.setTimeout(600_000);

t.test('fencing and transaction timeouts survive a coordinator failover', async (t) => {
  t.setTimeout(400_000);
  const tc = await startTxnCluster(t, ZOMBIE);
  const oldCoordinator = tc.node(tc.roles.coordinator);
  t.equal(await coordinatorOf(tc, oldCoordinator, ABANDONED, 1), oldCoordinator.id, 'both ids on one coordinator');
  const kafka = new Kafka({
    brokers: tc.bootstrap(),
    logLevel: logLevel.NOTHING,
    retry: { retries: 12, initialRetryTime: 200, maxRetryTime: 3000 },
  });

  const init = await tc.cluster.call(oldCoordinator, InitProducerIdApi, 4, {
    transactionalId: ZOMBIE,
    transactionTimeoutMs: 60_000,
    producerId: -1n,
    producerEpoch: -1,
  });
  t.equal(init.errorCode, 0, `zombie initialized: producer ${init.producerId} epoch ${init.producerEpoch}`);
  const zombie = { producerId: init.producerId, producerEpoch: init.producerEpoch };
  const added = await tc.cluster.call(oldCoordinator, AddPartitionsToTxnApi, 3, {
    transactions: [],
    v3AndBelowTransactionalId: ZOMBIE,
    v3AndBelowProducerId: zombie.producerId,
    v3AndBelowProducerEpoch: zombie.producerEpoch,
    v3AndBelowTopics: [{ name: 'out', partitions: [0] }],
  });
  t.equal(added.resultsByTopicV3AndBelow[0]?.resultsByPartition[0]?.partitionErrorCode, 0, 'zombie transaction open');

  const abandoned = kafka.producer({ transactionalId: ABANDONED, maxInFlightRequests: 1, transactionTimeout: 4000 });
  await abandoned.connect();
  t.teardown(() => abandoned.disconnect().catch(() => {}));
  const open = await abandoned.transaction();
  await open.send({ topic: 'out', messages: [{ value: 'never-1' }, { value: 'never-2' }] });

  await bounce(tc, oldCoordinator, async () => {
    const survivor = tc.live()[0]!;
    const newCoordinator = tc.node(await coordinatorOf(tc, survivor, ZOMBIE, 1));
    t.not(newCoordinator.id, oldCoordinator.id, `broker ${newCoordinator.id} coordinates after the failover`);

    const successor = kafka.producer({ transactionalId: ZOMBIE, maxInFlightRequests: 1 });
    await successor.connect();
    const tx = await successor.transaction(); // kafkajs sends InitProducerId here
    const described = await tc.cluster.call(newCoordinator, DescribeTransactionsApi, 0, { transactionalIds: [ZOMBIE] });
    const state = described.transactionStates[0]!;
    t.equal(
      state.errorCode,
      0,
      `DescribeTransactions on broker ${newCoordinator.id}: ${JSON.stringify(state, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))}`,
    );
    t.equal(state.producerId, zombie.producerId, 'the same producer id');
    t.ok(state.producerEpoch > zombie.producerEpoch, `epoch bumped to ${state.producerEpoch}`);

    const endTxn = (version: number) =>
      tc.cluster.call(newCoordinator, EndTxnApi, version, { transactionalId: ZOMBIE, ...zombie, committed: true });
    t.equal((await endTxn(3)).errorCode, ErrorCode.PRODUCER_FENCED, 'zombie EndTxn v3: PRODUCER_FENCED');
    t.equal((await endTxn(1)).errorCode, ErrorCode.INVALID_PRODUCER_EPOCH, 'zombie EndTxn v1: INVALID_PRODUCER_EPOCH');

    await tx.send({ topic: 'out', messages: [{ value: 'committed-1' }, { value: 'committed-2' }] });
    await tx.commit();
    await successor.disconnect();

    const stillOpen = await waitUntil('the abandoned transaction aborted by its timeout', 30_000, async () => {
      const list = await openTransactions(tc);
      return list.length === 0 ? list : null;
    });
    t.same(stillOpen, [], 'ListTransactions: the new coordinator aborted the abandoned transaction after its timeout');
    const abandonedState = await tc.cluster.call(newCoordinator, DescribeTransactionsApi, 0, {
      transactionalIds: [ABANDONED],
    });
    t.equal(
      abandonedState.transactionStates[0]?.transactionState,
      'CompleteAbort',
      'DescribeTransactions: CompleteAbort',
    );
    const late = await open
      .send({ topic: 'out', messages: [{ value: 'never-3' }] })
      .then(() => 'accepted')
      .catch((e: unknown) => String((e as { type?: string }).type ?? e));
    t.match(
      late,
      /PRODUCER_FENCED|INVALID_PRODUCER_EPOCH|INVALID_TXN_STATE/,
      `the abandoned producer is refused: ${late}`,
    );
  });

  const got = await readCommittedToSentinel(kafka, 'out', 'fencing-verify');
  t.same(got, ['committed-1', 'committed-2'], 'read_committed: only the committed transaction');
  await checkSettled(t, tc);
});
