/**
 * Appending one partition's produced records on the leader, as Kafka's LogValidator
 * and Partition.appendRecordsToLeader do for a single broker:
 * - v2 batches: size (max.message.bytes), magic, CRC-32C and the batch rules are
 *   checked from the headers (once), then every record is walked, decompressed within
 *   64 × max.message.bytes when the batch is compressed (record-validation.ts): record
 *   lengths, varints, headers, the count against the batch header, a key on compacted
 *   topics (cleanup.policy includes compact), the CreateTime window
 *   (message.timestamp.before/after.max.ms, or the deprecated difference.max.ms).
 *   Then the producer state is checked (epoch, sequence). A batch is rebuilt when the
 *   topic's compression.type asks for another codec, or, as Kafka, when a compressed
 *   batch's offset deltas are not 0, 1, 2, ...
 * - legacy message sets (magic 0/1, Produce v0-v2) are decoded (decompressed within the
 *   same bound), held to the same key and timestamp rules, and converted to one v2 batch.
 * - Produce v3+ must carry exactly one magic-2 batch, and older versions carrying magic 2
 *   at most one (Kafka's LogValidator); zstd needs v7+.
 * - A failure refuses all of the partition's data in the request: nothing is appended.
 * - acks=-1 checks min.insync.replicas against the ISR before the append; the append goes
 *   through `Partition.appendAsLeader`, which owns the high watermark.
 * - message.timestamp.type=LogAppendTime stamps the batches with the clock's time.
 * Hooks: `ProducerStateCheck` (idempotence/transactions fill it; the default accepts).
 * Leaves out: waiting for the ISR (acks=-1) is the caller's (src/broker/delayed-produce.ts).
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
  legacyMessagesToBatch,
  magicAt,
  validateRecordBatches,
  type BatchSummary,
  type CompressOptions,
  type TimestampTypeId,
} from '../../protocol/records/index.js';
import {
  LEGACY_ATTRIBUTES_OFFSET,
  LEGACY_LOG_OVERHEAD,
  LEGACY_SIZE_OFFSET,
} from '../../protocol/records/legacy-format.js';
import { cleanupPolicies, effectiveTopicConfig } from '../metadata/topic-configs.js';
import type { TopicImage } from '../metadata/image.js';
import type { BrokerConfig } from '../common/config.js';
import type { Partition } from './replica-manager.js';
import {
  AppendRefused,
  decompressedBound,
  recordRulesFor,
  validateLegacyRecords,
  validateV2Records,
  type RecordError,
} from './record-validation.js';
import type { RecordRules } from '../../protocol/records/record-walk.js';

export type { RecordError } from './record-validation.js';

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

/**
 * Told about the batches just appended (with the base offset of the first, and the time LogAppendTime
 * stamped them with, -1 under CreateTime), to update producer state.
 */
export type ProducerAppended = (
  partition: Partition,
  batches: readonly BatchSummary[],
  baseOffset: number,
  logAppendTime: number,
) => void;

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

export interface AppendResult {
  errorCode: number;
  /**
   * Why it was refused; the Produce answer carries it only with record errors (Kafka's
   * RecordValidationException), else it is only logged.
   */
  errorMessage: string | null;
  recordErrors: RecordError[];
  baseOffset: number;
  /** -1 for CreateTime topics. */
  logAppendTime: number;
  logStartOffset: number;
  /** Records this call appended (0 when refused or a retried duplicate), for MessagesInPerSec. */
  appendedRecords?: number;
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
  /** cleanup.policy includes compact: every record needs a key. */
  compacted: boolean;
}

const LONG_MAX = '9223372036854775807';

/**
 * Kafka's LogConfig rule (KIP-937): message.timestamp.before/after.max.ms when set below
 * Long.MAX_VALUE, else the deprecated message.timestamp.difference.max.ms.
 */
function timestampBound(bound: string, difference: string): number {
  return Number(bound.trim() !== LONG_MAX ? bound : difference);
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
    timestampBeforeMaxMs: timestampBound(
      cfg('message.timestamp.before.max.ms'),
      cfg('message.timestamp.difference.max.ms'),
    ),
    timestampAfterMaxMs: timestampBound(
      cfg('message.timestamp.after.max.ms'),
      cfg('message.timestamp.difference.max.ms'),
    ),
    compacted: cleanupPolicies(cfg('cleanup.policy')).includes('compact'),
  };
}

/**
 * Rebuilds a v2 batch with `codec`, keeping producer fields and timestamps; offset deltas
 * are kept, or renumbered 0, 1, 2, ... with `renumber` (Kafka's rebuild of a compressed
 * batch whose inner offsets are out of order).
 */
function recompress(
  batch: Buffer,
  codec: number,
  options: CompressOptions,
  maxDecompressedBytes: number,
  renumber: boolean,
): Buffer {
  const decoded = decodeRecordBatch(batch, 0, { verifyCrc: false, maxDecompressedBytes });
  return buildRecordBatch({
    records: decoded.records.map((r, i) => ({
      key: r.key,
      value: r.value,
      headers: r.headers,
      timestamp: r.timestamp,
      offsetDelta: renumber ? i : r.offsetDelta,
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
    lastOffsetDelta: renumber ? decoded.records.length - 1 : decoded.lastOffsetDelta,
  });
}

/** Checks and, where the topic asks, recompresses magic-2 input. */
function prepareV2(
  records: Buffer,
  request: AppendRequest,
  config: TopicAppendConfig,
  rules: RecordRules,
): { data: Buffer; batches: BatchSummary[] } {
  const batches = validateRecordBatches(records, { maxBatchSize: config.maxMessageBytes });
  if (request.apiVersion >= 3 && batches.length !== 1) {
    throw new AppendRefused(
      ErrorCode.INVALID_RECORD,
      `Produce requests with version ${request.apiVersion} are only allowed to contain exactly one record batch per partition`,
    );
  }
  // Older requests may carry magic-2 data too; Kafka's LogValidator takes one v2 batch only.
  if (batches.length > 1)
    throw new AppendRefused(ErrorCode.INVALID_RECORD, 'Compressed outer record has more than one batch');
  if (request.apiVersion < 7 && batches.some((b) => b.compression === CompressionCodec.ZSTD)) {
    throw new AppendRefused(
      ErrorCode.UNSUPPORTED_COMPRESSION_TYPE,
      `Produce requests with version ${request.apiVersion} may not use zstd compression`,
    );
  }
  const offsetsInOrder = validateV2Records(records, batches, rules, config.maxMessageBytes);
  const target = config.targetCodec;
  const rebuildOf = (b: BatchSummary, i: number): boolean =>
    (target !== null && b.compression !== target) || (b.compression !== CompressionCodec.NONE && !offsetsInOrder[i]);
  if (!batches.some(rebuildOf)) return { data: records, batches };
  const bound = decompressedBound(config.maxMessageBytes);
  const rebuilt = batches.map((b, i) => {
    const original = records.subarray(b.position, b.position + b.sizeInBytes);
    if (!rebuildOf(b, i)) return original;
    return recompress(original, target ?? b.compression, config.compressOptions, bound, !offsetsInOrder[i]);
  });
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
    if (codec === 0 && at + LEGACY_ATTRIBUTES_OFFSET < records.length)
      codec = records[at + LEGACY_ATTRIBUTES_OFFSET]! & 0x07;
    if (size <= LEGACY_LOG_OVERHEAD) break;
    at += size;
  }
  return codec;
}

function prepareLegacy(
  records: Buffer,
  request: AppendRequest,
  config: TopicAppendConfig,
  rules: RecordRules,
  now: number,
): Buffer {
  if (request.apiVersion >= 3) {
    throw new AppendRefused(
      ErrorCode.INVALID_RECORD,
      `Produce requests with version ${request.apiVersion} are only allowed to contain record batches with magic version 2`,
    );
  }
  const sourceCodec = legacyWrapperCodec(records, config.maxMessageBytes);
  const messages = decodeLegacyMessageSet(records, { maxDecompressedBytes: decompressedBound(config.maxMessageBytes) });
  if (messages.length === 0) throw new AppendRefused(ErrorCode.CORRUPT_MESSAGE, 'the message set holds no message');
  validateLegacyRecords(messages, rules);
  return legacyMessagesToBatch(messages, {
    compression: config.targetCodec ?? sourceCodec,
    compressOptions: config.compressOptions,
    timestampType: config.timestampType,
    logAppendTime: BigInt(now),
  });
}

function refused(
  errorCode: number,
  errorMessage: string | null,
  partition: Partition,
  recordErrors: RecordError[] = [],
): AppendResult {
  return {
    errorCode,
    errorMessage,
    recordErrors,
    baseOffset: -1,
    logAppendTime: -1,
    logStartOffset: partition.log.logStartOffset,
  };
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
    return {
      errorCode: 0,
      errorMessage: null,
      recordErrors: [],
      baseOffset: -1,
      logAppendTime: -1,
      logStartOffset: partition.log.logStartOffset,
    };
  }
  const minIsr = partition.effectiveMinIsr(config.minInsyncReplicas);
  if (request.acks === -1 && partition.state.isr.length < minIsr) {
    return refused(
      ErrorCode.NOT_ENOUGH_REPLICAS,
      `The size of the current ISR ${partition.state.isr.length} is insufficient to satisfy the min.isr requirement of ${minIsr}`,
      partition,
    );
  }
  let data: Buffer;
  let producerBatches: BatchSummary[] = [];
  const rules = recordRulesFor(config, `${partition.topic}-${partition.index}`, request.now);
  try {
    const magic = magicAt(records, 0);
    if (magic === 2) {
      const prepared = prepareV2(records, request, config, rules);
      for (const batch of prepared.batches) {
        if (batch.producerId < 0n) continue;
        const code = producerCheck(partition, batch, request.transactionalId);
        if (typeof code !== 'number') {
          if (prepared.batches.length !== 1) return refused(ErrorCode.DUPLICATE_SEQUENCE_NUMBER, null, partition);
          return {
            errorCode: 0,
            errorMessage: null,
            recordErrors: [],
            baseOffset: code.duplicateBaseOffset,
            logAppendTime: -1,
            logStartOffset: partition.log.logStartOffset,
          };
        }
        if (code !== ErrorCode.NONE) return refused(code, null, partition);
        producerBatches.push(batch);
      }
      data = prepared.data;
      if (producerBatches.length > 0) producerBatches = prepared.batches;
    } else if (magic === 0 || magic === 1) {
      data = prepareLegacy(records, request, config, rules, request.now);
    } else {
      return refused(ErrorCode.CORRUPT_MESSAGE, `unknown magic ${magic}`, partition);
    }
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
  if (producerBatches.length > 0)
    producerAppended(
      partition,
      producerBatches,
      info.baseOffset,
      logAppendTime === undefined ? -1 : info.logAppendTime,
    );
  return {
    errorCode: ErrorCode.NONE,
    errorMessage: null,
    recordErrors: [],
    baseOffset: info.baseOffset,
    logAppendTime: info.logAppendTime,
    logStartOffset: partition.log.logStartOffset,
    appendedRecords: info.lastOffset - info.baseOffset + 1,
  };
}
