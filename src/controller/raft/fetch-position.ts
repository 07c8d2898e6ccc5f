/**
 * Log-matching checks of pull replication, as KRaft does them: the leader validates a follower's
 * (fetchOffset, lastFetchedEpoch) against its own log and answers valid, diverging (truncate to this
 * epoch's end) or snapshot (the position is below the log start); the follower turns a diverging
 * answer into the offset it truncates to.
 * Leaves out: the fetch itself (leader-replication.ts, follower-replication.ts) and any I/O.
 */
import type { RaftLog } from './raft-log.js';
import type { EpochEndOffset, SnapshotId } from './types.js';

export type FetchPosition =
  | { readonly kind: 'valid' }
  | { readonly kind: 'diverging'; readonly divergingEpoch: EpochEndOffset }
  | { readonly kind: 'snapshot'; readonly snapshotId: SnapshotId };

/** Checks a follower's fetch position against the leader's log. */
export function validateFetchPosition(log: RaftLog, fetchOffset: number, lastFetchedEpoch: number): FetchPosition {
  const start = log.startOffset();
  const snapshot = log.latestSnapshotId();
  const toSnapshot = (): FetchPosition =>
    snapshot
      ? { kind: 'snapshot', snapshotId: snapshot }
      : { kind: 'diverging', divergingEpoch: { epoch: 0, endOffset: 0 } };
  if (fetchOffset < start) return toSnapshot();
  if (fetchOffset === 0) return { kind: 'valid' };
  if (fetchOffset === start && snapshot) {
    return snapshot.epoch === lastFetchedEpoch ? { kind: 'valid' } : toSnapshot();
  }
  const found = log.endOffsetForEpoch(lastFetchedEpoch);
  if (found.epoch < 0 || found.endOffset < start) return toSnapshot();
  if (found.epoch !== lastFetchedEpoch || found.endOffset < fetchOffset)
    return { kind: 'diverging', divergingEpoch: found };
  return { kind: 'valid' };
}

/**
 * Where a follower truncates after a diverging answer: the end of the diverging epoch in the leader's
 * log or in its own, whichever is lower (never below its log start).
 */
export function truncationOffset(log: RaftLog, diverging: EpochEndOffset): number {
  const own = log.endOffsetForEpoch(diverging.epoch);
  const ownEnd = own.epoch < 0 ? log.startOffset() : own.endOffset;
  return Math.max(log.startOffset(), Math.min(diverging.endOffset, ownEnd, log.endOffset()));
}
