/**
 * The console's message browser: reads one partition from an offset or a time, scanning
 * at most `maxScan` records (and stopping at the log end), and keeps those whose key,
 * value or header values contain the search text. Values that parse as JSON are shown
 * pretty-printed.
 */
import type { Cluster } from '../client/cluster.js';
import { Fetcher, type ConsumedRecord } from '../client/consumer.js';
import { EARLIEST, LATEST, listOffsets } from '../client/offsets.js';

export interface BrowseRequest {
  topic: string;
  partition: number;
  /** An offset, or null to start at `timestampMs` (or the log start when that is null too). */
  offset: bigint | null;
  timestampMs: bigint | null;
  search: string;
  maxScan: number;
  maxResults: number;
}

export interface BrowsedMessage {
  offset: string;
  timestamp: string;
  key: string | null;
  value: string | null;
  headers: Array<{ key: string; value: string | null }>;
}

export interface BrowseResult {
  messages: BrowsedMessage[];
  scanned: number;
  startOffset: string;
  nextOffset: string;
  logEndOffset: string;
}

function text(b: Buffer | null): string | null {
  return b === null ? null : b.toString('utf8');
}

export function prettyValue(value: string | null): string | null {
  if (value === null) return null;
  const trimmed = value.trim();
  if (!(trimmed.startsWith('{') || trimmed.startsWith('['))) return value;
  try {
    return JSON.stringify(JSON.parse(trimmed), null, 2);
  } catch {
    return value;
  }
}

function matches(record: ConsumedRecord, needle: string): boolean {
  if (needle === '') return true;
  if (text(record.key)?.includes(needle)) return true;
  if (text(record.value)?.includes(needle)) return true;
  return record.headers.some((h) => h.key.includes(needle) || (text(h.value)?.includes(needle) ?? false));
}

export async function browse(cluster: Cluster, request: BrowseRequest): Promise<BrowseResult> {
  const partitions = [request.partition];
  const end = (await listOffsets(cluster, request.topic, partitions, LATEST)).get(request.partition) ?? 0n;
  let start: bigint;
  if (request.offset !== null) start = request.offset;
  else if (request.timestampMs !== null) {
    const found =
      (await listOffsets(cluster, request.topic, partitions, request.timestampMs)).get(request.partition) ?? -1n;
    start = found < 0n ? end : found;
  } else start = (await listOffsets(cluster, request.topic, partitions, EARLIEST)).get(request.partition) ?? 0n;
  const fetcher = new Fetcher(cluster, request.topic, [{ partition: request.partition, offset: start }], {
    isolationLevel: 0,
    maxWaitMs: 100,
    partitionMaxBytes: 1024 * 1024,
  });
  const messages: BrowsedMessage[] = [];
  let scanned = 0;
  let next = start;
  while (next < end && scanned < request.maxScan && messages.length < request.maxResults) {
    const records = await fetcher.poll();
    const position = fetcher.positions.get(request.partition) ?? next;
    if (records.length === 0 && position === next) break;
    for (const record of records) {
      if (scanned >= request.maxScan || messages.length >= request.maxResults) break;
      scanned++;
      next = record.offset + 1n;
      if (matches(record, request.search)) {
        messages.push({
          offset: String(record.offset),
          timestamp: new Date(Number(record.timestamp)).toISOString(),
          key: text(record.key),
          value: prettyValue(text(record.value)),
          headers: record.headers.map((h) => ({ key: h.key, value: text(h.value) })),
        });
      }
    }
    if (records.length === 0) next = position;
  }
  return { messages, scanned, startOffset: String(start), nextOffset: String(next), logEndOffset: String(end) };
}
