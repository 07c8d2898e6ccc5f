/**
 * OffsetCommit, versions 0-9. v0 commits without a generation (accepted only while
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
import { OffsetCommitApi } from '../../protocol/generated/messages/08-offset-commit.js';
import { defineHandler } from './handler.js';

export const offsetCommitHandler = defineHandler({
  api: OffsetCommitApi,
  async handle(ctx, request) {
    const v = ctx.apiVersion;
    const notHere = ctx.broker.groups.coordinatorError(request.groupId);
    if (notHere !== 0) {
      const topics = request.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: notHere })),
      }));
      return { throttleTimeMs: 0, topics };
    }
    const topics = await ctx.broker.groups.commit({
      groupId: request.groupId,
      generationId: v >= 1 ? request.generationIdOrMemberEpoch : -1,
      memberId: v >= 1 ? request.memberId : '',
      groupInstanceId: v >= 7 ? request.groupInstanceId : null,
      retentionTimeMs: v >= 2 && v <= 4 ? Number(request.retentionTimeMs) : -1,
      // v6+ carries every field the coordinator reads: the decoded topics go through as they are.
      topics:
        v >= 6
          ? request.topics
          : request.topics.map((t) => ({
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
    return { throttleTimeMs: 0, topics };
  },
});
