/**
 * CreateAcls (key 30), versions 0-3, as Kafka 3.9 answers it with no authorizer configured
 * (`authorizer.class.name` unset): every creation gets SECURITY_DISABLED with "No Authorizer is
 * configured."; nothing is stored. Forwarded to the active controller, as Kafka forwards it.
 * Leaves out: ACLs themselves (storing AccessControlEntryRecords, matching, enforcing); they
 * come with an authorizer.
 */
import { CreateAclsApi } from '../../protocol/generated/messages/30-create-acls.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { defineHandler } from './handler.js';
import { NO_AUTHORIZER_MESSAGE } from './29-describe-acls.js';

export const createAclsHandler = defineHandler({
  api: CreateAclsApi,
  handle(_ctx, request) {
    return {
      throttleTimeMs: 0,
      results: request.creations.map(() => ({
        errorCode: ErrorCode.SECURITY_DISABLED,
        errorMessage: NO_AUTHORIZER_MESSAGE,
      })),
    };
  },
});
