/**
 * CRC-32C (Castagnoli), the checksum of every v2 record batch, through the native
 * `@node-rs/crc32` binding, loaded on the first checksum rather than at import: an import that
 * never checksums saves the dlopen, and a V8 startup snapshot (bench/broker/snapshot-blob.mjs)
 * runs the bundle's top level while it is built, where no native addon may load.
 */
import { createRequire } from 'node:module';

type Crc32c = typeof import('@node-rs/crc32').crc32c;

let native: Crc32c | undefined;

function load(): Crc32c {
  native = (createRequire(import.meta.url)('@node-rs/crc32') as typeof import('@node-rs/crc32')).crc32c;
  return native;
}

/** CRC-32C of `input` (continuing from `initialState` when given), as an unsigned or signed 32-bit value. */
export function crc32c(input: Buffer, initialState?: number): number {
  return (native ?? load())(input, initialState);
}
