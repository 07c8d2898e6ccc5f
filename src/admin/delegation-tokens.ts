/**
 * Delegation tokens (KIP-48), the checks Kafka 3.9's KafkaApis and ControllerApis make before a
 * token request reaches the token manager: who may send token requests at all
 * (`allowTokenRequests`), whether tokens are enabled (`delegation.token.secret.key`), and the
 * owner and renewer checks of CreateDelegationToken. Gregor does not issue tokens: the secret key
 * is refused at start-up, so every request that passes these checks is answered
 * DELEGATION_TOKEN_AUTH_DISABLED, as Kafka answers it without the key.
 */
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import type { RequestContext } from '../server/request-context.js';
import { RequestAuthz } from '../server/request-authz.js';
import { principalToString, type KafkaPrincipal } from '../server/principal.js';
import { AclOperation, ResourceType } from '../metadata/acl-types.js';

/** The expiry timestamp Kafka's DelegationTokenManager answers with a refusal. */
export const TOKEN_ERROR_TIMESTAMP = -1n;

/**
 * Kafka's allowTokenRequests: no token requests over PLAINTEXT, from a one-way SSL client
 * (User:ANONYMOUS on SSL), or from a connection that authenticated with a token itself. A request
 * another broker forwarded in an Envelope is allowed whatever that hop's protocol, as on Kafka's
 * controller.
 */
export function tokenRequestsAllowed(ctx: RequestContext): boolean {
  if (ctx.principal.tokenAuthenticated === true) return false;
  if (ctx.forwarded === true) return true;
  const protocol = ctx.securityProtocol ?? 'PLAINTEXT';
  if (protocol === 'PLAINTEXT') return false;
  return !(protocol === 'SSL' && ctx.principal.type === 'User' && ctx.principal.name === 'ANONYMOUS');
}

/**
 * RenewDelegationToken's and ExpireDelegationToken's answer (the two have the same response):
 * DELEGATION_TOKEN_REQUEST_NOT_ALLOWED with expiry -1 where token requests are not allowed, else
 * DELEGATION_TOKEN_AUTH_DISABLED with expiry 0, as Kafka's controller without the secret key.
 */
export function renewOrExpireAnswer(ctx: RequestContext): {
  throttleTimeMs: number;
  errorCode: number;
  expiryTimestampMs: bigint;
} {
  return tokenRequestsAllowed(ctx)
    ? { throttleTimeMs: 0, errorCode: ErrorCode.DELEGATION_TOKEN_AUTH_DISABLED, expiryTimestampMs: 0n }
    : {
        throttleTimeMs: 0,
        errorCode: ErrorCode.DELEGATION_TOKEN_REQUEST_NOT_ALLOWED,
        expiryTimestampMs: TOKEN_ERROR_TIMESTAMP,
      };
}

/** Kafka's tokenAuthEnabled: `delegation.token.secret.key` (or its old name) is set. */
export function tokenAuthEnabled(ctx: RequestContext): boolean {
  const { config } = ctx.broker;
  const key = config.explicit('delegation.token.secret.key') ?? config.explicit('delegation.token.master.key');
  return key !== undefined && key !== '';
}

/**
 * CreateDelegationToken's checks before the controller, as KafkaApis / ControllerApis make them:
 * NOT_ALLOWED, then (for another owner than the requester) CREATE_TOKENS on the owner's User
 * resource, then renewers that are not User principals; null when the request may go on.
 */
export function createTokenRefusal(
  ctx: RequestContext,
  owner: KafkaPrincipal,
  renewers: readonly KafkaPrincipal[],
): number | null {
  if (!tokenRequestsAllowed(ctx)) return ErrorCode.DELEGATION_TOKEN_REQUEST_NOT_ALLOWED;
  const requester = ctx.principal;
  const sameOwner = owner.type === requester.type && owner.name === requester.name;
  if (
    !sameOwner &&
    !new RequestAuthz(ctx).allowed(AclOperation.CREATE_TOKENS, ResourceType.USER, principalToString(owner))
  )
    return ErrorCode.DELEGATION_TOKEN_AUTHORIZATION_FAILED;
  if (renewers.some((r) => r.type !== 'User')) return ErrorCode.INVALID_PRINCIPAL_TYPE;
  return null;
}
