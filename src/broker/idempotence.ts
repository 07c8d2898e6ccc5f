/**
 * The produce path's producer-state hooks (see ProducerStateCheck in produce.ts):
 * - before an append, each idempotent/transactional batch is checked against its
 *   partition's producer state: a retried batch among the last five is answered with
 *   its original offsets, a sequence gap is OUT_OF_ORDER_SEQUENCE_NUMBER, an old epoch
 *   INVALID_PRODUCER_EPOCH; with transaction.partition.verification.enable (KIP-890 part 1)
 *   a transactional batch must continue the producer's open transaction in this partition,
 *   or have been verified with its transaction coordinator just before (the produce handler
 *   asks it first: src/transactions/verification.ts), else INVALID_TXN_STATE;
 * - after the append, the state records the batches' sequences and offsets, and each producer's
 *   last batch's max timestamp (DescribeProducers' LastTimestamp; LogAppendTime's stamp under it).
 * producer.id.expiration.ms makes idle producers without an open transaction forgotten.
 */
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import type { BatchSummary } from '../../protocol/records/index.js';
import type { Clock } from '../common/clock.js';
import type { ProducerAppended, ProducerStateCheck } from './produce.js';
import { producerStateOf } from './producer-state-registry.js';
import type { Partition } from './replica-manager.js';

export interface IdempotenceHooks {
  check: ProducerStateCheck;
  appended: ProducerAppended;
}

export function createIdempotenceHooks(
  clock: Clock,
  expirationMs: () => number,
  verificationEnabled: () => boolean,
): IdempotenceHooks {
  const stateOf = (partition: Partition, now: number) => {
    const state = producerStateOf(partition, now);
    state.setExpiration(expirationMs());
    return state;
  };
  const check: ProducerStateCheck = (partition, batch, transactionalId) => {
    const now = clock.now();
    const state = stateOf(partition, now);
    const result = state.check(batch, now);
    if (result.kind === 'duplicate') return { duplicateBaseOffset: result.firstOffset };
    if (result.kind === 'error') return result.errorCode;
    if (batch.transactional) {
      if (transactionalId === null) return ErrorCode.INVALID_TXN_STATE;
      if (
        verificationEnabled() &&
        !state.inTransaction(batch.producerId, batch.producerEpoch) &&
        !state.isVerified(batch.producerId, batch.producerEpoch)
      )
        return ErrorCode.INVALID_TXN_STATE;
    }
    return ErrorCode.NONE;
  };
  const appended: ProducerAppended = (partition, batches: readonly BatchSummary[], baseOffset, logAppendTime) => {
    const now = clock.now();
    const state = stateOf(partition, now);
    let offset = baseOffset;
    for (const b of batches) {
      // LastTimestamp is the batch's max timestamp as written, as Kafka's ProducerAppendInfo takes it.
      if (b.producerId >= 0n)
        state.appended(b, offset, now, logAppendTime >= 0 ? logAppendTime : Number(b.maxTimestamp));
      offset += b.lastOffsetDelta + 1;
    }
  };
  return { check, appended };
}
