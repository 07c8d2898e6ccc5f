/**
 * DeleteAcls (key 31), versions 0-3 (v0: literal patterns). With `authorizer.class.name` set,
 * every binding a filter matches (ANY / MATCH pattern types, null name, principal and host
 * matching everything) is removed with a RemoveAccessControlEntryRecord and listed in the
 * filter's result; an invalid filter gets INVALID_REQUEST. Needs ALTER on the cluster
 * (authorizer/api-rules.ts). Forwarded to the active controller, as Kafka forwards it. Without
 * an authorizer, as Kafka 3.9: SECURITY_DISABLED with "No Authorizer is configured.".
 * Leaves out: nothing of the API.
 */
import { DeleteAclsApi } from '../../protocol/generated/messages/31-delete-acls.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { defineHandler } from './handler.js';
import { NO_AUTHORIZER_MESSAGE } from './29-describe-acls.js';
import { planAclDeletions } from '../metadata/acl-changes.js';

export const deleteAclsHandler = defineHandler({
  api: DeleteAclsApi,
  async handle(ctx, request) {
    if (ctx.broker.authorizer === undefined)
      return {
        throttleTimeMs: 0,
        filterResults: request.filters.map(() => ({
          errorCode: ErrorCode.SECURITY_DISABLED,
          errorMessage: NO_AUTHORIZER_MESSAGE,
          matchingAcls: [],
        })),
      };
    const { controller } = ctx.broker;
    const filters = request.filters.map((f) => ({
      resourceType: f.resourceTypeFilter,
      resourceName: f.resourceNameFilter,
      patternType: f.patternTypeFilter,
      principal: f.principalFilter,
      host: f.hostFilter,
      operation: f.operation,
      permissionType: f.permissionType,
    }));
    const { results, records } = planAclDeletions(controller.image.acls, filters);
    const errorCode = await controller.commitAndWait(records);
    return {
      throttleTimeMs: 0,
      filterResults: results.map((r) =>
        errorCode !== ErrorCode.NONE && r.errorCode === ErrorCode.NONE
          ? { errorCode, errorMessage: null, matchingAcls: [] }
          : {
              errorCode: r.errorCode,
              errorMessage: r.errorMessage,
              matchingAcls: r.matching.map((b) => ({
                errorCode: ErrorCode.NONE,
                errorMessage: null,
                resourceType: b.resourceType,
                resourceName: b.resourceName,
                patternType: b.patternType,
                principal: b.principal,
                host: b.host,
                operation: b.operation,
                permissionType: b.permissionType,
              })),
            },
      ),
    };
  },
});
