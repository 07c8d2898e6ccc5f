/**
 * Compaction (cleanup.policy=compact) of the inactive segments of one log: keeps the
 * newest record of each key, drops tombstones whose batch is older than
 * delete.retention.ms, keeps every offset where it was (a rewritten batch keeps its base
 * offset and last offset delta, so record offset deltas and producer state still hold).
 *
 * Simplifications, documented in docs/storage.md:
 * - The key map is built from the inactive segments only (never the active one), in
 *   memory, without Kafka's dedupe buffer limit.
 * - Compressed batches, control batches and batches that fail to decode are kept
 *   whole; their keys do not enter the map, so an older uncompressed value of such a
 *   key may survive too (the newest value always survives).
 * - Transactions (transaction-outcomes.ts): records of aborted transactions are
 *   removed and never shadow an older value, as Kafka's cleaner discards them; batches
 *   of a transaction with no marker in the cleaned range are kept whole and do not
 *   enter the map either. Markers are kept.
 * - A tombstone is removed once its batch's max timestamp is older than
 *   now - delete.retention.ms (Kafka counts from when the cleaner first saw it).
 * - A batch left with no records is dropped; segments are cleaned one by one, never
 *   merged; an emptied segment other than the first is deleted.
 *
 * Crash safety: a cleaned segment is written to `<base>.log.cleaned`, fsynced, renamed
 * to `<base>.log.swap`, then replaces `<base>.log`. The loader deletes `.cleaned` files
 * and completes `.swap` renames.
 */
import {
  BATCH_LENGTH_OFFSET,
  COMPRESSION_CODEC_MASK,
  CONTROL_FLAG_MASK,
  LOG_OVERHEAD,
  RECORD_BATCH_OVERHEAD,
  RECORD_COUNT_OFFSET,
  ATTRIBUTES_OFFSET,
} from '../protocol/records/batch-header.js';
import { baseOffsetOf, maxTimestampOf, rewriteCrc } from './batch-scan.js';
import { walkBatches } from './batch-walker.js';
import type { LogConfig } from './config.js';
import { joinPath, type FileSystem } from './fs.js';
import { CLEANED_SUFFIX, SWAP_SUFFIX } from './log-loader.js';
import { forEachRecord, type RecordView } from './records.js';
import { TransactionOutcomeScanner } from './transaction-outcomes.js';
import { INDEX_SUFFIX, LOG_SUFFIX, LogSegment, TIME_INDEX_SUFFIX, offsetFileName } from './segment.js';

const CLEAN_WINDOW = 1024 * 1024;

function isPlain(batch: Buffer): boolean {
  const attributes = batch.readInt16BE(ATTRIBUTES_OFFSET);
  return (attributes & (COMPRESSION_CODEC_MASK | CONTROL_FLAG_MASK)) === 0;
}

/** Visits each uncompressed data batch's records; false from forEachBatch means "decode failed". */
function eachBatch(segment: LogSegment, visit: (batch: Buffer) => void): void {
  walkBatches(
    segment.readHandle(),
    0,
    segment.size,
    true,
    (buffer, at, _position, size) => {
      visit(buffer.subarray(at, at + size));
      return true;
    },
    CLEAN_WINDOW,
  );
}

function recordsOf(batch: Buffer): RecordView[] | null {
  const records: RecordView[] = [];
  try {
    forEachRecord(batch, (record) => {
      records.push(record);
    });
  } catch {
    return null;
  }
  return records;
}

/** Cleans `segments` (all inactive); returns the segment list that replaces them. */
export function cleanSegments(
  fs: FileSystem,
  dir: string,
  segments: readonly LogSegment[],
  config: LogConfig,
  now: number,
  clockNow: number,
): LogSegment[] {
  const scanner = new TransactionOutcomeScanner();
  for (const segment of segments) eachBatch(segment, (batch) => scanner.visit(batch));
  const { aborted, undecided } = scanner.result();
  const latest = new Map<string, number>();
  for (const segment of segments) {
    eachBatch(segment, (batch) => {
      if (!isPlain(batch)) return;
      const base = baseOffsetOf(batch, 0);
      if (aborted.has(base) || undecided.has(base)) return;
      for (const record of recordsOf(batch) ?? []) {
        if (record.key) latest.set(record.key.toString('latin1'), base + record.offsetDelta);
      }
    });
  }
  const tombstoneHorizon = now - config.deleteRetentionMs;
  const result: LogSegment[] = [];
  for (const [i, segment] of segments.entries()) {
    const parts: Buffer[] = [];
    let changed = false;
    eachBatch(segment, (batch) => {
      if (aborted.has(baseOffsetOf(batch, 0)) && isPlain(batch)) {
        changed = true;
        return;
      }
      const records = isPlain(batch) && !undecided.has(baseOffsetOf(batch, 0)) ? recordsOf(batch) : null;
      if (!records) {
        parts.push(batch);
        return;
      }
      const base = baseOffsetOf(batch, 0);
      const expired = maxTimestampOf(batch, 0) < tombstoneHorizon;
      const kept = records.filter(
        (r) =>
          r.key !== null &&
          latest.get(r.key.toString('latin1')) === base + r.offsetDelta &&
          !(r.valueIsNull && expired),
      );
      if (kept.length === records.length) {
        parts.push(batch);
        return;
      }
      changed = true;
      if (kept.length === 0) return;
      parts.push(rebuildBatch(batch, kept));
    });
    if (!changed) {
      result.push(segment);
      continue;
    }
    const replacement = replaceSegment(fs, dir, segment, parts, config, clockNow);
    if (replacement.size === 0 && i > 0) {
      replacement.delete();
      continue;
    }
    result.push(replacement);
  }
  return result;
}

function rebuildBatch(batch: Buffer, kept: readonly RecordView[]): Buffer {
  const size = RECORD_BATCH_OVERHEAD + kept.reduce((sum, r) => sum + (r.end - r.start), 0);
  const rebuilt = Buffer.allocUnsafe(size);
  batch.copy(rebuilt, 0, 0, RECORD_BATCH_OVERHEAD);
  let at = RECORD_BATCH_OVERHEAD;
  for (const record of kept) at += batch.copy(rebuilt, at, record.start, record.end);
  rebuilt.writeInt32BE(size - LOG_OVERHEAD, BATCH_LENGTH_OFFSET);
  rebuilt.writeInt32BE(kept.length, RECORD_COUNT_OFFSET);
  rewriteCrc(rebuilt, 0, size);
  return rebuilt;
}

function replaceSegment(
  fs: FileSystem,
  dir: string,
  segment: LogSegment,
  parts: readonly Buffer[],
  config: LogConfig,
  now: number,
): LogSegment {
  const base = segment.baseOffset;
  const logPath = joinPath(dir, offsetFileName(base, LOG_SUFFIX));
  const cleanedPath = `${logPath}${CLEANED_SUFFIX}`;
  const swapPath = `${logPath}${SWAP_SUFFIX}`;
  const handle = fs.open(cleanedPath, true);
  try {
    handle.truncate(0);
    let position = 0;
    for (const part of parts) {
      handle.write(part, position);
      position += part.length;
    }
    handle.sync();
  } finally {
    handle.close();
  }
  fs.rename(cleanedPath, swapPath);
  segment.close();
  fs.unlink(logPath);
  for (const suffix of [INDEX_SUFFIX, TIME_INDEX_SUFFIX]) {
    const path = joinPath(dir, offsetFileName(base, suffix));
    if (fs.exists(path)) fs.unlink(path);
  }
  fs.rename(swapPath, logPath);
  fs.syncDir(dir);
  const replacement = LogSegment.open(fs, dir, base, config.indexIntervalBytes, now);
  replacement.recover();
  replacement.flushAll();
  return replacement;
}
