/**
 * KIP-630 snapshots: restoring the latest one at start, taking one at the applied offset (the log
 * drops the prefix it covers), serving it in chunks (FetchSnapshot, leader side), assembling the
 * chunks a follower downloads, and installing the result.
 * Leaves out: when to snapshot (the driver's snapshot-trigger.ts) and the FetchSnapshot messages
 * themselves (leader-replication.ts, follower-replication.ts).
 */
import type { CommitState } from './commit-state.js';
import { ErrorCode, RaftInvariantError } from './errors.js';
import type { RaftLog } from './raft-log.js';
import type { ReplicatedStateMachine } from './state-machine.js';
import type { SnapshotId } from './types.js';

export type SnapshotChunk =
  | { readonly found: true; readonly size: number; readonly bytes: Buffer }
  | { readonly found: false; readonly partitionErrorCode: number };

export class Snapshots {
  constructor(
    private readonly log: RaftLog,
    private readonly stateMachine: ReplicatedStateMachine,
    private readonly commit: CommitState,
  ) {}

  /** Restores the state machine from the log's latest snapshot, if it has one (at start). */
  restoreLatest(): void {
    const snapshot = this.log.latestSnapshotId();
    if (!snapshot) return;
    const data = this.log.readSnapshot(snapshot);
    if (!data) throw new RaftInvariantError('latest snapshot has no data');
    this.stateMachine.restore(data);
    this.commit.restoredTo(snapshot.endOffset);
  }

  /**
   * Snapshots the state machine at the applied offset and lets the log drop the prefix it covers.
   * Returns the snapshot id, or undefined when there is nothing new to cover.
   */
  take(): SnapshotId | undefined {
    const endOffset = this.commit.appliedOffset();
    if (endOffset <= this.log.startOffset()) return undefined;
    const epoch = this.log.epochOf(endOffset - 1);
    if (epoch === undefined) return undefined;
    if (this.log.flushedOffset() < endOffset) this.log.flush();
    const id: SnapshotId = { endOffset, epoch };
    this.log.createSnapshot(id, this.stateMachine.snapshot());
    return id;
  }

  /** Replaces log and state machine with a snapshot downloaded from the leader, unless it is not newer. */
  install(id: SnapshotId, data: Buffer): void {
    if (id.endOffset <= this.commit.appliedOffset()) return;
    this.log.installSnapshot(id, data);
    this.stateMachine.restore(data);
    this.commit.restoredTo(id.endOffset);
  }

  /** The bytes of snapshot `id` from `position`, at most `maxBytes`; or why not. */
  readChunk(id: SnapshotId, position: number, maxBytes: number): SnapshotChunk {
    const data = this.log.readSnapshot(id);
    if (!data) return { found: false, partitionErrorCode: ErrorCode.SNAPSHOT_NOT_FOUND };
    // Kafka answers POSITION_OUT_OF_RANGE (99), which the shared error table lacks; INVALID_REQUEST instead.
    if (position > data.length) return { found: false, partitionErrorCode: ErrorCode.INVALID_REQUEST };
    const end = Math.min(data.length, position + maxBytes);
    return { found: true, size: data.length, bytes: data.subarray(position, end) };
  }
}

/** One answer of a FetchSnapshot, as the download sees it. */
export interface SnapshotChunkAnswer {
  readonly snapshotId: SnapshotId;
  readonly size: number;
  readonly position: number;
  readonly bytes: Buffer;
}

export type DownloadProgress =
  { readonly kind: 'abort' } | { readonly kind: 'more' } | { readonly kind: 'done'; readonly data: Buffer };

/** A follower's download of one snapshot: chunks must arrive in order, for the same id. */
export class SnapshotDownload {
  private readonly chunks: Buffer[] = [];
  private nextPosition = 0;

  constructor(readonly id: SnapshotId) {}

  /** Where the next chunk starts. */
  get position(): number {
    return this.nextPosition;
  }

  /** Takes one chunk: 'abort' if it does not fit (start over), 'more' to ask for the next, or the whole snapshot. */
  accept(answer: SnapshotChunkAnswer): DownloadProgress {
    const sameId = answer.snapshotId.endOffset === this.id.endOffset && answer.snapshotId.epoch === this.id.epoch;
    const chunkEnd = answer.position + answer.bytes.length;
    if (
      !sameId ||
      answer.position !== this.nextPosition ||
      chunkEnd > answer.size ||
      !Number.isSafeInteger(answer.size)
    )
      return { kind: 'abort' };
    if (answer.bytes.length === 0 && chunkEnd < answer.size) return { kind: 'more' }; // no progress; ask again
    this.chunks.push(Buffer.from(answer.bytes));
    this.nextPosition = chunkEnd;
    if (this.nextPosition < answer.size) return { kind: 'more' };
    return { kind: 'done', data: Buffer.concat(this.chunks) };
  }
}
