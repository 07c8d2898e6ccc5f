/**
 * Codec 3, LZ4, in the LZ4 frame format. The frame is parsed here (header, header
 * checksum, block sizes, optional block and content checksums) and each compressed
 * block is decoded natively by `lz4-napi` into a buffer no larger than the frame's
 * block size or what remains of the cap, so a bomb stops at the cap.
 *
 * Kafka's magic-0 writers computed the header checksum over the 4 magic bytes as well
 * as the descriptor (KAFKA-3160); reading accepts either checksum. Writing emits a
 * Kafka-style frame: independent 64 KiB blocks, no content size or checksums, and the
 * correct header checksum unless `brokenHeaderChecksum` asks for the magic-0 variant.
 * Linked (dependent) blocks are decoded with the previous 64 KiB as dictionary.
 */
import { createRequire } from 'node:module';
type Lz4Module = typeof import('lz4-napi');
let lz4Module: Lz4Module | undefined;
/** The native binding loads on first use: most brokers never see this codec, and loading it costs start-up time. */
function lz4(): Lz4Module {
  return (lz4Module ??= createRequire(import.meta.url)('lz4-napi') as Lz4Module);
}
import { xxh32 } from './xxhash32.js';
import { capOf, corrupt, tooLarge, type DecompressOptions } from './limits.js';
import { RecordsError } from '../errors.js';

const FRAME_MAGIC = 0x184d2204;
const SKIPPABLE_MAGIC_MASK = 0xfffffff0;
const SKIPPABLE_MAGIC = 0x184d2a50;
const FLG_VERSION_MASK = 0xc0;
const FLG_VERSION_01 = 0x40;
const FLG_BLOCK_INDEPENDENCE = 0x20;
const FLG_BLOCK_CHECKSUM = 0x10;
const FLG_CONTENT_SIZE = 0x08;
const FLG_CONTENT_CHECKSUM = 0x04;
const FLG_DICT_ID = 0x01;
const BLOCK_UNCOMPRESSED_FLAG = 0x80000000;
const WRITE_BLOCK_SIZE = 64 * 1024;
const WRITE_BD = 4 << 4;
const LINKED_WINDOW = 64 * 1024;

function fail(message: string): RecordsError {
  return new RecordsError('compression', `lz4: ${message}`);
}

function headerChecksum(frame: Uint8Array, start: number, end: number): number {
  return (xxh32(frame, start, end) >>> 8) & 0xff;
}

export interface Lz4CompressOptions {
  /** Write the header checksum the way Kafka's magic-0 writers did (over magic + descriptor). */
  brokenHeaderChecksum?: boolean;
}

export function lz4Compress(data: Uint8Array, options?: Lz4CompressOptions): Buffer {
  const parts: Buffer[] = [];
  const header = Buffer.alloc(7);
  header.writeUInt32LE(FRAME_MAGIC, 0);
  header[4] = FLG_VERSION_01 | FLG_BLOCK_INDEPENDENCE;
  header[5] = WRITE_BD;
  header[6] = options?.brokenHeaderChecksum ? headerChecksum(header, 0, 6) : headerChecksum(header, 4, 6);
  parts.push(header);
  const input = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  for (let at = 0; at < input.length; at += WRITE_BLOCK_SIZE) {
    const chunk = input.subarray(at, Math.min(input.length, at + WRITE_BLOCK_SIZE));
    // lz4-napi prepends the uncompressed size as 4 little-endian bytes; the frame does not want it.
    const compressed = lz4().compressSync(chunk).subarray(4);
    const size = Buffer.alloc(4);
    if (compressed.length < chunk.length) {
      size.writeUInt32LE(compressed.length, 0);
      parts.push(size, compressed);
    } else {
      size.writeUInt32LE((chunk.length | BLOCK_UNCOMPRESSED_FLAG) >>> 0, 0);
      parts.push(size, chunk);
    }
  }
  parts.push(Buffer.alloc(4));
  return Buffer.concat(parts);
}

function decodeBlock(block: Buffer, limit: number, dictionary: Buffer | null): Buffer {
  const sized = Buffer.allocUnsafe(4 + block.length);
  sized.writeUInt32LE(limit, 0);
  block.copy(sized, 4);
  return dictionary === null ? lz4().uncompressSync(sized) : lz4().uncompressSync(sized, dictionary);
}

/** Decompresses one or more concatenated LZ4 frames (skippable frames are skipped). */
export function lz4Decompress(data: Uint8Array, options?: DecompressOptions): Buffer {
  const cap = capOf(options);
  const frame = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const output: Buffer[] = [];
  let total = 0;
  let at = 0;
  const need = (size: number, what: string): void => {
    if (at + size > frame.length) throw fail(`truncated ${what} at ${at}`);
  };
  if (frame.length === 0) throw fail('empty payload');
  while (at < frame.length) {
    need(4, 'frame magic');
    const magic = frame.readUInt32LE(at);
    if ((magic & SKIPPABLE_MAGIC_MASK) >>> 0 === SKIPPABLE_MAGIC) {
      need(8, 'skippable frame');
      const skip = frame.readUInt32LE(at + 4);
      at += 8;
      need(skip, 'skippable frame');
      at += skip;
      continue;
    }
    if (magic !== FRAME_MAGIC) throw fail(`bad frame magic 0x${magic.toString(16)}`);
    const frameStart = at;
    at += 4;
    need(2, 'frame descriptor');
    const flg = frame[at]!;
    const bd = frame[at + 1]!;
    if ((flg & FLG_VERSION_MASK) !== FLG_VERSION_01)
      throw fail(`unsupported frame version in FLG 0x${flg.toString(16)}`);
    const blockSizeId = (bd >> 4) & 0x07;
    if (blockSizeId < 4) throw fail(`bad block size id ${blockSizeId}`);
    const blockMaxSize = 1 << (8 + 2 * blockSizeId);
    let descriptorEnd = at + 2;
    if (flg & FLG_CONTENT_SIZE) descriptorEnd += 8;
    if (flg & FLG_DICT_ID) descriptorEnd += 4;
    at = descriptorEnd;
    need(1, 'header checksum');
    const checksum = frame[at]!;
    const good = headerChecksum(frame, frameStart + 4, descriptorEnd);
    const kafkaBroken = headerChecksum(frame, frameStart, descriptorEnd);
    if (checksum !== good && checksum !== kafkaBroken) throw fail('frame header checksum mismatch');
    if (flg & FLG_DICT_ID) throw fail('frames with a dictionary id are not supported');
    at += 1;
    const linked = (flg & FLG_BLOCK_INDEPENDENCE) === 0;
    const frameOutputStart = output.length;
    for (;;) {
      need(4, 'block size');
      const word = frame.readUInt32LE(at);
      at += 4;
      if (word === 0) break;
      const uncompressed = (word & BLOCK_UNCOMPRESSED_FLAG) !== 0;
      const size = (word & ~BLOCK_UNCOMPRESSED_FLAG) >>> 0;
      if (size > blockMaxSize) throw fail(`block of ${size} bytes exceeds the frame's ${blockMaxSize}-byte block size`);
      need(size, 'block');
      const block = frame.subarray(at, at + size);
      at += size;
      if (flg & FLG_BLOCK_CHECKSUM) {
        need(4, 'block checksum');
        if (frame.readUInt32LE(at) !== xxh32(block)) throw fail('block checksum mismatch');
        at += 4;
      }
      let decoded: Buffer;
      if (uncompressed) {
        if (total + size > cap) throw tooLarge('lz4', cap);
        decoded = block;
      } else {
        const room = cap - total;
        const limit = Math.min(blockMaxSize, room);
        const dictionary = linked ? lastBytes(output, frameOutputStart, LINKED_WINDOW) : null;
        try {
          decoded = decodeBlock(block, limit, dictionary);
        } catch (error) {
          if (limit < blockMaxSize && error instanceof Error && /too small/.test(error.message))
            throw tooLarge('lz4', cap);
          throw corrupt('lz4', error);
        }
      }
      total += decoded.length;
      if (total > cap) throw tooLarge('lz4', cap);
      output.push(decoded);
    }
    if (flg & FLG_CONTENT_CHECKSUM) {
      need(4, 'content checksum');
      const content = Buffer.concat(output.slice(frameOutputStart));
      if (frame.readUInt32LE(at) !== xxh32(content)) throw fail('content checksum mismatch');
      at += 4;
    }
  }
  return output.length === 1 ? output[0]! : Buffer.concat(output, total);
}

function lastBytes(chunks: Buffer[], from: number, size: number): Buffer | null {
  if (chunks.length === from) return null;
  const tail: Buffer[] = [];
  let have = 0;
  for (let i = chunks.length - 1; i >= from && have < size; i--) {
    tail.unshift(chunks[i]!);
    have += chunks[i]!.length;
  }
  const joined = Buffer.concat(tail);
  return joined.length > size ? joined.subarray(joined.length - size) : joined;
}
