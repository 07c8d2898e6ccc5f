/**
 * DeleteAcls (key 31), versions 0-3, as Kafka 3.9 answers it with no authorizer configured
 * (`authorizer.class.name` unset): every filter gets SECURITY_DISABLED with "No Authorizer is
 * configured." and no matching ACLs. Forwarded to the active controller, as Kafka forwards it.
 * Leaves out: ACLs themselves (storing AccessControlEntryRecords, matching, enforcing); they
 * come with an authorizer.
 */
import { DeleteAclsApi } from '../../protocol/generated/messages/31-delete-acls.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { defineHandler } from './handler.js';
import { NO_AUTHORIZER_MESSAGE } from './29-describe-acls.js';

export const deleteAclsHandler = defineHandler({
  api: DeleteAclsApi,
  handle(_ctx, request) {
    return {
      throttleTimeMs: 0,
      filterResults: request.filters.map(() => ({
        errorCode: ErrorCode.SECURITY_DISABLED,
        errorMessage: NO_AUTHORIZER_MESSAGE,
        matchingAcls: [],
      })),
    };
  },
});
