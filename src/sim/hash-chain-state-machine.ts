/**
 * A tiny replicated state machine for tests: it folds every applied payload into a running 32-bit
 * FNV-1a hash and counts entries, so two replicas agree only if they applied the same entries in
 * the same order. Snapshots are 8 bytes (count, hash).
 * Leaves out: anything a real controller keeps (the metadata image lives elsewhere).
 */
import type { ReplicatedStateMachine } from '../controller/raft/state-machine.js';
import type { RaftEntry } from '../controller/raft/types.js';

export interface ChainState {
  readonly count: number;
  readonly hash: number;
}

export const EMPTY_CHAIN: ChainState = { count: 0, hash: 0x811c9dc5 };

export function foldPayload(state: ChainState, payload: Buffer): ChainState {
  let hash = state.hash;
  for (let i = 0; i < payload.length; i++) {
    hash ^= payload[i] as number;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  hash ^= payload.length & 0xff;
  hash = Math.imul(hash, 0x01000193) >>> 0;
  return { count: state.count + 1, hash };
}

export class HashChainStateMachine implements ReplicatedStateMachine {
  state: ChainState = EMPTY_CHAIN;
  applied = 0;
  restores = 0;

  apply(entry: RaftEntry): void {
    this.state = foldPayload(this.state, entry.payload);
    this.applied++;
  }

  snapshot(): Buffer {
    const out = Buffer.alloc(8);
    out.writeUInt32BE(this.state.count, 0);
    out.writeUInt32BE(this.state.hash, 4);
    return out;
  }

  restore(snapshot: Buffer): void {
    if (snapshot.length !== 8) throw new RangeError(`hash-chain snapshot must be 8 bytes, got ${snapshot.length}`);
    this.state = { count: snapshot.readUInt32BE(0), hash: snapshot.readUInt32BE(4) };
    this.restores++;
  }
}
