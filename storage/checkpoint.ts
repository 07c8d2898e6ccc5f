/**
 * Kafka's checkpoint text files: a version line ("0"), a count line, then one entry per
 * line with space-separated fields. Used for recovery-point-offset-checkpoint,
 * log-start-offset-checkpoint and replication-offset-checkpoint (entries "topic partition
 * offset") and leader-epoch-checkpoint (entries "epoch startOffset"). Written atomically:
 * a temporary file, fsync, rename, directory fsync. A malformed file reads as missing.
 */
import { joinPath, type FileSystem } from './fs.js';

export const RECOVERY_POINT_CHECKPOINT = 'recovery-point-offset-checkpoint';
export const LOG_START_OFFSET_CHECKPOINT = 'log-start-offset-checkpoint';
export const HIGH_WATERMARK_CHECKPOINT = 'replication-offset-checkpoint';
export const LEADER_EPOCH_CHECKPOINT = 'leader-epoch-checkpoint';
const MAX_CHECKPOINT_BYTES = 64 * 1024 * 1024;

export function writeCheckpointFile(fs: FileSystem, dir: string, name: string, lines: readonly string[]): void {
  const text = `0\n${lines.length}\n${lines.map((line) => `${line}\n`).join('')}`;
  const tmp = joinPath(dir, `${name}.tmp`);
  const handle = fs.open(tmp, true);
  try {
    handle.truncate(0);
    handle.write(Buffer.from(text, 'utf8'), 0);
    handle.sync();
  } finally {
    handle.close();
  }
  fs.rename(tmp, joinPath(dir, name));
  fs.syncDir(dir);
}

/** Entry lines of a checkpoint, each split on spaces with `fields` parts; null when missing or malformed. */
export function readCheckpointFile(fs: FileSystem, dir: string, name: string, fields: number): string[][] | null {
  const path = joinPath(dir, name);
  const data = fs.readFile(path);
  if (!data || data.length > MAX_CHECKPOINT_BYTES) return null;
  const text = data.toString('utf8');
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  if (lines[0] !== '0' || lines.length < 2 || !/^\d+$/.test(lines[1]!)) return null;
  const count = Number(lines[1]);
  if (lines.length !== count + 2) return null;
  const entries: string[][] = [];
  for (const line of lines.slice(2)) {
    const parts = line.split(' ');
    if (parts.length !== fields) return null;
    entries.push(parts);
  }
  return entries;
}

function parseOffset(text: string): number | null {
  if (!/^-?\d+$/.test(text)) return null;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : null;
}

/** Key of a partition in offset checkpoints and maps: "topic-partition", as Kafka names its dir. */
export function partitionKey(topic: string, partition: number): string {
  return `${topic}-${partition}`;
}

/** Reads a "topic partition offset" checkpoint into a map keyed by partitionKey. */
export function readOffsetCheckpoint(fs: FileSystem, dir: string, name: string): Map<string, number> {
  const result = new Map<string, number>();
  for (const [topic, partition, offset] of readCheckpointFile(fs, dir, name, 3) ?? []) {
    const p = parseOffset(partition!);
    const o = parseOffset(offset!);
    if (p === null || o === null) return new Map();
    result.set(partitionKey(topic!, p), o);
  }
  return result;
}

export interface PartitionOffset {
  topic: string;
  partition: number;
  offset: number;
}

export function writeOffsetCheckpoint(
  fs: FileSystem,
  dir: string,
  name: string,
  entries: Iterable<PartitionOffset>,
): void {
  const lines: string[] = [];
  for (const e of entries) lines.push(`${e.topic} ${e.partition} ${e.offset}`);
  writeCheckpointFile(fs, dir, name, lines);
}

export function parseCheckpointNumber(text: string): number | null {
  return parseOffset(text);
}
