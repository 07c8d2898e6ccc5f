/**
 * DescribeAcls (key 29), versions 0-3, as Kafka 3.9 answers it with no authorizer configured
 * (`authorizer.class.name` unset): SECURITY_DISABLED with "No Authorizer is configured." and no
 * resources.
 * Leaves out: ACLs themselves (storing AccessControlEntryRecords, matching, enforcing); they
 * come with an authorizer.
 */
import { DescribeAclsApi } from '../../protocol/generated/messages/29-describe-acls.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { defineHandler } from './handler.js';

/** Kafka's message for the ACL APIs when no authorizer is configured. */
export const NO_AUTHORIZER_MESSAGE = 'No Authorizer is configured.';

export const describeAclsHandler = defineHandler({
  api: DescribeAclsApi,
  handle() {
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.SECURITY_DISABLED,
      errorMessage: NO_AUTHORIZER_MESSAGE,
      resources: [],
    };
  },
});
