/**
 * EndTxn, versions 0-4. Commits or aborts the ongoing transaction: PrepareCommit/
 * PrepareAbort is written to `__transaction_state`, markers go to every partition of
 * the transaction, pending offsets are committed to (or dropped from) the group, then
 * CompleteCommit/CompleteAbort. A retried EndTxn of a finished transaction succeeds;
 * the opposite decision, or ending with nothing started, is INVALID_TXN_STATE; a stale
 * epoch is PRODUCER_FENCED (INVALID_PRODUCER_EPOCH before v2).
 * Leaves out: v5 (KIP-890 part 2 epoch bump per transaction).
 * An id coordinated by another broker gets NOT_COORDINATOR (COORDINATOR_LOAD_IN_PROGRESS while its
 * partition loads); the answer waits until what it wrote is committed (docs/replication.md).
 */
import { EndTxnApi, defaultEndTxnResponse } from '../../protocol/generated/messages/26-end-txn.js';
import { defineHandler } from './handler.js';
import { fencedErrorFor } from '../transactions/errors.js';

export const endTxnHandler = defineHandler({
  api: EndTxnApi,
  minVersion: 0,
  maxVersion: 4,
  async handle(ctx, request) {
    const txns = ctx.broker.transactions;
    const notHere = txns.coordinatorError(request.transactionalId);
    if (notHere !== 0) return { ...defaultEndTxnResponse(), errorCode: notHere };
    const code = txns.run((c, now) =>
      c.endTxn(request.transactionalId, request.producerId, request.producerEpoch, request.committed, now),
    );
    const committed = code === 0 ? await txns.whenCommitted(request.transactionalId) : 0;
    return {
      ...defaultEndTxnResponse(),
      errorCode: committed !== 0 ? committed : fencedErrorFor(code, ctx.apiVersion, 2),
    };
  },
});
