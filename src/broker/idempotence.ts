/**
 * The produce path's producer-state hooks (see ProducerStateCheck in produce.ts):
 * - before an append, each idempotent/transactional batch is checked against its
 *   partition's producer state: a retried batch among the last five is answered with
 *   its original offsets, a sequence gap is OUT_OF_ORDER_SEQUENCE_NUMBER, an old epoch
 *   INVALID_PRODUCER_EPOCH; a transactional batch must belong to a partition the
 *   coordinator has in the producer's ongoing transaction (KIP-890 part 1), else
 *   INVALID_TXN_STATE (or INVALID_PRODUCER_EPOCH when the coordinator has moved on);
 * - after the append, the state records the batches' sequences and offsets.
 * producer.id.expiration.ms makes idle producers without an open transaction forgotten.
 */
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import type { BatchSummary } from '../../protocol/records/index.js';
import type { Clock } from '../common/clock.js';
import type { ProducerAppended, ProducerStateCheck } from './produce.js';
import { producerStateOf } from './producer-state-registry.js';
import type { Partition } from './replica-manager.js';

/** Asks the transaction coordinator whether a transactional batch may be written (0: yes). */
export type TransactionVerifier = (
  transactionalId: string,
  producerId: bigint,
  producerEpoch: number,
  topic: string,
  partition: number,
) => number;

export interface IdempotenceHooks {
  check: ProducerStateCheck;
  appended: ProducerAppended;
}

export function createIdempotenceHooks(
  clock: Clock,
  expirationMs: () => number,
  verifier: TransactionVerifier | null,
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
      if (verifier)
        return verifier(transactionalId, batch.producerId, batch.producerEpoch, partition.topic, partition.index);
    }
    return ErrorCode.NONE;
  };
  const appended: ProducerAppended = (partition, batches: readonly BatchSummary[], baseOffset) => {
    const now = clock.now();
    const state = stateOf(partition, now);
    let offset = baseOffset;
    for (const b of batches) {
      if (b.producerId >= 0n) state.appended(b, offset, now);
      offset += b.lastOffsetDelta + 1;
    }
  };
  return { check, appended };
}
