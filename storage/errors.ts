/**
 * Typed errors raised by storage, each carrying the Kafka error code a handler should
 * answer with. Anything the file system throws is wrapped in KafkaStorageError.
 */
export class StorageError extends Error {
  constructor(
    readonly errorCode: number,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A topic config storage cannot use (not a number, below its minimum, an unknown policy). */
export class LogConfigError extends Error {
  override readonly name = 'LogConfigError';
}

/** OFFSET_OUT_OF_RANGE (1): a read or lookup outside [log start, log end]. */
export class OffsetOutOfRangeError extends StorageError {
  override readonly name = 'OffsetOutOfRangeError';
  constructor(message: string) {
    super(1, message);
  }
}

/** CORRUPT_MESSAGE (2): a batch failed its size, magic or CRC-32C check. */
export class CorruptRecordError extends StorageError {
  override readonly name = 'CorruptRecordError';
  constructor(message: string) {
    super(2, message);
  }
}

/** RECORD_LIST_TOO_LARGE (18): a batch larger than the segment size. */
export class RecordBatchTooLargeError extends StorageError {
  override readonly name = 'RecordBatchTooLargeError';
  constructor(message: string) {
    super(18, message);
  }
}

/** KAFKA_STORAGE_ERROR (56): the log dir failed (full disk, I/O error) or is offline. */
export class KafkaStorageError extends StorageError {
  override readonly name = 'KafkaStorageError';
  constructor(message: string, cause?: unknown) {
    super(56, message, { cause });
  }
}

/** Offsets out of order on a replicated append, or an offset past 2^53. Not a Kafka code of its own. */
export class InvalidOffsetError extends StorageError {
  override readonly name = 'InvalidOffsetError';
  constructor(message: string) {
    super(-1, message);
  }
}

/** INCONSISTENT_TOPIC_ID (103): a partition folder belongs to another topic id than the metadata's. */
export class InconsistentTopicIdError extends StorageError {
  override readonly name = 'InconsistentTopicIdError';
  constructor(message: string) {
    super(103, message);
  }
}
