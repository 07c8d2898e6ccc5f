/**
 * Fetch, versions 0-18 (v18, Kafka 4.1's, adds the follower's known high watermark as a
 * tagged field, KIP-1166: read and ignored, Gregor's followers learn it from the answer).
 * Long polling: a fetch that has fewer than minBytes is parked in the fetch purgatory
 * until a partition it reads changes or maxWaitMs passes; errors answer at once.
 * Reading (limits, KIP-74, isolation, down-conversion for v0-v3) is broker/fetch.ts.
 * Topics are named by id from v13 (UNKNOWN_TOPIC_ID when unknown).
 * Fetch sessions (KIP-227, v7+): full and incremental, see broker/fetch-sessions.ts.
 * Per version: lastStableOffset and abortedTransactions from v4 (null for
 * read_uncommitted; for read_committed the aborted transactions overlapping the read),
 * logStartOffset from v5, preferredReadReplica -1 from v11. Below v10 a consumer gets
 * UNSUPPORTED_COMPRESSION_TYPE for a topic with compression.type=zstd, as Kafka.
 * Followers (replicaId >= 0, or ReplicaState from v15) read to the log end, their positions move the
 * high watermark, and from v12 a diverging log gets divergingEpoch (broker/fetch.ts). A follower whose
 * ReplicaEpoch (v15+) is older than its unfenced registration's gets NOT_LEADER_OR_FOLLOWER (KIP-903);
 * the epoch it sends goes with it into the leader's AlterPartition.
 * Client quotas (consumer_byte_rate, handlers/throttling.ts): a consumer's maxBytes is capped to
 * what its quota allows at once; an answer that would bring it over the quota carries no data and
 * throttle_time_ms instead, as Kafka's. Follower fetches are exempt.
 * Gaps: no currentLeader hints for consumers; the bytes counted are the records' (Kafka counts the
 * whole response).
 */
import {
  FetchApi,
  defaultFetchResponse,
  defaultFetchResponsePartitionData,
  type FetchRequest,
  type FetchResponse,
  type FetchResponseFetchableTopicResponse,
} from '../../protocol/generated/messages/01-fetch.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { defineHandler } from './handler.js';
import { effectiveTopicConfig } from '../metadata/topic-configs.js';
import { IsolationLevel, leaderPartition, leaderPartitionById } from '../broker/partition-access.js';
import { bytesRead, readPartitions, type FetchParams, type PartitionReadResult } from '../broker/fetch.js';
import { FetchSession, type SessionContext, type WantedPartition } from '../broker/fetch-sessions.js';
import type { Partition } from '../broker/replica-manager.js';
import type { RequestContext } from '../server/request-context.js';
import { fetchQuotaBytes, throttleFetch } from './throttling.js';

function wantedOf(ctx: RequestContext, request: FetchRequest): WantedPartition[] {
  const byId = ctx.apiVersion >= 13;
  return request.topics.flatMap((t) =>
    t.partitions.map((p) => ({
      topic: byId ? '' : t.topic,
      topicId: t.topicId,
      partition: p.partition,
      fetchOffset: Number(p.fetchOffset),
      partitionMaxBytes: p.partitionMaxBytes,
      currentLeaderEpoch: p.currentLeaderEpoch,
      lastFetchedEpoch: ctx.apiVersion >= 12 ? p.lastFetchedEpoch : -1,
      fetcherLogStartOffset: ctx.apiVersion >= 5 ? Number(p.logStartOffset) : -1,
    })),
  );
}

function sessionContext(ctx: RequestContext, request: FetchRequest, wanted: WantedPartition[]): SessionContext {
  if (ctx.apiVersion < 7) return { kind: 'full', session: null };
  const usesTopicIds = ctx.apiVersion >= 13;
  return ctx.broker.dataPath.fetchSessions.newContext(
    {
      sessionId: request.sessionId,
      sessionEpoch: request.sessionEpoch,
      usesTopicIds,
      partitions: wanted,
      forgotten: request.forgottenTopicsData.flatMap((f) =>
        f.partitions.map((partition) => ({ topic: usesTopicIds ? '' : f.topic, topicId: f.topicId, partition })),
      ),
    },
    ctx.clock.now(),
  );
}

function respond(
  ctx: RequestContext,
  targets: WantedPartition[],
  results: PartitionReadResult[],
  isolationLevel: number,
  session: FetchSession | null,
  incremental: boolean,
): FetchResponse {
  const v = ctx.apiVersion;
  const topics: FetchResponseFetchableTopicResponse[] = [];
  targets.forEach((target, i) => {
    const r = results[i]!;
    if (session) {
      const news = {
        errorCode: r.errorCode,
        recordBytes: r.records.length,
        highWatermark: r.highWatermark,
        lastStableOffset: r.lastStableOffset,
        logStartOffset: r.logStartOffset,
        diverging: r.divergingEpoch !== undefined,
      };
      if (!session.noteAnswer(FetchSession.key(target, session.usesTopicIds), news, incremental)) return;
    }
    let topic = topics[topics.length - 1];
    if (!topic || topic.topic !== target.topic || topic.topicId !== target.topicId) {
      topic = { topic: target.topic, topicId: target.topicId, partitions: [] };
      topics.push(topic);
    }
    if (r.partition && r.records.length > 0) ctx.broker.metrics?.bytesOut(r.partition.topic, r.records.length);
    topic.partitions.push({
      ...defaultFetchResponsePartitionData(),
      partitionIndex: target.partition,
      errorCode: r.errorCode,
      highWatermark: BigInt(r.highWatermark),
      lastStableOffset: v >= 4 ? BigInt(r.lastStableOffset) : -1n,
      logStartOffset: v >= 5 ? BigInt(r.logStartOffset) : -1n,
      abortedTransactions:
        v >= 4 && isolationLevel !== IsolationLevel.READ_COMMITTED
          ? null
          : (r.abortedTransactions ?? []).map((a) => ({
              producerId: a.producerId,
              firstOffset: BigInt(a.firstOffset),
            })),
      records: r.records,
      ...(r.divergingEpoch && v >= 12
        ? { divergingEpoch: { epoch: r.divergingEpoch.epoch, endOffset: BigInt(r.divergingEpoch.endOffset) } }
        : {}),
    });
  });
  return { ...defaultFetchResponse(), sessionId: session?.id ?? 0, responses: topics };
}

function fetch(ctx: RequestContext, request: FetchRequest): Promise<FetchResponse> | FetchResponse {
  const wanted = wantedOf(ctx, request);
  const context = sessionContext(ctx, request, wanted);
  if (context.kind === 'error') return { ...defaultFetchResponse(), errorCode: context.errorCode };
  const session = context.session;
  const incremental = context.kind === 'incremental';
  const targets = incremental ? [...context.session.partitions.values()] : wanted;
  const replicaId = ctx.apiVersion >= 15 ? request.replicaState.replicaId : request.replicaId;
  const isolationLevel = ctx.apiVersion >= 4 ? request.isolationLevel : IsolationLevel.READ_UNCOMMITTED;
  const params: FetchParams = {
    apiVersion: ctx.apiVersion,
    replicaId,
    replicaEpoch: ctx.apiVersion >= 15 ? request.replicaState.replicaEpoch : -1n,
    aliveBrokerEpoch: (id) => {
      const broker = ctx.broker.controller.image.brokers.get(id);
      return broker && !broker.fenced ? broker.brokerEpoch : undefined;
    },
    // A consumer reads at most what its consumer_byte_rate lets it take at once, so it always progresses.
    maxBytes:
      replicaId >= 0
        ? request.maxBytes
        : Math.min(request.maxBytes, ctx.broker.config.int('fetch.max.bytes'), Math.floor(fetchQuotaBytes(ctx))),
    isolationLevel,
    now: ctx.clock.now(),
  };
  const byId = ctx.apiVersion >= 13;
  let watched: Partition[] = [];
  const attempt = (final: boolean): FetchResponse | null => {
    const results = readPartitions(
      params,
      targets.map((t) => {
        const lookup = byId
          ? leaderPartitionById(ctx.broker, t.topicId, t.partition)
          : leaderPartition(ctx.broker, t.topic, t.partition);
        return {
          lookup,
          fetchOffset: t.fetchOffset,
          partitionMaxBytes: t.partitionMaxBytes,
          currentLeaderEpoch: t.currentLeaderEpoch,
          lastFetchedEpoch: t.lastFetchedEpoch,
          followerLogStartOffset: t.fetcherLogStartOffset ?? -1,
          downConversionDisabled:
            ctx.apiVersion <= 3 &&
            lookup.ok &&
            effectiveTopicConfig('message.downconversion.enable', lookup.topic.configs, ctx.broker.config) === 'false',
          zstdTopicBeforeV10:
            ctx.apiVersion < 10 &&
            lookup.ok &&
            effectiveTopicConfig('compression.type', lookup.topic.configs, ctx.broker.config) === 'zstd',
        };
      }),
    );
    const hasError = results.some((r) => r.errorCode !== ErrorCode.NONE || r.divergingEpoch !== undefined);
    if (!final && !hasError && bytesRead(results) < request.minBytes) {
      watched = results.flatMap((r) => (r.partition ? [r.partition] : []));
      return null;
    }
    // Over consumer_byte_rate: no data (the session's state untouched), throttle_time_ms says how long to wait.
    if (replicaId < 0 && throttleFetch(ctx, bytesRead(results))) {
      // A throttled full fetch makes no session (Kafka's FullFetchContext creates it with the answer).
      if (!incremental && session) ctx.broker.dataPath.fetchSessions.discard(session.id);
      return { ...defaultFetchResponse(), sessionId: incremental ? (session?.id ?? 0) : 0, responses: [] };
    }
    return respond(ctx, targets, results, isolationLevel, session, incremental);
  };
  const maxWaitMs = targets.length === 0 ? 0 : request.maxWaitMs;
  return ctx.broker.dataPath.fetchPurgatory.run(maxWaitMs, { attempt, watch: () => watched });
}

export const fetchHandler = defineHandler({
  api: FetchApi,
  minVersion: 0,
  maxVersion: 18,
  handle: fetch,
});
