/**
 * Shared knobs and error helpers for the codecs: the decompressed-size cap that
 * stops decompression bombs, and wrappers that turn a library's untyped failure
 * into a RecordsError. No codec logic lives here.
 */
import { RecordsError } from '../errors.js';

/** Default cap on the output of one decompression: 64 MiB. */
export const DEFAULT_MAX_DECOMPRESSED_BYTES = 64 * 1024 * 1024;

export interface DecompressOptions {
  /** Largest output one decompression may produce; past it a 'decompressed-size' RecordsError is raised. */
  maxDecompressedBytes?: number;
}

export function capOf(options?: DecompressOptions): number {
  const cap = options?.maxDecompressedBytes ?? DEFAULT_MAX_DECOMPRESSED_BYTES;
  if (!Number.isSafeInteger(cap) || cap < 0)
    throw new TypeError(`maxDecompressedBytes must be a non-negative integer, got ${cap}`);
  return cap;
}

export function tooLarge(codec: string, cap: number): RecordsError {
  return new RecordsError('decompressed-size', `${codec} payload decompresses to more than the ${cap}-byte limit`);
}

export function corrupt(codec: string, cause: unknown): RecordsError {
  if (cause instanceof RecordsError) return cause;
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new RecordsError('compression', `cannot decompress ${codec} payload: ${detail}`);
}
