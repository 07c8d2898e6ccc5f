/**
 * `partition.metadata`: the topic id of a partition folder, in Kafka's format
 * (PartitionMetadataFile): two lines, `version: 0` and `topic_id: <base64url uuid>`.
 * Written atomically (temporary file, fsync, rename, directory fsync) when an existing folder
 * adopts a topic id, read when its folder is loaded, so a folder of a deleted topic is never
 * taken for the folder of a new topic with the same name. For a folder just created, the file is
 * written (temporary file, rename) without the two fsyncs and made durable later, as Kafka
 * schedules its flush: by LogManager before the log's first append, in the background, and at
 * close (syncPartitionMetadata). A crash before that leaves a folder without the file (or a torn
 * one, read as malformed) and no data in it.
 */
import { joinPath, type FileSystem } from './fs.js';

export const PARTITION_METADATA_FILE = 'partition.metadata';
const TOPIC_ID = /^[A-Za-z0-9_-]{22}$/;
const MAX_FILE_BYTES = 4096;

/** What a folder's partition.metadata says: its topic id, nothing (no file), or why it cannot be read. */
export type PartitionMetadata =
  { kind: 'topic-id'; topicId: string } | { kind: 'missing' } | { kind: 'malformed'; reason: string };

/** `listed`: whether a listing of `dir` just taken named the file (skips the existence check, or the read). */
export function readPartitionMetadata(fs: FileSystem, dir: string, listed?: boolean): PartitionMetadata {
  if (listed === false) return { kind: 'missing' };
  const data = fs.readFile(joinPath(dir, PARTITION_METADATA_FILE), listed === true);
  if (data === null) return { kind: 'missing' };
  if (data.length > MAX_FILE_BYTES) return { kind: 'malformed', reason: `${data.length} bytes` };
  const lines = data
    .toString('utf8')
    .split('\n')
    .map((line) => line.trim());
  const version = /^version:\s*(\S+)$/.exec(lines[0] ?? '');
  if (!version) return { kind: 'malformed', reason: 'no version line' };
  if (version[1] !== '0') return { kind: 'malformed', reason: `unknown version ${version[1]}` };
  const topicId = /^topic_id:\s*(\S+)$/.exec(lines[1] ?? '');
  if (!topicId || !TOPIC_ID.test(topicId[1]!)) return { kind: 'malformed', reason: 'no valid topic_id line' };
  return { kind: 'topic-id', topicId: topicId[1]! };
}

/** Writes the file via a temporary file and a rename; `durable` (default) fsyncs it and the folder too. */
export function writePartitionMetadata(fs: FileSystem, dir: string, topicId: string, durable = true): void {
  if (!TOPIC_ID.test(topicId)) throw new Error(`not a topic id: ${topicId}`);
  const tmp = joinPath(dir, `${PARTITION_METADATA_FILE}.tmp`);
  const handle = fs.open(tmp, true);
  try {
    handle.truncate(0);
    handle.write(Buffer.from(`version: 0\ntopic_id: ${topicId}\n`, 'utf8'), 0);
    if (durable) handle.sync();
  } finally {
    handle.close();
  }
  fs.rename(tmp, joinPath(dir, PARTITION_METADATA_FILE));
  if (durable) fs.syncDir(dir);
}

/** Makes a partition.metadata written with `durable = false` durable: the file, then its folder. */
export function syncPartitionMetadata(fs: FileSystem, dir: string): void {
  const handle = fs.open(joinPath(dir, PARTITION_METADATA_FILE));
  try {
    handle.sync();
  } finally {
    handle.close();
  }
  fs.syncDir(dir);
}
