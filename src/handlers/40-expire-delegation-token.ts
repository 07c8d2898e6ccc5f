/**
 * ExpireDelegationToken (key 40), versions 0-2: DELEGATION_TOKEN_REQUEST_NOT_ALLOWED over PLAINTEXT,
 * one-way SSL or a token-authenticated connection (expiry -1, as Kafka), else
 * DELEGATION_TOKEN_AUTH_DISABLED (expiry 0), as Kafka's controller answers without
 * `delegation.token.secret.key`. Left out: tokens themselves (the secret key is refused at start-up).
 */
import { ExpireDelegationTokenApi } from '../../protocol/generated/messages/40-expire-delegation-token.js';
import { renewOrExpireAnswer } from '../admin/delegation-tokens.js';
import { defineHandler } from './handler.js';

export const expireDelegationTokenHandler = defineHandler({
  api: ExpireDelegationTokenApi,
  handle: (ctx) => renewOrExpireAnswer(ctx),
});
