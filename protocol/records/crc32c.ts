/**
 * CRC-32C (Castagnoli), the checksum of every v2 record batch. Three implementations, chosen by the
 * input's size and by how much the process has checksummed so far:
 * - inputs under NATIVE_FROM bytes go through crc-32's pure-JS CRC-32C (bundled; as fast as a binding
 *   there, where a call into native code costs more than the table lookups);
 * - larger ones through the native `@node-rs/crc32` binding (about 4 times the JS rate from a few KiB
 *   up, ~5.6 GB/s here: one hardware crc32 instruction per 8 bytes, each waiting for the last), loaded on
 *   the first large input rather than at import;
 * - once FAST_AFTER_BYTES have gone through that binding, through the AWS Common Runtime's (`aws-crt`)
 *   checksum, which runs three crc32 streams side by side and folds them (~23 GB/s on this machine's
 *   EPYC, 4x the other). Its library is 7 MB of native code: loading it takes 50-90 ms and ~6 MiB of
 *   RSS, so only a process that checksums a lot (a broker under produce or replication load) loads it;
 *   an embedded test broker or an idle one never does. Where it cannot load (no prebuilt binary for
 *   the platform), `@node-rs/crc32` stays.
 * A broker that has only checksummed small batches (the metadata log's at start-up) loads neither
 * binding: the first dlopen costs 5-10 ms and 3.3 MiB of RSS (docs/benchmarks.md, "Start-up, session
 * 13"), and a V8 startup snapshot (bench/broker/snapshot-blob.mjs) runs the bundle's top level while
 * it is built, where no native addon may load. All give the same value for the same bytes
 * (crc32c.test.ts).
 */
import { createRequire } from 'node:module';
import CRC32C from 'crc-32/crc32c.js';

type Crc32c = (input: Buffer, initialState?: number) => number;

/** The size from which a native binding is used. */
export const NATIVE_FROM = 1024;
/** The bytes checksummed through `@node-rs/crc32` after which the faster `aws-crt` binding is loaded. */
export const FAST_AFTER_BYTES = 256 * 1024 * 1024;

let native: Crc32c | undefined;
let nativeName: 'node-rs' | 'aws-crt' | undefined;
let nativeBytes = 0;
let fastTried = false;

const requireHere = createRequire(import.meta.url);

function loadNodeRs(): Crc32c {
  native = (requireHere('@node-rs/crc32') as typeof import('@node-rs/crc32')).crc32c;
  nativeName = 'node-rs';
  return native;
}

interface AwsCrtChecksums {
  checksums_crc32c(input: Buffer, previous: number | undefined): number;
}

/**
 * The `aws-crt` package's native module, required directly: its own JS entry also loads its HTTP and
 * MQTT layers and runs `ldd --version` in a child process to tell glibc from musl. Gregor's Docker
 * image and the platforms it supports are glibc; elsewhere this fails and `@node-rs/crc32` stays.
 */
export function loadFastCrc32c(): Crc32c | undefined {
  fastTried = true;
  try {
    const binding = requireHere(
      `aws-crt/dist/bin/${process.platform}-${process.arch}-glibc/aws-crt-nodejs.node`,
    ) as AwsCrtChecksums;
    const crc = (input: Buffer, initialState?: number): number => binding.checksums_crc32c(input, initialState);
    native = crc;
    nativeName = 'aws-crt';
    return crc;
  } catch {
    return undefined;
  }
}

/** CRC-32C of `input` (continuing from `initialState` when given), as an unsigned or signed 32-bit value. */
export function crc32c(input: Buffer, initialState?: number): number {
  if (input.length < NATIVE_FROM) return CRC32C.buf(input, initialState);
  if (!fastTried) {
    nativeBytes += input.length;
    if (nativeBytes > FAST_AFTER_BYTES) loadFastCrc32c();
  }
  return (native ?? loadNodeRs())(input, initialState);
}

/** The native binding that large inputs go through now, if one is loaded (tests, logs). */
export function nativeCrc32cBinding(): 'node-rs' | 'aws-crt' | undefined {
  return nativeName;
}
