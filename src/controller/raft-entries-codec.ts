/**
 * Raft log entries <-> Kafka v2 record batches, as they travel in a Fetch response's `records` field:
 * consecutive entries of one epoch and kind share a batch (baseOffset = first offset,
 * partitionLeaderEpoch = epoch, control flag for Raft control records), one record per entry with
 * the payload as its value. Control records carry Kafka's control key (version 0, type 2 =
 * LEADER_CHANGE) as their key.
 * Leaves out: Kafka's LeaderChangeMessage body (our control payload is the core's own JSON),
 * compression of the metadata log.
 */
import { buildRecordBatch, decodeRecordBatches, type RecordInput } from '../../protocol/records/index.js';
import { ProtocolDecodeError } from '../../protocol/primitives/index.js';
import type { RaftEntry } from './raft/types.js';

const LEADER_CHANGE_KEY = Buffer.from([0, 0, 0, 2]);

/** Encodes entries (ascending, contiguous offsets) as concatenated record batches. */
export function encodeEntries(entries: readonly RaftEntry[], timestamp = -1n): Buffer {
  if (entries.length === 0) return Buffer.alloc(0);
  const batches: Buffer[] = [];
  let start = 0;
  for (let i = 1; i <= entries.length; i++) {
    const first = entries[start] as RaftEntry;
    const next = entries[i];
    if (next && next.epoch === first.epoch && next.control === first.control) continue;
    const group = entries.slice(start, i);
    const records: RecordInput[] = group.map((e, index) => ({
      key: e.control ? LEADER_CHANGE_KEY : null,
      value: e.payload,
      timestamp,
      offsetDelta: index,
    }));
    batches.push(
      buildRecordBatch({
        records,
        baseOffset: BigInt(first.offset),
        partitionLeaderEpoch: first.epoch,
        control: first.control,
      }),
    );
    start = i;
  }
  return batches.length === 1 ? (batches[0] as Buffer) : Buffer.concat(batches);
}

/** Decodes record batches into entries; a trailing partial batch is ignored, a corrupt one throws. */
export function decodeEntries(bytes: Buffer | null): RaftEntry[] {
  if (bytes === null || bytes.length === 0) return [];
  const entries: RaftEntry[] = [];
  for (const batch of decodeRecordBatches(bytes, { allowPartialTrailing: true })) {
    for (const record of batch.records) {
      const offset = Number(record.offset);
      if (!Number.isSafeInteger(offset) || offset < 0)
        throw new ProtocolDecodeError(`record offset ${record.offset} out of range`);
      entries.push({
        offset,
        epoch: batch.partitionLeaderEpoch,
        payload: record.value ?? Buffer.alloc(0),
        control: batch.control,
      });
    }
  }
  return entries;
}
