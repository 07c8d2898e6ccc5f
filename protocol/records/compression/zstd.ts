/**
 * Codec 4, zstd, through `zstd-napi`. Decompression streams into bounded output
 * buffers and stops at the cap, so a frame that declares (or hides) a huge content
 * size cannot allocate past it. Several concatenated frames are accepted. One
 * decompression context is kept and reset per call (creating one costs more than
 * decompressing a typical batch); a payload that is one frame declaring its content
 * size within the cap (librdkafka writes these) is decompressed in one call into a
 * buffer of exactly that size.
 */
import { createRequire } from 'node:module';
import { capOf, corrupt, tooLarge, type DecompressOptions } from './limits.js';
import { RecordsError } from '../errors.js';

// The native binding is CommonJS whose exports ESM cannot name statically. It loads on
// first use: most brokers never see a zstd batch, and loading it costs start-up time.
type Binding = typeof import('zstd-napi/binding.js');
interface Loaded {
  binding: Binding;
  compress: typeof import('zstd-napi').compress;
  outputChunk: number;
  /** Reused by every decompression (calls are synchronous), reset at the start of each. */
  dctx: InstanceType<Binding['DCtx']>;
}
let loaded: Loaded | undefined;
function zstd(): Loaded {
  if (!loaded) {
    const require = createRequire(import.meta.url);
    const binding = require('zstd-napi/binding.js') as Binding;
    const { compress } = require('zstd-napi') as typeof import('zstd-napi');
    loaded = { binding, compress, outputChunk: binding.dStreamOutSize(), dctx: new binding.DCtx() };
  }
  return loaded;
}

/** The content size of a payload that is exactly one frame declaring it, else null. */
function singleFrameContentSize(binding: Binding, data: Uint8Array): number | null {
  try {
    const size = binding.getFrameContentSize(data);
    if (size === null || binding.findFrameCompressedSize(data) !== data.length) return null;
    return size;
  } catch {
    return null; // not a parsable frame header: the streaming path reports it
  }
}

export function zstdCompress(data: Uint8Array, level?: number): Buffer {
  return zstd().compress(data, level === undefined ? {} : { compressionLevel: level });
}

export function zstdDecompress(data: Uint8Array, options?: DecompressOptions): Buffer {
  const cap = capOf(options);
  if (data.length === 0) throw new RecordsError('compression', 'zstd: empty payload');
  const { binding, outputChunk: OUTPUT_CHUNK, dctx } = zstd();
  dctx.reset(binding.ResetDirective.sessionOnly);
  const declared = singleFrameContentSize(binding, data);
  if (declared !== null) {
    if (declared > cap) throw tooLarge('zstd', cap);
    const out = Buffer.allocUnsafe(declared);
    let produced: number;
    try {
      produced = dctx.decompress(out, data);
    } catch (error) {
      throw corrupt('zstd', error);
    }
    if (produced !== declared)
      throw new RecordsError('compression', `zstd: frame declares ${declared} bytes, holds ${produced}`);
    return out;
  }
  const chunks: Buffer[] = [];
  let total = 0;
  let source = data;
  try {
    for (;;) {
      const out = Buffer.allocUnsafe(Math.min(OUTPUT_CHUNK, cap - total + 1));
      const [hint, produced, consumed] = dctx.decompressStream(out, source);
      total += produced;
      if (total > cap) throw tooLarge('zstd', cap);
      if (produced > 0) chunks.push(out.subarray(0, produced));
      source = source.subarray(consumed);
      if (source.length === 0 && hint === 0) break;
      if (source.length === 0 && produced < out.length) throw new RecordsError('compression', 'zstd: truncated frame');
      if (produced === 0 && consumed === 0) throw new RecordsError('compression', 'zstd: decoder made no progress');
    }
  } catch (error) {
    throw corrupt('zstd', error);
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total);
}
