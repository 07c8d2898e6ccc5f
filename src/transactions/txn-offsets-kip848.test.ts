/**
 * TxnOffsetCommit for a KIP-848 consumer group over the wire (raw frames, so it runs where no client
 * with `group.protocol=consumer` and transactions is installed; compat-tests/librdkafka-suite/kip848-txn-offsets.ts
 * drives the same with librdkafka >= 2.4): a member joined by ConsumerGroupHeartbeat hands its member
 * id and member epoch (the consumer's group metadata carries the epoch as its generation) to a
 * transactional commit. As Kafka's OffsetMetadataManager: the current epoch is accepted, a stale one
 * is ILLEGAL_GENERATION (TxnOffsetCommit has no STALE_MEMBER_EPOCH), an unknown member
 * UNKNOWN_MEMBER_ID, and so is a commit naming no member (any version) while the group has members;
 * the committed offset is visible once the transaction commits.
 */
import t from 'tap';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import {
  ConsumerGroupHeartbeatApi,
  defaultConsumerGroupHeartbeatRequest,
} from '../../protocol/generated/messages/68-consumer-group-heartbeat.js';
import { InitProducerIdApi } from '../../protocol/generated/messages/22-init-producer-id.js';
import { AddOffsetsToTxnApi } from '../../protocol/generated/messages/25-add-offsets-to-txn.js';
import { EndTxnApi } from '../../protocol/generated/messages/26-end-txn.js';
import {
  TxnOffsetCommitApi,
  defaultTxnOffsetCommitRequest,
} from '../../protocol/generated/messages/28-txn-offset-commit.js';
import { OffsetFetchApi, defaultOffsetFetchRequest } from '../../protocol/generated/messages/09-offset-fetch.js';
import { brokerFor } from '../../test/helpers/broker.js';
import { rawClient } from '../../test/helpers/raw-client.js';
import { createTopic } from '../../test/helpers/topics.js';

const GROUP = 'kip848-txn';
const TXN = 'kip848-txn-producer';

t.test('a KIP-848 member commits offsets in a transaction by member id and epoch', async (t) => {
  const running = await brokerFor(t);
  createTopic(running, 'in', { partitions: 1 });
  const c = await rawClient(running.port);
  t.teardown(() => c.close());

  const joined = await c.call(ConsumerGroupHeartbeatApi, 0, {
    ...defaultConsumerGroupHeartbeatRequest(),
    groupId: GROUP,
    memberEpoch: 0,
    rebalanceTimeoutMs: 30000,
    subscribedTopicNames: ['in'],
    topicPartitions: [],
  });
  t.equal(joined.errorCode, ErrorCode.NONE, 'the member joins');
  const memberId = joined.memberId ?? '';
  const epoch = joined.memberEpoch;
  t.ok(memberId !== '' && epoch > 0, `member ${memberId} at epoch ${epoch}`);

  const { producerId, producerEpoch } = await c.call(InitProducerIdApi, 4, {
    transactionalId: TXN,
    transactionTimeoutMs: 60_000,
    producerId: -1n,
    producerEpoch: -1,
  });
  const added = await c.call(AddOffsetsToTxnApi, 3, {
    transactionalId: TXN,
    producerId,
    producerEpoch,
    groupId: GROUP,
  });
  t.equal(added.errorCode, ErrorCode.NONE, 'AddOffsetsToTxn');

  const commit = async (member: string, generationId: number, offset: bigint, version = 3) => {
    const r = await c.call(TxnOffsetCommitApi, version, {
      ...defaultTxnOffsetCommitRequest(),
      transactionalId: TXN,
      groupId: GROUP,
      producerId,
      producerEpoch,
      generationId,
      memberId: member,
      topics: [
        {
          name: 'in',
          partitions: [
            { partitionIndex: 0, committedOffset: offset, committedLeaderEpoch: -1, committedMetadata: null },
          ],
        },
      ],
    });
    return r.topics[0]!.partitions[0]!.errorCode;
  };
  t.equal(await commit(memberId, epoch - 1, 3n), ErrorCode.ILLEGAL_GENERATION, 'a stale member epoch');
  t.equal(await commit('no-such-member', epoch, 3n), ErrorCode.UNKNOWN_MEMBER_ID, 'an unknown member');
  t.equal(await commit('', -1, 3n), ErrorCode.UNKNOWN_MEMBER_ID, 'no member while the group has members');
  t.equal(await commit('', -1, 3n, 2), ErrorCode.UNKNOWN_MEMBER_ID, 'a v2 commit (no member fields) likewise');
  t.equal(await commit(memberId, epoch, 7n), ErrorCode.NONE, 'the member at its epoch');

  const ended = await c.call(EndTxnApi, 3, { transactionalId: TXN, producerId, producerEpoch, committed: true });
  t.equal(ended.errorCode, ErrorCode.NONE, 'the transaction commits');
  const fetched = await c.call(OffsetFetchApi, 5, {
    ...defaultOffsetFetchRequest(),
    groupId: GROUP,
    topics: [{ name: 'in', partitionIndexes: [0] }],
  });
  t.equal(fetched.topics[0]!.partitions[0]!.committedOffset, 7n, 'the committed offset is the group’s');
});
