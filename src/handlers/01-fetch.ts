/**
 * Fetch, versions 0-17.
 * Long polling: a fetch that has fewer than minBytes is parked in the fetch purgatory
 * until a partition it reads changes or maxWaitMs passes; errors answer at once.
 * Reading (limits, KIP-74, isolation, down-conversion for v0-v3) is broker/fetch.ts.
 * Topics are named by id from v13 (UNKNOWN_TOPIC_ID when unknown).
 * Fetch sessions (KIP-227): not kept. Every fetch is answered in full with sessionId 0,
 * which clients read as "no session" and keep sending full fetches; a request naming a
 * session gets FETCH_SESSION_ID_NOT_FOUND, sessionId 0 with an epoch other than 0
 * or -1 gets INVALID_FETCH_SESSION_EPOCH.
 * Per version: lastStableOffset and abortedTransactions from v4 (null for
 * read_uncommitted, [] for read_committed: no aborted transactions are tracked yet),
 * logStartOffset from v5, preferredReadReplica -1 from v11.
 * Gaps: no follower fetch state (replication work), no currentLeader/divergingEpoch hints.
 */
import {
  FetchApi,
  defaultFetchResponse,
  defaultFetchResponsePartitionData,
  type FetchRequest,
  type FetchResponse,
  type FetchResponsePartitionData,
} from '../../protocol/generated/messages/01-fetch.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { defineHandler } from './handler.js';
import { IsolationLevel, leaderPartition, leaderPartitionById } from '../broker/partition-access.js';
import { bytesRead, readPartitions, type FetchParams, type PartitionFetch, type PartitionReadResult } from '../broker/fetch.js';
import type { Partition } from '../broker/replica-manager.js';
import type { RequestContext } from '../server/request-context.js';

const FINAL_EPOCH = -1;
const INITIAL_EPOCH = 0;

interface TopicSlot {
  topic: string;
  topicId: string;
  partitions: Array<{ index: number; fetch: PartitionFetch }>;
}

function sessionError(ctx: RequestContext, request: FetchRequest): number {
  if (ctx.apiVersion < 7) return ErrorCode.NONE;
  if (request.sessionId !== 0) return ErrorCode.FETCH_SESSION_ID_NOT_FOUND;
  if (request.sessionEpoch !== INITIAL_EPOCH && request.sessionEpoch !== FINAL_EPOCH) return ErrorCode.INVALID_FETCH_SESSION_EPOCH;
  return ErrorCode.NONE;
}

/** Resolves every requested partition once; lookups are repeated on each retry so deletions are seen. */
function plan(ctx: RequestContext, request: FetchRequest): TopicSlot[] {
  const byId = ctx.apiVersion >= 13;
  return request.topics.map((t) => {
    const name = byId ? (ctx.broker.controller.image.topicsById.get(t.topicId)?.name ?? '') : t.topic;
    return {
      topic: byId ? '' : t.topic,
      topicId: t.topicId,
      partitions: t.partitions.map((p) => ({
        index: p.partition,
        fetch: {
          lookup: byId ? leaderPartitionById(ctx.broker, t.topicId, p.partition) : leaderPartition(ctx.broker, name, p.partition),
          fetchOffset: Number(p.fetchOffset),
          partitionMaxBytes: p.partitionMaxBytes,
          currentLeaderEpoch: p.currentLeaderEpoch,
        },
      })),
    };
  });
}

function partitionData(ctx: RequestContext, index: number, r: PartitionReadResult, isolationLevel: number): FetchResponsePartitionData {
  const v = ctx.apiVersion;
  return {
    ...defaultFetchResponsePartitionData(),
    partitionIndex: index,
    errorCode: r.errorCode,
    highWatermark: BigInt(r.highWatermark),
    lastStableOffset: v >= 4 ? BigInt(r.lastStableOffset) : -1n,
    logStartOffset: v >= 5 ? BigInt(r.logStartOffset) : -1n,
    abortedTransactions: v >= 4 && isolationLevel !== IsolationLevel.READ_COMMITTED ? null : [],
    records: r.records,
  };
}

function fetch(ctx: RequestContext, request: FetchRequest): Promise<FetchResponse> | FetchResponse {
  const sessionCode = sessionError(ctx, request);
  if (sessionCode !== ErrorCode.NONE) return { ...defaultFetchResponse(), errorCode: sessionCode };
  const replicaId = ctx.apiVersion >= 15 ? request.replicaState.replicaId : request.replicaId;
  const isolationLevel = ctx.apiVersion >= 4 ? request.isolationLevel : IsolationLevel.READ_UNCOMMITTED;
  const params: FetchParams = {
    apiVersion: ctx.apiVersion,
    replicaId,
    maxBytes: replicaId >= 0 ? request.maxBytes : Math.min(request.maxBytes, ctx.broker.config.int('fetch.max.bytes')),
    isolationLevel,
  };
  let watched: Partition[] = [];
  const attempt = (final: boolean): FetchResponse | null => {
    const slots = plan(ctx, request);
    const flat = slots.flatMap((s) => s.partitions.map((p) => p.fetch));
    const results = readPartitions(params, flat);
    const hasError = results.some((r) => r.errorCode !== ErrorCode.NONE);
    if (!final && !hasError && bytesRead(results) < request.minBytes) {
      watched = results.flatMap((r) => (r.partition ? [r.partition] : []));
      return null;
    }
    let i = 0;
    return {
      ...defaultFetchResponse(),
      sessionId: 0,
      responses: slots.map((slot) => ({
        topic: slot.topic,
        topicId: slot.topicId,
        partitions: slot.partitions.map((p) => partitionData(ctx, p.index, results[i++]!, isolationLevel)),
      })),
    };
  };
  const maxWaitMs = request.topics.length === 0 ? 0 : request.maxWaitMs;
  return ctx.broker.dataPath.fetchPurgatory.run(maxWaitMs, { attempt, watch: () => watched });
}

export const fetchHandler = defineHandler({
  api: FetchApi,
  minVersion: 0,
  maxVersion: 17,
  handle: fetch,
});
