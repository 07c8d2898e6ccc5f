/**
 * OffsetDelete, version 0: deletes a group's committed offsets of some partitions.
 * A consumer group still subscribed to a topic gets GROUP_SUBSCRIBED_TO_TOPIC for its
 * partitions; a non-empty group of another protocol type NON_EMPTY_GROUP; an unknown
 * group GROUP_ID_NOT_FOUND (which, as in Kafka, replaces every partition's answer); a partition that
 * does not exist UNKNOWN_TOPIC_OR_PARTITION.
 * An id coordinated by another broker gets NOT_COORDINATOR (COORDINATOR_LOAD_IN_PROGRESS while its
 * partition loads); the answer waits until what it wrote is committed (docs/replication.md).
 */
import { OffsetDeleteApi } from '../../protocol/generated/messages/47-offset-delete.js';
import { defineHandler } from './handler.js';

export const offsetDeleteHandler = defineHandler({
  api: OffsetDeleteApi,
  async handle(ctx, request) {
    const groups = ctx.broker.groups;
    const notHere = groups.coordinatorError(request.groupId);
    if (notHere !== 0) return { errorCode: notHere, throttleTimeMs: 0, topics: [] };
    const r = groups.run((c, now) => c.offsets.delete(request.groupId, request.topics, now));
    const committed = await groups.whenCommitted(request.groupId);
    return { errorCode: r.errorCode === 0 ? committed : r.errorCode, throttleTimeMs: 0, topics: r.topics };
  },
});
