/**
 * Codec 2, snappy, through the `snappy` package (raw snappy blocks). Kafka's Java
 * client, kafka-python and the broker itself write the xerial (snappy-java) framing:
 * an 8-byte magic 0x82 'SNAPPY' 0x00, two int32 versions, then blocks of int32 length
 * + raw snappy. Reading detects it; plain raw snappy is accepted too. Each raw block
 * declares its uncompressed length up front, so the cap is checked before any output
 * is allocated. Writing defaults to xerial framing, as Kafka does; raw is an option.
 */
import { createRequire } from 'node:module';
type SnappyModule = typeof import('snappy');
let snappyModule: SnappyModule | undefined;
/** The native binding loads on first use: most brokers never see this codec, and loading it costs start-up time. */
function snappy(): SnappyModule {
  return (snappyModule ??= createRequire(import.meta.url)('snappy') as SnappyModule);
}
import { capOf, corrupt, tooLarge, type DecompressOptions } from './limits.js';
import { RecordsError } from '../errors.js';

const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const XERIAL_HEADER_SIZE = 16;
const XERIAL_VERSION = 1;
const XERIAL_COMPATIBLE_VERSION = 1;
/** snappy-java's default block size. */
const XERIAL_BLOCK_SIZE = 32 * 1024;

export type SnappyFraming = 'xerial' | 'raw';

export function isXerialFramed(data: Uint8Array): boolean {
  if (data.length < XERIAL_HEADER_SIZE) return false;
  for (let i = 0; i < XERIAL_MAGIC.length; i++) if (data[i] !== XERIAL_MAGIC[i]) return false;
  return true;
}

/** The uncompressed length a raw snappy block declares in its varint preamble. */
export function snappyDeclaredLength(block: Uint8Array): number {
  let result = 0;
  for (let i = 0; i < 5; i++) {
    if (i >= block.length) throw new RecordsError('compression', 'snappy block is shorter than its length preamble');
    const byte = block[i]!;
    result += (byte & 0x7f) * 2 ** (7 * i);
    if ((byte & 0x80) === 0) return result;
  }
  throw new RecordsError('compression', 'snappy length preamble is longer than 5 bytes');
}

function rawBlockDecompress(block: Uint8Array): Buffer {
  try {
    const out = snappy().uncompressSync(block, { asBuffer: true });
    if (typeof out === 'string') return Buffer.from(out);
    return out;
  } catch (error) {
    throw corrupt('snappy', error);
  }
}

export function snappyCompress(data: Uint8Array, framing: SnappyFraming = 'xerial'): Buffer {
  if (framing === 'raw') return snappy().compressSync(data);
  const parts: Buffer[] = [];
  const header = Buffer.alloc(XERIAL_HEADER_SIZE);
  XERIAL_MAGIC.copy(header, 0);
  header.writeInt32BE(XERIAL_VERSION, 8);
  header.writeInt32BE(XERIAL_COMPATIBLE_VERSION, 12);
  parts.push(header);
  for (let at = 0; at < data.length; at += XERIAL_BLOCK_SIZE) {
    const block = snappy().compressSync(data.subarray(at, Math.min(data.length, at + XERIAL_BLOCK_SIZE)));
    const size = Buffer.alloc(4);
    size.writeInt32BE(block.length, 0);
    parts.push(size, block);
  }
  return Buffer.concat(parts);
}

export function snappyDecompress(data: Uint8Array, options?: DecompressOptions): Buffer {
  const cap = capOf(options);
  if (!isXerialFramed(data)) {
    if (snappyDeclaredLength(data) > cap) throw tooLarge('snappy', cap);
    return rawBlockDecompress(data);
  }
  const view = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const blocks: Buffer[] = [];
  let total = 0;
  let at = XERIAL_HEADER_SIZE;
  while (at < view.length) {
    if (at + 4 > view.length) throw new RecordsError('compression', `xerial snappy block length truncated at ${at}`);
    const size = view.readInt32BE(at);
    at += 4;
    if (size < 0 || at + size > view.length) {
      throw new RecordsError(
        'compression',
        `xerial snappy block of ${size} bytes overruns the ${view.length}-byte payload`,
      );
    }
    const block = view.subarray(at, at + size);
    at += size;
    total += snappyDeclaredLength(block);
    if (total > cap) throw tooLarge('snappy', cap);
    blocks.push(rawBlockDecompress(block));
  }
  return blocks.length === 1 ? blocks[0]! : Buffer.concat(blocks);
}
