/**
 * InitProducerId, versions 0-5.
 * Without a transactional id: a fresh producer id (from a block allocated through the
 * metadata log) with epoch 0, for idempotent producers. With one: the transaction
 * coordinator creates the id or bumps its epoch (an ongoing transaction is aborted
 * first, fencing the old producer); transactionTimeoutMs must be in
 * (0, transaction.max.timeout.ms] (INVALID_TRANSACTION_TIMEOUT). v3+ may name the
 * producer id and epoch it holds (KIP-360): a retried bump is answered with the current
 * epoch, a stale pair gets PRODUCER_FENCED (INVALID_PRODUCER_EPOCH before v4).
 * `__transaction_state` is created on first use. Producer ids come in blocks from the active
 * controller (AllocateProducerIds from other nodes); without one: COORDINATOR_LOAD_IN_PROGRESS.
 * An id coordinated by another broker gets NOT_COORDINATOR (COORDINATOR_LOAD_IN_PROGRESS while its
 * partition loads); the answer waits until what it wrote is committed (docs/replication.md).
 */
import {
  InitProducerIdApi,
  type InitProducerIdResponse,
} from '../../protocol/generated/messages/22-init-producer-id.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { defineHandler } from './handler.js';
import { fencedErrorFor } from '../transactions/errors.js';

const failed = (errorCode: number): InitProducerIdResponse => ({
  throttleTimeMs: 0,
  errorCode,
  producerId: -1n,
  producerEpoch: -1,
});

export const initProducerIdHandler = defineHandler({
  api: InitProducerIdApi,
  minVersion: 0,
  maxVersion: 5,
  async handle(ctx, request) {
    const txns = ctx.broker.transactions;
    const transactionalId = request.transactionalId;
    const transactional = transactionalId !== null && transactionalId !== '';
    if (transactional) {
      const notHere = txns.coordinatorError(transactionalId);
      if (notHere !== 0) return failed(notHere);
    }
    // A producer-id block from the active controller (Kafka answers COORDINATOR_LOAD_IN_PROGRESS while it has none).
    if ((await txns.prepareProducerIds()) !== 0) return failed(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
    const expected = ctx.apiVersion >= 3 ? { producerId: request.producerId, epoch: request.producerEpoch } : null;
    try {
      const result = txns.run((c, now) =>
        c.initProducerId(transactionalId, request.transactionTimeoutMs, expected, now),
      );
      const committed = transactional && result.errorCode === 0 ? await txns.whenCommitted(transactionalId) : 0;
      if (committed !== 0) return failed(committed);
      return {
        throttleTimeMs: 0,
        errorCode: fencedErrorFor(result.errorCode, ctx.apiVersion, 4),
        producerId: result.producerId,
        producerEpoch: result.producerEpoch,
      };
    } catch (error) {
      ctx.log.warn({ error: String(error) }, 'InitProducerId failed');
      return failed(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    }
  },
});
