/**
 * Appending one partition's produced records on the leader, as Kafka's LogValidator
 * and Partition.appendRecordsToLeader do for a single broker:
 * - v2 batches take the fast path: size (max.message.bytes), magic, CRC-32C and the
 *   batch rules are checked from the headers; nothing is decompressed unless the
 *   topic's compression.type asks for a different codec (then the batch is rebuilt).
 * - legacy message sets (magic 0/1, Produce v0-v2) are decoded and converted to one v2 batch.
 * - Produce v3+ must carry exactly one magic-2 batch; zstd needs v7+.
 * - acks=-1 checks min.insync.replicas against the ISR before the append; the append goes
 *   through `Partition.appendAsLeader`, which owns the high watermark.
 * - message.timestamp.type=LogAppendTime stamps the batches with the clock's time.
 * - CreateTime topics with message.timestamp.before/after.max.ms (or the deprecated
 *   difference.max.ms) set decode the records and refuse any out of bounds with
 *   INVALID_TIMESTAMP and one recordError per record (the only decode on the fast path,
 *   and only when those bounds are configured).
 * Hooks: `ProducerStateCheck` (idempotence/transactions fill it; the default accepts).
 * Leaves out: compacted-topic key checks. Waiting for the ISR (acks=-1) is the caller's
 * (src/broker/delayed-produce.ts).
 */
import { isStorageError } from './disk-log.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import {
  CompressionCodec,
  RecordsError,
  RecordsEncodeError,
  TimestampType,
  buildRecordBatch,
  decodeLegacyMessageSet,
  decodeRecordBatch,
  decodeRecordBatches,
  legacyMessagesToBatch,
  magicAt,
  validateRecordBatches,
  type BatchSummary,
  type CompressOptions,
  type TimestampTypeId,
} from '../../protocol/records/index.js';
import { LEGACY_ATTRIBUTES_OFFSET, LEGACY_LOG_OVERHEAD, LEGACY_SIZE_OFFSET } from '../../protocol/records/legacy-format.js';
import { effectiveTopicConfig } from '../metadata/topic-configs.js';
import type { TopicImage } from '../metadata/image.js';
import type { BrokerConfig } from '../common/config.js';
import type { Partition } from './replica-manager.js';

/**
 * Checks an idempotent or transactional batch (producerId >= 0) against the producer
 * state of its partition: epoch, sequence, transaction membership. Returns an error code
 * (0: accept), or the offsets of the earlier append when the batch is a retried duplicate
 * (answered with those offsets, not appended again). Filled by src/broker/idempotence.ts.
 */
export type ProducerStateCheck = (
  partition: Partition,
  batch: BatchSummary,
  transactionalId: string | null,
) => number | DuplicateBatch;

export interface DuplicateBatch {
  duplicateBaseOffset: number;
}

/** Told about the batches just appended (with the base offset of the first), to update producer state. */
export type ProducerAppended = (partition: Partition, batches: readonly BatchSummary[], baseOffset: number) => void;

export const acceptAllProducers: ProducerStateCheck = () => ErrorCode.NONE;
export const ignoreAppended: ProducerAppended = () => {};

export interface AppendRequest {
  records: Buffer | null;
  apiVersion: number;
  acks: number;
  transactionalId: string | null;
  /** Milliseconds now, from the broker's clock (used for LogAppendTime). */
  now: number;
}

export interface RecordError {
  /** Index of the record in the batch. */
  batchIndex: number;
  message: string;
}

export interface AppendResult {
  errorCode: number;
  errorMessage: string | null;
  recordErrors: RecordError[];
  baseOffset: number;
  /** -1 for CreateTime topics. */
  logAppendTime: number;
  logStartOffset: number;
}

const CODEC_BY_NAME: Readonly<Record<string, number>> = {
  uncompressed: CompressionCodec.NONE,
  gzip: CompressionCodec.GZIP,
  snappy: CompressionCodec.SNAPPY,
  lz4: CompressionCodec.LZ4,
  zstd: CompressionCodec.ZSTD,
};

interface TopicAppendConfig {
  maxMessageBytes: number;
  timestampType: TimestampTypeId;
  /** The codec the topic forces, or null for compression.type=producer. */
  targetCodec: number | null;
  compressOptions: CompressOptions;
  minInsyncReplicas: number;
  /** Allowed lag and lead of CreateTime timestamps behind/ahead of the broker's clock. */
  timestampBeforeMaxMs: number;
  timestampAfterMaxMs: number;
}

function topicAppendConfig(topic: TopicImage, broker: BrokerConfig): TopicAppendConfig {
  const cfg = (name: string): string => effectiveTopicConfig(name, topic.configs, broker);
  return {
    maxMessageBytes: Number(cfg('max.message.bytes')),
    timestampType:
      cfg('message.timestamp.type') === 'LogAppendTime' ? TimestampType.LOG_APPEND_TIME : TimestampType.CREATE_TIME,
    targetCodec: CODEC_BY_NAME[cfg('compression.type')] ?? null,
    compressOptions: {
      gzipLevel: Number(cfg('compression.gzip.level')),
      zstdLevel: Number(cfg('compression.zstd.level')),
    },
    minInsyncReplicas: Number(cfg('min.insync.replicas')),
    timestampBeforeMaxMs: Math.min(Number(cfg('message.timestamp.before.max.ms')), Number(cfg('message.timestamp.difference.max.ms'))),
    timestampAfterMaxMs: Math.min(Number(cfg('message.timestamp.after.max.ms')), Number(cfg('message.timestamp.difference.max.ms'))),
  };
}

class AppendRefused extends Error {
  constructor(
    readonly errorCode: number,
    message: string,
    readonly recordErrors: RecordError[] = [],
  ) {
    super(message);
  }
}

/** No bound is configured when both are Kafka's default (Long.MAX_VALUE). */
const UNBOUNDED = 9e18;

/** Refuses CreateTime records outside [now - before, now + after], naming each one. */
function checkTimestamps(data: Buffer, config: TopicAppendConfig, now: number): void {
  if (config.timestampType !== TimestampType.CREATE_TIME) return;
  if (config.timestampBeforeMaxMs >= UNBOUNDED && config.timestampAfterMaxMs >= UNBOUNDED) return;
  const low = now - config.timestampBeforeMaxMs;
  const high = now + config.timestampAfterMaxMs;
  for (const batch of decodeRecordBatches(data, { verifyCrc: false })) {
    const errors: RecordError[] = [];
    batch.records.forEach((record, index) => {
      const ts = Number(record.timestamp);
      if (ts < low || ts > high) {
        errors.push({ batchIndex: index, message: `Timestamp ${ts} of message with offset ${index} is out of range. The timestamp should be within [${low}, ${high}]` });
      }
    });
    if (errors.length > 0) {
      throw new AppendRefused(ErrorCode.INVALID_TIMESTAMP, `One or more records have been rejected due to ${errors.length} record errors in total, and only showing the first error in the error message: ${errors[0]!.message}`, errors);
    }
  }
}

/** Rebuilds a v2 batch with another codec, keeping producer fields, offsets deltas and timestamps. */
function recompress(batch: Buffer, codec: number, options: CompressOptions): Buffer {
  const decoded = decodeRecordBatch(batch, 0);
  return buildRecordBatch({
    records: decoded.records.map((r) => ({
      key: r.key,
      value: r.value,
      headers: r.headers,
      timestamp: r.timestamp,
      offsetDelta: r.offsetDelta,
    })),
    compression: codec,
    compressOptions: options,
    timestampType: decoded.timestampType,
    transactional: decoded.transactional,
    producerId: decoded.producerId,
    producerEpoch: decoded.producerEpoch,
    baseSequence: decoded.baseSequence,
    baseTimestamp: decoded.baseTimestamp,
    maxTimestamp: decoded.maxTimestamp,
    lastOffsetDelta: decoded.lastOffsetDelta,
  });
}

/** Checks and, where the topic asks, recompresses magic-2 input. */
function prepareV2(records: Buffer, request: AppendRequest, config: TopicAppendConfig): { data: Buffer; batches: BatchSummary[] } {
  const batches = validateRecordBatches(records, { maxBatchSize: config.maxMessageBytes });
  if (request.apiVersion >= 3 && batches.length !== 1) {
    throw new AppendRefused(
      ErrorCode.INVALID_RECORD,
      `Produce requests with version ${request.apiVersion} are only allowed to contain exactly one record batch per partition`,
    );
  }
  if (request.apiVersion < 7 && batches.some((b) => b.compression === CompressionCodec.ZSTD)) {
    throw new AppendRefused(
      ErrorCode.UNSUPPORTED_COMPRESSION_TYPE,
      `Produce requests with version ${request.apiVersion} may not use zstd compression`,
    );
  }
  const target = config.targetCodec;
  if (target === null || batches.every((b) => b.compression === target)) return { data: records, batches };
  const rebuilt = batches.map((b) =>
    recompress(records.subarray(b.position, b.position + b.sizeInBytes), target, config.compressOptions),
  );
  const data = Buffer.concat(rebuilt);
  return { data, batches: validateRecordBatches(data, { verifyCrc: false }) };
}

/** The codec of the first compressed top-level entry of a legacy message set (0 if none). */
function legacyWrapperCodec(records: Buffer, maxMessageBytes: number): number {
  let codec = 0;
  let at = 0;
  while (at + LEGACY_LOG_OVERHEAD <= records.length) {
    const size = records.readInt32BE(at + LEGACY_SIZE_OFFSET) + LEGACY_LOG_OVERHEAD;
    if (size > maxMessageBytes) {
      throw new AppendRefused(
        ErrorCode.MESSAGE_TOO_LARGE,
        `message at ${at} is ${size} bytes, over the ${maxMessageBytes}-byte limit`,
      );
    }
    if (codec === 0 && at + LEGACY_ATTRIBUTES_OFFSET < records.length) codec = records[at + LEGACY_ATTRIBUTES_OFFSET]! & 0x07;
    if (size <= LEGACY_LOG_OVERHEAD) break;
    at += size;
  }
  return codec;
}

function prepareLegacy(records: Buffer, request: AppendRequest, config: TopicAppendConfig, now: number): Buffer {
  if (request.apiVersion >= 3) {
    throw new AppendRefused(
      ErrorCode.INVALID_RECORD,
      `Produce requests with version ${request.apiVersion} are only allowed to contain record batches with magic version 2`,
    );
  }
  const sourceCodec = legacyWrapperCodec(records, config.maxMessageBytes);
  const messages = decodeLegacyMessageSet(records);
  if (messages.length === 0) throw new AppendRefused(ErrorCode.CORRUPT_MESSAGE, 'the message set holds no message');
  return legacyMessagesToBatch(messages, {
    compression: config.targetCodec ?? sourceCodec,
    compressOptions: config.compressOptions,
    timestampType: config.timestampType,
    logAppendTime: BigInt(now),
  });
}

function refused(errorCode: number, errorMessage: string | null, partition: Partition, recordErrors: RecordError[] = []): AppendResult {
  return { errorCode, errorMessage, recordErrors, baseOffset: -1, logAppendTime: -1, logStartOffset: partition.log.logStartOffset };
}

/** Validates and appends one partition's records; never throws for bad input. */
export function appendToLeader(
  partition: Partition,
  topic: TopicImage,
  broker: BrokerConfig,
  request: AppendRequest,
  producerCheck: ProducerStateCheck = acceptAllProducers,
  producerAppended: ProducerAppended = ignoreAppended,
): AppendResult {
  const config = topicAppendConfig(topic, broker);
  const records = request.records;
  if (records === null || records.length === 0) {
    if (request.apiVersion >= 3) {
      return refused(
        ErrorCode.INVALID_RECORD,
        `Produce requests with version ${request.apiVersion} must have exactly one record batch per partition`,
        partition,
      );
    }
    return { errorCode: 0, errorMessage: null, recordErrors: [], baseOffset: -1, logAppendTime: -1, logStartOffset: partition.log.logStartOffset };
  }
  if (request.acks === -1 && partition.state.isr.length < config.minInsyncReplicas) {
    return refused(
      ErrorCode.NOT_ENOUGH_REPLICAS,
      `The size of the current ISR ${partition.state.isr.length} is insufficient to satisfy the min.isr requirement of ${config.minInsyncReplicas}`,
      partition,
    );
  }
  let data: Buffer;
  let producerBatches: BatchSummary[] = [];
  try {
    const magic = magicAt(records, 0);
    if (magic === 2) {
      const prepared = prepareV2(records, request, config);
      for (const batch of prepared.batches) {
        if (batch.producerId < 0n) continue;
        const code = producerCheck(partition, batch, request.transactionalId);
        if (typeof code !== 'number') {
          if (prepared.batches.length !== 1) return refused(ErrorCode.DUPLICATE_SEQUENCE_NUMBER, null, partition);
          return { errorCode: 0, errorMessage: null, recordErrors: [], baseOffset: code.duplicateBaseOffset, logAppendTime: -1, logStartOffset: partition.log.logStartOffset };
        }
        if (code !== ErrorCode.NONE) return refused(code, null, partition);
        producerBatches.push(batch);
      }
      data = prepared.data;
      if (producerBatches.length > 0) producerBatches = prepared.batches;
    } else if (magic === 0 || magic === 1) {
      data = prepareLegacy(records, request, config, request.now);
    } else {
      return refused(ErrorCode.CORRUPT_MESSAGE, `unknown magic ${magic}`, partition);
    }
    checkTimestamps(data, config, request.now);
  } catch (error) {
    if (error instanceof AppendRefused) return refused(error.errorCode, error.message, partition, error.recordErrors);
    if (error instanceof RecordsError || error instanceof RecordsEncodeError) {
      return refused(error.errorCode, error.message, partition);
    }
    throw error;
  }
  const logAppendTime = config.timestampType === TimestampType.LOG_APPEND_TIME ? request.now : undefined;
  let info;
  try {
    info = partition.appendAsLeader(data, logAppendTime === undefined ? {} : { logAppendTime });
  } catch (error) {
    // A failing log dir (KAFKA_STORAGE_ERROR) or a batch storage refuses keeps its Kafka code.
    if (isStorageError(error)) return refused(error.errorCode, error.message, partition);
    throw error;
  }
  if (producerBatches.length > 0) producerAppended(partition, producerBatches, info.baseOffset);
  return {
    errorCode: ErrorCode.NONE,
    errorMessage: null,
    recordErrors: [],
    baseOffset: info.baseOffset,
    logAppendTime: info.logAppendTime,
    logStartOffset: partition.log.logStartOffset,
  };
}
