/**
 * DescribeUserScramCredentials (key 50), version 0: the SCRAM mechanisms and iterations of
 * the named users (RESOURCE_NOT_FOUND for a user without any, DUPLICATE_RESOURCE for a
 * name given twice), or of every user when none is named; from the metadata image.
 * DESCRIBE on the cluster is checked before it runs (server/api-rules.ts). Left out: nothing
 * of version 0.
 */
import { DescribeUserScramCredentialsApi } from '../../protocol/generated/messages/50-describe-user-scram-credentials.js';
import { describeScramCredentials } from '../admin/scram-credentials.js';
import { defineHandler } from './handler.js';

export const describeUserScramCredentialsHandler = defineHandler({
  api: DescribeUserScramCredentialsApi,
  handle(ctx, request) {
    const names = request.users === null ? null : request.users.map((u) => u.name);
    return {
      throttleTimeMs: 0,
      errorCode: 0,
      errorMessage: null,
      results: describeScramCredentials(ctx.broker.controller.image, names),
    };
  },
});
