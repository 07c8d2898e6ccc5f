/**
 * `partition.metadata`: the topic id of a partition folder, in Kafka's format
 * (PartitionMetadataFile): two lines, `version: 0` and `topic_id: <base64url uuid>`.
 * Written atomically (temporary file, fsync, rename, directory fsync) when the partition
 * is created, read when its folder is loaded, so a folder of a deleted topic is never
 * taken for the folder of a new topic with the same name.
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

export function writePartitionMetadata(fs: FileSystem, dir: string, topicId: string): void {
  if (!TOPIC_ID.test(topicId)) throw new Error(`not a topic id: ${topicId}`);
  const tmp = joinPath(dir, `${PARTITION_METADATA_FILE}.tmp`);
  const handle = fs.open(tmp, true);
  try {
    handle.truncate(0);
    handle.write(Buffer.from(`version: 0\ntopic_id: ${topicId}\n`, 'utf8'), 0);
    handle.sync();
  } finally {
    handle.close();
  }
  fs.rename(tmp, joinPath(dir, PARTITION_METADATA_FILE));
  fs.syncDir(dir);
}
