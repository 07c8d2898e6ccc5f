/**
 * OffsetFetch, versions 0-10 (v10 is Kafka 4.2's: topics named by id only; an id this broker
 * does not know answers UNKNOWN_TOPIC_ID on each partition asked for; with null topics, the
 * group's committed topics that still exist, named by id): committed offsets of one group (v0-7) or several (v8+);
 * null topics (v2+) fetch every partition the group has committed. Partitions with no
 * commit answer offset -1. `requireStable` (v7+) asks the transaction hook and answers
 * UNSTABLE_OFFSET_COMMIT while a transactional commit of that partition is pending (librdkafka's
 * read_committed consumers retry until the transaction ends). v9's member id and epoch are checked for KIP-848 consumer groups
 * (UNKNOWN_MEMBER_ID, STALE_MEMBER_EPOCH; a null member id with epoch -1 is an admin fetch).
 * An id coordinated by another broker gets NOT_COORDINATOR (COORDINATOR_LOAD_IN_PROGRESS while its
 * partition loads) (docs/replication.md).
 */
import {
  OffsetFetchApi,
  type OffsetFetchRequestOffsetFetchRequestGroup,
  type OffsetFetchResponse,
  type OffsetFetchResponseOffsetFetchResponseGroup,
} from '../../protocol/generated/messages/09-offset-fetch.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { ZERO_UUID } from '../../protocol/primitives/index.js';
import type { RequestContext } from '../server/request-context.js';
import { defineHandler } from './handler.js';
import { resolveTopicIds, topicIdOf } from './topic-ids.js';

/** The first OffsetFetch version that names topics by id (Kafka 4.2). */
const TOPIC_ID_VERSION = 10;

function fetchGroup(
  ctx: RequestContext,
  g: OffsetFetchRequestOffsetFetchRequestGroup,
  requireStable: boolean,
): OffsetFetchResponseOffsetFetchResponseGroup {
  const v = ctx.apiVersion;
  const groups = ctx.broker.groups;
  const notHere = groups.coordinatorError(g.groupId);
  if (notHere !== 0) return { groupId: g.groupId, errorCode: notHere, topics: [] };
  const memberError = v >= 9 ? groups.run((c) => c.consumer.admin.fetchError(g.groupId, g.memberId, g.memberEpoch)) : 0;
  if (memberError !== 0) return { groupId: g.groupId, errorCode: memberError, topics: [] };
  if (v < TOPIC_ID_VERSION) {
    const r = groups.run((c) => c.offsets.fetch(g.groupId, g.topics, requireStable));
    return { groupId: g.groupId, errorCode: r.errorCode, topics: r.topics.map((t) => ({ ...t, topicId: ZERO_UUID })) };
  }
  const image = ctx.broker.controller.image;
  const resolved = g.topics === null ? null : resolveTopicIds(image, g.topics);
  const wanted = resolved
    ? resolved.known.map((k) => ({ name: k.name, partitionIndexes: k.topic.partitionIndexes }))
    : null;
  const r = groups.run((c) => c.offsets.fetch(g.groupId, wanted, requireStable));
  const topics = r.topics.flatMap((t) => {
    const topicId = topicIdOf(image, t.name);
    // A committed topic that no longer exists has no id to be named by.
    return topicId === undefined ? [] : [{ name: '', topicId, partitions: t.partitions }];
  });
  for (const t of resolved?.unknown ?? []) {
    topics.push({
      name: '',
      topicId: t.topicId,
      partitions: t.partitionIndexes.map((partitionIndex) => ({
        partitionIndex,
        committedOffset: -1n,
        committedLeaderEpoch: -1,
        metadata: '',
        errorCode: ErrorCode.UNKNOWN_TOPIC_ID,
      })),
    });
  }
  return { groupId: g.groupId, errorCode: r.errorCode, topics };
}

export const offsetFetchHandler = defineHandler({
  api: OffsetFetchApi,
  handle(ctx, request): OffsetFetchResponse {
    const v = ctx.apiVersion;
    const requireStable = v >= 7 && request.requireStable;
    const groups = ctx.broker.groups;
    if (v >= 8) {
      return {
        throttleTimeMs: 0,
        topics: [],
        errorCode: 0,
        groups: request.groups.map((g) => fetchGroup(ctx, g, requireStable)),
      };
    }
    const notHere = groups.coordinatorError(request.groupId);
    const r =
      notHere !== 0
        ? { errorCode: notHere, topics: [] }
        : groups.run((c) => c.offsets.fetch(request.groupId, request.topics, requireStable));
    const failed = r.errorCode !== 0;
    const topics = failed
      ? (request.topics ?? []).map((t) => ({
          name: t.name,
          partitions: t.partitionIndexes.map((partitionIndex) => ({
            partitionIndex,
            committedOffset: -1n,
            committedLeaderEpoch: -1,
            metadata: '',
            errorCode: r.errorCode,
          })),
        }))
      : r.topics;
    return {
      throttleTimeMs: 0,
      errorCode: v >= 2 ? r.errorCode : 0,
      groups: [],
      topics: topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({ ...p, committedLeaderEpoch: v >= 5 ? p.committedLeaderEpoch : -1 })),
      })),
    };
  },
});
