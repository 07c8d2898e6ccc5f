/**
 * Kafka error codes the Raft RPCs answer with (numbers from Kafka's error-codes.json), and the typed
 * errors the core throws at its callers.
 * Leaves out: error messages on the wire (the adapter may add them where a version has the field).
 */

export const ErrorCode = {
  NONE: 0,
  OFFSET_OUT_OF_RANGE: 1,
  NOT_LEADER_OR_FOLLOWER: 6,
  BROKER_NOT_AVAILABLE: 8,
  INVALID_REQUEST: 42,
  FENCED_LEADER_EPOCH: 74,
  UNKNOWN_LEADER_EPOCH: 75,
  INCONSISTENT_VOTER_SET: 94,
  SNAPSHOT_NOT_FOUND: 98,
  INCONSISTENT_CLUSTER_ID: 104,
  INVALID_VOTER_KEY: 125,
} as const;

export type ErrorCodeValue = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Thrown when the core is asked to make a state change its transition table forbids: a bug. */
export class IllegalStateTransitionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IllegalStateTransitionError';
  }
}

/** Thrown by propose() on a node that is not the leader; carries what the node knows of the leader. */
export class NotLeaderError extends Error {
  constructor(
    readonly leaderId: number,
    readonly epoch: number,
  ) {
    super(`not the leader (leader ${leaderId}, epoch ${epoch})`);
    this.name = 'NotLeaderError';
  }
}

/** Thrown when a persisted file or a log breaks an invariant the core relies on (corruption or a bug). */
export class RaftInvariantError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RaftInvariantError';
  }
}
