/**
 * In-memory mode (`log.dirs=memory:`, `gregor start --in-memory`, `startBroker({ storage:
 * 'memory' })`) for dev and CI: partition logs and internal topics live in storage/'s
 * MemoryFileSystem behind the same LogManager as on disk, and the Raft metadata log in
 * the quorum's in-memory log. No file is written: no log dir, no `.lock`, no
 * meta.properties. `memory.max.bytes` caps the bytes of all partition logs together:
 * when over it, the oldest segment of the delete-policy logs goes first.
 *
 * Leaves out: compacted logs (the internal topics, cleanup.policy=compact) are counted
 * but never trimmed by the cap, only by compaction; the metadata log is bounded by its
 * snapshots, not by the cap.
 */
import { ConfigError, type BrokerConfig } from '../common/config.js';
import type { LogManager } from '../../storage/log-manager.js';
import type { PartitionLog as StorageLog } from '../../storage/log.js';

/** The `log.dirs` value that selects in-memory storage. */
export const MEMORY_LOG_DIRS = 'memory:';
/** The root of the in-memory file system the partition logs are kept in. */
export const MEMORY_ROOT = '/memory';

/**
 * True when the config asks for in-memory storage. Refuses combinations that make no
 * sense: `memory:` beside disk dirs, or a `metadata.log.dir` on disk.
 */
export function usesMemoryStorage(config: BrokerConfig): boolean {
  const dirs = config.logDirs();
  if (!dirs.includes(MEMORY_LOG_DIRS)) return false;
  if (dirs.length > 1) {
    throw new ConfigError(
      `log.dirs=${dirs.join(',')} mixes ${MEMORY_LOG_DIRS} with disk dirs: use either ${MEMORY_LOG_DIRS} alone (everything in memory) or disk dirs only`,
    );
  }
  const metadataDir = config.explicit('metadata.log.dir');
  if (metadataDir !== undefined) {
    throw new ConfigError(
      `metadata.log.dir=${metadataDir} cannot be used with log.dirs=${MEMORY_LOG_DIRS}: the metadata log is kept in memory too; remove metadata.log.dir`,
    );
  }
  return true;
}

export interface MemoryCapOptions {
  manager: LogManager;
  maxBytes: number;
  /** Told each time segments were dropped (for a log line). */
  onDropped?: (event: { segments: number; bytes: number; totalBytes: number }) => void;
  /** Told when the logs are over the cap with nothing left that the cap may drop. */
  onStuck?: (totalBytes: number) => void;
}

/**
 * memory.max.bytes: checks the total size of the partition logs after every
 * `checkEveryBytes` appended (a sixteenth of the cap, at most 1 MiB) and drops the oldest
 * segments (by creation time, across all delete-policy logs) until the total is under the
 * cap again. A log whose only segment is the oldest is rolled first, so it can go too.
 */
export class MemoryCap {
  private appendedSinceCheck = 0;
  readonly checkEveryBytes: number;

  constructor(private readonly options: MemoryCapOptions) {
    this.checkEveryBytes = Math.max(1, Math.min(1024 * 1024, Math.floor(options.maxBytes / 16)));
  }

  appended(bytes: number): void {
    this.appendedSinceCheck += bytes;
    if (this.appendedSinceCheck < this.checkEveryBytes) return;
    this.appendedSinceCheck = 0;
    this.enforce();
  }

  totalBytes(): number {
    let total = 0;
    for (const log of this.options.manager.logs()) total += log.size;
    return total;
  }

  /** Drops oldest segments until the logs fit; bounded by the number of segments there are. */
  enforce(): void {
    const logs = [...this.options.manager.logs()];
    let total = logs.reduce((sum, log) => sum + log.size, 0);
    if (total <= this.options.maxBytes) return;
    const droppable = logs.filter((log) => log.currentConfig.cleanupPolicyDelete);
    const budget = droppable.reduce((sum, log) => sum + log.segmentCount + 1, 0);
    let segments = 0;
    let bytes = 0;
    for (let step = 0; step < budget && total > this.options.maxBytes; step++) {
      const oldest = oldestNonEmpty(droppable);
      if (oldest === null) break;
      const freed = oldest.dropOldestSegment();
      segments++;
      bytes += freed;
      total -= freed;
    }
    if (segments > 0) this.options.onDropped?.({ segments, bytes, totalBytes: total });
    if (total > this.options.maxBytes) this.options.onStuck?.(total);
  }
}

function oldestNonEmpty(logs: StorageLog[]): StorageLog | null {
  let oldest: StorageLog | null = null;
  for (const log of logs) {
    if (log.size === 0) continue;
    if (oldest === null || log.oldestSegmentCreatedMs < oldest.oldestSegmentCreatedMs) oldest = log;
  }
  return oldest;
}
