/**
 * The replicated state machine the Raft core drives. It is abstract: the metadata controller (or a
 * test) supplies one. Only committed, non-control entries are applied, in offset order.
 * Leaves out: how payloads are decoded (the state machine's business).
 */
import type { RaftEntry } from './types.js';

export interface ReplicatedStateMachine {
  /** Applies one committed entry. Must be deterministic. */
  apply(entry: RaftEntry): void;
  /** Serialises the state reached after every entry applied so far. */
  snapshot(): Buffer;
  /** Replaces the whole state with a snapshot's. */
  restore(snapshot: Buffer): void;
}
