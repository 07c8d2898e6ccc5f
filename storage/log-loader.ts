/**
 * Opening a partition directory: tidies leftovers of interrupted work (temporary files,
 * half-done compaction swaps, orphan indexes), opens the segments and, after an unclean
 * shutdown, recovers every segment from the one holding the recovery point: each batch
 * is checked (size, CRC-32C, offsets), the first bad one and everything after it is cut,
 * and the indexes are rebuilt. After a clean shutdown nothing is scanned, and the folder's names
 * and segment sizes may come from the clean-shutdown listing (storage/clean-listing.ts).
 */
import type { FolderListing } from './clean-listing.js';
import { joinPath, type FileSystem } from './fs.js';
import { PARTITION_METADATA_FILE } from './partition-metadata.js';
import { DELETED_SUFFIX, INDEX_SUFFIX, LOG_SUFFIX, LogSegment, TIME_INDEX_SUFFIX, offsetFileName } from './segment.js';

export const SWAP_SUFFIX = '.swap';
export const CLEANED_SUFFIX = '.cleaned';

export interface LoadResult {
  segments: LogSegment[];
  recoveredSegments: number;
  truncatedBytes: number;
  /** Whether the directory holds producer snapshot files. */
  hasSnapshots: boolean;
  /** Whether the directory's listing named partition.metadata. */
  hasPartitionMetadata: boolean;
  /** Leader epochs and the base offsets of their batches in the recovered segments, in log order. */
  recoveredEpochs: Array<{ epoch: number; baseOffset: number }>;
}

export interface LoadOptions {
  indexIntervalBytes: number;
  now: number;
  recoveryPoint: number;
  cleanShutdown: boolean;
  /** Base offset for the first segment of an empty directory. */
  initialOffset: number;
  /** The folder's segments from the clean-shutdown listing, instead of listing it (nothing is tidied). */
  listing?: FolderListing;
}

export function loadSegments(fs: FileSystem, dir: string, options: LoadOptions): LoadResult {
  const { listing } = options;
  if (listing && listing.bases.length > 0) {
    const segments = listing.bases.map((base, i) =>
      LogSegment.open(fs, dir, base, options.indexIntervalBytes, options.now, listing.sizes[i]),
    );
    return {
      segments,
      recoveredSegments: 0,
      truncatedBytes: 0,
      hasSnapshots: false,
      hasPartitionMetadata: listing.topicId !== null,
      recoveredEpochs: [],
    };
  }
  const names = fs.readdir(dir);
  const forced = new Set<number>();
  let changed = false;
  for (const name of names) {
    if (name.endsWith('.tmp') || name.endsWith(CLEANED_SUFFIX) || name.endsWith(DELETED_SUFFIX)) {
      fs.unlink(joinPath(dir, name));
      changed = true;
    }
  }
  for (const name of names) {
    if (!name.endsWith(SWAP_SUFFIX)) continue;
    const match = /^(\d{20})\.log\.swap$/.exec(name);
    if (!match) continue;
    const base = Number(match[1]);
    const target = joinPath(dir, offsetFileName(base, LOG_SUFFIX));
    if (fs.exists(target)) fs.unlink(target);
    fs.rename(joinPath(dir, name), target);
    for (const suffix of [INDEX_SUFFIX, TIME_INDEX_SUFFIX]) {
      const path = joinPath(dir, offsetFileName(base, suffix));
      if (fs.exists(path)) fs.unlink(path);
    }
    forced.add(base);
    changed = true;
  }
  const current = changed ? fs.readdir(dir) : names;
  const hasSnapshots = current.some((name) => name.endsWith('.snapshot'));
  const hasPartitionMetadata = current.includes(PARTITION_METADATA_FILE);
  const bases = current
    .filter((name) => name.length === 24 && name.endsWith(LOG_SUFFIX) && /^\d{20}\.log$/.test(name))
    .map((name) => Number(name.slice(0, 20)))
    .sort((a, b) => a - b);
  const baseSet = new Set(bases);
  for (const name of current) {
    if (!name.endsWith('index')) continue;
    const match = /^(\d{20})\.(index|timeindex|txnindex)$/.exec(name);
    if (match && !baseSet.has(Number(match[1]))) fs.unlink(joinPath(dir, name));
  }
  if (bases.length === 0) {
    const segment = LogSegment.create(fs, dir, options.initialOffset, options.indexIntervalBytes, options.now);
    return {
      segments: [segment],
      recoveredSegments: 0,
      truncatedBytes: 0,
      hasSnapshots,
      hasPartitionMetadata,
      recoveredEpochs: [],
    };
  }
  const segments = bases.map((base) => LogSegment.open(fs, dir, base, options.indexIntervalBytes, options.now));
  let recoveredSegments = 0;
  let truncatedBytes = 0;
  const recoveredEpochs: LoadResult['recoveredEpochs'] = [];
  const onEpoch = (epoch: number, baseOffset: number): void => {
    const last = recoveredEpochs[recoveredEpochs.length - 1];
    if (epoch >= 0 && (last === undefined || epoch > last.epoch)) recoveredEpochs.push({ epoch, baseOffset });
  };
  let firstToRecover = segments.length;
  if (!options.cleanShutdown) {
    firstToRecover = 0;
    for (let i = 0; i < segments.length; i++) if (segments[i]!.baseOffset <= options.recoveryPoint) firstToRecover = i;
  }
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!;
    if (i < firstToRecover && !forced.has(segment.baseOffset)) continue;
    const result = segment.recover(onEpoch);
    recoveredSegments++;
    truncatedBytes += result.truncatedBytes;
    if (result.truncatedBytes > 0 && i >= firstToRecover) {
      for (const later of segments.splice(i + 1)) {
        truncatedBytes += later.size;
        later.delete();
      }
      break;
    }
  }
  return { segments, recoveredSegments, truncatedBytes, hasSnapshots, hasPartitionMetadata, recoveredEpochs };
}
