/**
 * Producer-state snapshot files, `<offset 20 digits>.snapshot` in the partition
 * directory, written when a segment rolls. The bytes are opaque here: the idempotence
 * code supplies them through ProducerSnapshotHook and reads the latest back at start.
 */
import { joinPath, type FileSystem } from './fs.js';
import { offsetFileName } from './segment.js';

export const SNAPSHOT_SUFFIX = '.snapshot';

export interface ProducerSnapshotHook {
  /** Bytes describing producer state as of `offset` (the base of the new segment), or null to skip. */
  snapshot(offset: number): Uint8Array | null;
}

export interface ProducerSnapshot {
  offset: number;
  data: Buffer;
}

export function snapshotOffsets(fs: FileSystem, dir: string): number[] {
  return fs
    .readdir(dir)
    .filter((name) => /^\d{20}\.snapshot$/.test(name))
    .map((name) => Number(name.slice(0, 20)))
    .sort((a, b) => a - b);
}

export function writeSnapshot(fs: FileSystem, dir: string, offset: number, data: Uint8Array): void {
  const path = joinPath(dir, offsetFileName(offset, SNAPSHOT_SUFFIX));
  const tmp = `${path}.tmp`;
  const handle = fs.open(tmp, true);
  try {
    handle.truncate(0);
    handle.write(data, 0);
    handle.sync();
  } finally {
    handle.close();
  }
  fs.rename(tmp, path);
}

export function readLatestSnapshot(fs: FileSystem, dir: string): ProducerSnapshot | null {
  const offsets = snapshotOffsets(fs, dir);
  const offset = offsets[offsets.length - 1];
  if (offset === undefined) return null;
  const handle = fs.open(joinPath(dir, offsetFileName(offset, SNAPSHOT_SUFFIX)));
  try {
    const size = handle.size();
    const data = Buffer.allocUnsafe(size);
    handle.read(data, 0, size, 0);
    return { offset, data };
  } finally {
    handle.close();
  }
}

/** Deletes snapshots outside [minOffset, maxOffset]. */
export function deleteSnapshotsOutside(fs: FileSystem, dir: string, minOffset: number, maxOffset: number): void {
  for (const offset of snapshotOffsets(fs, dir)) {
    if (offset < minOffset || offset > maxOffset) fs.unlink(joinPath(dir, offsetFileName(offset, SNAPSHOT_SUFFIX)));
  }
}
