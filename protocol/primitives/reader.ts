import { ProtocolDecodeError } from './errors.js';
import { uuidFromBytes } from './uuid.js';

/**
 * A bounds-checked cursor over one frame. Every read checks the bytes that remain
 * before touching the buffer, and every declared length or count is checked against
 * them before anything is allocated, so hostile input raises ProtocolDecodeError.
 * Byte fields are returned as zero-copy views into the frame.
 */
export class Reader {
  offset: number;
  readonly end: number;

  constructor(
    readonly buffer: Buffer,
    offset = 0,
    end = buffer.length,
  ) {
    this.offset = offset;
    this.end = end;
  }

  get remaining(): number {
    return this.end - this.offset;
  }

  private need(size: number, what: string): void {
    if (size > this.end - this.offset) {
      throw new ProtocolDecodeError(
        `truncated ${what}: needs ${size} bytes at offset ${this.offset}, ${this.end - this.offset} remain`,
      );
    }
  }

  int8(): number {
    this.need(1, 'int8');
    return this.buffer.readInt8(this.offset++);
  }

  uint8(): number {
    this.need(1, 'uint8');
    return this.buffer[this.offset++]!;
  }

  bool(): boolean {
    return this.int8() !== 0;
  }

  int16(): number {
    this.need(2, 'int16');
    const value = this.buffer.readInt16BE(this.offset);
    this.offset += 2;
    return value;
  }

  uint16(): number {
    this.need(2, 'uint16');
    const value = this.buffer.readUInt16BE(this.offset);
    this.offset += 2;
    return value;
  }

  int32(): number {
    this.need(4, 'int32');
    const value = this.buffer.readInt32BE(this.offset);
    this.offset += 4;
    return value;
  }

  uint32(): number {
    this.need(4, 'uint32');
    const value = this.buffer.readUInt32BE(this.offset);
    this.offset += 4;
    return value;
  }

  int64(): bigint {
    this.need(8, 'int64');
    const value = this.buffer.readBigInt64BE(this.offset);
    this.offset += 8;
    return value;
  }

  float64(): number {
    this.need(8, 'float64');
    const value = this.buffer.readDoubleBE(this.offset);
    this.offset += 8;
    return value;
  }

  uuid(): string {
    this.need(16, 'uuid');
    const value = uuidFromBytes(this.buffer.subarray(this.offset, this.offset + 16));
    this.offset += 16;
    return value;
  }

  /** Unsigned LEB128 varint of at most 32 bits. */
  uvarint(): number {
    let result = 0;
    let shift = 0;
    for (let i = 0; i < 5; i++) {
      this.need(1, 'varint');
      const byte = this.buffer[this.offset++]!;
      result |= (byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result >>> 0;
      shift += 7;
    }
    throw new ProtocolDecodeError(`varint longer than 5 bytes at offset ${this.offset}`);
  }

  /** Zig-zag signed varint of at most 32 bits. */
  varint(): number {
    const raw = this.uvarint();
    return (raw >>> 1) ^ -(raw & 1);
  }

  /** Zig-zag signed varlong of at most 64 bits. */
  varlong(): bigint {
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      this.need(1, 'varlong');
      const byte = this.buffer[this.offset++]!;
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return (result >> 1n) ^ -(result & 1n);
      shift += 7n;
    }
    throw new ProtocolDecodeError(`varlong longer than 10 bytes at offset ${this.offset}`);
  }

  /** A view of the next `size` bytes, advancing past them. */
  raw(size: number): Buffer {
    if (size < 0) throw new ProtocolDecodeError(`negative length ${size} at offset ${this.offset}`);
    this.need(size, 'bytes');
    const value = this.buffer.subarray(this.offset, this.offset + size);
    this.offset += size;
    return value;
  }

  skip(size: number): void {
    this.need(size, 'skipped bytes');
    this.offset += size;
  }

  private text(size: number): string {
    this.need(size, 'string');
    const value = this.buffer.toString('utf8', this.offset, this.offset + size);
    this.offset += size;
    return value;
  }

  string(): string {
    const size = this.int16();
    if (size < 0) throw new ProtocolDecodeError(`null in a non-nullable string at offset ${this.offset - 2}`);
    return this.text(size);
  }

  nullableString(): string | null {
    const size = this.int16();
    if (size < 0) return null;
    return this.text(size);
  }

  compactString(): string {
    const size = this.uvarint() - 1;
    if (size < 0) throw new ProtocolDecodeError(`null in a non-nullable compact string at offset ${this.offset}`);
    return this.text(size);
  }

  compactNullableString(): string | null {
    const size = this.uvarint() - 1;
    if (size < 0) return null;
    return this.text(size);
  }

  bytes(): Buffer {
    const size = this.int32();
    if (size < 0) throw new ProtocolDecodeError(`null in non-nullable bytes at offset ${this.offset - 4}`);
    return this.raw(size);
  }

  nullableBytes(): Buffer | null {
    const size = this.int32();
    if (size < 0) return null;
    return this.raw(size);
  }

  compactBytes(): Buffer {
    const size = this.uvarint() - 1;
    if (size < 0) throw new ProtocolDecodeError(`null in non-nullable compact bytes at offset ${this.offset}`);
    return this.raw(size);
  }

  compactNullableBytes(): Buffer | null {
    const size = this.uvarint() - 1;
    if (size < 0) return null;
    return this.raw(size);
  }

  /**
   * An int32 array count, checked against the bytes that remain: every element
   * takes at least `minElementSize` bytes, so a hostile count never allocates.
   * Returns -1 for a null array.
   */
  arrayCount(minElementSize = 1): number {
    const count = this.int32();
    if (count < 0) return -1;
    this.checkCount(count, minElementSize);
    return count;
  }

  /** A compact (uvarint + 1) array count; -1 for null. */
  compactArrayCount(minElementSize = 1): number {
    const count = this.uvarint() - 1;
    if (count < 0) return -1;
    this.checkCount(count, minElementSize);
    return count;
  }

  checkCount(count: number, minElementSize: number): void {
    if (count * Math.max(1, minElementSize) > this.end - this.offset) {
      throw new ProtocolDecodeError(
        `array of ${count} elements cannot fit in the ${this.end - this.offset} bytes that remain at offset ${this.offset}`,
      );
    }
  }

  /** Reads a tagged-field section, calling `onTag` for each tag; unknown tags are skipped. */
  taggedFields(onTag?: (tag: number, reader: Reader) => void): void {
    const count = this.uvarint();
    this.checkCount(count, 2);
    let previous = -1;
    for (let i = 0; i < count; i++) {
      const tag = this.uvarint();
      if (tag <= previous) throw new ProtocolDecodeError(`tagged fields out of order: ${tag} after ${previous}`);
      previous = tag;
      const size = this.uvarint();
      this.need(size, 'tagged field');
      const fieldEnd = this.offset + size;
      if (onTag) {
        const sub = new Reader(this.buffer, this.offset, fieldEnd);
        onTag(tag, sub);
      }
      this.offset = fieldEnd;
    }
  }
}
