/**
 * Persistence of the election state: Kafka's quorum-state file (QuorumStateData). The core writes it
 * before sending any answer that depends on it (a granted vote, a new epoch, a known leader), and a
 * write is durable (fsynced) when write() returns.
 * Leaves out: the JSON file format and atomic rename; a disk backing writes a temp file, fsyncs and
 * renames, as Kafka's FileQuorumStateStore does.
 */
import { NO_NODE } from './types.js';

export interface QuorumStateData {
  readonly clusterId: string | null;
  readonly leaderId: number;
  readonly leaderEpoch: number;
  readonly votedId: number;
  /** Legacy v0 field; the core writes the offset its state machine has applied (informational). */
  readonly appliedOffset: number;
  readonly currentVoters: readonly number[] | null;
}

export interface QuorumStateStore {
  /** The last durable state, or undefined on first start. */
  read(): QuorumStateData | undefined;
  /** Replaces the state durably. */
  write(state: QuorumStateData): void;
}

export function initialQuorumState(clusterId: string | null, voters: readonly number[]): QuorumStateData {
  return {
    clusterId,
    leaderId: NO_NODE,
    leaderEpoch: 0,
    votedId: NO_NODE,
    appliedOffset: 0,
    currentVoters: [...voters],
  };
}

/** Keeps the state in memory; it survives a simulated crash because the simulation keeps the object. */
export class InMemoryQuorumStateStore implements QuorumStateStore {
  private state: QuorumStateData | undefined;
  writes = 0;

  read(): QuorumStateData | undefined {
    return this.state;
  }

  write(state: QuorumStateData): void {
    this.state = { ...state, currentVoters: state.currentVoters ? [...state.currentVoters] : null };
    this.writes++;
  }
}
