/**
 * The transaction and idempotence handlers over the wire with a raw client: InitProducerId
 * bounds, produce-side sequence/epoch/membership checks, LSO through ListOffsets and
 * Fetch, aborted transaction lists, verifyOnly, TxnOffsetCommit visibility, admin APIs,
 * and a broker restart in the middle of a transaction.
 */
import t from 'tap';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { InitProducerIdApi } from '../../protocol/generated/messages/22-init-producer-id.js';
import {
  AddPartitionsToTxnApi,
  defaultAddPartitionsToTxnRequest,
} from '../../protocol/generated/messages/24-add-partitions-to-txn.js';
import { AddOffsetsToTxnApi } from '../../protocol/generated/messages/25-add-offsets-to-txn.js';
import { EndTxnApi } from '../../protocol/generated/messages/26-end-txn.js';
import { WriteTxnMarkersApi } from '../../protocol/generated/messages/27-write-txn-markers.js';
import {
  TxnOffsetCommitApi,
  defaultTxnOffsetCommitRequest,
} from '../../protocol/generated/messages/28-txn-offset-commit.js';
import { OffsetFetchApi, defaultOffsetFetchRequest } from '../../protocol/generated/messages/09-offset-fetch.js';
import { ListOffsetsApi, defaultListOffsetsRequest } from '../../protocol/generated/messages/02-list-offsets.js';
import { ProduceApi } from '../../protocol/generated/messages/00-produce.js';
import { DescribeTransactionsApi } from '../../protocol/generated/messages/65-describe-transactions.js';
import { ListTransactionsApi } from '../../protocol/generated/messages/66-list-transactions.js';
import { DescribeProducersApi } from '../../protocol/generated/messages/61-describe-producers.js';
import { brokerFor } from '../../test/helpers/broker.js';
import { rawClient, type RawClient } from '../../test/helpers/raw-client.js';
import { createTopic } from '../../test/helpers/topics.js';
import { batchOf, fetchOne, produceRequest } from '../../test/helpers/data-path.js';
import { Broker } from '../node/broker.js';
import { BrokerConfig } from '../common/config.js';
import { createLogger } from '../common/logger.js';
import { MemoryPartitionLog } from '../broker/memory-log.js';
import type { PartitionLog, PartitionLogFactory } from '../broker/partition-log.js';
import { TxnState } from './txn-state.js';

async function init(c: RawClient, transactionalId: string | null, timeoutMs = 60_000, version = 4) {
  return c.call(InitProducerIdApi, version, {
    transactionalId,
    transactionTimeoutMs: timeoutMs,
    producerId: -1n,
    producerEpoch: -1,
  });
}

async function addPartitions(
  c: RawClient,
  id: string,
  pid: bigint,
  epoch: number,
  topic: string,
  partitions: number[],
  version = 3,
) {
  const r = await c.call(AddPartitionsToTxnApi, version, {
    ...defaultAddPartitionsToTxnRequest(),
    v3AndBelowTransactionalId: id,
    v3AndBelowProducerId: pid,
    v3AndBelowProducerEpoch: epoch,
    v3AndBelowTopics: [{ name: topic, partitions }],
  });
  return r.resultsByTopicV3AndBelow[0]!.resultsByPartition.map((p) => p.partitionErrorCode);
}

async function send(c: RawClient, topic: string, records: Buffer, transactionalId: string | null = null) {
  const r = await c.call(ProduceApi, 9, produceRequest(topic, 0, records, -1, transactionalId));
  return r.responses[0]!.partitionResponses[0]!;
}

async function listOffset(c: RawClient, topic: string, isolationLevel: number): Promise<bigint> {
  const r = await c.call(ListOffsetsApi, 7, {
    ...defaultListOffsetsRequest(),
    replicaId: -1,
    isolationLevel,
    topics: [
      { name: topic, partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1n, maxNumOffsets: 1 }] },
    ],
  });
  return r.topics[0]!.partitions[0]!.offset;
}

const txBatch = (values: string[], pid: bigint, epoch: number, seq: number) =>
  batchOf(values, { producerId: pid, producerEpoch: epoch, baseSequence: seq, transactional: true });

t.test('idempotent produce: duplicates, gaps, stale epochs over the wire', async (t) => {
  const running = await brokerFor(t);
  createTopic(running, 'i');
  const c = await rawClient(running.port);
  t.teardown(() => c.close());
  const { producerId: pid, producerEpoch: epoch, errorCode } = await init(c, null);
  t.equal(errorCode, 0);
  const second = await init(c, null);
  t.not(second.producerId, pid, 'each idempotent producer gets its own id');
  const b0 = batchOf(['a', 'b'], { producerId: pid, producerEpoch: epoch, baseSequence: 0 });
  t.equal((await send(c, 'i', b0)).baseOffset, 0n);
  const dup = await send(c, 'i', b0);
  t.same([dup.errorCode, dup.baseOffset], [0, 0n], 'a duplicate is answered with its first offset');
  const gap = await send(c, 'i', batchOf(['c'], { producerId: pid, producerEpoch: epoch, baseSequence: 5 }));
  t.equal(gap.errorCode, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
  t.equal(
    (await send(c, 'i', batchOf(['c'], { producerId: pid, producerEpoch: epoch + 1, baseSequence: 0 }))).errorCode,
    0,
    'a bumped epoch restarts at 0',
  );
  const stale = await send(c, 'i', batchOf(['d'], { producerId: pid, producerEpoch: epoch, baseSequence: 2 }));
  t.equal(stale.errorCode, ErrorCode.INVALID_PRODUCER_EPOCH);
  t.equal(running.broker.replicas.get('i', 0)!.log.logEndOffset, 3);
  const described = await c.call(DescribeProducersApi, 0, { topics: [{ name: 'i', partitionIndexes: [0, 9] }] });
  const [p0, p9] = described.topics[0]!.partitions;
  t.same(
    p0!.activeProducers.map((p) => [p.producerId, p.producerEpoch, p.lastSequence, p.currentTxnStartOffset]),
    [[pid, epoch + 1, 0, -1n]],
  );
  t.equal(p9!.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
});

t.test('transactional produce: membership, LSO, aborted lists, verifyOnly, admin APIs', async (t) => {
  const running = await brokerFor(t, { config: { 'transaction.max.timeout.ms': 100_000 } });
  createTopic(running, 'x');
  const c = await rawClient(running.port);
  t.teardown(() => c.close());
  t.equal((await init(c, 'tx', 100_001)).errorCode, ErrorCode.INVALID_TRANSACTION_TIMEOUT);
  const { producerId: pid, producerEpoch: epoch } = await init(c, 'tx');
  t.equal(
    (await send(c, 'x', txBatch(['early'], pid, epoch, 0), 'tx')).errorCode,
    ErrorCode.INVALID_TXN_STATE,
    'not added to the transaction (KIP-890)',
  );
  t.same(await addPartitions(c, 'tx', pid, epoch, 'nope', [0]), [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]);
  t.same(
    await addPartitions(c, 'tx', pid, epoch + 1, 'x', [0], 1),
    [ErrorCode.INVALID_PRODUCER_EPOCH],
    'fenced is INVALID_PRODUCER_EPOCH before v2',
  );
  t.same(await addPartitions(c, 'tx', pid, epoch + 1, 'x', [0], 3), [ErrorCode.PRODUCER_FENCED]);
  t.same(await addPartitions(c, 'tx', pid, epoch, 'x', [0]), [0]);
  await send(c, 'x', batchOf(['plain']));
  t.equal((await send(c, 'x', txBatch(['t1', 't2'], pid, epoch, 0), 'tx')).baseOffset, 1n);
  await send(c, 'x', batchOf(['plain2']));
  t.equal(await listOffset(c, 'x', 0), 4n, 'read_uncommitted: high watermark');
  t.equal(await listOffset(c, 'x', 1), 1n, 'read_committed: last stable offset');
  const committedView = await fetchOne(c, 12, { topic: 'x' }, { isolationLevel: 1 });
  t.equal(committedView.lastStableOffset, 1n);
  const verify = await c.call(AddPartitionsToTxnApi, 4, {
    ...defaultAddPartitionsToTxnRequest(),
    transactions: [
      {
        transactionalId: 'tx',
        producerId: pid,
        producerEpoch: epoch,
        verifyOnly: true,
        topics: [{ name: 'x', partitions: [0] }],
      },
    ],
  });
  t.equal(
    verify.resultsByTransaction[0]!.topicResults[0]!.resultsByPartition[0]!.partitionErrorCode,
    0,
    'verifyOnly: in the transaction',
  );
  const described = await c.call(DescribeTransactionsApi, 0, { transactionalIds: ['tx', 'unknown'] });
  t.same(
    described.transactionStates.map((s) => [s.transactionalId, s.errorCode, s.transactionState, s.topics]),
    [
      ['tx', 0, 'Ongoing', [{ topic: 'x', partitions: [0] }]],
      ['unknown', ErrorCode.TRANSACTIONAL_ID_NOT_FOUND, '', []],
    ],
  );
  const listed = await c.call(ListTransactionsApi, 1, {
    transactionalIdPattern: null,
    stateFilters: ['Ongoing', 'Bogus'],
    producerIdFilters: [],
    durationFilter: -1n,
  });
  t.same(listed.unknownStateFilters, ['Bogus']);
  t.same(
    listed.transactionStates.map((s) => s.transactionalId),
    ['tx'],
  );

  const end = await c.call(EndTxnApi, 3, {
    transactionalId: 'tx',
    producerId: pid,
    producerEpoch: epoch,
    committed: false,
  });
  t.equal(end.errorCode, 0);
  t.equal(await listOffset(c, 'x', 1), 5n, 'the abort marker releases the LSO');
  const afterAbort = await fetchOne(c, 12, { topic: 'x' }, { isolationLevel: 1 });
  t.same(afterAbort.abortedTransactions, [{ producerId: pid, firstOffset: 1n }]);
  const uncommitted = await fetchOne(c, 12, { topic: 'x' }, { isolationLevel: 0 });
  t.equal(uncommitted.abortedTransactions, null);
  const fenced = await c.call(EndTxnApi, 1, {
    transactionalId: 'tx',
    producerId: pid,
    producerEpoch: epoch - 1,
    committed: true,
  });
  t.equal(fenced.errorCode, ErrorCode.INVALID_PRODUCER_EPOCH);
});

t.test('TxnOffsetCommit: offsets become visible on commit only; KIP-447 checks', async (t) => {
  const running = await brokerFor(t);
  createTopic(running, 'in');
  const c = await rawClient(running.port);
  t.teardown(() => c.close());
  const fetchCommitted = async () => {
    const r = await c.call(OffsetFetchApi, 5, {
      ...defaultOffsetFetchRequest(),
      groupId: 'g',
      topics: [{ name: 'in', partitionIndexes: [0] }],
    });
    return r.topics[0]!.partitions[0]!.committedOffset;
  };
  const commitOffsets = (
    pid: bigint,
    epoch: number,
    offset: bigint,
    extra: { generationId?: number; memberId?: string } = {},
  ) =>
    c.call(TxnOffsetCommitApi, 3, {
      ...defaultTxnOffsetCommitRequest(),
      transactionalId: 'o',
      groupId: 'g',
      producerId: pid,
      producerEpoch: epoch,
      generationId: extra.generationId ?? -1,
      memberId: extra.memberId ?? '',
      topics: [
        {
          name: 'in',
          partitions: [
            { partitionIndex: 0, committedOffset: offset, committedLeaderEpoch: -1, committedMetadata: null },
          ],
        },
      ],
    });
  const { producerId: pid, producerEpoch: epoch } = await init(c, 'o');
  t.equal(
    (await commitOffsets(pid, epoch, 5n)).topics[0]!.partitions[0]!.errorCode,
    ErrorCode.INVALID_TXN_STATE,
    'AddOffsetsToTxn first',
  );
  t.equal(
    (await c.call(AddOffsetsToTxnApi, 3, { transactionalId: 'o', producerId: pid, producerEpoch: epoch, groupId: 'g' }))
      .errorCode,
    0,
  );
  t.equal(
    (await commitOffsets(pid, epoch, 5n, { generationId: 3, memberId: 'm' })).topics[0]!.partitions[0]!.errorCode,
    ErrorCode.ILLEGAL_GENERATION,
    'unknown generation',
  );
  t.equal((await commitOffsets(pid, epoch, 5n)).topics[0]!.partitions[0]!.errorCode, 0);
  t.equal(await fetchCommitted(), -1n, 'not visible before the commit');
  const stable = await c.call(OffsetFetchApi, 7, {
    ...defaultOffsetFetchRequest(),
    groupId: 'g',
    requireStable: true,
    topics: [{ name: 'in', partitionIndexes: [0] }],
  });
  t.equal(
    stable.topics[0]!.partitions[0]!.errorCode,
    ErrorCode.UNSTABLE_OFFSET_COMMIT,
    'requireStable sees the pending offset',
  );
  await c.call(EndTxnApi, 3, { transactionalId: 'o', producerId: pid, producerEpoch: epoch, committed: true });
  t.equal(await fetchCommitted(), 5n, 'visible after the commit');
  await c.call(AddOffsetsToTxnApi, 3, { transactionalId: 'o', producerId: pid, producerEpoch: epoch, groupId: 'g' });
  await commitOffsets(pid, epoch, 9n);
  await c.call(EndTxnApi, 3, { transactionalId: 'o', producerId: pid, producerEpoch: epoch, committed: false });
  t.equal(await fetchCommitted(), 5n, 'an aborted offset is dropped');
});

/** Memory logs that outlive a broker, as disk logs would. */
class KeptLogs implements PartitionLogFactory {
  readonly logs = new Map<string, MemoryPartitionLog>();
  open(topic: string, partition: number): PartitionLog {
    const key = `${topic}-${partition}`;
    let log = this.logs.get(key);
    if (!log) this.logs.set(key, (log = new MemoryPartitionLog()));
    return log;
  }
  close(): void {}
}

t.test('a broker restart in the middle of a transaction: state is replayed and the timeout aborts it', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'gregor-txn-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const logs = new KeptLogs();
  const start = async () => {
    const config = new BrokerConfig({
      'node.id': 1,
      listeners: 'PLAINTEXT://127.0.0.1:0',
      'log.dirs': dir,
      'transaction.state.log.num.partitions': 1,
      'transaction.abort.timed.out.transaction.cleanup.interval.ms': 100,
    });
    const broker = new Broker({ config, log: createLogger({ level: 'silent', pretty: false }), logFactory: logs });
    await broker.start();
    return broker;
  };
  let broker = await start();
  const topic = broker.controller.createTopic({ name: 'r', numPartitions: 1, replicationFactor: 1 });
  if (topic.ok) broker.controller.commit(topic.records);
  let c = await rawClient(broker.bound[0]!.port);
  const { producerId: pid, producerEpoch: epoch } = await init(c, 'restart', 300);
  await addPartitions(c, 'restart', pid, epoch, 'r', [0]);
  await send(c, 'r', txBatch(['open'], pid, epoch, 0), 'restart');
  c.close();
  await broker.stop();

  broker = await start();
  t.teardown(() => broker.stop());
  c = await rawClient(broker.bound[0]!.port);
  t.teardown(() => c.close());
  // The coordinator loads __transaction_state once this node leads its partition (after start()
  // returns, as Kafka's, which answers COORDINATOR_LOAD_IN_PROGRESS meanwhile).
  const loadedBy = Date.now() + 10_000;
  while (broker.transactions.coordinator.stateOf('restart') === undefined && Date.now() < loadedBy)
    await new Promise((r) => setTimeout(r, 10));
  const state = broker.transactions.coordinator.stateOf('restart');
  t.ok(
    state === TxnState.Ongoing || state === TxnState.PrepareAbort || state === TxnState.CompleteAbort,
    'the transaction came back from __transaction_state (the timeout scan may have begun its abort)',
  );
  const partition = broker.replicas.get('r', 0)!;
  await new Promise<void>((resolve) => {
    // Markers are appended before CompleteAbort is written: look again a turn after each change.
    const check = (): void => {
      if (broker.transactions.coordinator.stateOf('restart') === TxnState.CompleteAbort) resolve();
      else partition.waitForChange(() => setImmediate(check));
    };
    check();
  });
  t.equal(await listOffset(c, 'r', 1), await listOffset(c, 'r', 0), 'the LSO is not left stuck');
  const stale = await send(c, 'r', txBatch(['late'], pid, epoch, 1), 'restart');
  t.equal(stale.errorCode, ErrorCode.INVALID_PRODUCER_EPOCH, 'the timed-out producer is fenced');
  const fresh = await init(c, 'restart', 300);
  t.same([fresh.producerId, fresh.producerEpoch], [pid, epoch + 2], 'epochs survive the restart');
});

t.test('TxnOffsetCommit for a transactional id never seen is accepted and has no effect (Kafka 3.9)', async (t) => {
  const running = await brokerFor(t);
  createTopic(running, 'in');
  const c = await rawClient(running.port);
  t.teardown(() => c.close());
  const r = await c.call(TxnOffsetCommitApi, 2, {
    ...defaultTxnOffsetCommitRequest(),
    transactionalId: 'never-initialised',
    groupId: 'g2',
    producerId: 999n,
    producerEpoch: 999,
    topics: [
      {
        name: 'in',
        partitions: [{ partitionIndex: 0, committedOffset: 5n, committedLeaderEpoch: -1, committedMetadata: null }],
      },
    ],
  });
  t.equal(r.topics[0]!.partitions[0]!.errorCode, 0, 'accepted');
  const fetched = await c.call(OffsetFetchApi, 5, {
    ...defaultOffsetFetchRequest(),
    groupId: 'g2',
    topics: [{ name: 'in', partitionIndexes: [0] }],
  });
  t.equal(fetched.topics[0]!.partitions[0]!.committedOffset, -1n, 'nothing committed');
});

t.test(
  'transactional offsets live in __consumer_offsets: a restart keeps pending, committed and aborted ones apart',
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'gregor-txn-offsets-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const logs = new KeptLogs();
    let broker: Broker | null = null;
    let c: RawClient | null = null;
    const restart = async () => {
      c?.close();
      await broker?.stop();
      const config = new BrokerConfig({
        'node.id': 1,
        listeners: 'PLAINTEXT://127.0.0.1:0',
        'log.dirs': dir,
        'offsets.topic.num.partitions': 3,
      });
      broker = new Broker({ config, log: createLogger({ level: 'silent', pretty: false }), logFactory: logs });
      await broker.start();
      c = await rawClient(broker.bound[0]!.port);
      return c;
    };
    t.teardown(async () => {
      c?.close();
      await broker?.stop();
    });
    let client = await restart();
    const topic = broker!.controller.createTopic({ name: 'in', numPartitions: 1, replicationFactor: 1 });
    if (topic.ok) broker!.controller.commit(topic.records);
    const committed = async (requireStable = false) => {
      const r = await client.call(OffsetFetchApi, 7, {
        ...defaultOffsetFetchRequest(),
        groupId: 'eos',
        requireStable,
        topics: [{ name: 'in', partitionIndexes: [0] }],
      });
      const p = r.topics[0]!.partitions[0]!;
      return p.errorCode !== 0 ? `error ${p.errorCode}` : p.committedOffset;
    };
    const { producerId: pid, producerEpoch: epoch } = await init(client, 'eos-txn');
    const sendOffset = async (offset: bigint) => {
      t.equal(
        (
          await client.call(AddOffsetsToTxnApi, 3, {
            transactionalId: 'eos-txn',
            producerId: pid,
            producerEpoch: epoch,
            groupId: 'eos',
          })
        ).errorCode,
        0,
      );
      const r = await client.call(TxnOffsetCommitApi, 3, {
        ...defaultTxnOffsetCommitRequest(),
        transactionalId: 'eos-txn',
        groupId: 'eos',
        producerId: pid,
        producerEpoch: epoch,
        topics: [
          {
            name: 'in',
            partitions: [
              { partitionIndex: 0, committedOffset: offset, committedLeaderEpoch: -1, committedMetadata: 'm' },
            ],
          },
        ],
      });
      t.equal(r.topics[0]!.partitions[0]!.errorCode, 0, `offset ${offset} accepted`);
    };
    const endTxn = async (committed: boolean) =>
      t.equal(
        (
          await client.call(EndTxnApi, 3, {
            transactionalId: 'eos-txn',
            producerId: pid,
            producerEpoch: epoch,
            committed,
          })
        ).errorCode,
        0,
      );

    await sendOffset(7n);
    client = await restart();
    t.equal(await committed(), -1n, 'after a restart the offset is still not visible');
    t.equal(
      await committed(true),
      `error ${ErrorCode.UNSTABLE_OFFSET_COMMIT}`,
      'but it is pending again (requireStable)',
    );
    await endTxn(true);
    t.equal(await committed(), 7n, 'EndTxn after the restart commits the offset written before it');

    client = await restart();
    t.equal(await committed(true), 7n, 'a committed transactional offset replays from its marker');

    await sendOffset(11n);
    await endTxn(false);
    client = await restart();
    t.equal(await committed(true), 7n, 'an aborted one stays dropped after a restart');
  },
);

t.test("an aborted transaction is written to the segment .txnindex, in Kafka's 34-byte entry format", async (t) => {
  const running = await brokerFor(t);
  createTopic(running, 'ti');
  const c = await rawClient(running.port);
  t.teardown(() => c.close());
  const { producerId: pid, producerEpoch: epoch } = await init(c, 'txn-index');
  const run = async (values: string[], seq: number, committed: boolean) => {
    t.same(await addPartitions(c, 'txn-index', pid, epoch, 'ti', [0]), [0]);
    t.equal((await send(c, 'ti', txBatch(values, pid, epoch, seq), 'txn-index')).errorCode, 0);
    t.equal(
      (await c.call(EndTxnApi, 3, { transactionalId: 'txn-index', producerId: pid, producerEpoch: epoch, committed }))
        .errorCode,
      0,
    );
  };
  await run(['a', 'b'], 0, false); // offsets 0-1, marker at 2
  await run(['c'], 2, true); // offset 3, marker at 4: a commit writes no entry
  const file = join(running.broker.config.logDirs()[0]!, 'ti-0', '00000000000000000000.txnindex');
  const bytes = readFileSync(file);
  t.equal(bytes.length, 34, 'one entry');
  t.equal(bytes.readInt16BE(0), 0, 'version 0');
  t.equal(bytes.readBigInt64BE(2), pid, 'producer id');
  t.equal(bytes.readBigInt64BE(10), 0n, 'first offset');
  t.equal(bytes.readBigInt64BE(18), 2n, 'last offset (the marker)');
  t.equal(bytes.readBigInt64BE(26), 3n, 'last stable offset after the abort');
});

t.test('WriteTxnMarkers: the leader writes the marker, moves the LSO, fences an older coordinator epoch', async (t) => {
  const running = await brokerFor(t);
  createTopic(running, 'w');
  const c = await rawClient(running.port);
  t.teardown(() => c.close());
  const { producerId: pid, producerEpoch: epoch } = await init(c, 'wtx');
  t.same(await addPartitions(c, 'wtx', pid, epoch, 'w', [0]), [0]);
  t.equal((await send(c, 'w', txBatch(['a', 'b'], pid, epoch, 0), 'wtx')).errorCode, 0);
  t.equal(await listOffset(c, 'w', 1), 0n, 'the open transaction holds the LSO');
  const markers = (coordinatorEpoch: number, topics: Array<{ name: string; partitionIndexes: number[] }>) =>
    c.call(WriteTxnMarkersApi, 1, {
      markers: [{ producerId: pid, producerEpoch: epoch, transactionResult: true, coordinatorEpoch, topics }],
    });
  const written = await markers(5, [
    { name: 'w', partitionIndexes: [0, 7] },
    { name: 'nope', partitionIndexes: [0] },
  ]);
  t.same(
    written.markers[0]!.topics.map((x) => [x.name, x.partitions.map((p) => [p.partitionIndex, p.errorCode])]),
    [
      [
        'w',
        [
          [0, 0],
          [7, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
        ],
      ],
      ['nope', [[0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]]],
    ],
  );
  t.equal(await listOffset(c, 'w', 1), 3n, 'the COMMIT marker closed the transaction: the LSO is the log end');
  const stale = await markers(4, [{ name: 'w', partitionIndexes: [0] }]);
  t.equal(
    stale.markers[0]!.topics[0]!.partitions[0]!.errorCode,
    ErrorCode.TRANSACTION_COORDINATOR_FENCED,
    'an older coordinator epoch than the partition has seen',
  );
  t.equal(running.broker.replicas.get('w', 0)!.log.logEndOffset, 3, 'nothing written for the fenced marker');
});

t.test(
  'WriteTxnMarkers: an ISR below min.insync.replicas is NOT_ENOUGH_REPLICAS before anything is appended',
  async (t) => {
    const running = await brokerFor(t);
    createTopic(running, 'short-isr', { configs: { 'min.insync.replicas': '2' } });
    // One replica is never under min ISR (Kafka 3.9's effectiveMinIsr caps min.insync.replicas at the
    // replication factor): the partition is made to look like three replicas with the leader alone in sync.
    const partition = running.broker.replicas.get('short-isr', 0)!;
    partition.state = { ...partition.state, replicas: [partition.state.leader, 98, 99], isr: [partition.state.leader] };
    const c = await rawClient(running.port);
    t.teardown(() => c.close());
    const answer = await c.call(WriteTxnMarkersApi, 1, {
      markers: [
        {
          producerId: 7n,
          producerEpoch: 0,
          transactionResult: true,
          coordinatorEpoch: 0,
          topics: [{ name: 'short-isr', partitionIndexes: [0] }],
        },
      ],
    });
    t.equal(answer.markers[0]!.topics[0]!.partitions[0]!.errorCode, ErrorCode.NOT_ENOUGH_REPLICAS);
    t.equal(
      running.broker.replicas.get('short-isr', 0)!.log.logEndOffset,
      0,
      'no marker appended (the sender retries)',
    );
  },
);
