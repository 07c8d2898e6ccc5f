/**
 * OffsetDelete, version 0: deletes a group's committed offsets of some partitions.
 * A consumer group still subscribed to a topic gets GROUP_SUBSCRIBED_TO_TOPIC for its
 * partitions; a non-empty group of another protocol type NON_EMPTY_GROUP; an unknown
 * group GROUP_ID_NOT_FOUND.
 */
import { OffsetDeleteApi } from '../../protocol/generated/messages/47-offset-delete.js';
import { defineHandler } from './handler.js';

export const offsetDeleteHandler = defineHandler({
  api: OffsetDeleteApi,
  handle(ctx, request) {
    const r = ctx.broker.groups.run((c, now) => c.offsets.delete(request.groupId, request.topics, now));
    return { errorCode: r.errorCode, throttleTimeMs: 0, topics: r.topics };
  },
});
