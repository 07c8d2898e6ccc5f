/**
 * Decodes legacy message sets (magic 0 and 1). Shallow entries are checked for size,
 * magic and CRC-32; compressed wrappers are decompressed (capped) and their inner
 * messages returned in their place with absolute offsets: magic 0 inner offsets are
 * absolute already, magic 1 inner offsets are relative to the wrapper, whose own
 * offset is that of the last inner message. Inner messages of a LOG_APPEND_TIME
 * wrapper take the wrapper's timestamp. Nested compression is refused, as Kafka does.
 */
import { NO_TIMESTAMP, TimestampType, type TimestampTypeId } from './batch-header.js';
import { decompress, type DecompressOptions } from './compression/index.js';
import { RecordsError } from './errors.js';
import {
  LEGACY_ATTRIBUTES_OFFSET,
  LEGACY_CRC_OFFSET,
  LEGACY_LOG_OVERHEAD,
  LEGACY_MAGIC_OFFSET,
  LEGACY_MIN_MESSAGE_SIZE,
  LEGACY_SIZE_OFFSET,
  LEGACY_TIMESTAMP_OFFSET,
  LEGACY_TIMESTAMP_TYPE_MASK,
  isLegacyMagic,
  legacyCrc,
  type LegacyMagic,
} from './legacy-format.js';

export interface LegacyMessage {
  offset: bigint;
  magic: LegacyMagic;
  attributes: number;
  compression: number;
  timestampType: TimestampTypeId;
  /** NO_TIMESTAMP (-1n) for magic 0. */
  timestamp: bigint;
  key: Buffer | null;
  value: Buffer | null;
  crc: number;
  /** Bytes the entry takes on the wire (offset and size included). */
  sizeInBytes: number;
}

export interface LegacyDecodeOptions extends DecompressOptions {
  verifyCrc?: boolean;
  /** Stop quietly at a trailing partial entry (fetch responses may end with one). */
  allowPartialTrailing?: boolean;
}

function readNullableBytes(
  buffer: Buffer,
  at: number,
  end: number,
  what: string,
  position: number,
): [Buffer | null, number] {
  if (at + 4 > end) throw new RecordsError('record', `message at ${position}: truncated ${what} length`, position);
  const size = buffer.readInt32BE(at);
  if (size < 0) return [null, at + 4];
  if (at + 4 + size > end)
    throw new RecordsError('record', `message at ${position}: ${what} of ${size} bytes overruns the message`, position);
  return [buffer.subarray(at + 4, at + 4 + size), at + 4 + size];
}

/** Decodes the one shallow entry at `at` (a compressed wrapper stays compressed). */
export function decodeLegacyEntry(buffer: Buffer, at = 0, options: LegacyDecodeOptions = {}): LegacyMessage {
  const remaining = buffer.length - at;
  if (remaining < LEGACY_LOG_OVERHEAD)
    throw new RecordsError('truncated', `${remaining} bytes at ${at} cannot hold a message's offset and size`, at);
  const size = buffer.readInt32BE(at + LEGACY_SIZE_OFFSET);
  if (size < LEGACY_MIN_MESSAGE_SIZE[0])
    throw new RecordsError('size', `message at ${at} declares size ${size}, below the minimum`, at);
  const total = size + LEGACY_LOG_OVERHEAD;
  if (total > remaining)
    throw new RecordsError('truncated', `message at ${at} declares ${total} bytes, only ${remaining} remain`, at);
  const magic = buffer.readInt8(at + LEGACY_MAGIC_OFFSET);
  if (!isLegacyMagic(magic))
    throw new RecordsError('magic', `message at ${at} has magic ${magic}, expected 0 or 1`, at);
  if (size < LEGACY_MIN_MESSAGE_SIZE[magic])
    throw new RecordsError('size', `magic ${magic} message at ${at} declares size ${size}, below the minimum`, at);
  const end = at + total;
  const crc = buffer.readUInt32BE(at + LEGACY_CRC_OFFSET);
  if (options.verifyCrc !== false) {
    const computed = legacyCrc(buffer, at + LEGACY_MAGIC_OFFSET, end);
    if (computed !== crc)
      throw new RecordsError(
        'crc',
        `message at ${at} has CRC-32 0x${crc.toString(16)}, computed 0x${computed.toString(16)}`,
        at,
      );
  }
  const attributes = buffer.readInt8(at + LEGACY_ATTRIBUTES_OFFSET);
  let cursor = at + LEGACY_TIMESTAMP_OFFSET;
  let timestamp = NO_TIMESTAMP;
  let timestampType: TimestampTypeId = TimestampType.CREATE_TIME;
  if (magic === 1) {
    timestamp = buffer.readBigInt64BE(cursor);
    cursor += 8;
    if (attributes & LEGACY_TIMESTAMP_TYPE_MASK) timestampType = TimestampType.LOG_APPEND_TIME;
  }
  const [key, afterKey] = readNullableBytes(buffer, cursor, end, 'key', at);
  const [value, afterValue] = readNullableBytes(buffer, afterKey, end, 'value', at);
  if (afterValue !== end)
    throw new RecordsError('record', `message at ${at}: ${end - afterValue} bytes trail its value`, at);
  return {
    offset: buffer.readBigInt64BE(at),
    magic,
    attributes,
    compression: attributes & 0x07,
    timestampType,
    timestamp,
    key,
    value,
    crc,
    sizeInBytes: total,
  };
}

function shallowEntries(buffer: Buffer, options: LegacyDecodeOptions, base: number): LegacyMessage[] {
  const entries: LegacyMessage[] = [];
  let at = 0;
  while (at < buffer.length) {
    try {
      const entry = decodeLegacyEntry(buffer, at, options);
      entries.push(entry);
      at += entry.sizeInBytes;
    } catch (error) {
      if (options.allowPartialTrailing && error instanceof RecordsError && error.check === 'truncated') break;
      if (error instanceof RecordsError && base >= 0)
        throw new RecordsError(error.check, `inside wrapper at ${base}: ${error.message}`, base);
      throw error;
    }
  }
  return entries;
}

/** Expands a compressed wrapper into its inner messages, with absolute offsets. */
export function expandLegacyWrapper(
  wrapper: LegacyMessage,
  position: number,
  options: LegacyDecodeOptions = {},
): LegacyMessage[] {
  if (wrapper.value === null)
    throw new RecordsError('record', `compressed message at ${position} has a null value`, position);
  let inner: Buffer;
  try {
    inner = decompress(wrapper.compression, wrapper.value, options);
  } catch (error) {
    if (error instanceof RecordsError)
      throw new RecordsError(error.check, `message at ${position}: ${error.message}`, position);
    throw error;
  }
  const messages = shallowEntries(inner, { ...options, allowPartialTrailing: false }, position);
  if (messages.length === 0)
    throw new RecordsError('record', `compressed message at ${position} holds no messages`, position);
  const lastRelative = messages[messages.length - 1]!.offset;
  for (const message of messages) {
    if (message.compression !== 0)
      throw new RecordsError('record', `compressed message at ${position} nests another compressed message`, position);
    if (message.magic !== wrapper.magic) {
      throw new RecordsError(
        'record',
        `compressed message at ${position} has magic ${wrapper.magic} but holds magic ${message.magic}`,
        position,
      );
    }
    if (wrapper.magic === 1) {
      message.offset = wrapper.offset - lastRelative + message.offset;
      if (wrapper.timestampType === TimestampType.LOG_APPEND_TIME) {
        message.timestamp = wrapper.timestamp;
        message.timestampType = TimestampType.LOG_APPEND_TIME;
      }
    }
  }
  return messages;
}

/** Decodes a whole legacy message set, expanding compressed wrappers. */
export function decodeLegacyMessageSet(buffer: Buffer, options: LegacyDecodeOptions = {}): LegacyMessage[] {
  const out: LegacyMessage[] = [];
  let position = 0;
  for (const entry of shallowEntries(buffer, options, -1)) {
    if (entry.compression === 0) out.push(entry);
    else out.push(...expandLegacyWrapper(entry, position, options));
    position += entry.sizeInBytes;
  }
  return out;
}
