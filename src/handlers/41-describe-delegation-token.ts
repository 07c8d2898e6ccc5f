/**
 * DescribeDelegationToken (key 41), versions 0-3: DELEGATION_TOKEN_REQUEST_NOT_ALLOWED over
 * PLAINTEXT, one-way SSL or a token-authenticated connection, else DELEGATION_TOKEN_AUTH_DISABLED
 * with no tokens, as Kafka's broker answers without `delegation.token.secret.key`. Left out:
 * tokens themselves (the secret key is refused at start-up).
 */
import { DescribeDelegationTokenApi } from '../../protocol/generated/messages/41-describe-delegation-token.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { tokenRequestsAllowed } from '../admin/delegation-tokens.js';
import { defineHandler } from './handler.js';

export const describeDelegationTokenHandler = defineHandler({
  api: DescribeDelegationTokenApi,
  handle(ctx) {
    const errorCode = tokenRequestsAllowed(ctx)
      ? ErrorCode.DELEGATION_TOKEN_AUTH_DISABLED
      : ErrorCode.DELEGATION_TOKEN_REQUEST_NOT_ALLOWED;
    return { throttleTimeMs: 0, errorCode, tokens: [] };
  },
});
