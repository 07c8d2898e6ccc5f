/**
 * The common case of the produce-path record walk (record-walk.ts) in one function: a batch whose
 * every record is well formed, has no headers, and breaks none of the topic's rules. It accepts
 * exactly what walkRecords accepts and gives the same offset-delta answer; anything else (headers,
 * a varint longer than this path reads, a short record, a null key on a compacted topic, a timestamp
 * out of range, leftover bytes) makes it answer UNUSUAL, and the full walk then runs and names the
 * problem. So it never decides an error, only that there is none.
 *
 * Why it exists: with 100-byte records a 1 MB batch holds ~10,000 records, and the full walk's
 * small reader functions (one call per varint, the position passed back through module state) were
 * not inlined by V8 there: 24-30 ns of CPU per record, half of a broker's CPU in a 100 B produce.
 * Here the 1- and 2-byte varints (every field of a small record but a late timestamp delta) are read
 * inline: 14 ns per record in the same benchmark (docs/benchmarks.md, "Produce of small records").
 */

/** The answer when the batch needs the full walk. */
export const UNUSUAL = -1;

let longEnd = 0;

/**
 * A varint of 3 to `max` bytes (its raw value, not zig-zag decoded) that ends before `end`, with the
 * position after it in `longEnd`; -1 when it is longer or runs past `end`.
 */
function longVarint(buf: Buffer, pos: number, end: number, max: number): number {
  let raw = 0;
  let scale = 1;
  for (let i = 0; i < max && pos + i < end; i++) {
    const b = buf[pos + i]!;
    raw += (b & 0x7f) * scale;
    if (b < 0x80) {
      longEnd = pos + i + 1;
      return raw;
    }
    scale *= 128;
  }
  return -1;
}

/** What the topic's rules ask of the batch's records (RecordRules, with the batch's base timestamp). */
export interface FastWalkRules {
  requireKey: boolean;
  /** CreateTime topics check each record's timestamp against [minTimestamp, maxTimestamp]. */
  createTime: boolean;
  minTimestamp: number;
  maxTimestamp: number;
  baseTimestamp: number;
}

/**
 * Walks `recordCount` records of the uncompressed (or decompressed) `buf`. Returns 1 when every
 * record passed and each offset delta equals its index, 0 when every record passed but the deltas are
 * not in order, UNUSUAL otherwise. Each varint read below is the same inline step: one byte under
 * 0x80, or two bytes, or longVarint for longer ones; then zig-zag decoding.
 */
export function walkPlainRecords(buf: Buffer, recordCount: number, rules: FastWalkRules): number {
  const end = buf.length;
  let pos = 0;
  let inOrder = 1;
  let raw: number;
  let b: number;
  let c: number;
  for (let index = 0; index < recordCount; index++) {
    // The record's length.
    if (pos + 2 > end) return UNUSUAL;
    b = buf[pos]!;
    c = buf[pos + 1]!;
    if (b < 0x80) {
      raw = b;
      pos += 1;
    } else if (c < 0x80) {
      raw = (b & 0x7f) | (c << 7);
      pos += 2;
    } else {
      raw = longVarint(buf, pos, end, 3);
      if (raw < 0) return UNUSUAL;
      pos = longEnd;
    }
    const recordEnd = pos + (raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2);
    // A record without headers has 6 bytes or more; shorter (or negative) ones go to the full walk. So
    // the timestamp delta's first two bytes below are inside the record.
    if (recordEnd < pos + 6 || recordEnd > end) return UNUSUAL;
    pos++; // attributes (unused in v2)
    // Timestamp delta (a varlong; up to 7 bytes here).
    b = buf[pos]!;
    c = buf[pos + 1]!;
    if (b < 0x80) {
      raw = b;
      pos += 1;
    } else if (c < 0x80) {
      raw = (b & 0x7f) | (c << 7);
      pos += 2;
    } else {
      raw = longVarint(buf, pos, recordEnd, 7);
      if (raw < 0) return UNUSUAL;
      pos = longEnd;
    }
    const timestampDelta = raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2;
    // Offset delta.
    if (pos + 2 > recordEnd) return UNUSUAL;
    b = buf[pos]!;
    c = buf[pos + 1]!;
    if (b < 0x80) {
      raw = b;
      pos += 1;
    } else if (c < 0x80) {
      raw = (b & 0x7f) | (c << 7);
      pos += 2;
    } else {
      raw = longVarint(buf, pos, recordEnd, 3);
      if (raw < 0) return UNUSUAL;
      pos = longEnd;
    }
    if ((raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2) !== index) inOrder = 0;
    // Key size and key (negative: null).
    if (pos + 2 > recordEnd) return UNUSUAL;
    b = buf[pos]!;
    c = buf[pos + 1]!;
    if (b < 0x80) {
      raw = b;
      pos += 1;
    } else if (c < 0x80) {
      raw = (b & 0x7f) | (c << 7);
      pos += 2;
    } else {
      raw = longVarint(buf, pos, recordEnd, 3);
      if (raw < 0) return UNUSUAL;
      pos = longEnd;
    }
    if (raw % 2 === 0) pos += raw / 2;
    else if (rules.requireKey) return UNUSUAL;
    // Value size and value (negative: null).
    if (pos + 2 > recordEnd) return UNUSUAL;
    b = buf[pos]!;
    c = buf[pos + 1]!;
    if (b < 0x80) {
      raw = b;
      pos += 1;
    } else if (c < 0x80) {
      raw = (b & 0x7f) | (c << 7);
      pos += 2;
    } else {
      raw = longVarint(buf, pos, recordEnd, 3);
      if (raw < 0) return UNUSUAL;
      pos = longEnd;
    }
    if (raw % 2 === 0) pos += raw / 2;
    // Header count: zero, the record's last byte.
    if (pos + 1 !== recordEnd || buf[pos] !== 0) return UNUSUAL;
    pos = recordEnd;
    if (rules.createTime) {
      const timestamp = rules.baseTimestamp + timestampDelta;
      if (timestamp !== -1 && (timestamp < rules.minTimestamp || timestamp > rules.maxTimestamp)) return UNUSUAL;
    }
  }
  return pos === end ? inOrder : UNUSUAL;
}
