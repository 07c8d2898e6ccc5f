/** Error-code mapping shared by the transaction handlers. */
import { ErrorCode } from '../../protocol/generated/error-codes.js';

/**
 * PRODUCER_FENCED (90) exists for clients from a given version of each API; older
 * versions are told INVALID_PRODUCER_EPOCH (47), as Kafka does.
 */
export function fencedErrorFor(errorCode: number, apiVersion: number, firstVersionWithFenced: number): number {
  return errorCode === ErrorCode.PRODUCER_FENCED && apiVersion < firstVersionWithFenced
    ? ErrorCode.INVALID_PRODUCER_EPOCH
    : errorCode;
}

export class IllegalTxnTransitionError extends Error {
  override readonly name = 'IllegalTxnTransitionError';
}
