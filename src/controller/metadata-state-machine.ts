/**
 * The metadata image as the Raft core's replicated state machine: each committed entry is one
 * encoded metadata record (records.ts framing), applied to the MetadataController's image on every
 * node, leader and followers alike. A snapshot is the list of record payloads applied so far
 * (int32 count, then int32 length + bytes each), so restore = reset the image + replay.
 * Leaves out: compacting the snapshot into the image's current records (it grows with the log;
 * the metadata log is small) and Kafka's snapshot record-batch format.
 */
import { ProtocolDecodeError } from '../../protocol/primitives/index.js';
import type { ReplicatedStateMachine } from './raft/state-machine.js';
import type { RaftEntry } from './raft/types.js';

/** What the state machine needs from the metadata controller. */
export interface MetadataApplier {
  /** Applies one committed record (encoded) at `offset`. */
  applyCommitted(payload: Buffer, offset: number): void;
  /** Forgets the whole image (before a snapshot restore). */
  resetImage(): void;
}

export class MetadataStateMachine implements ReplicatedStateMachine {
  private readonly applied: Buffer[] = [];
  private readonly offsets: number[] = [];

  constructor(private readonly target: MetadataApplier) {}

  apply(entry: RaftEntry): void {
    this.applied.push(entry.payload);
    this.offsets.push(entry.offset);
    this.target.applyCommitted(entry.payload, entry.offset);
  }

  snapshot(): Buffer {
    let size = 4;
    for (const p of this.applied) size += 12 + p.length;
    const out = Buffer.allocUnsafe(size);
    out.writeInt32BE(this.applied.length, 0);
    let at = 4;
    this.applied.forEach((p, i) => {
      out.writeInt32BE(p.length, at);
      out.writeDoubleBE(this.offsets[i] as number, at + 4);
      p.copy(out, at + 12);
      at += 12 + p.length;
    });
    return out;
  }

  restore(snapshot: Buffer): void {
    if (snapshot.length < 4) throw new ProtocolDecodeError('metadata snapshot too short');
    const count = snapshot.readInt32BE(0);
    if (count < 0 || count > (snapshot.length - 4) / 12) throw new ProtocolDecodeError(`metadata snapshot claims ${count} records`);
    const entries: Array<{ payload: Buffer; offset: number }> = [];
    let at = 4;
    for (let i = 0; i < count; i++) {
      if (at + 12 > snapshot.length) throw new ProtocolDecodeError('metadata snapshot truncated');
      const length = snapshot.readInt32BE(at);
      const offset = snapshot.readDoubleBE(at + 4);
      if (length < 0 || at + 12 + length > snapshot.length) throw new ProtocolDecodeError('metadata snapshot truncated');
      entries.push({ payload: Buffer.from(snapshot.subarray(at + 12, at + 12 + length)), offset });
      at += 12 + length;
    }
    this.target.resetImage();
    this.applied.length = 0;
    this.offsets.length = 0;
    for (const e of entries) this.apply({ offset: e.offset, epoch: 0, payload: e.payload, control: false });
  }
}
