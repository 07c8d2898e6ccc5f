/**
 * The leader epoch cache of one partition: (epoch, start offset) pairs in increasing
 * order, persisted to `leader-epoch-checkpoint` in the partition directory on every
 * change. Answers OffsetsForLeaderEpoch (`endOffsetFor`) and is cut on truncation.
 */
import {
  LEADER_EPOCH_CHECKPOINT,
  parseCheckpointNumber,
  readCheckpointFile,
  writeCheckpointFile,
} from './checkpoint.js';
import type { FileSystem } from './fs.js';

export interface EpochEntry {
  epoch: number;
  startOffset: number;
}

export class LeaderEpochCache {
  private loaded: EpochEntry[] | null = null;

  /** The checkpoint is read on first use. */
  constructor(
    private readonly fs: FileSystem,
    private readonly dir: string,
  ) {}

  private get entries(): EpochEntry[] {
    if (!this.loaded) this.loaded = LeaderEpochCache.load(this.fs, this.dir);
    return this.loaded;
  }

  private set entries(value: EpochEntry[]) {
    this.loaded = value;
  }

  private static load(fs: FileSystem, dir: string): EpochEntry[] {
    const entries: EpochEntry[] = [];
    for (const [epochText, offsetText] of readCheckpointFile(fs, dir, LEADER_EPOCH_CHECKPOINT, 2) ?? []) {
      const epoch = parseCheckpointNumber(epochText!);
      const startOffset = parseCheckpointNumber(offsetText!);
      if (epoch === null || startOffset === null) return [];
      const last = entries[entries.length - 1];
      if (last && (epoch <= last.epoch || startOffset < last.startOffset)) return [];
      entries.push({ epoch, startOffset });
    }
    return entries;
  }

  all(): readonly EpochEntry[] {
    return this.entries;
  }

  latest(): EpochEntry | undefined {
    return this.entries[this.entries.length - 1];
  }

  /** Records that `epoch` starts at `startOffset` if it is newer than the latest epoch. */
  assign(epoch: number, startOffset: number): void {
    if (epoch < 0) return;
    const last = this.latest();
    if (last && epoch <= last.epoch) return;
    while (this.entries.length > 0 && this.latest()!.startOffset >= startOffset) this.entries.pop();
    this.entries.push({ epoch, startOffset });
    this.save();
  }

  /**
   * OffsetsForLeaderEpoch: the largest epoch <= requested and the start offset of the next
   * epoch (or the log end offset). Unknown (epoch -1, offset -1) when no epoch is old enough.
   */
  endOffsetFor(epoch: number, logEndOffset: number): EpochEntry {
    let index = -1;
    for (let i = 0; i < this.entries.length; i++) if (this.entries[i]!.epoch <= epoch) index = i;
    if (index < 0) return { epoch: -1, startOffset: -1 };
    const next = this.entries[index + 1];
    return { epoch: this.entries[index]!.epoch, startOffset: next ? next.startOffset : logEndOffset };
  }

  /** Drops epochs starting at or after the new log end. */
  truncateFromEnd(endOffset: number): void {
    const before = this.entries.length;
    this.entries = this.entries.filter((e) => e.startOffset < endOffset);
    if (this.entries.length !== before) this.save();
  }

  /** Drops epochs wholly before the new log start; the one spanning it moves to start there. */
  truncateFromStart(startOffset: number): void {
    let changed = false;
    while (this.entries.length > 1 && this.entries[1]!.startOffset <= startOffset) {
      this.entries.shift();
      changed = true;
    }
    const first = this.entries[0];
    if (first && first.startOffset < startOffset) {
      this.entries[0] = { epoch: first.epoch, startOffset };
      changed = true;
    }
    if (changed) this.save();
  }

  private save(): void {
    writeCheckpointFile(
      this.fs,
      this.dir,
      LEADER_EPOCH_CHECKPOINT,
      this.entries.map((e) => `${e.epoch} ${e.startOffset}`),
    );
  }
}
