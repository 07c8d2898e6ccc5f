/**
 * One pass of a Fetch over the partitions it names, as Kafka's ReplicaManager.readFromLog
 * does it: offsets checked against [logStart, logEnd] (OFFSET_OUT_OF_RANGE outside),
 * consumers read up to the high watermark (read_uncommitted) or the last stable offset
 * (read_committed), followers up to the log end; the response budget (maxBytes) and
 * each partition's partitionMaxBytes are honoured, except that from Fetch v3 the first
 * partition with data always gets at least one whole batch (KIP-74). Later partitions
 * get a cut slice when their first batch does not fit, as Kafka sends it (clients drop a
 * partial trailing batch). Fetch v0-v3 get the data down-converted to magic 0 (v0-v1) or
 * magic 1 (v2-v3). Errors come back per partition with -1 offsets, as Kafka does.
 * Leaves out: aborted transaction lists (none tracked yet: [] for read_committed),
 * message.downconversion.enable=false, follower state updates (replication work).
 */
import { isStorageError } from './disk-log.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { RecordsEncodeError, RecordsError, downConvertBatches } from '../../protocol/records/index.js';
import { OffsetOutOfRangeError } from './partition-log.js';
import { checkCurrentLeaderEpoch, fetchableEnd, lastStableOffset, type PartitionLookup } from './partition-access.js';
import type { Partition } from './replica-manager.js';

export interface FetchParams {
  apiVersion: number;
  /** >= 0 for a follower broker, -1 for consumers. */
  replicaId: number;
  /** The response budget (already capped by fetch.max.bytes for consumers). */
  maxBytes: number;
  isolationLevel: number;
}

export interface PartitionFetch {
  lookup: PartitionLookup;
  fetchOffset: number;
  partitionMaxBytes: number;
  currentLeaderEpoch: number;
}

export interface PartitionReadResult {
  errorCode: number;
  highWatermark: number;
  lastStableOffset: number;
  logStartOffset: number;
  records: Buffer;
  /** The partition read, for waking a parked fetch (undefined on lookup errors). */
  partition: Partition | undefined;
}

const EMPTY: Buffer = Buffer.alloc(0);

function failed(errorCode: number, partition?: Partition): PartitionReadResult {
  return { errorCode, highWatermark: -1, lastStableOffset: -1, logStartOffset: -1, records: EMPTY, partition };
}

/** The legacy magic a fetch version understands, or null for magic 2. */
export function legacyMagicFor(apiVersion: number): 0 | 1 | null {
  if (apiVersion <= 1) return 0;
  if (apiVersion <= 3) return 1;
  return null;
}

function readOne(params: FetchParams, request: PartitionFetch, budget: number, minOneBatch: boolean): PartitionReadResult {
  if (!request.lookup.ok) return failed(request.lookup.errorCode);
  const partition = request.lookup.partition;
  const epochError = checkCurrentLeaderEpoch(partition, request.currentLeaderEpoch);
  if (epochError !== ErrorCode.NONE) return failed(epochError, partition);
  const log = partition.log;
  const offset = request.fetchOffset;
  if (offset < log.logStartOffset || offset > log.logEndOffset) return failed(ErrorCode.OFFSET_OUT_OF_RANGE, partition);
  const end = params.replicaId >= 0 ? log.logEndOffset : fetchableEnd(partition, params.isolationLevel);
  const limit = Math.min(request.partitionMaxBytes, budget);
  let records: Buffer = EMPTY;
  if (offset < end && (limit > 0 || minOneBatch)) {
    try {
      records = log.read(offset, Math.max(limit, 1), end);
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
    let result = readOne(params, request, budget, !hardLimits && !gotData);
    budget -= result.records.length;
    if (result.records.length > 0) gotData = true;
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
