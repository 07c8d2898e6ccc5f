/**
 * The metadata image as the Raft core's replicated state machine: each committed entry is one
 * encoded metadata record (records.ts framing), applied to the MetadataController's image on every
 * node, leader and followers alike.
 *
 * Snapshots (KIP-630) hold the image, not the log: the records that rebuild it (image-records.ts),
 * so a snapshot is as large as the current metadata however long the log grew. Layout: int32 -2
 * (the format marker), float64 offset of the last applied record, int32 count, then int32 length +
 * record bytes each. Restore replaces the image with the snapshot's (listeners hear of topics that
 * appeared or vanished). The snapshot files of the first Raft version (int32 count >= 0, then
 * int32 length + float64 offset + bytes per applied record) are still read.
 * `bytesSinceSnapshot` counts the record bytes applied since the last snapshot or restore, for the
 * snapshot trigger (metadata.log.max.record.bytes.between.snapshots).
 * Leaves out: Kafka's checkpoint layout (record batches with a SnapshotHeader/SnapshotFooter).
 */
import { ProtocolDecodeError } from '../../protocol/primitives/index.js';
import type { ReplicatedStateMachine } from './raft/state-machine.js';
import type { RaftEntry } from './raft/types.js';

/** What the state machine needs from the metadata controller. */
export interface MetadataApplier {
  /** Applies one committed record (encoded) at `offset`. */
  applyCommitted(payload: Buffer, offset: number): void;
  /** The encoded records that rebuild the current image. */
  snapshotRecords(): Buffer[];
  /** Replaces the image with the one these records build; `lastOffset` is the last applied offset. */
  restoreImage(payloads: readonly Buffer[], lastOffset: number): void;
}

const IMAGE_FORMAT = -2;

export class MetadataStateMachine implements ReplicatedStateMachine {
  private lastApplied = -1;
  /** Record bytes applied since the last snapshot or restore. */
  bytesSinceSnapshot = 0;

  constructor(private readonly target: MetadataApplier) {}

  apply(entry: RaftEntry): void {
    this.lastApplied = entry.offset;
    this.bytesSinceSnapshot += entry.payload.length;
    this.target.applyCommitted(entry.payload, entry.offset);
  }

  snapshot(): Buffer {
    const records = this.target.snapshotRecords();
    let size = 16;
    for (const p of records) size += 4 + p.length;
    const out = Buffer.allocUnsafe(size);
    out.writeInt32BE(IMAGE_FORMAT, 0);
    out.writeDoubleBE(this.lastApplied, 4);
    out.writeInt32BE(records.length, 12);
    let at = 16;
    for (const p of records) {
      out.writeInt32BE(p.length, at);
      p.copy(out, at + 4);
      at += 4 + p.length;
    }
    this.bytesSinceSnapshot = 0;
    return out;
  }

  restore(snapshot: Buffer): void {
    if (snapshot.length < 4) throw new ProtocolDecodeError('metadata snapshot too short');
    const parsed = snapshot.readInt32BE(0) === IMAGE_FORMAT ? readImageFormat(snapshot) : readLegacyFormat(snapshot);
    this.target.restoreImage(parsed.payloads, parsed.lastOffset);
    this.lastApplied = parsed.lastOffset;
    this.bytesSinceSnapshot = 0;
  }
}

interface ParsedSnapshot {
  payloads: Buffer[];
  lastOffset: number;
}

function readImageFormat(snapshot: Buffer): ParsedSnapshot {
  if (snapshot.length < 16) throw new ProtocolDecodeError('metadata snapshot too short');
  const lastOffset = snapshot.readDoubleBE(4);
  const count = snapshot.readInt32BE(12);
  if (!Number.isSafeInteger(lastOffset) || lastOffset < -1)
    throw new ProtocolDecodeError(`metadata snapshot offset ${lastOffset}`);
  if (count < 0 || count > (snapshot.length - 16) / 4)
    throw new ProtocolDecodeError(`metadata snapshot claims ${count} records`);
  const payloads: Buffer[] = [];
  let at = 16;
  for (let i = 0; i < count; i++) {
    if (at + 4 > snapshot.length) throw new ProtocolDecodeError('metadata snapshot truncated');
    const length = snapshot.readInt32BE(at);
    if (length < 0 || at + 4 + length > snapshot.length) throw new ProtocolDecodeError('metadata snapshot truncated');
    payloads.push(Buffer.from(snapshot.subarray(at + 4, at + 4 + length)));
    at += 4 + length;
  }
  return { payloads, lastOffset };
}

function readLegacyFormat(snapshot: Buffer): ParsedSnapshot {
  const count = snapshot.readInt32BE(0);
  if (count < 0 || count > (snapshot.length - 4) / 12)
    throw new ProtocolDecodeError(`metadata snapshot claims ${count} records`);
  const payloads: Buffer[] = [];
  let lastOffset = -1;
  let at = 4;
  for (let i = 0; i < count; i++) {
    if (at + 12 > snapshot.length) throw new ProtocolDecodeError('metadata snapshot truncated');
    const length = snapshot.readInt32BE(at);
    lastOffset = snapshot.readDoubleBE(at + 4);
    if (length < 0 || at + 12 + length > snapshot.length) throw new ProtocolDecodeError('metadata snapshot truncated');
    payloads.push(Buffer.from(snapshot.subarray(at + 12, at + 12 + length)));
    at += 12 + length;
  }
  return { payloads, lastOffset };
}
