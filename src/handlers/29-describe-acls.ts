/**
 * DescribeAcls (key 29), versions 0-3. With `authorizer.class.name` set, the ACL bindings of
 * the metadata image that the filter matches (v0: literal patterns only, as the v0 schema
 * knows no pattern type), grouped by resource pattern; a filter Kafka would refuse gets
 * INVALID_REQUEST. Needs DESCRIBE on the cluster (authorizer/api-rules.ts). Without an
 * authorizer, as Kafka 3.9: SECURITY_DISABLED with "No Authorizer is configured.".
 * Leaves out: nothing of the API.
 */
import { DescribeAclsApi } from '../../protocol/generated/messages/29-describe-acls.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { defineHandler } from './handler.js';
import { describeAcls } from '../metadata/acl-changes.js';
import { filterProblem } from '../metadata/acl-filters.js';

/** Kafka's message for the ACL APIs when no authorizer is configured. */
export const NO_AUTHORIZER_MESSAGE = 'No Authorizer is configured.';

export const describeAclsHandler = defineHandler({
  api: DescribeAclsApi,
  handle(ctx, request) {
    if (ctx.broker.authorizer === undefined)
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.SECURITY_DISABLED,
        errorMessage: NO_AUTHORIZER_MESSAGE,
        resources: [],
      };
    const filter = {
      resourceType: request.resourceTypeFilter,
      resourceName: request.resourceNameFilter,
      patternType: request.patternTypeFilter,
      principal: request.principalFilter,
      host: request.hostFilter,
      operation: request.operation,
      permissionType: request.permissionType,
    };
    const problem = filterProblem(filter);
    if (problem !== null)
      return { throttleTimeMs: 0, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: problem, resources: [] };
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      resources: describeAcls(ctx.broker.controller.image.acls, filter),
    };
  },
});
