/**
 * Basic value types of the Raft core: log entries, (offset, epoch) pairs, snapshot ids, and the
 * injected random source. Offsets and epochs are plain numbers; an offset past 2^53 is refused by
 * the log implementations, never rounded.
 * Leaves out: wire encodings (a protocol adapter maps these to Kafka record batches).
 */

/** No leader / no vote, as in Kafka's QuorumStateData (-1). */
export const NO_NODE = -1;

/**
 * One entry of the replicated log. `control` marks a Raft control record (the LeaderChange record a
 * new leader writes at the start of its epoch); the replicated state machine never sees those.
 */
export interface RaftEntry {
  readonly offset: number;
  readonly epoch: number;
  readonly payload: Buffer;
  readonly control: boolean;
}

/** A position in the log: the offset just past an entry, and that entry's epoch. */
export interface OffsetAndEpoch {
  readonly offset: number;
  readonly epoch: number;
}

/** KIP-630 snapshot id: the snapshot covers every offset below endOffset; epoch is that of endOffset - 1. */
export interface SnapshotId {
  readonly endOffset: number;
  readonly epoch: number;
}

/** The diverging-epoch answer of a fetch (FetchResponse DivergingEpoch). */
export interface EpochEndOffset {
  readonly epoch: number;
  readonly endOffset: number;
}

/** Uniform random numbers in [0, 1). The simulation injects a seeded one. */
export interface RandomSource {
  next(): number;
}

export const mathRandom: RandomSource = { next: () => Math.random() };

/** Whether `n` fits Kafka's int32 (epochs, ids on the wire). */
export function isInt32(n: number): boolean {
  return Number.isInteger(n) && n >= -0x80000000 && n <= 0x7fffffff;
}

/** Guards an offset: a non-negative safe integer. */
export function checkOffset(offset: number, what = 'offset'): number {
  if (!Number.isSafeInteger(offset) || offset < 0)
    throw new RangeError(`${what} ${offset} is not a safe non-negative integer`);
  return offset;
}
