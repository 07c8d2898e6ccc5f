/**
 * Typed errors of the records layer. Each names the check that failed and the Kafka
 * error code a broker should answer with, so a produce handler can map it directly:
 * framing, size, magic and CRC failures are CORRUPT_MESSAGE; structurally sound
 * batches that break Kafka's rules (offset range, record layout, control batches
 * from clients) are INVALID_RECORD; an oversize batch is MESSAGE_TOO_LARGE. Decompression failures are CORRUPT_MESSAGE.
 * This file holds no logic beyond construction.
 */
import { ProtocolDecodeError } from '../primitives/index.js';

export const CORRUPT_MESSAGE = 2;
export const MESSAGE_TOO_LARGE = 10;
export const UNSUPPORTED_FOR_MESSAGE_FORMAT = 43;
export const UNSUPPORTED_COMPRESSION_TYPE = 76;
export const INVALID_RECORD = 87;

export type RecordsCheck =
  /** Fewer bytes than a field or the declared size needs. */
  | 'truncated'
  /** A declared batch or message size that is below the minimum or past a limit. */
  | 'size'
  /** A batch larger than the configured maximum (max.message.bytes). */
  | 'too-large'
  /** A magic byte that this path does not accept. */
  | 'magic'
  /** CRC-32C (magic 2) or CRC-32 (magic 0/1) mismatch. */
  | 'crc'
  /** recordCount, lastOffsetDelta and the records present disagree. */
  | 'record-count'
  /** A record inside a batch or message set is malformed. */
  | 'record'
  /** Attributes name a codec that does not exist (ids 5-7). */
  | 'codec'
  /** Compressed bytes could not be decompressed. */
  | 'compression'
  /** Decompression would exceed the configured output cap. */
  | 'decompressed-size'
  /** Producer id, epoch and base sequence that cannot go together. */
  | 'producer'
  /** A client sent something only the broker may write (control batches, ...). */
  | 'not-allowed';

const CODE_OF: Record<RecordsCheck, number> = {
  truncated: CORRUPT_MESSAGE,
  size: CORRUPT_MESSAGE,
  'too-large': MESSAGE_TOO_LARGE,
  producer: INVALID_RECORD,
  magic: CORRUPT_MESSAGE,
  crc: CORRUPT_MESSAGE,
  'record-count': INVALID_RECORD,
  record: INVALID_RECORD,
  codec: CORRUPT_MESSAGE,
  compression: CORRUPT_MESSAGE,
  'decompressed-size': CORRUPT_MESSAGE,
  'not-allowed': INVALID_RECORD,
};

/** A batch, message set or compressed payload that failed a check. */
export class RecordsError extends ProtocolDecodeError {
  /** The Kafka error code to answer with (CORRUPT_MESSAGE or INVALID_RECORD). */
  readonly errorCode: number;

  constructor(
    readonly check: RecordsCheck,
    message: string,
    /** Byte position in the input where the failing batch or message starts (-1 if unknown). */
    readonly position = -1,
    /** Index of the failing record inside its batch (-1 if the failure is not one record's). */
    readonly recordIndex = -1,
  ) {
    super(message);
    this.errorCode = CODE_OF[check];
  }
}

/** Raised when records cannot be written in the requested form (e.g. zstd in magic 0/1). */
export class RecordsEncodeError extends Error {
  override readonly name = 'RecordsEncodeError';
  constructor(
    message: string,
    /** The Kafka error code a broker would answer with. */
    readonly errorCode = UNSUPPORTED_COMPRESSION_TYPE,
  ) {
    super(message);
  }
}
