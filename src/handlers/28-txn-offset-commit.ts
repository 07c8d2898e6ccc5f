/**
 * TxnOffsetCommit, versions 0-5. Offsets sent inside a transaction are appended to the
 * group's `__consumer_offsets` partition as a transactional batch and wait until
 * EndTxn's marker: a commit makes them the group's committed offsets, an abort drops
 * them (a failed append answers COORDINATOR_NOT_AVAILABLE). The producer must hold the transaction's current epoch
 * (INVALID_PRODUCER_EPOCH), the transaction must be ongoing with the group's offsets
 * partition added by AddOffsetsToTxn (INVALID_TXN_STATE otherwise). KIP-447 group
 * fencing from v3: a request naming a generation, member or instance id is checked
 * against the group as OffsetCommit is (UNKNOWN_MEMBER_ID, FENCED_INSTANCE_ID,
 * ILLEGAL_GENERATION); without them the commit is accepted whatever the group's state. A KIP-848
 * consumer group checks the member id and member epoch of every commit, of any version (the
 * consumer's group metadata carries the epoch as its generation): UNKNOWN_MEMBER_ID (also for a
 * commit naming no member while the group has members), or ILLEGAL_GENERATION for a stale epoch.
 * Per partition: OFFSET_METADATA_TOO_LARGE, UNKNOWN_TOPIC_OR_PARTITION.
 * The group and the transaction may be coordinated by different brokers (KIP-447): the
 * producer check then goes to the transaction coordinator as AddPartitionsToTxn v4
 * verifyOnly for the group's `__consumer_offsets` partition (INVALID_PRODUCER_ID_MAPPING,
 * INVALID_PRODUCER_EPOCH, INVALID_TXN_STATE as it answers; COORDINATOR_NOT_AVAILABLE when it
 * cannot be asked), and the offsets wait on this broker for the marker the coordinator sends
 * to that partition (src/transactions/service.ts).
 * When this broker coordinates the transaction too (or `__transaction_state` does not exist
 * yet), a transactional id it has never seen is
 * answered with success and its offsets dropped: Kafka 3.9's group coordinator does not ask the
 * transaction coordinator (verification came with KIP-890 part 2, TxnOffsetCommit v5), so such
 * offsets can never be committed there either; the kafkajs suite checks exactly this.
 * v5 (Kafka 4.0, transaction version 2, KIP-890 part 2): the client sends no AddOffsetsToTxn; the
 * group's `__consumer_offsets` partition is added to the transaction here, by the transaction
 * coordinator in place or with AddPartitionsToTxn v5 without verifyOnly (its refusals are the
 * answer: INVALID_PRODUCER_ID_MAPPING, PRODUCER_FENCED, ...; COORDINATOR_NOT_AVAILABLE when it
 * cannot answer), and an unknown transactional id is refused, not accepted.
 * A group coordinated by another broker gets NOT_COORDINATOR (COORDINATOR_LOAD_IN_PROGRESS while its
 * partition loads); the answer waits until what it wrote is committed (docs/replication.md).
 */
import {
  TxnOffsetCommitApi,
  type TxnOffsetCommitRequest,
} from '../../protocol/generated/messages/28-txn-offset-commit.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { defineHandler } from './handler.js';
import { CONSUMER_OFFSETS_TOPIC, TRANSACTION_STATE_TOPIC } from '../broker/internal-topics.js';
import { partitionForGroup } from '../groups/records.js';
import type { RequestContext } from '../server/request-context.js';
import type { PendingOffset } from '../transactions/pending-offsets.js';

/** The first version of transaction version 2: the offsets partition is added here, not by AddOffsetsToTxn. */
export const TXN_OFFSET_COMMIT_TV2_VERSION = 5;

/** The KIP-447 group check; 0 when the commit may proceed. */
function groupError(ctx: RequestContext, request: TxnOffsetCommitRequest): number {
  const named = request.generationId >= 0 || request.memberId !== '' || request.groupInstanceId !== null;
  return ctx.broker.groups.run((c) => {
    // A KIP-848 group checks every commit, as Kafka 3.9's ConsumerGroup does: one without a member
    // (any version before 3 included) is accepted only while the group has no members.
    const consumerGroup = c.store.consumerGroups.groups.get(request.groupId);
    if (consumerGroup) return c.consumer.admin.txnCommitError(consumerGroup, request.memberId, request.generationId);
    if (ctx.apiVersion < 3) return 0;
    const group = c.store.groups.get(request.groupId);
    if (!group) return named && request.generationId >= 0 ? ErrorCode.ILLEGAL_GENERATION : 0;
    if (group.is('Dead')) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    if (!named || (request.generationId < 0 && group.is('Empty'))) return 0;
    const memberError = c.membership.validateMember(group, request.memberId, request.groupInstanceId);
    if (memberError !== 0) return memberError;
    return request.generationId !== group.generationId ? ErrorCode.ILLEGAL_GENERATION : 0;
  });
}

export const txnOffsetCommitHandler = defineHandler({
  api: TxnOffsetCommitApi,
  minVersion: 0,
  maxVersion: 5,
  async handle(ctx, request) {
    const all = (code: (topic: string, partition: number) => number) => ({
      throttleTimeMs: 0,
      topics: request.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({
          partitionIndex: p.partitionIndex,
          errorCode: code(t.name, p.partitionIndex),
        })),
      })),
    });
    const groups = ctx.broker.groups;
    if (request.groupId === '') return all(() => ErrorCode.INVALID_GROUP_ID);
    const notHere = groups.coordinatorError(request.groupId);
    if (notHere !== 0) return all(() => notHere);
    const offsetsPartition = partitionForGroup(request.groupId, groups.numPartitions());
    const txns = ctx.broker.transactions;
    let producerError: number;
    const addsPartition = ctx.apiVersion >= TXN_OFFSET_COMMIT_TV2_VERSION;
    const noTransactionEverSeen = !ctx.broker.controller.image.topicsByName.has(TRANSACTION_STATE_TOPIC);
    if (noTransactionEverSeen && !addsPartition) return all(() => ErrorCode.NONE);
    if (addsPartition) {
      producerError = await txns.verifyPartition(
        request.transactionalId,
        request.producerId,
        request.producerEpoch,
        CONSUMER_OFFSETS_TOPIC,
        offsetsPartition,
        true,
      );
      if (producerError === ErrorCode.NOT_ENOUGH_REPLICAS) producerError = ErrorCode.COORDINATOR_NOT_AVAILABLE;
    } else if (txns.coordinatesHere(request.transactionalId)) {
      if (!txns.coordinator.txns.has(request.transactionalId)) return all(() => ErrorCode.NONE);
      producerError = txns.coordinator.checkOffsetCommit(
        request.transactionalId,
        request.producerId,
        request.producerEpoch,
        CONSUMER_OFFSETS_TOPIC,
        offsetsPartition,
      );
    } else {
      producerError = await txns.verifyPartition(
        request.transactionalId,
        request.producerId,
        request.producerEpoch,
        CONSUMER_OFFSETS_TOPIC,
        offsetsPartition,
      );
      if (producerError === ErrorCode.NOT_ENOUGH_REPLICAS) producerError = ErrorCode.COORDINATOR_NOT_AVAILABLE;
    }
    if (producerError !== 0) return all(() => producerError);
    const memberError = groupError(ctx, request);
    if (memberError !== 0) return all(() => memberError);
    const image = ctx.broker.controller.image;
    const maxMetadata = groups.coordinator.config.offsetMetadataMaxBytes;
    const accepted: PendingOffset[] = [];
    const response = {
      throttleTimeMs: 0,
      topics: request.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => {
          let errorCode: number = ErrorCode.NONE;
          if (p.committedMetadata !== null && Buffer.byteLength(p.committedMetadata) > maxMetadata)
            errorCode = ErrorCode.OFFSET_METADATA_TOO_LARGE;
          else if (!(image.topicsByName.get(t.name)?.partitions.has(p.partitionIndex) ?? false))
            errorCode = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
          else {
            accepted.push({
              topic: t.name,
              partition: p.partitionIndex,
              offset: p.committedOffset,
              leaderEpoch: ctx.apiVersion >= 2 ? p.committedLeaderEpoch : -1,
              metadata: p.committedMetadata ?? '',
            });
          }
          return { partitionIndex: p.partitionIndex, errorCode };
        }),
      })),
    };
    try {
      txns.addOffsets(
        { producerId: request.producerId, producerEpoch: request.producerEpoch },
        request.groupId,
        accepted,
      );
    } catch (error) {
      ctx.log.warn({ groupId: request.groupId, error: String(error) }, 'transactional offsets could not be appended');
      return all(() => ErrorCode.COORDINATOR_NOT_AVAILABLE);
    }
    const committed = accepted.length > 0 ? await groups.whenCommitted(request.groupId) : 0;
    if (committed !== 0) return all(() => committed);
    return response;
  },
});
