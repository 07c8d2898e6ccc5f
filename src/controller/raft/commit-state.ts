/**
 * The committed prefix of the log as one node knows it: the high watermark (never lowered, never past
 * the log end) and the applied offset (committed entries handed to the state machine, in order,
 * control entries skipped).
 * Leaves out: how the leader computes the high watermark (leader-progress.ts) and snapshots
 * (snapshots.ts moves both offsets past a restored snapshot with restoredTo).
 */
import { RaftInvariantError } from './errors.js';
import type { RaftLog } from './raft-log.js';
import type { ReplicatedStateMachine } from './state-machine.js';

export class CommitState {
  private hw = 0;
  private applied = 0;

  constructor(
    private readonly log: RaftLog,
    private readonly stateMachine: ReplicatedStateMachine,
    /** Payload bytes read from the log per step while applying. */
    private readonly readMaxBytes: number,
  ) {}

  highWatermark(): number {
    return this.hw;
  }

  appliedOffset(): number {
    return this.applied;
  }

  /** Raises the high watermark (never lowers it) and applies newly committed entries; false if unchanged. */
  advanceHighWatermark(offset: number): boolean {
    if (offset <= this.hw) return false;
    if (offset > this.log.endOffset())
      throw new RaftInvariantError(`high watermark ${offset} past log end ${this.log.endOffset()}`);
    this.hw = offset;
    this.applyCommitted();
    return true;
  }

  /** The state machine now holds everything below `endOffset` (a snapshot was restored). */
  restoredTo(endOffset: number): void {
    this.applied = endOffset;
    this.hw = Math.max(this.hw, endOffset);
  }

  private applyCommitted(): void {
    while (this.applied < this.hw) {
      if (this.applied < this.log.startOffset()) {
        throw new RaftInvariantError(`applied offset ${this.applied} below log start ${this.log.startOffset()}`);
      }
      const entries = this.log.read(this.applied, this.readMaxBytes);
      if (entries.length === 0) break;
      for (const entry of entries) {
        if (entry.offset >= this.hw) break;
        if (!entry.control) this.stateMachine.apply(entry);
        this.applied = entry.offset + 1;
      }
    }
  }
}
