/**
 * ListGroups, versions 0-5: every group this coordinator owns, with its protocol type;
 * v4+ filter by state and report it, v5+ filter by type ("classic", or "consumer" for
 * KIP-848 groups, whose protocol type is "consumer") and report it. Filters compare
 * case-insensitively.
 */
import { ListGroupsApi } from '../../protocol/generated/messages/16-list-groups.js';
import { defineHandler } from './handler.js';

export const listGroupsHandler = defineHandler({
  api: ListGroupsApi,
  handle(ctx, request) {
    const v = ctx.apiVersion;
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
