/**
 * The states of a transactional id, with Kafka's ids (the byte stored in
 * `__transaction_state`) and names (what DescribeTransactions/ListTransactions report),
 * and the table of legal transitions, checked on every change.
 *
 *   from \ to          Empty Ongoing PrepCommit PrepAbort CplCommit CplAbort Dead PrepFence
 *   (new)                x
 *   Empty                      x                    x                        x
 *   Ongoing                    x        x           x                                 x
 *   PrepareCommit                                            x
 *   PrepareAbort                                                     x
 *   CompleteCommit       x     x                    x                        x
 *   CompleteAbort        x     x                    x                        x
 *   PrepareEpochFence                               x
 *   Dead                 (none)
 *
 * Empty/Complete* -> Empty is an InitProducerId epoch bump; Empty/Complete* ->
 * PrepareAbort is the epoch-bump abort of KIP-360 with nothing open (markers: none).
 */
import { IllegalTxnTransitionError } from './errors.js';
export { IllegalTxnTransitionError };
export const TxnState = {
  Empty: 0,
  Ongoing: 1,
  PrepareCommit: 2,
  PrepareAbort: 3,
  CompleteCommit: 4,
  CompleteAbort: 5,
  Dead: 6,
  PrepareEpochFence: 7,
} as const;

export type TxnStateId = (typeof TxnState)[keyof typeof TxnState];

export const TXN_STATE_NAMES: Readonly<Record<TxnStateId, string>> = {
  0: 'Empty',
  1: 'Ongoing',
  2: 'PrepareCommit',
  3: 'PrepareAbort',
  4: 'CompleteCommit',
  5: 'CompleteAbort',
  6: 'Dead',
  7: 'PrepareEpochFence',
};

const S = TxnState;

/** Legal next states of each state. */
export const TXN_TRANSITIONS: Readonly<Record<TxnStateId, readonly TxnStateId[]>> = {
  [S.Empty]: [S.Empty, S.Ongoing, S.PrepareAbort, S.Dead],
  [S.Ongoing]: [S.Ongoing, S.PrepareCommit, S.PrepareAbort, S.PrepareEpochFence],
  [S.PrepareCommit]: [S.CompleteCommit],
  [S.PrepareAbort]: [S.CompleteAbort],
  [S.CompleteCommit]: [S.Empty, S.Ongoing, S.PrepareAbort, S.Dead],
  [S.CompleteAbort]: [S.Empty, S.Ongoing, S.PrepareAbort, S.Dead],
  [S.PrepareEpochFence]: [S.PrepareAbort],
  [S.Dead]: [],
};

export function isTxnStateId(n: number): n is TxnStateId {
  return Number.isInteger(n) && n >= 0 && n <= 7;
}

export function txnStateByName(name: string): TxnStateId | undefined {
  for (const [id, n] of Object.entries(TXN_STATE_NAMES)) if (n === name) return Number(id) as TxnStateId;
  return undefined;
}

/** Throws unless `from -> to` is in the table. */
export function checkTxnTransition(transactionalId: string, from: TxnStateId, to: TxnStateId): void {
  if (!TXN_TRANSITIONS[from].includes(to)) {
    throw new IllegalTxnTransitionError(
      `transaction ${transactionalId}: illegal transition ${TXN_STATE_NAMES[from]} -> ${TXN_STATE_NAMES[to]}`,
    );
  }
}
