/**
 * KIP-890 part 1 on the partition leader (transaction.partition.verification.enable, true by
 * default as in Kafka 3.9): before the first transactional write of a producer to a partition
 * (no open transaction of that producer and epoch here), the leader asks the producer's
 * transaction coordinator whether the partition is in the ongoing transaction: in place when
 * this broker leads the transactional id's `__transaction_state` partition, else with an
 * AddPartitionsToTxn v4 `verifyOnly` request to that leader. A yes is remembered in the
 * partition's producer state (the VerificationGuard), which the synchronous produce check then
 * requires; the guard is dropped by the first append or by a marker.
 * Answers for the produce response: the coordinator's INVALID_TXN_STATE,
 * INVALID_PRODUCER_EPOCH, INVALID_PRODUCER_ID_MAPPING as they come (PRODUCER_FENCED becomes
 * INVALID_PRODUCER_EPOCH); an unreachable, loading,
 * moving or busy coordinator (NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE,
 * COORDINATOR_LOAD_IN_PROGRESS, CONCURRENT_TRANSACTIONS, no leader, no answer) is
 * NOT_ENOUGH_REPLICAS, which producers retry, as Kafka maps them.
 * Transaction version 2 (KIP-890 part 2, Produce v12+ and TxnOffsetCommit v5): the same question
 * becomes an add (`add`): the coordinator adds the partition to the transaction itself (starting
 * it if need be), with AddPartitionsToTxn v5 without verifyOnly when it is elsewhere; the client
 * sends no AddPartitionsToTxn / AddOffsetsToTxn then.
 * Leaves out: batching the verifications of several produce requests into one request.
 */
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { AddPartitionsToTxnApi } from '../../protocol/generated/messages/24-add-partitions-to-txn.js';
import { TRANSACTION_STATE_TOPIC } from '../broker/internal-topics.js';
import type { MetadataImage } from '../metadata/image.js';
import { partitionForTransactionalId } from './txn-log.js';
import type { BrokerChannel } from './broker-channel.js';

/** AddPartitionsToTxn version brokers send (v4: batched, verifyOnly). */
export const VERIFY_VERSION = 4;
/** AddPartitionsToTxn version brokers send to add a partition for a transaction version 2 client. */
export const ADD_VERSION = 5;

const PASSED_THROUGH: ReadonlySet<number> = new Set([
  ErrorCode.NONE,
  ErrorCode.INVALID_TXN_STATE,
  ErrorCode.INVALID_PRODUCER_EPOCH,
  ErrorCode.PRODUCER_FENCED,
  ErrorCode.INVALID_PRODUCER_ID_MAPPING,
  ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
]);

export interface VerifierDeps {
  nodeId: number;
  image: () => MetadataImage;
  channel: Pick<BrokerChannel, 'request'>;
  /** The local coordinator's answer (used when this broker leads the transactional id's partition). */
  verifyLocally(transactionalId: string, producerId: bigint, epoch: number, topic: string, partition: number): number;
  /** The local coordinator adds the partition (TV2) and answers once that is committed. */
  addLocally(q: VerifyQuestion): Promise<number>;
}

export interface VerifyQuestion {
  transactionalId: string;
  producerId: bigint;
  producerEpoch: number;
  topic: string;
  partition: number;
  /** Transaction version 2: add the partition to the transaction instead of asking whether it is in. */
  add?: boolean;
}

/** The broker id leading the transactional id's `__transaction_state` partition, or -1. */
export function transactionCoordinatorOf(image: MetadataImage, transactionalId: string): number {
  const topic = image.topicsByName.get(TRANSACTION_STATE_TOPIC);
  if (!topic || topic.partitions.size === 0) return -1;
  return topic.partitions.get(partitionForTransactionalId(transactionalId, topic.partitions.size))?.leader ?? -1;
}

/** Asks the coordinator; answers one of the PASSED_THROUGH codes or NOT_ENOUGH_REPLICAS. */
export async function verifyWithCoordinator(deps: VerifierDeps, q: VerifyQuestion): Promise<number> {
  const coordinator = transactionCoordinatorOf(deps.image(), q.transactionalId);
  if (coordinator < 0) return ErrorCode.NOT_ENOUGH_REPLICAS;
  let code: number;
  const add = q.add === true;
  if (coordinator === deps.nodeId) {
    code = add
      ? await deps.addLocally(q)
      : deps.verifyLocally(q.transactionalId, q.producerId, q.producerEpoch, q.topic, q.partition);
  } else {
    try {
      const response = await deps.channel.request(
        coordinator,
        AddPartitionsToTxnApi,
        add ? ADD_VERSION : VERIFY_VERSION,
        {
          transactions: [
            {
              transactionalId: q.transactionalId,
              producerId: q.producerId,
              producerEpoch: q.producerEpoch,
              verifyOnly: !add,
              topics: [{ name: q.topic, partitions: [q.partition] }],
            },
          ],
          v3AndBelowTransactionalId: '',
          v3AndBelowProducerId: 0n,
          v3AndBelowProducerEpoch: 0,
          v3AndBelowTopics: [],
        },
      );
      code =
        response.errorCode !== ErrorCode.NONE
          ? response.errorCode
          : (response.resultsByTransaction[0]?.topicResults[0]?.resultsByPartition[0]?.partitionErrorCode ??
            ErrorCode.UNKNOWN_SERVER_ERROR);
    } catch {
      return ErrorCode.NOT_ENOUGH_REPLICAS;
    }
  }
  // Producers expect INVALID_PRODUCER_EPOCH here, as Kafka's AddPartitionsToTxnManager answers them.
  if (code === ErrorCode.PRODUCER_FENCED) return ErrorCode.INVALID_PRODUCER_EPOCH;
  return PASSED_THROUGH.has(code) ? code : ErrorCode.NOT_ENOUGH_REPLICAS;
}
