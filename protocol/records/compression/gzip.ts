/**
 * Codec 1, gzip, through node:zlib. Decompression is capped with zlib's own
 * maxOutputLength, so an oversize payload stops early instead of filling memory.
 * Concatenated gzip members are accepted, as zlib does. node:zlib loads on the first gzip
 * batch, not at start-up (most brokers never see one).
 */
import { constants as bufferConstants } from 'node:buffer';
import { createRequire } from 'node:module';
import { capOf, corrupt, tooLarge, type DecompressOptions } from './limits.js';

type NodeZlib = typeof import('node:zlib');
let zlib: NodeZlib | undefined;
const loadZlib = (): NodeZlib => (zlib ??= createRequire(import.meta.url)('node:zlib') as NodeZlib);

export function gzipCompress(data: Uint8Array, level?: number): Buffer {
  return loadZlib().gzipSync(data, level === undefined ? {} : { level });
}

function errorCode(error: unknown): unknown {
  return typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
}

export function gzipDecompress(data: Uint8Array, options?: DecompressOptions): Buffer {
  const cap = capOf(options);
  let output: Buffer;
  try {
    output = loadZlib().gunzipSync(data, { maxOutputLength: Math.max(1, Math.min(cap, bufferConstants.MAX_LENGTH)) });
  } catch (error) {
    if (error instanceof RangeError || errorCode(error) === 'ERR_BUFFER_TOO_LARGE') throw tooLarge('gzip', cap);
    throw corrupt('gzip', error);
  }
  if (output.length > cap) throw tooLarge('gzip', cap);
  return output;
}
