/**
 * DescribeTransactions, version 0. The state of each named transactional id: state
 * name, timeout, start time, producer id and epoch, and its partitions.
 * Unknown ids get TRANSACTIONAL_ID_NOT_FOUND. Leaves out: ACL checks.
 * An id coordinated by another broker gets NOT_COORDINATOR (COORDINATOR_LOAD_IN_PROGRESS while its
 * partition loads) (docs/replication.md).
 */
import { DescribeTransactionsApi } from '../../protocol/generated/messages/65-describe-transactions.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { defineHandler } from './handler.js';
import { TXN_STATE_NAMES } from '../transactions/txn-state.js';

export const describeTransactionsHandler = defineHandler({
  api: DescribeTransactionsApi,
  minVersion: 0,
  maxVersion: 0,
  handle(ctx, request) {
    const txns = ctx.broker.transactions.coordinator.txns;
    return {
      throttleTimeMs: 0,
      transactionStates: request.transactionalIds.map((id) => {
        const notHere = ctx.broker.transactions.coordinatorError(id);
        const m = notHere === 0 ? txns.get(id) : undefined;
        if (!m) {
          return {
            errorCode: notHere !== 0 ? notHere : ErrorCode.TRANSACTIONAL_ID_NOT_FOUND,
            transactionalId: id,
            transactionState: '',
            transactionTimeoutMs: 0,
            transactionStartTimeMs: -1n,
            producerId: -1n,
            producerEpoch: -1,
            topics: [],
          };
        }
        return {
          errorCode: 0,
          transactionalId: id,
          transactionState: TXN_STATE_NAMES[m.state],
          transactionTimeoutMs: m.timeoutMs,
          transactionStartTimeMs: BigInt(m.startTimestamp),
          producerId: m.producerId,
          producerEpoch: m.producerEpoch,
          topics: [...m.partitions].map(([topic, ids]) => ({ topic, partitions: [...ids].sort((a, b) => a - b) })),
        };
      }),
    };
  },
});
