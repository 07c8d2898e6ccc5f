/**
 * Segment files waiting out `file.delete.delay.ms`, as Kafka's LocalLog.deleteSegmentFiles keeps them:
 * a segment deleted by retention, DeleteRecords, a truncation or a roll away from an empty active
 * segment has its files renamed with the `.deleted` suffix at once (segment.ts), and they are unlinked
 * once the delay of the segment's topic has passed, from the log manager's tick, in the background where
 * the file system can. A clean close unlinks what still waits (a listed folder is not tidied at the next
 * start); after a crash the folder's load removes the `.deleted` files (log-loader.ts), as Kafka's does.
 */
import type { FileSystem } from './fs.js';

export class DeferredUnlinks {
  private pending: Array<{ paths: readonly string[]; dueMs: number }> = [];

  constructor(private readonly fs: FileSystem) {}

  /** Files (already renamed `.deleted`) to unlink at `dueMs`. */
  add(paths: readonly string[], dueMs: number): void {
    if (paths.length > 0) this.pending.push({ paths, dueMs });
  }

  /** Unlinks the files that are due; a failure leaves the file for the folder's next load. */
  unlinkDue(now: number): void {
    if (this.pending.length === 0) return;
    const due = this.pending.filter((entry) => entry.dueMs <= now);
    if (due.length === 0) return;
    this.pending = this.pending.filter((entry) => entry.dueMs > now);
    for (const entry of due) for (const path of entry.paths) this.unlink(path, true);
  }

  /** Unlinks every waiting file in place (a clean close); never throws. */
  unlinkAll(): void {
    const all = this.pending;
    this.pending = [];
    for (const entry of all) for (const path of entry.paths) this.unlink(path, false);
  }

  private unlink(path: string, background: boolean): void {
    // A folder deleted meanwhile took the file with it; a segment of the same base offset deleted
    // again renamed over it (its own entry then finds nothing).
    if (background && this.fs.unlinkInBackground) {
      this.fs.unlinkInBackground(path, () => undefined);
      return;
    }
    try {
      if (this.fs.exists(path)) this.fs.unlink(path);
    } catch {
      // Left for the folder's next load to remove.
    }
  }
}
