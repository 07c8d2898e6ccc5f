/**
 * EndTxn, versions 0-5. Commits or aborts the ongoing transaction: PrepareCommit/
 * PrepareAbort is written to `__transaction_state`, markers go to every partition of
 * the transaction, pending offsets are committed to (or dropped from) the group, then
 * CompleteCommit/CompleteAbort. A retried EndTxn of a finished transaction succeeds;
 * the opposite decision, or ending with nothing started, is INVALID_TXN_STATE; a stale
 * epoch is PRODUCER_FENCED (INVALID_PRODUCER_EPOCH before v2).
 * v5 (Kafka 4.0, transaction version 2, KIP-890 part 2): the producer epoch is bumped with every
 * EndTxn (the markers carry the bumped epoch) and the answer names the producer id and epoch the
 * client continues with (a new producer id at epoch 0 when the epoch was exhausted); a retry names
 * the epoch before the bump and gets the same answer. Before v5 both fields are absent (-1).
 * An id coordinated by another broker gets NOT_COORDINATOR (COORDINATOR_LOAD_IN_PROGRESS while its
 * partition loads); the answer waits until what it wrote is committed (docs/replication.md).
 */
import { EndTxnApi, defaultEndTxnResponse } from '../../protocol/generated/messages/26-end-txn.js';
import { defineHandler } from './handler.js';
import { fencedErrorFor } from '../transactions/errors.js';

/** The first EndTxn version of transaction version 2 (epoch bump per transaction). */
export const END_TXN_TV2_VERSION = 5;

export const endTxnHandler = defineHandler({
  api: EndTxnApi,
  minVersion: 0,
  maxVersion: 5,
  async handle(ctx, request) {
    const txns = ctx.broker.transactions;
    const notHere = txns.coordinatorError(request.transactionalId);
    if (notHere !== 0) return { ...defaultEndTxnResponse(), errorCode: notHere };
    const clientTransactionVersion = ctx.apiVersion >= END_TXN_TV2_VERSION ? 2 : 0;
    const { code, after } = txns.run((c, now) => {
      const endCode = c.endTxn(
        request.transactionalId,
        request.producerId,
        request.producerEpoch,
        request.committed,
        now,
        clientTransactionVersion,
      );
      // What the client continues with, taken now: a later request may move the id on.
      return { code: endCode, after: c.producerAfterEnd(request.transactionalId) };
    });
    const committed = code === 0 ? await txns.whenCommitted(request.transactionalId) : 0;
    const errorCode = committed !== 0 ? committed : fencedErrorFor(code, ctx.apiVersion, 2);
    if (errorCode !== 0 || ctx.apiVersion < END_TXN_TV2_VERSION) return { ...defaultEndTxnResponse(), errorCode };
    return { ...defaultEndTxnResponse(), errorCode, producerId: after.producerId, producerEpoch: after.producerEpoch };
  },
});
