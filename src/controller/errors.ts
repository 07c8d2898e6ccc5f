/** The errors of the controller: quorum state files, peer requests, the Raft wire format. */
import { ErrorCode } from '../../protocol/generated/error-codes.js';

export class QuorumStateFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QuorumStateFileError';
  }
}

export class PeerRequestError extends Error {
  constructor(
    message: string,
    readonly peer: number,
    /** `unreachable`: the connection was refused, reset or closed (or is backing off after that); `timeout`: no answer in time. */
    readonly kind: 'unreachable' | 'timeout' | 'unknown-peer' = 'unreachable',
  ) {
    super(message);
    this.name = 'PeerRequestError';
  }
}

export class RaftWireError extends Error {
  constructor(
    message: string,
    readonly errorCode: number = ErrorCode.INVALID_REQUEST,
  ) {
    super(message);
    this.name = 'RaftWireError';
  }
}
