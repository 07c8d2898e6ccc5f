import { ProtocolEncodeError } from './errors.js';
import { uuidToBytes } from './uuid.js';

const INITIAL_SCRATCH = 1024;
/** Raw byte fields at least this long are kept as their own chunk instead of being copied. */
const ZERO_COPY_THRESHOLD = 4096;

/**
 * An append-only encoder. Small writes go into a growing scratch buffer; large raw
 * byte fields (record batches, file slices) are kept as separate chunks and never
 * copied, so a response can be written to a socket as a list of buffers.
 */
export class Writer {
  private chunks: Buffer[] = [];
  private scratch: Buffer;
  private position = 0;
  private flushedLength = 0;

  constructor(initialSize = INITIAL_SCRATCH) {
    this.scratch = Buffer.allocUnsafe(initialSize);
  }

  /** Bytes written so far. */
  get length(): number {
    return this.flushedLength + this.position;
  }

  private ensure(size: number): void {
    if (this.position + size <= this.scratch.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.scratch.length * 2, this.position + size, INITIAL_SCRATCH));
    this.scratch.copy(next, 0, 0, this.position);
    this.scratch = next;
  }

  int8(value: number): this {
    this.ensure(1);
    this.scratch.writeInt8(value, this.position);
    this.position += 1;
    return this;
  }

  uint8(value: number): this {
    this.ensure(1);
    this.scratch[this.position++] = value & 0xff;
    return this;
  }

  bool(value: boolean): this {
    return this.int8(value ? 1 : 0);
  }

  int16(value: number): this {
    this.ensure(2);
    this.scratch.writeInt16BE(value, this.position);
    this.position += 2;
    return this;
  }

  uint16(value: number): this {
    this.ensure(2);
    this.scratch.writeUInt16BE(value, this.position);
    this.position += 2;
    return this;
  }

  int32(value: number): this {
    this.ensure(4);
    this.scratch.writeInt32BE(value, this.position);
    this.position += 4;
    return this;
  }

  uint32(value: number): this {
    this.ensure(4);
    this.scratch.writeUInt32BE(value, this.position);
    this.position += 4;
    return this;
  }

  int64(value: bigint): this {
    this.ensure(8);
    this.scratch.writeBigInt64BE(BigInt.asIntN(64, value), this.position);
    this.position += 8;
    return this;
  }

  float64(value: number): this {
    this.ensure(8);
    this.scratch.writeDoubleBE(value, this.position);
    this.position += 8;
    return this;
  }

  uuid(value: string): this {
    return this.raw(uuidToBytes(value));
  }

  uvarint(value: number): this {
    this.ensure(5);
    let v = value >>> 0;
    while (v >= 0x80) {
      this.scratch[this.position++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.scratch[this.position++] = v;
    return this;
  }

  varint(value: number): this {
    return this.uvarint(((value << 1) ^ (value >> 31)) >>> 0);
  }

  varlong(value: bigint): this {
    this.ensure(10);
    let v = BigInt.asUintN(64, (value << 1n) ^ (value >> 63n));
    while (v >= 0x80n) {
      this.scratch[this.position++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.scratch[this.position++] = Number(v);
    return this;
  }

  raw(bytes: Uint8Array): this {
    if (bytes.length >= ZERO_COPY_THRESHOLD) {
      this.flushScratch();
      const chunk = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
      this.chunks.push(chunk);
      this.flushedLength += chunk.length;
      return this;
    }
    this.ensure(bytes.length);
    this.scratch.set(bytes, this.position);
    this.position += bytes.length;
    return this;
  }

  private flushScratch(): void {
    if (this.position === 0) return;
    this.chunks.push(this.scratch.subarray(0, this.position));
    this.flushedLength += this.position;
    // Keep the unused tail; a new scratch is allocated only if more is written (most
    // writers end with this call, so an eager allocation would be garbage at once).
    this.scratch = this.scratch.subarray(this.position);
    this.position = 0;
  }

  private text(value: string, compact: boolean): this {
    const size = Buffer.byteLength(value, 'utf8');
    if (compact) this.uvarint(size + 1);
    else {
      if (size > 0x7fff) throw new ProtocolEncodeError(`string of ${size} bytes is longer than int16 allows`);
      this.int16(size);
    }
    this.ensure(size);
    this.position += this.scratch.write(value, this.position, size, 'utf8');
    return this;
  }

  string(value: string): this {
    return this.text(value, false);
  }

  nullableString(value: string | null): this {
    return value === null ? this.int16(-1) : this.text(value, false);
  }

  compactString(value: string): this {
    return this.text(value, true);
  }

  compactNullableString(value: string | null): this {
    return value === null ? this.uvarint(0) : this.text(value, true);
  }

  bytes(value: Uint8Array): this {
    return this.int32(value.length).raw(value);
  }

  nullableBytes(value: Uint8Array | null): this {
    return value === null ? this.int32(-1) : this.bytes(value);
  }

  compactBytes(value: Uint8Array): this {
    return this.uvarint(value.length + 1).raw(value);
  }

  compactNullableBytes(value: Uint8Array | null): this {
    return value === null ? this.uvarint(0) : this.compactBytes(value);
  }

  /** Overwrites an int32 already written at absolute position `at` (used for size prefixes). */
  patchInt32(at: number, value: number): void {
    const local = at - this.flushedLength;
    if (local >= 0 && local + 4 <= this.position) {
      this.scratch.writeInt32BE(value, local);
      return;
    }
    let base = 0;
    for (const chunk of this.chunks) {
      if (at >= base && at + 4 <= base + chunk.length) {
        chunk.writeInt32BE(value, at - base);
        return;
      }
      base += chunk.length;
    }
    throw new ProtocolEncodeError(`cannot patch int32 at ${at}: it spans two chunks`);
  }

  /** The encoded bytes as a list of buffers, without copying large chunks. */
  chunksView(): Buffer[] {
    this.flushScratch();
    return this.chunks;
  }

  /** The encoded bytes as one buffer. */
  toBuffer(): Buffer {
    const chunks = this.chunksView();
    if (chunks.length === 1) return chunks[0]!;
    return Buffer.concat(chunks, this.flushedLength);
  }
}
