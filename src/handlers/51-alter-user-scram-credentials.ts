/**
 * AlterUserScramCredentials (key 51), version 0: upserts (salt and salted password from the
 * client; iterations 4096..16384) and deletions of SCRAM credentials, written as
 * UserScramCredentialRecord / RemoveUserScramCredentialRecord to the metadata log, one result
 * per user (admin/scram-credentials.ts has the checks). A node that is not the active
 * controller forwards it there. ALTER on the cluster is checked before it runs
 * (server/api-rules.ts). Left out: nothing of version 0.
 */
import { AlterUserScramCredentialsApi } from '../../protocol/generated/messages/51-alter-user-scram-credentials.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { planScramAlterations } from '../admin/scram-credentials.js';
import { defineHandler } from './handler.js';

export const alterUserScramCredentialsHandler = defineHandler({
  api: AlterUserScramCredentialsApi,
  async handle(ctx, request) {
    const { controller } = ctx.broker;
    const { results, records } = planScramAlterations(controller.image, request.deletions, request.upsertions);
    const errorCode = await controller.commitAndWait(records);
    if (errorCode !== ErrorCode.NONE) {
      return {
        throttleTimeMs: 0,
        results: results.map((r) => (r.errorCode === ErrorCode.NONE ? { ...r, errorCode, errorMessage: null } : r)),
      };
    }
    return { throttleTimeMs: 0, results };
  },
});
