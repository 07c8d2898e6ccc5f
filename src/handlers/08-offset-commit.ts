/**
 * OffsetCommit, versions 0-10 (v10 is Kafka 4.2's: topics named by id only; an id this
 * broker does not know answers UNKNOWN_TOPIC_ID on each of its partitions and is not
 * committed; the answer names topics by id). v0 commits without a generation (accepted only while
 * the group is Empty, as Kafka's "simple" commits); v1+ check member and generation
 * (UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION, REBALANCE_IN_PROGRESS while completing a
 * rebalance, FENCED_INSTANCE_ID for v7+ static members); v2-4 carry a retention time;
 * v6+ the leader epoch. Commits with generation -1 to a group that does not exist
 * create it. On v9 a missing group gets GROUP_ID_NOT_FOUND. For a KIP-848 consumer group the
 * generation is the member epoch: an unknown member gets UNKNOWN_MEMBER_ID, a wrong epoch
 * STALE_MEMBER_EPOCH, a member committing below v9 UNSUPPORTED_VERSION (commits with epoch
 * -1 are accepted while the group has no members). Nonexistent partitions get
 * UNKNOWN_TOPIC_OR_PARTITION, metadata over offset.metadata.max.bytes
 * OFFSET_METADATA_TOO_LARGE. The answer follows the append to `__consumer_offsets`,
 * made once per I/O turn for all commits that arrived in it, once the high watermark of the
 * group's partition passes it (see groups/service.ts). A group coordinated elsewhere gets
 * NOT_COORDINATOR (COORDINATOR_LOAD_IN_PROGRESS while its partition loads) on every partition.
 */
import {
  OffsetCommitApi,
  type OffsetCommitRequestOffsetCommitRequestTopic,
  type OffsetCommitResponseOffsetCommitResponseTopic,
} from '../../protocol/generated/messages/08-offset-commit.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { ZERO_UUID } from '../../protocol/primitives/index.js';
import { defineHandler } from './handler.js';
import { resolveTopicIds } from './topic-ids.js';

/** The first OffsetCommit version that names topics by id (Kafka 4.2). */
const TOPIC_ID_VERSION = 10;

function unknownTopicId(
  topic: OffsetCommitRequestOffsetCommitRequestTopic,
): OffsetCommitResponseOffsetCommitResponseTopic {
  return {
    name: '',
    topicId: topic.topicId,
    partitions: topic.partitions.map((p) => ({
      partitionIndex: p.partitionIndex,
      errorCode: ErrorCode.UNKNOWN_TOPIC_ID,
    })),
  };
}

export const offsetCommitHandler = defineHandler({
  api: OffsetCommitApi,
  async handle(ctx, request) {
    const v = ctx.apiVersion;
    const notHere = ctx.broker.groups.coordinatorError(request.groupId);
    if (notHere !== 0) {
      const topics = request.topics.map((t) => ({
        name: t.name,
        topicId: t.topicId,
        partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: notHere })),
      }));
      return { throttleTimeMs: 0, topics };
    }
    const byId = v >= TOPIC_ID_VERSION;
    const resolved = byId ? resolveTopicIds(ctx.broker.controller.image, request.topics) : null;
    const named = resolved ? resolved.known.map((k) => ({ ...k.topic, name: k.name })) : request.topics;
    const idByName = new Map(resolved?.known.map((k) => [k.name, k.topicId]));
    const topics = await ctx.broker.groups.commit({
      groupId: request.groupId,
      generationId: v >= 1 ? request.generationIdOrMemberEpoch : -1,
      memberId: v >= 1 ? request.memberId : '',
      groupInstanceId: v >= 7 ? request.groupInstanceId : null,
      retentionTimeMs: v >= 2 && v <= 4 ? Number(request.retentionTimeMs) : -1,
      // v6+ carries every field the coordinator reads: the decoded topics go through as they are.
      topics:
        v >= 6
          ? named
          : named.map((t) => ({
              name: t.name,
              partitions: t.partitions.map((p) => ({
                partitionIndex: p.partitionIndex,
                committedOffset: p.committedOffset,
                committedLeaderEpoch: -1,
                committedMetadata: p.committedMetadata,
              })),
            })),
      apiVersion: v,
    });
    return {
      throttleTimeMs: 0,
      topics: [
        ...topics.map((t) =>
          byId
            ? { name: '', topicId: idByName.get(t.name) ?? ZERO_UUID, partitions: t.partitions }
            : { ...t, topicId: ZERO_UUID },
        ),
        ...(resolved?.unknown.map(unknownTopicId) ?? []),
      ],
    };
  },
});
