/**
 * ListTransactions, versions 0-2. The transactional ids this coordinator knows, filtered
 * by state names (unknown names are echoed in unknownStateFilters), producer ids,
 * (v1) running time: with durationFilter >= 0 only transactions started at least that
 * many ms ago, and (v2, Kafka 4.1, KIP-1152) transactionalIdPattern: an RE2/J expression
 * the whole id must match (null or empty: every id; one that does not compile answers
 * INVALID_REGULAR_EXPRESSION with the reason, as the consumer-group regex does, see
 * groups/consumer/topic-regex.ts for the RE2 syntax served). Lists the ids of the
 * `__transaction_state` partitions this broker leads; COORDINATOR_LOAD_IN_PROGRESS while one of
 * them loads, as Kafka.
 */
import { ListTransactionsApi } from '../../protocol/generated/messages/66-list-transactions.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { compileTopicRegex } from '../groups/consumer/topic-regex.js';
import { defineHandler } from './handler.js';
import { TXN_STATE_NAMES, txnStateByName } from '../transactions/txn-state.js';

export const listTransactionsHandler = defineHandler({
  api: ListTransactionsApi,
  minVersion: 0,
  maxVersion: 2,
  handle(ctx, request) {
    const now = ctx.clock.now();
    const pattern = ctx.apiVersion >= 2 ? (request.transactionalIdPattern ?? '') : '';
    let idRegex: RegExp | null = null;
    if (pattern !== '') {
      const compiled = compileTopicRegex(pattern, 'TransactionalIdPattern');
      if (!compiled.ok)
        return {
          throttleTimeMs: 0,
          errorCode: ErrorCode.INVALID_REGULAR_EXPRESSION,
          unknownStateFilters: [],
          transactionStates: [],
        };
      idRegex = compiled.regex;
    }
    const unknownStateFilters = request.stateFilters.filter((s) => txnStateByName(s) === undefined);
    if (ctx.broker.transactions.partitions.loading())
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
        unknownStateFilters,
        transactionStates: [],
      };
    const states = new Set(request.stateFilters);
    const pids = new Set(request.producerIdFilters);
    const duration = ctx.apiVersion >= 1 ? Number(request.durationFilter) : -1;
    const transactionStates = [...ctx.broker.transactions.coordinator.txns.values()]
      .filter((m) => states.size === 0 || states.has(TXN_STATE_NAMES[m.state]))
      .filter((m) => pids.size === 0 || pids.has(m.producerId))
      .filter((m) => duration < 0 || (m.startTimestamp >= 0 && now - m.startTimestamp >= duration))
      .filter((m) => idRegex === null || idRegex.test(m.transactionalId))
      .map((m) => ({
        transactionalId: m.transactionalId,
        producerId: m.producerId,
        transactionState: TXN_STATE_NAMES[m.state],
      }));
    return { throttleTimeMs: 0, errorCode: 0, unknownStateFilters, transactionStates };
  },
});
