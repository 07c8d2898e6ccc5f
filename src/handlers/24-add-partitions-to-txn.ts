/**
 * AddPartitionsToTxn, versions 0-5.
 * v0-3 (clients): one transaction; its partitions join the ongoing transaction (Empty
 * or Complete* become Ongoing). Partitions of unknown topics get
 * UNKNOWN_TOPIC_OR_PARTITION and the others OPERATION_NOT_ATTEMPTED; otherwise every
 * partition gets the coordinator's answer: INVALID_PRODUCER_ID_MAPPING,
 * PRODUCER_FENCED (INVALID_PRODUCER_EPOCH before v2), CONCURRENT_TRANSACTIONS while a
 * commit/abort is being written.
 * v4-5 (brokers): a batch of transactions, each answered separately; verifyOnly asks
 * whether each partition is already in the transaction (INVALID_TXN_STATE if not). Without
 * verifyOnly a broker adds the partitions on a transaction version 2 client's behalf (a partition
 * leader for Produce v12+, the group coordinator for TxnOffsetCommit v5, KIP-890 part 2): the
 * transaction is recorded as TV2, so its EndTxn v5 bumps the epoch.
 * Leaves out: ACL checks per topic and the transactional id.
 * An id coordinated by another broker gets NOT_COORDINATOR (COORDINATOR_LOAD_IN_PROGRESS while its
 * partition loads); the answer waits until what it wrote is committed (docs/replication.md).
 */
import {
  AddPartitionsToTxnApi,
  type AddPartitionsToTxnRequestAddPartitionsToTxnTopic,
  type AddPartitionsToTxnResponseAddPartitionsToTxnTopicResult,
} from '../../protocol/generated/messages/24-add-partitions-to-txn.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { defineHandler } from './handler.js';
import { fencedErrorFor } from '../transactions/errors.js';
import type { RequestContext } from '../server/request-context.js';

type Topics = AddPartitionsToTxnRequestAddPartitionsToTxnTopic[];
type Results = AddPartitionsToTxnResponseAddPartitionsToTxnTopicResult[];

function uniform(topics: Topics, code: (topic: string, partition: number) => number): Results {
  return topics.map((t) => ({
    name: t.name,
    resultsByPartition: t.partitions.map((p) => ({ partitionIndex: p, partitionErrorCode: code(t.name, p) })),
  }));
}

async function addOne(
  ctx: RequestContext,
  transactionalId: string,
  producerId: bigint,
  epoch: number,
  topics: Topics,
  verifyOnly: boolean,
  clientTransactionVersion: number,
): Promise<Results> {
  const notHere = ctx.broker.transactions.coordinatorError(transactionalId);
  if (notHere !== 0) return uniform(topics, () => notHere);
  const image = ctx.broker.controller.image;
  const known = (topic: string, p: number): boolean => image.topicsByName.get(topic)?.partitions.has(p) ?? false;
  if (topics.some((t) => t.partitions.some((p) => !known(t.name, p)))) {
    return uniform(topics, (t, p) =>
      known(t, p) ? ErrorCode.OPERATION_NOT_ATTEMPTED : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    );
  }
  const txns = ctx.broker.transactions;
  if (verifyOnly)
    return uniform(topics, (t, p) => txns.coordinator.verifyPartition(transactionalId, producerId, epoch, t, p));
  const code = txns.run((c, now) =>
    c.addPartitions(
      transactionalId,
      producerId,
      epoch,
      topics.map((t) => ({ topic: t.name, partitions: t.partitions })),
      now,
      clientTransactionVersion,
    ),
  );
  const committed = code === 0 ? await txns.whenCommitted(transactionalId) : 0;
  return uniform(topics, () => (committed !== 0 ? committed : fencedErrorFor(code, ctx.apiVersion, 2)));
}

export const addPartitionsToTxnHandler = defineHandler({
  api: AddPartitionsToTxnApi,
  minVersion: 0,
  maxVersion: 5,
  async handle(ctx, request) {
    if (ctx.apiVersion <= 3) {
      return {
        throttleTimeMs: 0,
        errorCode: 0,
        resultsByTransaction: [],
        resultsByTopicV3AndBelow: await addOne(
          ctx,
          request.v3AndBelowTransactionalId,
          request.v3AndBelowProducerId,
          request.v3AndBelowProducerEpoch,
          request.v3AndBelowTopics,
          false,
          0,
        ),
      };
    }
    return {
      throttleTimeMs: 0,
      errorCode: 0,
      resultsByTopicV3AndBelow: [],
      resultsByTransaction: await Promise.all(
        request.transactions.map(async (t) => ({
          transactionalId: t.transactionalId,
          // From a broker, an add (not a verification) is made for a transaction version 2 client.
          topicResults: await addOne(
            ctx,
            t.transactionalId,
            t.producerId,
            t.producerEpoch,
            t.topics,
            t.verifyOnly,
            t.verifyOnly ? 0 : 2,
          ),
        })),
      ),
    };
  },
});
