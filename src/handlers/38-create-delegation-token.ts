/**
 * CreateDelegationToken (key 38), versions 0-3: Kafka's checks in its order —
 * DELEGATION_TOKEN_REQUEST_NOT_ALLOWED over PLAINTEXT, one-way SSL or a token-authenticated
 * connection; DELEGATION_TOKEN_AUTHORIZATION_FAILED for another owner (v3) without CREATE_TOKENS
 * on that User; INVALID_PRINCIPAL_TYPE for a renewer that is not a User — then
 * DELEGATION_TOKEN_AUTH_DISABLED, as Kafka answers without `delegation.token.secret.key`.
 * Left out: issuing tokens (the secret key is refused at start-up); v0-2 answer the owner,
 * v3 also the requester.
 */
import { CreateDelegationTokenApi } from '../../protocol/generated/messages/38-create-delegation-token.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { createTokenRefusal, TOKEN_ERROR_TIMESTAMP } from '../admin/delegation-tokens.js';
import { defineHandler } from './handler.js';

export const createDelegationTokenHandler = defineHandler({
  api: CreateDelegationTokenApi,
  handle(ctx, request) {
    const requester = ctx.principal;
    const ownerName = request.ownerPrincipalName;
    const owner =
      ownerName === null || ownerName === ''
        ? requester
        : { type: request.ownerPrincipalType ?? 'User', name: ownerName };
    const renewers = request.renewers.map((r) => ({ type: r.principalType, name: r.principalName }));
    const errorCode = createTokenRefusal(ctx, owner, renewers) ?? ErrorCode.DELEGATION_TOKEN_AUTH_DISABLED;
    return {
      throttleTimeMs: 0,
      errorCode,
      principalType: owner.type,
      principalName: owner.name,
      // The requester is a v3 field (Kafka sets it only from v3).
      tokenRequesterPrincipalType: ctx.apiVersion >= 3 ? requester.type : '',
      tokenRequesterPrincipalName: ctx.apiVersion >= 3 ? requester.name : '',
      issueTimestampMs: TOKEN_ERROR_TIMESTAMP,
      expiryTimestampMs: TOKEN_ERROR_TIMESTAMP,
      maxTimestampMs: TOKEN_ERROR_TIMESTAMP,
      tokenId: '',
      hmac: Buffer.alloc(0),
    };
  },
});
