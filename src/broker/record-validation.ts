/**
 * Record-level validation of produced data, Kafka's LogValidator for one partition:
 * every record of every batch is walked (protocol/records/record-walk.ts), compressed
 * payloads are decompressed within a bound derived from max.message.bytes, and each
 * record is held to the topic's rules (key required on compacted topics, the
 * CreateTime window of message.timestamp.before/after.max.ms, no LogAppendTime from
 * clients). Failures become AppendRefused with Kafka's code and messages:
 * - a record that cannot be read: INVALID_RECORD (Kafka's InvalidRecordException),
 *   naming the record in recordErrors;
 * - a payload that cannot be decompressed or decompresses past the bound: CORRUPT_MESSAGE
 *   (Kafka answers a generic failure here; CORRUPT_MESSAGE names it precisely);
 * - rule failures: INVALID_TIMESTAMP when any is a timestamp, else INVALID_RECORD, with
 *   every failing record in recordErrors, as Kafka's processRecordErrors.
 */
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import {
  RecordsError,
  TimestampType,
  type BatchSummary,
  type LegacyMessage,
  type TimestampTypeId,
} from '../../protocol/records/index.js';
import { walkBatchRecords, type RecordRuleError, type RecordRules } from '../../protocol/records/record-walk.js';

export interface RecordError {
  /** Index of the record in the batch. */
  batchIndex: number;
  message: string;
}

/** A refusal of one partition's produced data: Kafka error code, message and per-record errors. */
export class AppendRefused extends Error {
  constructor(
    readonly errorCode: number,
    message: string,
    readonly recordErrors: RecordError[] = [],
  ) {
    super(message);
  }
}

/** Decompressed payloads may be this many times the topic's max.message.bytes. */
export const DECOMPRESSION_RATIO_BOUND = 64;
const MIN_DECOMPRESSED_BOUND = 1024 * 1024;
const MAX_DECOMPRESSED_BOUND = 2 ** 31 - 1;

/** The bound on one batch's decompressed records: 64 × max.message.bytes, at least 1 MiB. */
export function decompressedBound(maxMessageBytes: number): number {
  return Math.min(
    MAX_DECOMPRESSED_BOUND,
    Math.max(MIN_DECOMPRESSED_BOUND, maxMessageBytes * DECOMPRESSION_RATIO_BOUND),
  );
}

export interface RecordRuleConfig {
  compacted: boolean;
  timestampType: TimestampTypeId;
  timestampBeforeMaxMs: number;
  timestampAfterMaxMs: number;
}

export function recordRulesFor(config: RecordRuleConfig, partitionName: string, now: number): RecordRules {
  return {
    requireKey: config.compacted,
    createTime: config.timestampType === TimestampType.CREATE_TIME,
    minTimestamp: now - config.timestampBeforeMaxMs,
    maxTimestamp: now + config.timestampAfterMaxMs,
    partitionName,
  };
}

/** Kafka's processRecordErrors: one refusal for all failing records of a batch. */
function refuseRuleErrors(errors: RecordRuleError[]): AppendRefused {
  const recordErrors = errors.map((e) => ({ batchIndex: e.batchIndex, message: e.message }));
  if (errors.some((e) => e.invalidTimestamp)) {
    return new AppendRefused(
      ErrorCode.INVALID_TIMESTAMP,
      'One or more records have been rejected due to invalid timestamp',
      recordErrors,
    );
  }
  const shown = recordErrors
    .slice(0, 3)
    .map((e) => `RecordError(batchIndex=${e.batchIndex}, message='${e.message}')`)
    .join(', ');
  return new AppendRefused(
    ErrorCode.INVALID_RECORD,
    `One or more records have been rejected due to ${errors.length} record errors in total, and only showing the first three errors at most: [${shown}]`,
    recordErrors,
  );
}

function refuseUnreadable(error: RecordsError): AppendRefused {
  const recordErrors = error.recordIndex >= 0 ? [{ batchIndex: error.recordIndex, message: error.message }] : [];
  return new AppendRefused(error.errorCode, error.message, recordErrors);
}

/**
 * Walks every record of the checked v2 batches of `data`. Returns, per batch, whether
 * its offset deltas are 0, 1, 2, ... (a compressed batch where not is rebuilt, as Kafka does).
 */
export function validateV2Records(
  data: Buffer,
  batches: readonly BatchSummary[],
  rules: RecordRules,
  maxMessageBytes: number,
): boolean[] {
  const options = { maxDecompressedBytes: decompressedBound(maxMessageBytes) };
  const inOrder = new Array<boolean>(batches.length);
  for (let i = 0; i < batches.length; i++) {
    let walk;
    try {
      walk = walkBatchRecords(data, batches[i]!, rules, options);
    } catch (error) {
      if (error instanceof RecordsError) throw refuseUnreadable(error);
      throw error;
    }
    if (walk.ruleErrors !== null) throw refuseRuleErrors(walk.ruleErrors);
    inOrder[i] = walk.offsetDeltasInOrder;
  }
  return inOrder;
}

/** The same rules for legacy (magic 0/1) messages, already decoded and expanded. */
export function validateLegacyRecords(messages: readonly LegacyMessage[], rules: RecordRules): void {
  const errors: RecordRuleError[] = [];
  messages.forEach((m, batchIndex) => {
    if (rules.requireKey && m.key === null) {
      errors.push({
        batchIndex,
        invalidTimestamp: false,
        message: `Compacted topic cannot accept message without key in topic partition ${rules.partitionName}.`,
      });
      return;
    }
    const timestamp = Number(m.timestamp);
    if (
      rules.createTime &&
      m.magic > 0 &&
      timestamp !== -1 &&
      (timestamp < rules.minTimestamp || timestamp > rules.maxTimestamp)
    ) {
      errors.push({
        batchIndex,
        invalidTimestamp: true,
        message: `Timestamp ${timestamp} of message with offset ${m.offset} is out of range. The timestamp should be within [${rules.minTimestamp}, ${rules.maxTimestamp}]`,
      });
    }
  });
  if (errors.length > 0) throw refuseRuleErrors(errors);
}
