/**
 * Where the `gregor` tools get an OAUTHBEARER token (RFC 7628) from, under Kafka's client settings:
 * - unsecured: a JWT with `alg: none` made here for a principal, as Kafka's default login handler
 *   (`unsecuredLoginStringClaim_sub`) and librdkafka's `sasl.oauthbearer.config=principal=...` make it,
 *   accepted only by brokers that use the unsecured validator (development);
 * - file: `sasl.oauthbearer.token.endpoint.url=file:///path`, a token issued elsewhere (KIP-768), read
 *   at every connection so a rotated file is picked up;
 * - endpoint: an OAuth 2 client-credentials grant (RFC 6749 §4.4) against
 *   `sasl.oauthbearer.token.endpoint.url` with a client id and secret and an optional scope (KIP-768,
 *   librdkafka's `sasl.oauthbearer.method=oidc`), cached until shortly before it expires.
 * The unsecured JWT is built with jose; nothing here signs or checks signatures. Left out: token
 * refresh on a live connection (KIP-368 re-authentication), SASL extensions.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { UnsecuredJWT } from 'jose';
import { OAuthTokenError } from './errors.js';
export { OAuthTokenError };

export type OAuthTokenSource =
  | { kind: 'unsecured'; principal: string; principalClaimName: string; scope?: string; lifetimeSeconds: number }
  | { kind: 'file'; path: string }
  | { kind: 'endpoint'; url: string; clientId: string; clientSecret: string; scope?: string };

const endpointCache = new Map<string, { token: string; expiresAtMs: number }>();

/** The token to send, fresh for each connection (cached for an endpoint until 30 s before expiry). */
export async function oauthToken(source: OAuthTokenSource, nowMs: number = Date.now()): Promise<string> {
  switch (source.kind) {
    case 'unsecured':
      return unsecuredToken(source, nowMs);
    case 'file':
      return tokenFromFile(source.path);
    case 'endpoint':
      return tokenFromEndpoint(source, nowMs);
  }
}

function unsecuredToken(source: Extract<OAuthTokenSource, { kind: 'unsecured' }>, nowMs: number): string {
  const claims: Record<string, string> = { [source.principalClaimName]: source.principal };
  if (source.scope !== undefined) claims['scope'] = source.scope;
  const iat = Math.floor(nowMs / 1000);
  return new UnsecuredJWT(claims)
    .setIssuedAt(iat)
    .setExpirationTime(iat + source.lifetimeSeconds)
    .encode();
}

function tokenFromFile(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new OAuthTokenError(
      `sasl.oauthbearer.token.endpoint.url: cannot read ${path}: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  const token = text.trim();
  if (token.split('.').length !== 3)
    throw new OAuthTokenError(`${path} does not hold a JWT (header.payload.signature)`);
  return token;
}

async function tokenFromEndpoint(
  source: Extract<OAuthTokenSource, { kind: 'endpoint' }>,
  nowMs: number,
): Promise<string> {
  const key = `${source.url}\u0000${source.clientId}\u0000${source.scope ?? ''}`;
  const cached = endpointCache.get(key);
  if (cached && cached.expiresAtMs - 30_000 > nowMs) return cached.token;
  const body = new URLSearchParams({ grant_type: 'client_credentials' });
  if (source.scope !== undefined) body.set('scope', source.scope);
  const basic = Buffer.from(
    `${encodeURIComponent(source.clientId)}:${encodeURIComponent(source.clientSecret)}`,
    'utf8',
  ).toString('base64');
  let response: Response;
  try {
    response = await fetch(source.url, {
      method: 'POST',
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
      body,
      signal: AbortSignal.timeout(10_000),
    });
  } catch (err) {
    throw new OAuthTokenError(
      `token endpoint ${source.url}: ${err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err)}`,
    );
  }
  const text = await response.text();
  if (!response.ok)
    throw new OAuthTokenError(`token endpoint ${source.url} answered ${response.status}: ${text.slice(0, 200)}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new OAuthTokenError(`token endpoint ${source.url} did not answer JSON`);
  }
  const fields = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  const token = fields['access_token'];
  if (typeof token !== 'string' || token === '')
    throw new OAuthTokenError(`token endpoint ${source.url} answered without an access_token`);
  const expiresIn = typeof fields['expires_in'] === 'number' ? fields['expires_in'] : 3600;
  endpointCache.set(key, { token, expiresAtMs: nowMs + expiresIn * 1000 });
  return token;
}

/** Parses librdkafka's `sasl.oauthbearer.config` (`principal=alice scope=a,b lifeSeconds=3600 ...`). */
export function parseLibrdkafkaUnsecuredConfig(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of text.trim().split(/\s+/)) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    if (eq <= 0) throw new OAuthTokenError(`sasl.oauthbearer.config: "${part}" is not name=value`);
    out.set(part.slice(0, eq), part.slice(eq + 1));
  }
  return out;
}

export function fileUrlPath(url: string): string | undefined {
  return url.startsWith('file:') ? fileURLToPath(url) : undefined;
}
