/**
 * One pass of a Fetch over the partitions it names, as Kafka's ReplicaManager.readFromLog
 * does it: offsets checked against [logStart, logEnd] (OFFSET_OUT_OF_RANGE outside),
 * consumers read up to the high watermark (read_uncommitted) or the last stable offset
 * (read_committed), followers up to the log end; the response budget (maxBytes) and
 * each partition's partitionMaxBytes are honoured, except that from Fetch v3 the first
 * partition with data always gets at least one whole batch (KIP-74). Later partitions
 * get a cut slice when their first batch does not fit, as Kafka sends it (clients drop a
 * partial trailing batch). Each partition takes from maxBytes what Kafka's byte slice of the
 * segment would have taken, so a partition cut by the limit leaves nothing for the next ones
 * (Gregor sends the whole batches of that slice, without Kafka's partial trailing one).
 * Fetch v0-v3 get the data down-converted to magic 0 (v0-v1) or magic 1 (v2-v3), up to the first
 * zstd batch (UNSUPPORTED_COMPRESSION_TYPE when that is the first batch with records, as Kafka's lazy
 * down-conversion). Errors come back per partition with -1 offsets, as Kafka does.
 * read_committed fetches also get the aborted transactions overlapping [fetchOffset, LSO).
 * A follower's fetch (replicaId >= 0, one of the replicas) reads up to the log end and records its
 * position and its log start offset with the partition (which may move the high watermark or the
 * low watermark DeleteRecords waits for); from v12 its lastFetchedEpoch is checked and a diverging
 * log gets `divergingEpoch` instead of records (checked before its offset is held to the log end, as
 * Kafka's Partition.readRecords: a follower ahead of the leader is told where to truncate); one below
 * the log start gets OFFSET_OUT_OF_RANGE with the log start offset, so that it restarts there.
 * A consumer's v12+ fetch naming its lastFetchedEpoch is checked the same way (Kafka's readRecords does
 * not tell the two apart): divergingEpoch when that epoch ends here before its offset.
 * A consumer's v0-v3 fetch of a topic with message.downconversion.enable=false gets UNSUPPORTED_VERSION
 * for that partition (followers are never refused), as Kafka's KafkaApis answers it. A consumer's
 * fetch below v10 of a topic with compression.type=zstd gets UNSUPPORTED_COMPRESSION_TYPE (-1
 * offsets, no records) whatever the data, as Kafka's KafkaApis answers it before any conversion.
 */
import { isStorageError } from './disk-log.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { RecordsEncodeError, RecordsError, downConvertBatches } from '../../protocol/records/index.js';
import { OffsetOutOfRangeError, type PartitionLog } from './partition-log.js';
import {
  BASE_OFFSET_OFFSET,
  BATCH_LENGTH_OFFSET,
  LAST_OFFSET_DELTA_OFFSET,
  LOG_OVERHEAD,
  RECORD_BATCH_OVERHEAD,
} from '../../protocol/records/batch-header.js';
import {
  IsolationLevel,
  checkCurrentLeaderEpoch,
  fetchableEnd,
  lastStableOffset,
  type PartitionLookup,
} from './partition-access.js';
import { producerStateOf } from './producer-state-registry.js';
import type { AbortedTxn } from './producer-state.js';
import type { Partition } from './replica-manager.js';
import { UNDEFINED_EPOCH, UNDEFINED_EPOCH_OFFSET, endOffsetForEpoch } from './leader-epochs.js';
import { fetchReadBuffers } from '../../storage/read-buffers.js';

export interface FetchParams {
  apiVersion: number;
  /** >= 0 for a follower broker, -1 for consumers. */
  replicaId: number;
  /** A follower's broker epoch (Fetch v15+ ReplicaState), -1 when not given. */
  replicaEpoch?: bigint;
  /** The epoch of a broker's registration in this broker's metadata while it is unfenced (Kafka's getAliveBrokerEpoch). */
  aliveBrokerEpoch?: (brokerId: number) => bigint | undefined;
  /** The response budget (already capped by fetch.max.bytes for consumers). */
  maxBytes: number;
  isolationLevel: number;
  /** Milliseconds now (a follower's fetch time, for the ISR lag check). */
  now?: number;
}

export interface PartitionFetch {
  lookup: PartitionLookup;
  fetchOffset: number;
  partitionMaxBytes: number;
  currentLeaderEpoch: number;
  /** A follower's epoch of its last fetched batch (Fetch v12+), -1 when not given. */
  lastFetchedEpoch?: number;
  /** A follower's own log start offset (Fetch v5+), -1 when not given. */
  followerLogStartOffset?: number;
  /** The topic's message.downconversion.enable is false: a consumer's v0-v3 fetch gets UNSUPPORTED_VERSION. */
  downConversionDisabled?: boolean;
  /** The topic's compression.type is zstd and this is a consumer's fetch below v10: UNSUPPORTED_COMPRESSION_TYPE. */
  zstdTopicBeforeV10?: boolean;
}

export interface PartitionReadResult {
  errorCode: number;
  highWatermark: number;
  lastStableOffset: number;
  logStartOffset: number;
  records: Buffer;
  /** For read_committed consumer fetches: aborted transactions overlapping the range read. */
  abortedTransactions: AbortedTxn[] | null;
  /** The partition read, for waking a parked fetch (undefined on lookup errors). */
  partition: Partition | undefined;
  /** Set for a follower whose log diverges from the leader's: the largest common epoch and its end. */
  divergingEpoch?: { epoch: number; endOffset: number };
}

const EMPTY: Buffer = Buffer.alloc(0);

function failed(errorCode: number, partition?: Partition): PartitionReadResult {
  return {
    errorCode,
    highWatermark: -1,
    lastStableOffset: -1,
    logStartOffset: -1,
    records: EMPTY,
    abortedTransactions: null,
    partition,
  };
}

/** The legacy magic a fetch version understands, or null for magic 2. */
export function legacyMagicFor(apiVersion: number): 0 | 1 | null {
  if (apiVersion <= 1) return 0;
  if (apiVersion <= 3) return 1;
  return null;
}

/**
 * Whether the log holds more below `end` after `records` (whole batches read from `offset`'s batch on)
 * in the same segment: then Kafka's read, a byte slice of the segment (LogSegment.read), would have
 * gone on into the next batch up to the limit, sending its first bytes as a partial batch that the
 * client drops. Gregor sends whole batches only, but counts the slice Kafka would have sent.
 */
function moreInSegment(log: PartitionLog, offset: number, records: Buffer, end: number): boolean {
  let at = 0;
  let next = offset;
  while (at + RECORD_BATCH_OVERHEAD <= records.length) {
    const size = records.readInt32BE(at + BATCH_LENGTH_OFFSET) + LOG_OVERHEAD;
    if (at + size > records.length) return true; // a fragment: cut by the limit
    next =
      Number(records.readBigInt64BE(at + BASE_OFFSET_OFFSET)) + records.readInt32BE(at + LAST_OFFSET_DELTA_OFFSET) + 1;
    at += size;
  }
  return next < Math.min(end, log.segmentEndFor?.(offset) ?? end);
}

/** An answer with no records that tells the fetcher where its last fetched epoch ends here. */
function diverged(partition: Partition, here: { epoch: number; endOffset: number }): PartitionReadResult {
  return {
    ...failed(ErrorCode.NONE, partition),
    highWatermark: partition.highWatermark,
    lastStableOffset: lastStableOffset(partition),
    logStartOffset: partition.log.logStartOffset,
    divergingEpoch: here,
  };
}

/**
 * Kafka's Partition.readRecords checks a consumer's lastFetchedEpoch too (v12+, when the client sends
 * one): an epoch this log cannot place (newer than its leader epoch) or an offset below the log start
 * is OFFSET_OUT_OF_RANGE; an epoch that ends here before the fetch offset (a log truncated by an
 * unclean election, or an offset past the log end) gets divergingEpoch and no records, before the
 * offset is compared with the log end. Null when the fetch reads on.
 */
function consumerDivergence(
  partition: Partition,
  lastFetchedEpoch: number,
  offset: number,
): PartitionReadResult | null {
  const here = endOffsetForEpoch(partition, lastFetchedEpoch);
  if (
    here.epoch === UNDEFINED_EPOCH ||
    here.endOffset === UNDEFINED_EPOCH_OFFSET ||
    offset < partition.log.logStartOffset
  )
    return failed(ErrorCode.OFFSET_OUT_OF_RANGE, partition);
  return here.epoch < lastFetchedEpoch || here.endOffset < offset ? diverged(partition, here) : null;
}

/**
 * One partition's read and the bytes it takes from the request's maxBytes: Kafka's slice length,
 * min(bytes left in the segment up to `end`, limit, or the first batch when minOneBatch is larger).
 */
function readOne(
  params: FetchParams,
  request: PartitionFetch,
  budget: number,
  minOneBatch: boolean,
): { result: PartitionReadResult; counted: number } {
  const result = readRecords(params, request, budget, minOneBatch);
  const { records, partition } = result;
  if (records.length === 0 || !partition || params.apiVersion <= 2) return { result, counted: records.length };
  const limit = Math.min(request.partitionMaxBytes, budget);
  const end = params.replicaId >= 0 ? partition.log.logEndOffset : fetchableEnd(partition, params.isolationLevel);
  const more = records.length < limit && moreInSegment(partition.log, request.fetchOffset, records, end);
  return { result, counted: more ? limit : records.length };
}

function readRecords(
  params: FetchParams,
  request: PartitionFetch,
  budget: number,
  minOneBatch: boolean,
): PartitionReadResult {
  if (!request.lookup.ok) return failed(request.lookup.errorCode);
  const partition = request.lookup.partition;
  const epochError = checkCurrentLeaderEpoch(partition, request.currentLeaderEpoch);
  if (epochError !== ErrorCode.NONE) return failed(epochError, partition);
  const log = partition.log;
  const offset = request.fetchOffset;
  const follower = params.replicaId >= 0;
  // Kafka's Partition.readRecords: a follower's fetch that names its last fetched epoch is checked for
  // divergence before its offset is held to the log end, so a follower ahead of a new leader (a longer
  // log from an older epoch, after an unclean election) learns where to truncate instead of getting
  // OFFSET_OUT_OF_RANGE forever.
  const lastFetchedEpoch = request.lastFetchedEpoch ?? -1;
  const checksEpoch = lastFetchedEpoch >= 0;
  if (checksEpoch && !follower) {
    const consumerCheck = consumerDivergence(partition, lastFetchedEpoch, offset);
    if (consumerCheck) return consumerCheck;
  }
  if (offset < log.logStartOffset || (offset > log.logEndOffset && !checksEpoch)) {
    // A follower behind the log start learns where the log starts now, and restarts there.
    const outOfRange = failed(ErrorCode.OFFSET_OUT_OF_RANGE, partition);
    return follower ? { ...outOfRange, logStartOffset: log.logStartOffset } : outOfRange;
  }
  if (follower) {
    if (!partition.state.replicas.includes(params.replicaId))
      return failed(ErrorCode.NOT_LEADER_OR_FOLLOWER, partition);
    if (checksEpoch) {
      // Kafka's divergence check: the follower's last epoch must end at or after its fetch offset here.
      const here = endOffsetForEpoch(partition, lastFetchedEpoch);
      if (here.epoch < lastFetchedEpoch || here.endOffset < offset) return diverged(partition, here);
    }
    // Kafka's Replica.updateFetchStateOrThrow (KIP-903): a fetch from an older incarnation of the
    // follower (its broker epoch below the registration the leader knows) updates nothing.
    const replicaEpoch = params.replicaEpoch ?? -1n;
    const aliveEpoch = params.aliveBrokerEpoch?.(params.replicaId);
    if (replicaEpoch !== -1n && aliveEpoch !== undefined && aliveEpoch > replicaEpoch)
      return failed(ErrorCode.NOT_LEADER_OR_FOLLOWER, partition);
    partition.recordFollowerFetch(
      params.replicaId,
      offset,
      params.now ?? 0,
      request.followerLogStartOffset ?? -1,
      replicaEpoch,
    );
  }
  const end = follower ? log.logEndOffset : fetchableEnd(partition, params.isolationLevel);
  const limit = Math.min(request.partitionMaxBytes, budget);
  let records: Buffer = EMPTY;
  if (offset < end && (limit > 0 || minOneBatch)) {
    try {
      // Into a recycled buffer: the connection gives it back once the response is on the socket.
      records = log.read(offset, Math.max(limit, 1), end, fetchReadBuffers.take);
    } catch (error) {
      if (error instanceof OffsetOutOfRangeError) return failed(ErrorCode.OFFSET_OUT_OF_RANGE, partition);
      if (isStorageError(error)) return failed(error.errorCode, partition);
      throw error;
    }
    if (!minOneBatch && records.length > limit) records = records.subarray(0, Math.max(limit, 0));
  }
  return {
    errorCode: ErrorCode.NONE,
    highWatermark: partition.highWatermark,
    lastStableOffset: lastStableOffset(partition),
    logStartOffset: log.logStartOffset,
    records,
    abortedTransactions:
      params.replicaId < 0 && params.isolationLevel === IsolationLevel.READ_COMMITTED && records.length > 0
        ? producerStateOf(partition).abortedOverlapping(offset, end)
        : null,
    partition,
  };
}

function downConvert(result: PartitionReadResult, magic: 0 | 1): PartitionReadResult {
  if (result.records.length === 0) return result;
  try {
    return { ...result, records: downConvertBatches(result.records, magic) };
  } catch (error) {
    if (error instanceof RecordsEncodeError || error instanceof RecordsError) {
      return { ...failed(error.errorCode, result.partition), records: EMPTY };
    }
    throw error;
  }
}

/** Reads every requested partition once, in request order, sharing the response budget. */
export function readPartitions(params: FetchParams, requests: PartitionFetch[]): PartitionReadResult[] {
  const hardLimits = params.apiVersion <= 2;
  const magic = legacyMagicFor(params.apiVersion);
  let budget = hardLimits ? Number.MAX_SAFE_INTEGER : params.maxBytes;
  let gotData = false;
  return requests.map((request) => {
    const read = readOne(params, request, budget, !hardLimits && !gotData);
    let result = read.result;
    budget = Math.max(0, budget - read.counted);
    if (result.records.length > 0) gotData = true;
    if (request.zstdTopicBeforeV10 && params.replicaId < 0)
      return failed(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE, result.partition);
    if (magic !== null && result.errorCode === ErrorCode.NONE && params.replicaId < 0 && request.downConversionDisabled)
      return failed(ErrorCode.UNSUPPORTED_VERSION, result.partition);
    if (magic !== null) result = downConvert(result, magic);
    return result;
  });
}

/** Total record bytes of a pass, for minBytes. */
export function bytesRead(results: PartitionReadResult[]): number {
  let total = 0;
  for (const r of results) total += r.records.length;
  return total;
}
