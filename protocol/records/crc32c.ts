/**
 * CRC-32C (Castagnoli), the checksum of every v2 record batch. Inputs under NATIVE_FROM bytes go
 * through crc-32's pure-JS CRC-32C (bundled; as fast as the binding there, where a call into native
 * code costs more than the table lookups), larger ones through the native `@node-rs/crc32` binding
 * (about 4 times the JS rate from a few KiB up), loaded on the first large input rather than at
 * import. A broker that has only checksummed small batches (the metadata log's at start-up, an
 * embedded test broker's) never loads the binding: its dlopen costs 5-10 ms and 3.3 MiB of RSS
 * (docs/benchmarks.md, "Start-up, session 13"), and a V8 startup snapshot
 * (bench/broker/snapshot-blob.mjs) runs the bundle's top level while it is built, where no native
 * addon may load. Both give the same value for the same bytes (crc32c.test.ts).
 */
import { createRequire } from 'node:module';
import CRC32C from 'crc-32/crc32c.js';

type Crc32c = typeof import('@node-rs/crc32').crc32c;

/** The size from which the native binding is used. */
export const NATIVE_FROM = 1024;

let native: Crc32c | undefined;

function load(): Crc32c {
  native = (createRequire(import.meta.url)('@node-rs/crc32') as typeof import('@node-rs/crc32')).crc32c;
  return native;
}

/** CRC-32C of `input` (continuing from `initialState` when given), as an unsigned or signed 32-bit value. */
export function crc32c(input: Buffer, initialState?: number): number {
  if (input.length < NATIVE_FROM) return CRC32C.buf(input, initialState);
  return (native ?? load())(input, initialState);
}

/** Whether the native binding has been loaded (tests). */
export function nativeCrc32cLoaded(): boolean {
  return native !== undefined;
}
