/**
 * Small shared routines the generated codecs call: arrays, nullable structs, tagged
 * field framing and default checks. Hand-written once here so the generated files stay
 * flat and readable.
 */
import { ProtocolDecodeError, ProtocolEncodeError } from './errors.js';
import type { Reader } from './reader.js';
import { Writer } from './writer.js';

export const EMPTY_BYTES: Buffer = Buffer.alloc(0);

export function readArray<T>(
  r: Reader,
  compact: boolean,
  nullable: boolean,
  minElementSize: number,
  readElement: (r: Reader) => T,
  what: string,
): T[] | null {
  const count = compact ? r.compactArrayCount(minElementSize) : r.arrayCount(minElementSize);
  if (count < 0) {
    if (!nullable) throw new ProtocolDecodeError(`null in the non-nullable array ${what}`);
    return null;
  }
  const out: T[] = new Array<T>(count);
  for (let i = 0; i < count; i++) out[i] = readElement(r);
  return out;
}

export function readNonNullArray<T>(
  r: Reader,
  compact: boolean,
  minElementSize: number,
  readElement: (r: Reader) => T,
  what: string,
): T[] {
  return readArray(r, compact, false, minElementSize, readElement, what) as T[];
}

export function writeArray<T>(
  w: Writer,
  compact: boolean,
  values: readonly T[] | null,
  writeElement: (w: Writer, value: T) => void,
  nullable: boolean,
  what: string,
): void {
  if (values === null) {
    if (!nullable) throw new ProtocolEncodeError(`${what} is null in a version where it cannot be`);
    if (compact) w.uvarint(0);
    else w.int32(-1);
    return;
  }
  if (compact) w.uvarint(values.length + 1);
  else w.int32(values.length);
  for (const value of values) writeElement(w, value);
}

export function nonNull<T>(value: T | null, what: string): T {
  if (value === null) throw new ProtocolEncodeError(`${what} is null in a version where it cannot be`);
  return value;
}

/** Writes one tagged field: tag, size, then the bytes `write` produces. */
export function writeTaggedField(w: Writer, tag: number, write: (w: Writer) => void): void {
  const inner = new Writer(64);
  write(inner);
  const bytes = inner.toBuffer();
  w.uvarint(tag).uvarint(bytes.length).raw(bytes);
}

export function absentField(what: string): never {
  throw new ProtocolEncodeError(`${what} is set to a non-default value, but the version in use does not have it`);
}

/** Structural equality for default checks of struct-typed fields. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Buffer.isBuffer(a) && Buffer.isBuffer(b)) return a.equals(b);
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (const k of ka) {
    if (!deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  }
  return true;
}
