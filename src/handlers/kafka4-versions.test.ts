/**
 * The versions Kafka 4.1 and 4.2 added, driven over the wire with raw frames (no installed
 * client speaks them yet): Produce v12/v13 (topic ids), Fetch v18, ListOffsets v11,
 * OffsetCommit/OffsetFetch v10 (topic ids), ListTransactions v2 (TransactionalIdPattern),
 * AlterPartitionReassignments v1 (AllowReplicationFactorChange), what ApiVersions advertises,
 * and golden bytes for the new request layouts, written by hand from Kafka's schemas.
 */
import t from 'tap';
import { brokerFor } from '../../test/helpers/broker.js';
import { rawClient } from '../../test/helpers/raw-client.js';
import { createTopic } from '../../test/helpers/topics.js';
import { batchOf, fetchOne, fetchRequest } from '../../test/helpers/data-path.js';
import { Reader, Writer, ZERO_UUID } from '../../protocol/primitives/index.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { ApiVersionsApi } from '../../protocol/generated/messages/18-api-versions.js';
import { ProduceApi, type ProduceRequest } from '../../protocol/generated/messages/00-produce.js';
import { FetchApi } from '../../protocol/generated/messages/01-fetch.js';
import { ListOffsetsApi } from '../../protocol/generated/messages/02-list-offsets.js';
import { OffsetCommitApi, type OffsetCommitRequest } from '../../protocol/generated/messages/08-offset-commit.js';
import { OffsetFetchApi, type OffsetFetchRequest } from '../../protocol/generated/messages/09-offset-fetch.js';
import { InitProducerIdApi } from '../../protocol/generated/messages/22-init-producer-id.js';
import { ListTransactionsApi } from '../../protocol/generated/messages/66-list-transactions.js';
import {
  AlterPartitionReassignmentsApi,
  type AlterPartitionReassignmentsRequest,
} from '../../protocol/generated/messages/45-alter-partition-reassignments.js';
import type { ApiDefinition } from '../../protocol/generated/api-definition.js';

/** An id no topic has. */
const UNKNOWN_ID = 'AQIDBAUGBwgJCgsMDQ4PEA';

function produceById(topicId: string, records: Buffer): ProduceRequest {
  return {
    transactionalId: null,
    acks: 1,
    timeoutMs: 5000,
    topicData: [{ name: '', topicId, partitionData: [{ index: 0, records }] }],
  };
}

function commitRequest(topic: { name: string; topicId: string }, offset: bigint): OffsetCommitRequest {
  return {
    groupId: 'g4',
    generationIdOrMemberEpoch: -1,
    memberId: '',
    groupInstanceId: null,
    retentionTimeMs: -1n,
    topics: [
      {
        ...topic,
        partitions: [
          {
            partitionIndex: 0,
            committedOffset: offset,
            committedLeaderEpoch: -1,
            commitTimestamp: -1n,
            committedMetadata: 'm',
          },
        ],
      },
    ],
  };
}

function fetchOffsetsRequest(topics: Array<{ name: string; topicId: string }> | null): OffsetFetchRequest {
  return {
    groupId: '',
    topics: [],
    groups: [
      {
        groupId: 'g4',
        memberId: null,
        memberEpoch: -1,
        topics: topics === null ? null : topics.map((x) => ({ ...x, partitionIndexes: [0] })),
      },
    ],
    requireStable: false,
  };
}

t.test('ApiVersions advertises the Kafka 4.1/4.2 maxima and transaction version 2', async (t) => {
  const running = await brokerFor(t);
  const c = await rawClient(running.port);
  t.teardown(() => c.close());
  const r = await c.call(ApiVersionsApi, 3, {
    clientSoftwareName: 'test',
    clientSoftwareVersion: '1',
  });
  const max = new Map(r.apiKeys.map((k) => [k.apiKey, k.maxVersion]));
  const min = new Map(r.apiKeys.map((k) => [k.apiKey, k.minVersion]));
  t.same(
    [0, 1, 2, 8, 9, 45, 66].map((k) => max.get(k)),
    [13, 18, 11, 10, 10, 1, 2],
    'Produce 13, Fetch 18, ListOffsets 11, OffsetCommit 10, OffsetFetch 10, reassignments 1, ListTransactions 2',
  );
  t.same(
    [0, 1, 2, 8, 9].map((k) => min.get(k)),
    [0, 0, 0, 0, 0],
    'the versions Kafka 4 dropped (KIP-896) are still served',
  );
  t.equal(max.get(26), 5, 'EndTxn v5: transaction version 2 (KIP-890 part 2)');
  t.equal(max.get(28), 5, 'TxnOffsetCommit v5 likewise');
  t.same(
    r.finalizedFeatures.find((f) => f.name === 'transaction.version'),
    { name: 'transaction.version', minVersionLevel: 2, maxVersionLevel: 2 },
    'transaction.version 2 is finalized, so Kafka 4 clients use it (src/transactions/transaction-version-2.test.ts)',
  );
});

t.test('Produce v12 by name, v13 by topic id, and UNKNOWN_TOPIC_ID; Fetch v18 reads them back', async (t) => {
  const running = await brokerFor(t);
  const topicId = createTopic(running, 'k4');
  const c = await rawClient(running.port);
  t.teardown(() => c.close());

  const v12 = await c.call(ProduceApi, 12, {
    transactionalId: null,
    acks: 1,
    timeoutMs: 5000,
    topicData: [{ name: 'k4', topicId: ZERO_UUID, partitionData: [{ index: 0, records: batchOf(['a', 'b']) }] }],
  });
  t.equal(v12.responses[0]!.name, 'k4');
  t.equal(v12.responses[0]!.partitionResponses[0]!.errorCode, ErrorCode.NONE);
  t.equal(v12.responses[0]!.partitionResponses[0]!.baseOffset, 0n);

  const v13 = await c.call(ProduceApi, 13, produceById(topicId, batchOf(['c'])));
  const topic13 = v13.responses[0]!;
  t.equal(topic13.topicId, topicId, 'v13 answers by topic id');
  t.equal(topic13.name, '', 'and without the name');
  t.equal(topic13.partitionResponses[0]!.errorCode, ErrorCode.NONE);
  t.equal(topic13.partitionResponses[0]!.baseOffset, 2n, 'appended after the v12 records');

  const unknown = await c.call(ProduceApi, 13, produceById(UNKNOWN_ID, batchOf(['x'])));
  t.equal(unknown.responses[0]!.topicId, UNKNOWN_ID);
  t.equal(unknown.responses[0]!.partitionResponses[0]!.errorCode, ErrorCode.UNKNOWN_TOPIC_ID);
  t.equal(unknown.responses[0]!.partitionResponses[0]!.baseOffset, -1n);

  const read = await fetchOne(c, 18, { topicId, offset: 0n });
  t.equal(read.errorCode, ErrorCode.NONE, 'Fetch v18 by id');
  t.equal(read.highWatermark, 3n, 'both produce versions landed: 3 records');
  t.ok(read.records !== null && read.records.length > 0, 'with the records');
  const unknownRead = await fetchOne(c, 18, { topicId: UNKNOWN_ID, offset: 0n });
  t.equal(unknownRead.errorCode, ErrorCode.UNKNOWN_TOPIC_ID);

  // acks=0 with an unknown id: no answer, the connection closes, as for any failed acks=0 produce.
  const quiet = await rawClient(running.port);
  quiet.send(quiet.frame(ProduceApi, 13, { ...produceById(UNKNOWN_ID, batchOf(['y'])), acks: 0 }, 7));
  await quiet.closed;
  t.pass('acks=0 to an unknown topic id closes the connection');
});

t.test('Fetch v18 carries the HighWatermark tagged field (KIP-1166) and ignores it', async (t) => {
  const running = await brokerFor(t);
  const topicId = createTopic(running, 'hw');
  const c = await rawClient(running.port);
  t.teardown(() => c.close());
  await c.call(ProduceApi, 13, produceById(topicId, batchOf(['a'])));
  const read = await fetchOne(c, 18, { topicId, offset: 0n });
  t.equal(read.highWatermark, 1n);
  // Encode a v18 request with the tag set and check it decodes back with the value.
  const w = new Writer();
  const request = fetchRequest([{ topicId, offset: 0n }]);
  request.topics[0]!.partitions[0]!.highWatermark = 0n;
  FetchApi.encodeRequest(w, 18, request);
  const back = FetchApi.decodeRequest(new Reader(w.toBuffer()), 18);
  t.equal(back.topics[0]!.partitions[0]!.highWatermark, 0n, 'tag 1 round-trips');
  const answered = await c.call(FetchApi, 18, request);
  t.equal(answered.responses[0]!.partitions[0]!.highWatermark, 1n, 'the follower-side value changes nothing');
});

t.test('ListOffsets v11: -6 (earliest pending upload) answers -1, nothing is tiered', async (t) => {
  const running = await brokerFor(t);
  createTopic(running, 'lo11');
  const c = await rawClient(running.port);
  t.teardown(() => c.close());
  await c.call(ProduceApi, 12, {
    transactionalId: null,
    acks: 1,
    timeoutMs: 5000,
    topicData: [{ name: 'lo11', topicId: ZERO_UUID, partitionData: [{ index: 0, records: batchOf(['a', 'b']) }] }],
  });
  const ask = async (timestamp: bigint) => {
    const r = await c.call(ListOffsetsApi, 11, {
      replicaId: -1,
      isolationLevel: 0,
      timeoutMs: 1000,
      topics: [
        { name: 'lo11', partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp, maxNumOffsets: 1 }] },
      ],
    });
    return r.topics[0]!.partitions[0]!;
  };
  const pending = await ask(-6n);
  t.equal(pending.errorCode, ErrorCode.NONE);
  t.equal(pending.offset, -1n);
  t.equal(pending.timestamp, -1n);
  t.equal((await ask(-1n)).offset, 2n, 'latest still works at v11');
  t.equal((await ask(-2n)).offset, 0n, 'earliest too');
});

t.test('OffsetCommit v10 and OffsetFetch v10 name topics by id', async (t) => {
  const running = await brokerFor(t);
  const topicId = createTopic(running, 'oc');
  const c = await rawClient(running.port);
  t.teardown(() => c.close());

  const committed = await c.call(OffsetCommitApi, 10, commitRequest({ name: '', topicId }, 7n));
  t.same(
    committed.topics.map((x) => [x.name, x.topicId, x.partitions[0]!.errorCode]),
    [['', topicId, ErrorCode.NONE]],
    'committed, answered by id',
  );
  const unknown = await c.call(OffsetCommitApi, 10, commitRequest({ name: '', topicId: UNKNOWN_ID }, 1n));
  t.same(
    unknown.topics.map((x) => [x.topicId, x.partitions[0]!.errorCode]),
    [[UNKNOWN_ID, ErrorCode.UNKNOWN_TOPIC_ID]],
  );

  const byId = await c.call(OffsetFetchApi, 10, fetchOffsetsRequest([{ name: '', topicId }]));
  const group = byId.groups[0]!;
  t.equal(group.errorCode, ErrorCode.NONE);
  t.same(
    group.topics.map((x) => [x.name, x.topicId, x.partitions[0]!.committedOffset, x.partitions[0]!.metadata]),
    [['', topicId, 7n, 'm']],
  );
  const all = await c.call(OffsetFetchApi, 10, fetchOffsetsRequest(null));
  t.same(
    all.groups[0]!.topics.map((x) => [x.topicId, x.partitions[0]!.committedOffset]),
    [[topicId, 7n]],
    'null topics: every committed topic, by id',
  );
  const missing = await c.call(OffsetFetchApi, 10, fetchOffsetsRequest([{ name: '', topicId: UNKNOWN_ID }]));
  t.same(
    missing.groups[0]!.topics.map((x) => [x.topicId, x.partitions[0]!.errorCode, x.partitions[0]!.committedOffset]),
    [[UNKNOWN_ID, ErrorCode.UNKNOWN_TOPIC_ID, -1n]],
  );
  const byName = await c.call(OffsetFetchApi, 9, fetchOffsetsRequest([{ name: 'oc', topicId: ZERO_UUID }]));
  t.equal(byName.groups[0]!.topics[0]!.partitions[0]!.committedOffset, 7n, 'v9 by name sees the v10 commit');
});

t.test('ListTransactions v2 filters by TransactionalIdPattern (RE2/J, whole id)', async (t) => {
  const running = await brokerFor(t);
  const c = await rawClient(running.port);
  t.teardown(() => c.close());
  for (const id of ['orders-1', 'orders-2', 'billing-orders-1']) {
    const r = await c.call(InitProducerIdApi, 4, {
      transactionalId: id,
      transactionTimeoutMs: 60_000,
      producerId: -1n,
      producerEpoch: -1,
    });
    t.equal(r.errorCode, ErrorCode.NONE);
  }
  const list = async (version: number, pattern: string | null) =>
    c.call(ListTransactionsApi, version, {
      stateFilters: [],
      producerIdFilters: [],
      durationFilter: -1n,
      transactionalIdPattern: pattern,
    });
  const ids = (r: Awaited<ReturnType<typeof list>>) => r.transactionStates.map((s) => s.transactionalId).sort();
  t.same(ids(await list(2, 'orders-.*')), ['orders-1', 'orders-2'], 'the whole id must match');
  t.same(ids(await list(2, null)), ['billing-orders-1', 'orders-1', 'orders-2'], 'null: every id');
  t.same(ids(await list(2, '')), ['billing-orders-1', 'orders-1', 'orders-2'], 'empty: every id');
  const bad = await list(2, 'orders-(');
  t.equal(bad.errorCode, ErrorCode.INVALID_REGULAR_EXPRESSION);
  t.same(bad.transactionStates, []);
  const lookAhead = await list(2, '(?=orders).*');
  t.equal(lookAhead.errorCode, ErrorCode.INVALID_REGULAR_EXPRESSION, 'RE2 has no look-ahead');
});

t.test('AlterPartitionReassignments v1: AllowReplicationFactorChange=false refuses a new replica count', async (t) => {
  const running = await brokerFor(t);
  createTopic(running, 'ra');
  const c = await rawClient(running.port);
  t.teardown(() => c.close());
  const request = (allow: boolean, replicas: number[]): AlterPartitionReassignmentsRequest => ({
    timeoutMs: 10_000,
    allowReplicationFactorChange: allow,
    topics: [{ name: 'ra', partitions: [{ partitionIndex: 0, replicas }] }],
  });
  const nodeId = running.broker.config.nodeId();
  const refused = await c.call(AlterPartitionReassignmentsApi, 1, request(false, [nodeId, nodeId + 1]));
  t.equal(refused.allowReplicationFactorChange, false, 'the option is echoed');
  const p = refused.responses[0]!.partitions[0]!;
  t.equal(p.errorCode, ErrorCode.INVALID_REPLICATION_FACTOR);
  t.equal(p.errorMessage, 'The replication factor is changed from 1 to 2');
  const same = await c.call(AlterPartitionReassignmentsApi, 1, request(false, [nodeId]));
  t.equal(same.responses[0]!.partitions[0]!.errorCode, ErrorCode.NONE, 'the same replica count is allowed');
  t.equal(same.allowReplicationFactorChange, false);
  const allowed = await c.call(AlterPartitionReassignmentsApi, 1, request(true, [nodeId, nodeId + 1]));
  t.equal(
    allowed.responses[0]!.partitions[0]!.errorCode,
    ErrorCode.INVALID_REPLICA_ASSIGNMENT,
    'with the option on, the usual checks apply (broker 2 is not registered)',
  );
});

/** Encodes a request body at a version and returns it as hex. */
function hexOf<Req>(api: ApiDefinition<Req, unknown>, version: number, request: Req): string {
  const w = new Writer();
  api.encodeRequest(w, version, request);
  return w.toBuffer().toString('hex');
}

t.test('golden bytes: the new request layouts, written by hand from the schemas', async (t) => {
  // Produce v13 (flexible): null transactional id, acks -1, timeout 1000, one topic by id
  // 01..10, one partition 0 with null records, tagged-field sections empty.
  const produce = [
    '00', // transactionalId: compact nullable string, null
    'ffff', // acks -1
    '000003e8', // timeoutMs 1000
    '02', // topicData: 1 element
    '0102030405060708090a0b0c0d0e0f10', // topicId
    '02', // partitionData: 1 element
    '00000000', // index 0
    '00', // records: null
    '00', // partition tags
    '00', // topic tags
    '00', // request tags
  ].join('');
  const produceRequest: ProduceRequest = {
    transactionalId: null,
    acks: -1,
    timeoutMs: 1000,
    topicData: [{ name: '', topicId: UNKNOWN_ID, partitionData: [{ index: 0, records: null }] }],
  };
  t.equal(hexOf(ProduceApi, 13, produceRequest), produce, 'Produce v13');
  const decoded = ProduceApi.decodeRequest(new Reader(Buffer.from(produce, 'hex')), 13);
  t.equal(decoded.topicData[0]!.topicId, UNKNOWN_ID);

  // OffsetCommit v10: group "g", epoch -1, member "", no instance id, one topic by id, one
  // partition 0 at offset 5, leader epoch -1, null metadata.
  const commit = [
    '0267', // groupId "g"
    'ffffffff', // generationIdOrMemberEpoch -1
    '01', // memberId ""
    '00', // groupInstanceId null
    '02', // topics: 1
    '0102030405060708090a0b0c0d0e0f10', // topicId
    '02', // partitions: 1
    '00000000', // partitionIndex
    '0000000000000005', // committedOffset
    'ffffffff', // committedLeaderEpoch
    '00', // committedMetadata null
    '000000', // partition, topic, request tags
  ].join('');
  t.equal(
    hexOf(OffsetCommitApi, 10, {
      ...commitRequest({ name: '', topicId: UNKNOWN_ID }, 5n),
      groupId: 'g',
      topics: [
        {
          name: '',
          topicId: UNKNOWN_ID,
          partitions: [
            {
              partitionIndex: 0,
              committedOffset: 5n,
              committedLeaderEpoch: -1,
              commitTimestamp: -1n,
              committedMetadata: null,
            },
          ],
        },
      ],
    }),
    commit,
    'OffsetCommit v10',
  );

  // ListTransactions v2: no state or producer filters, duration -1, pattern "t.*".
  t.equal(
    hexOf(ListTransactionsApi, 2, {
      stateFilters: [],
      producerIdFilters: [],
      durationFilter: -1n,
      transactionalIdPattern: 't.*',
    }),
    ['01', '01', 'ffffffffffffffff', '04742e2a', '00'].join(''),
    'ListTransactions v2',
  );

  // AlterPartitionReassignments v1: timeout 60000, allow false, topic "t", partition 0 -> [1].
  t.equal(
    hexOf(AlterPartitionReassignmentsApi, 1, {
      timeoutMs: 60_000,
      allowReplicationFactorChange: false,
      topics: [{ name: 't', partitions: [{ partitionIndex: 0, replicas: [1] }] }],
    }),
    ['0000ea60', '00', '02', '0274', '02', '00000000', '0200000001', '00', '00', '00'].join(''),
    'AlterPartitionReassignments v1',
  );
});
