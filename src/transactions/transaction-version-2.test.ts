/**
 * Transaction version 2 (KIP-890 part 2, as Kafka 4.0) over the wire with a raw client, as a Kafka
 * 4 Java producer drives it once ApiVersions finalizes `transaction.version` 2: no
 * AddPartitionsToTxn (Produce v12 adds the partition on the leader) and no AddOffsetsToTxn
 * (TxnOffsetCommit v5 adds the offsets partition), EndTxn v5 bumping the epoch and returning it,
 * retries of EndTxn naming the epoch before the bump, fencing of the old epoch, and a transaction
 * version 1 client next to it. No installed client speaks TV2 (librdkafka 2.0.2, kafkajs,
 * kafka-python, @platformatic/kafka stop at EndTxn v4), hence raw frames.
 */
import t from 'tap';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { ApiVersionsApi } from '../../protocol/generated/messages/18-api-versions.js';
import { InitProducerIdApi } from '../../protocol/generated/messages/22-init-producer-id.js';
import { EndTxnApi } from '../../protocol/generated/messages/26-end-txn.js';
import {
  TxnOffsetCommitApi,
  defaultTxnOffsetCommitRequest,
} from '../../protocol/generated/messages/28-txn-offset-commit.js';
import { OffsetFetchApi, defaultOffsetFetchRequest } from '../../protocol/generated/messages/09-offset-fetch.js';
import { ProduceApi } from '../../protocol/generated/messages/00-produce.js';
import { DescribeTransactionsApi } from '../../protocol/generated/messages/65-describe-transactions.js';
import { brokerFor } from '../../test/helpers/broker.js';
import { rawClient, type RawClient } from '../../test/helpers/raw-client.js';
import { createTopic } from '../../test/helpers/topics.js';
import { batchOf, fetchOne, produceRequest } from '../../test/helpers/data-path.js';
import { TxnState } from './txn-state.js';

const txBatch = (values: string[], pid: bigint, epoch: number, seq: number) =>
  batchOf(values, { producerId: pid, producerEpoch: epoch, baseSequence: seq, transactional: true });

async function produce(c: RawClient, version: number, id: string, records: Buffer) {
  const r = await c.call(ProduceApi, version, produceRequest('tv2', 0, records, -1, id));
  return r.responses[0]!.partitionResponses[0]!;
}

function endTxn(c: RawClient, version: number, id: string, pid: bigint, epoch: number, committed: boolean) {
  return c.call(EndTxnApi, version, { transactionalId: id, producerId: pid, producerEpoch: epoch, committed });
}

function commitOffsets(c: RawClient, version: number, id: string, pid: bigint, epoch: number, offset: bigint) {
  return c.call(TxnOffsetCommitApi, version, {
    ...defaultTxnOffsetCommitRequest(),
    transactionalId: id,
    groupId: 'g2',
    producerId: pid,
    producerEpoch: epoch,
    topics: [
      {
        name: 'tv2',
        partitions: [{ partitionIndex: 0, committedOffset: offset, committedLeaderEpoch: -1, committedMetadata: null }],
      },
    ],
  });
}

async function committedOffset(c: RawClient): Promise<bigint> {
  const r = await c.call(OffsetFetchApi, 5, {
    ...defaultOffsetFetchRequest(),
    groupId: 'g2',
    topics: [{ name: 'tv2', partitionIndexes: [0] }],
  });
  return r.topics[0]!.partitions[0]!.committedOffset;
}

t.test('ApiVersions finalizes transaction.version 2 and serves its versions', async (t) => {
  const running = await brokerFor(t);
  const c = await rawClient(running.port);
  t.teardown(() => c.close());
  const r = await c.call(ApiVersionsApi, 3, { clientSoftwareName: 'tv2-test', clientSoftwareVersion: '1' });
  t.same(
    r.finalizedFeatures.find((f) => f.name === 'transaction.version'),
    { name: 'transaction.version', minVersionLevel: 2, maxVersionLevel: 2 },
    'finalized at 2',
  );
  t.same(
    r.supportedFeatures.find((f) => f.name === 'transaction.version'),
    { name: 'transaction.version', minVersion: 0, maxVersion: 2 },
    'supported 0-2',
  );
  const max = (key: number) => r.apiKeys.find((k) => k.apiKey === key)?.maxVersion;
  t.same([max(0), max(26), max(28)], [13, 5, 5], 'Produce 13, EndTxn 5, TxnOffsetCommit 5');
});

t.test('a TV2 transaction: implicit partitions, EndTxn v5 epoch bumps, retries and fencing', async (t) => {
  const running = await brokerFor(t);
  createTopic(running, 'tv2');
  const c = await rawClient(running.port);
  t.teardown(() => c.close());
  const init = await c.call(InitProducerIdApi, 5, {
    transactionalId: 'tx2',
    transactionTimeoutMs: 60_000,
    producerId: -1n,
    producerEpoch: -1,
  });
  t.equal(init.errorCode, 0);
  const pid = init.producerId;
  const e0 = init.producerEpoch;

  // Produce v11 still needs AddPartitionsToTxn (KIP-890 part 1 verification refuses it) ...
  t.equal(
    (await produce(c, 11, 'tx2', txBatch(['early'], pid, e0, 0))).errorCode,
    ErrorCode.INVALID_TXN_STATE,
    'v11: the partition must be added by the client first',
  );
  // ... v12 adds it on the leader.
  const first = await produce(c, 12, 'tx2', txBatch(['a', 'b'], pid, e0, 0));
  t.equal(first.errorCode, 0, 'Produce v12 without AddPartitionsToTxn');
  t.equal(running.broker.transactions.coordinator.stateOf('tx2'), TxnState.Ongoing);
  t.equal((await commitOffsets(c, 5, 'tx2', pid, e0, 2n)).topics[0]!.partitions[0]!.errorCode, 0, 'TxnOffsetCommit v5');
  const described = await c.call(DescribeTransactionsApi, 0, { transactionalIds: ['tx2'] });
  t.same(
    described.transactionStates[0]!.topics.map((p) => p.topic).sort(),
    ['__consumer_offsets', 'tv2'],
    'both partitions were added by the brokers',
  );
  t.equal(await committedOffset(c), -1n, 'offsets pending until the commit');

  const ended = await endTxn(c, 5, 'tx2', pid, e0, true);
  t.same(
    [ended.errorCode, ended.producerId, ended.producerEpoch],
    [0, pid, e0 + 1],
    'EndTxn v5 answers the bumped epoch',
  );
  t.equal(await committedOffset(c), 2n, 'offsets committed');
  const read = await fetchOne(c, 12, { topic: 'tv2' }, { isolationLevel: 1 });
  t.ok(read.records !== null && read.lastStableOffset === read.highWatermark, 'read_committed reads to the end');

  const retry = await endTxn(c, 5, 'tx2', pid, e0, true);
  t.same(
    [retry.errorCode, retry.producerId, retry.producerEpoch],
    [0, pid, e0 + 1],
    'a retry with the old epoch gets the same answer',
  );
  t.equal(
    (await endTxn(c, 5, 'tx2', pid, e0, false)).errorCode,
    ErrorCode.INVALID_TXN_STATE,
    'the opposite decision is refused',
  );
  t.equal(
    (await produce(c, 12, 'tx2', txBatch(['zombie'], pid, e0, 2))).errorCode,
    ErrorCode.INVALID_PRODUCER_EPOCH,
    'the epoch before the bump is fenced on the partition (the marker carried the new one)',
  );

  // The next transaction runs at the new epoch from sequence 0, and is aborted.
  const e1 = e0 + 1;
  t.equal((await produce(c, 12, 'tx2', txBatch(['c'], pid, e1, 0))).errorCode, 0, 'the next transaction');
  const aborted = await endTxn(c, 5, 'tx2', pid, e1, false);
  t.same([aborted.errorCode, aborted.producerEpoch], [0, e1 + 1], 'an abort bumps too');
  const afterAbort = await fetchOne(c, 12, { topic: 'tv2' }, { isolationLevel: 1 });
  t.same(
    afterAbort.abortedTransactions?.map((a) => a.producerId),
    [pid],
    'the aborted transaction is listed for read_committed readers',
  );
  t.equal(
    (await endTxn(c, 5, 'tx2', pid, e1 + 1, true)).errorCode,
    ErrorCode.PRODUCER_FENCED,
    'EndTxn v5 at the current epoch with nothing started: fenced, as Kafka 4.0',
  );
  t.equal(
    (await endTxn(c, 5, 'tx2', pid + 100n, e1, false)).errorCode,
    ErrorCode.INVALID_PRODUCER_ID_MAPPING,
    'another producer id',
  );
});

t.test('transaction version 1 clients are unchanged next to it', async (t) => {
  const running = await brokerFor(t);
  createTopic(running, 'tv2');
  const c = await rawClient(running.port);
  t.teardown(() => c.close());
  const init = await c.call(InitProducerIdApi, 4, {
    transactionalId: 'tx1',
    transactionTimeoutMs: 60_000,
    producerId: -1n,
    producerEpoch: -1,
  });
  const pid = init.producerId;
  const epoch = init.producerEpoch;
  t.equal(
    (await commitOffsets(c, 4, 'tx1', pid, epoch, 1n)).topics[0]!.partitions[0]!.errorCode,
    ErrorCode.INVALID_TXN_STATE,
    'TxnOffsetCommit v4 still needs AddOffsetsToTxn',
  );
  t.equal((await produce(c, 12, 'tx1', txBatch(['x'], pid, epoch, 0))).errorCode, 0);
  const ended = await endTxn(c, 4, 'tx1', pid, epoch, true);
  t.same([ended.errorCode, ended.producerId, ended.producerEpoch], [0, -1n, -1], 'EndTxn v4: no epoch bump, no fields');
  t.equal((await produce(c, 12, 'tx1', txBatch(['y'], pid, epoch, 1))).errorCode, 0, 'the same epoch goes on');
  t.equal((await endTxn(c, 4, 'tx1', pid, epoch, true)).errorCode, 0);
});
