/**
 * SASL/OAUTHBEARER (RFC 7628), server side, as Kafka's OAuthBearerSaslServer: the client's
 * initial response `n,[a=authzid],^Aauth=Bearer <token>^A[extensions^A]^A` carries a JWT;
 * a valid one authenticates its subject; an invalid one gets the RFC 7628 error challenge
 * `{"status":"invalid_token"}`, the client answers ^A, and authentication fails with that
 * message. Two validators, chosen per listener at start-up:
 *  - unsecured (Kafka's default, for development): `alg: none` tokens, principal claim
 *    `unsecuredValidatorPrincipalClaimName` (sub), `exp` required, clock skew
 *    `unsecuredValidatorAllowableClockSkewMs`, `unsecuredValidatorRequiredScope`;
 *  - signed (KIP-768, when `sasl.oauthbearer.jwks.endpoint.url` is set): signatures
 *    checked by jose against the JWKS (https URL, refreshed for unknown key ids and every
 *    `sasl.oauthbearer.jwks.endpoint.refresh.ms`, or a file: URL read at start-up), the
 *    expected audience and issuer, `sasl.oauthbearer.sub.claim.name`,
 *    `sasl.oauthbearer.clock.skew.seconds`; `alg: none` is refused.
 * Left out: extension validation (extensions are ignored), scope checks for signed tokens.
 */
import { readFileSync } from 'node:fs';
import { createLocalJWKSet, createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { ConfigError, type BrokerConfig } from '../../common/config.js';
import { listenerSetting } from '../tls.js';
import type { JaasEntry } from './jaas.js';
import { SaslAuthenticationError, SaslMechanismError, type SaslServerExchange, type SaslStep } from './mechanism.js';

/** Validates a token: the principal name, or an error for the client. */
/** A valid token's principal and expiry (ms since the epoch, its `exp`), or the RFC 7628 error. */
export type TokenValidator = (
  token: string,
  nowMs: number,
) => Promise<{ principal: string; expiresAtMs: number } | { error: string }>;

const INVALID_TOKEN = '{"status":"invalid_token"}';

function base64UrlJson(part: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

/** Kafka's OAuthBearerUnsecuredValidatorCallbackHandler, with its JAAS options. */
export function unsecuredValidator(options: ReadonlyMap<string, string>): TokenValidator {
  const principalClaim = options.get('unsecuredValidatorPrincipalClaimName') ?? 'sub';
  const scopeClaim = options.get('unsecuredValidatorScopeClaimName') ?? 'scope';
  const requiredScope = (options.get('unsecuredValidatorRequiredScope') ?? '').split(' ').filter((s) => s !== '');
  const skewMs = Number(options.get('unsecuredValidatorAllowableClockSkewMs') ?? '0');
  return (token, nowMs) => {
    const parts = token.split('.');
    if (parts.length !== 3 || parts[2] !== '') return Promise.resolve({ error: INVALID_TOKEN });
    const header = base64UrlJson(parts[0]!);
    const claims = base64UrlJson(parts[1]!);
    if (!header || !claims || header.alg !== 'none') return Promise.resolve({ error: INVALID_TOKEN });
    const principal = claims[principalClaim];
    const exp = claims.exp;
    if (typeof principal !== 'string' || principal.trim() === '' || typeof exp !== 'number')
      return Promise.resolve({ error: INVALID_TOKEN });
    if (nowMs - skewMs >= exp * 1000) return Promise.resolve({ error: INVALID_TOKEN });
    if (typeof claims.iat === 'number' && claims.iat * 1000 > nowMs + skewMs)
      return Promise.resolve({ error: INVALID_TOKEN });
    const rawScope = claims[scopeClaim];
    const scope =
      typeof rawScope === 'string' ? rawScope.split(' ') : Array.isArray(rawScope) ? rawScope.map(String) : [];
    if (requiredScope.some((s) => !scope.includes(s)))
      return Promise.resolve({ error: '{"status":"insufficient_scope"}' });
    return Promise.resolve({ principal, expiresAtMs: exp * 1000 });
  };
}

/** KIP-768: signed JWTs checked against a JWKS with jose. */
export function signedValidator(config: BrokerConfig, listenerName: string): TokenValidator {
  const get = (key: string): string | null => listenerSetting(config, listenerName, key);
  const url = get('sasl.oauthbearer.jwks.endpoint.url')!;
  let keys: JWTVerifyGetKey;
  if (url.startsWith('file:')) {
    try {
      keys = createLocalJWKSet(
        JSON.parse(readFileSync(new URL(url), 'utf8')) as Parameters<typeof createLocalJWKSet>[0],
      );
    } catch (err) {
      throw new ConfigError(
        `listener ${listenerName}: sasl.oauthbearer.jwks.endpoint.url ${url}: ${(err as Error).message}`,
      );
    }
  } else if (url.startsWith('https:')) {
    keys = createRemoteJWKSet(new URL(url), {
      cacheMaxAge: Number(get('sasl.oauthbearer.jwks.endpoint.refresh.ms') ?? '3600000'),
    });
  } else {
    throw new ConfigError(
      `listener ${listenerName}: sasl.oauthbearer.jwks.endpoint.url must be an https: or file: URL (is ${url})`,
    );
  }
  const audience = (get('sasl.oauthbearer.expected.audience') ?? '')
    .split(',')
    .map((a) => a.trim())
    .filter((a) => a !== '');
  const issuer = get('sasl.oauthbearer.expected.issuer');
  const subClaim = get('sasl.oauthbearer.sub.claim.name') ?? 'sub';
  const clockTolerance = Number(get('sasl.oauthbearer.clock.skew.seconds') ?? '30');
  return async (token, nowMs) => {
    try {
      const { payload } = await jwtVerify(token, keys, {
        ...(audience.length > 0 ? { audience } : {}),
        ...(issuer ? { issuer } : {}),
        clockTolerance,
        currentDate: new Date(nowMs),
        requiredClaims: ['exp', subClaim],
      });
      const principal = payload[subClaim];
      if (typeof principal !== 'string' || principal === '') return { error: INVALID_TOKEN };
      return { principal, expiresAtMs: typeof payload.exp === 'number' ? payload.exp * 1000 : nowMs };
    } catch {
      return { error: INVALID_TOKEN };
    }
  };
}

const UNSECURED_HANDLER =
  'org.apache.kafka.common.security.oauthbearer.internals.unsecured.OAuthBearerUnsecuredValidatorCallbackHandler';

/** The validator of a listener: signed when a JWKS is configured, else Kafka's unsecured one. */
export function oauthValidator(config: BrokerConfig, listenerName: string, jaas: JaasEntry | null): TokenValidator {
  const handler = config.explicit(
    `listener.name.${listenerName.toLowerCase()}.oauthbearer.sasl.server.callback.handler.class`,
  );
  const jwks = listenerSetting(config, listenerName, 'sasl.oauthbearer.jwks.endpoint.url');
  if (jwks !== null && jwks !== '') return signedValidator(config, listenerName);
  if (handler !== undefined && handler !== UNSECURED_HANDLER) {
    throw new ConfigError(`listener ${listenerName}: ${handler} needs sasl.oauthbearer.jwks.endpoint.url`);
  }
  return unsecuredValidator(jaas?.options ?? new Map());
}

export class OAuthBearerExchange implements SaslServerExchange {
  private errorSent: string | null = null;
  private principal: string | null = null;
  private expiresAtMs: number | null = null;

  constructor(
    private readonly validate: TokenValidator,
    private readonly now: () => number,
  ) {}

  async evaluate(response: Buffer): Promise<SaslStep> {
    if (this.errorSent !== null) {
      if (response.length === 1 && response[0] === 0x01) throw new SaslAuthenticationError(this.errorSent);
      throw new SaslMechanismError('expected ^A after the error challenge');
    }
    const text = response.toString('utf8');
    const gs2 = /^n,(a=[^,]*)?,/.exec(text);
    const SEPARATOR = String.fromCharCode(1);
    if (!gs2 || !text.startsWith(SEPARATOR, gs2[0].length) || !text.endsWith(SEPARATOR))
      throw new SaslMechanismError('Invalid OAUTHBEARER client first message');
    const m = [gs2[0], gs2[1]] as const;
    const pairs = text
      .slice(gs2[0].length)
      .split(SEPARATOR)
      .filter((p) => p !== '');
    const auth = pairs.find((p) => p.startsWith('auth='));
    const bearer = auth ? /^auth=Bearer +([A-Za-z0-9\-._~+/]*=*)$/i.exec(auth) : null;
    if (!bearer) throw new SaslMechanismError('Invalid OAUTHBEARER client first message');
    const result = await this.validate(bearer[1]!, this.now());
    if ('error' in result) {
      this.errorSent = result.error;
      return { challenge: Buffer.from(result.error, 'utf8'), complete: false };
    }
    const authzid = m[1] ? m[1].slice(2) : '';
    if (authzid !== '' && authzid !== result.principal) {
      this.errorSent = '{"status":"invalid_authorization_id"}';
      return { challenge: Buffer.from(this.errorSent, 'utf8'), complete: false };
    }
    this.principal = result.principal;
    this.expiresAtMs = result.expiresAtMs;
    return { challenge: Buffer.alloc(0), complete: true };
  }

  authorizationId(): string {
    if (this.principal === null) throw new Error('OAUTHBEARER exchange not complete');
    return this.principal;
  }

  /** The token's expiry: the session ends then at the latest (KIP-368). */
  credentialExpiresAtMs(): number | null {
    return this.expiresAtMs;
  }
}
