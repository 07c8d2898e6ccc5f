/**
 * ListGroups, versions 0-5: every group this coordinator owns, with its protocol type;
 * v4+ filter by state and report it, v5+ filter by type ("classic", or "consumer" for
 * KIP-848 groups, whose protocol type is "consumer") and report it. Filters compare
 * case-insensitively. Lists the groups of the `__consumer_offsets` partitions this broker leads
 * (clients ask every broker); COORDINATOR_LOAD_IN_PROGRESS while one of them loads, as Kafka.
 */
import { ListGroupsApi } from '../../protocol/generated/messages/16-list-groups.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { defineHandler } from './handler.js';

export const listGroupsHandler = defineHandler({
  api: ListGroupsApi,
  handle(ctx, request) {
    const v = ctx.apiVersion;
    if (ctx.broker.groups.partitions.loading())
      return { throttleTimeMs: 0, errorCode: ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, groups: [] };
    const listed = ctx.broker.groups.run((c) =>
      c.admin.list(v >= 4 ? request.statesFilter : [], v >= 5 ? request.typesFilter : []),
    );
    return {
      throttleTimeMs: 0,
      errorCode: 0,
      groups: listed.map((g) => ({
        groupId: g.groupId,
        protocolType: g.protocolType,
        groupState: v >= 4 ? g.groupState : '',
        groupType: v >= 5 ? g.groupType : '',
      })),
    };
  },
});
