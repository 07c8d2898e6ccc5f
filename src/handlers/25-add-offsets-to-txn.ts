/**
 * AddOffsetsToTxn, versions 0-4. Adds the group's `__consumer_offsets` partition to the
 * ongoing transaction, so TxnOffsetCommit may follow. The partition is the group's partition by
 * `offsets.topic.num.partitions` when `__consumer_offsets` does not exist yet, as Kafka computes it:
 * the request does not wait for the topic (its creation is started here, so the group's
 * FindCoordinator and the commit marker find it). Errors as AddPartitionsToTxn: INVALID_PRODUCER_ID_MAPPING,
 * PRODUCER_FENCED (INVALID_PRODUCER_EPOCH before v2), CONCURRENT_TRANSACTIONS.
 * Leaves out: ACL checks on the group.
 * An id coordinated by another broker gets NOT_COORDINATOR (COORDINATOR_LOAD_IN_PROGRESS while its
 * partition loads); the answer waits until what it wrote is committed (docs/replication.md).
 */
import { AddOffsetsToTxnApi } from '../../protocol/generated/messages/25-add-offsets-to-txn.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { defineHandler } from './handler.js';
import { fencedErrorFor } from '../transactions/errors.js';
import { CONSUMER_OFFSETS_TOPIC } from '../broker/internal-topics.js';
import { partitionForGroup } from '../groups/records.js';

export const addOffsetsToTxnHandler = defineHandler({
  api: AddOffsetsToTxnApi,
  minVersion: 0,
  maxVersion: 4,
  async handle(ctx, request) {
    const groups = ctx.broker.groups;
    const notHere = ctx.broker.transactions.coordinatorError(request.transactionalId);
    if (notHere !== 0) return { throttleTimeMs: 0, errorCode: notHere };
    if (request.groupId === '') return { throttleTimeMs: 0, errorCode: ErrorCode.INVALID_GROUP_ID };
    // Starts the creation when the topic is missing; not an error here (Kafka answers without the topic).
    groups.ensureOffsetsTopic();
    const partition = partitionForGroup(request.groupId, groups.numPartitions());
    const code = ctx.broker.transactions.run((c, now) =>
      c.addPartitions(
        request.transactionalId,
        request.producerId,
        request.producerEpoch,
        [{ topic: CONSUMER_OFFSETS_TOPIC, partitions: [partition] }],
        now,
      ),
    );
    const committed = code === 0 ? await ctx.broker.transactions.whenCommitted(request.transactionalId) : 0;
    return { throttleTimeMs: 0, errorCode: committed !== 0 ? committed : fencedErrorFor(code, ctx.apiVersion, 2) };
  },
});
