/**
 * RenewDelegationToken (key 39), versions 0-2: DELEGATION_TOKEN_REQUEST_NOT_ALLOWED over PLAINTEXT,
 * one-way SSL or a token-authenticated connection (expiry -1, as Kafka), else
 * DELEGATION_TOKEN_AUTH_DISABLED (expiry 0), as Kafka's controller answers without
 * `delegation.token.secret.key`. Left out: tokens themselves (the secret key is refused at start-up).
 */
import { RenewDelegationTokenApi } from '../../protocol/generated/messages/39-renew-delegation-token.js';
import { renewOrExpireAnswer } from '../admin/delegation-tokens.js';
import { defineHandler } from './handler.js';

export const renewDelegationTokenHandler = defineHandler({
  api: RenewDelegationTokenApi,
  handle: (ctx) => renewOrExpireAnswer(ctx),
});
