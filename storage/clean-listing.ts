/**
 * The clean-shutdown listing of a log dir (`.gregor_clean_listing`, a Gregor file Kafka does not
 * have): the segments of every partition folder when the broker stopped cleanly, so that the next
 * start neither lists each folder, nor stats each segment, nor reads each partition.metadata (with
 * 10,000 partitions those calls were most of a restart).
 *
 * Text, one line per folder: `<folder> <topic id of its partition.metadata, or - for none>
 * <base>:<bytes> ...` (every segment, by base offset), after a header line and a count line; a
 * folder whose partition.metadata could not be read is left out. LogManager writes it at a clean
 * close from what it holds in memory (no listing of the folders), after every log is closed and
 * before the clean-shutdown marker (temporary file, fsync, rename; the marker's directory fsync
 * follows), and uses it only when the marker is there; both are deleted at start before anything
 * changes. A folder the log dir's own listing names but the file does not (one copied in by hand)
 * is opened by listing it, as before; an unreadable file is ignored whole.
 * Leaves out: noticing files changed by hand inside a folder between a clean stop and the next
 * start (a removed or cut segment then fails on first use, KAFKA_STORAGE_ERROR; an edited
 * partition.metadata is not seen); delete this file (or the marker) before such work. A data dir
 * copied whole carries its listing along, which describes it. Nothing is tidied in a listed folder (after a clean stop
 * there are no temporary files, swaps, orphan indexes or producer snapshots past the log end).
 */
import { joinPath, type FileSystem } from './fs.js';

export const CLEAN_LISTING_FILE = '.gregor_clean_listing';
const HEADER = 'gregor-clean-listing 2';
const TOPIC_ID = /^[A-Za-z0-9_-]{22}$/;

export interface FolderListing {
  /** The topic id in the folder's partition.metadata; null when it had none. */
  topicId: string | null;
  /** Base offset of each segment, ascending, and its `.log` file's size in bytes. */
  bases: number[];
  sizes: number[];
}

export function writeCleanListing(fs: FileSystem, dir: string, folders: ReadonlyMap<string, FolderListing>): void {
  const lines = [HEADER, String(folders.size)];
  for (const [name, folder] of folders) {
    let line = `${name} ${folder.topicId ?? '-'}`;
    for (let i = 0; i < folder.bases.length; i++) line += ` ${folder.bases[i]}:${folder.sizes[i]}`;
    lines.push(line);
  }
  const tmp = joinPath(dir, `${CLEAN_LISTING_FILE}.tmp`);
  const handle = fs.open(tmp, true);
  try {
    handle.truncate(0);
    handle.write(Buffer.from(`${lines.join('\n')}\n`, 'latin1'), 0);
    handle.sync();
  } finally {
    handle.close();
  }
  fs.rename(tmp, joinPath(dir, CLEAN_LISTING_FILE));
}

/**
 * One flat copy of each topic id: the ids split from the file are slices of its whole text, which
 * every open log's topic id would otherwise keep alive (and a topic's partitions share one string).
 */
function internTopicId(seen: Map<string, string>, topicId: string): string {
  let flat = seen.get(topicId);
  if (flat === undefined) seen.set(topicId, (flat = Buffer.from(topicId, 'latin1').toString('latin1')));
  return flat;
}

function parseLine(line: string, topicIds: Map<string, string>): [string, FolderListing] | null {
  const parts = line.split(' ');
  const topicId = parts[1] ?? '';
  if (parts.length < 3 || (topicId !== '-' && !TOPIC_ID.test(topicId))) return null;
  const bases: number[] = [];
  const sizes: number[] = [];
  for (let i = 2; i < parts.length; i++) {
    const colon = parts[i]!.indexOf(':');
    const base = Number(parts[i]!.slice(0, colon));
    const size = Number(parts[i]!.slice(colon + 1));
    if (colon <= 0 || !Number.isSafeInteger(base) || !Number.isSafeInteger(size) || base < 0 || size < 0) return null;
    if (bases.length > 0 && base <= bases[bases.length - 1]!) return null;
    bases.push(base);
    sizes.push(size);
  }
  return [parts[0]!, { topicId: topicId === '-' ? null : internTopicId(topicIds, topicId), bases, sizes }];
}

/** The listing by folder name; null when the file is missing or not whole. */
export function readCleanListing(fs: FileSystem, dir: string): Map<string, FolderListing> | null {
  const data = fs.readFile(joinPath(dir, CLEAN_LISTING_FILE));
  if (!data) return null;
  const lines = data.toString('latin1').split('\n');
  if (lines[0] !== HEADER || lines[lines.length - 1] !== '') return null;
  const count = Number(lines[1]);
  if (!Number.isSafeInteger(count) || lines.length !== count + 3) return null;
  const result = new Map<string, FolderListing>();
  const topicIds = new Map<string, string>();
  for (let i = 2; i < lines.length - 1; i++) {
    const entry = parseLine(lines[i]!, topicIds);
    if (!entry) return null;
    result.set(entry[0], entry[1]);
  }
  return result;
}
