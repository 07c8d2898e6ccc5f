/**
 * The client security settings of the `gregor` tools, under Kafka's client property names
 * (the Java client's and librdkafka's): `security.protocol`, the TLS trust and key files,
 * `ssl.endpoint.identification.algorithm`, and SASL PLAIN / SCRAM-SHA-256 / SCRAM-SHA-512
 * from `sasl.username`/`sasl.password` or `sasl.jaas.config`. Every key and value is checked:
 * an unknown key, a bad value, or a setting the chosen protocol does not use is refused with
 * a ClientConfigError naming it, never ignored. OAUTHBEARER takes its token as oauthbearer-token.ts
 * describes (unsecured JWT, a token file, or a client-credentials endpoint). Trust and key stores
 * are PEM, PKCS12 or JKS (the Java client's `ssl.truststore.*` / `ssl.keystore.*` with their
 * passwords; JKS and PKCS12 read by what the file holds, as Java, and the type read from the file when
 * not given); an encrypted PEM key takes `ssl.key.password`. Left out: GSSAPI, JCEKS stores
 * (refused), SASL extensions.
 */
import { readFileSync } from 'node:fs';
import { parseJaasConfig, type JaasEntry } from '../server/sasl/jaas.js';
import {
  fileUrlPath,
  parseLibrdkafkaUnsecuredConfig,
  OAuthTokenError,
  type OAuthTokenSource,
} from './oauthbearer-token.js';
import { ClientConfigError } from './errors.js';
import { nodeTls } from '../common/node-tls.js';
import { isJavaKeyStore, jksKeyMaterial } from '../common/java-key-store.js';
import { storeTrustedCertificates } from '../common/trust-stores.js';
export { ClientConfigError };

export type SecurityProtocol = 'PLAINTEXT' | 'SSL' | 'SASL_PLAINTEXT' | 'SASL_SSL';
export type ClientSaslMechanism = 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512' | 'OAUTHBEARER';

export interface ClientTls {
  /** Trusted CA certificates (PEM); undefined means the system's trust store. */
  ca?: Buffer | string[];
  cert?: Buffer | string;
  key?: Buffer | string;
  /** A PKCS12 key store (the client certificate and its key), opened with passphrase. */
  pfx?: Buffer;
  /** The PKCS12 store's password, or an encrypted PEM key's. */
  passphrase?: string;
  /** Whether the server certificate must match the host name (`https`, the default). */
  checkHostname: boolean;
}

export interface PasswordSasl {
  mechanism: 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512';
  username: string;
  password: string;
}

export interface OAuthBearerSasl {
  mechanism: 'OAUTHBEARER';
  token: OAuthTokenSource;
}

export type ClientSasl = PasswordSasl | OAuthBearerSasl;

export interface ClientSecurity {
  protocol: SecurityProtocol;
  tls?: ClientTls;
  sasl?: ClientSasl;
}

export const PLAINTEXT_SECURITY: ClientSecurity = { protocol: 'PLAINTEXT' };

const PROTOCOLS: readonly SecurityProtocol[] = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'];
const MECHANISMS: readonly ClientSaslMechanism[] = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512', 'OAUTHBEARER'];
const TLS_KEYS = [
  'ssl.ca.location',
  'ssl.truststore.location',
  'ssl.truststore.type',
  'ssl.truststore.password',
  'ssl.certificate.location',
  'ssl.key.location',
  'ssl.keystore.location',
  'ssl.keystore.type',
  'ssl.keystore.password',
  'ssl.key.password',
  'ssl.endpoint.identification.algorithm',
];
const OAUTH_KEYS = [
  'sasl.oauthbearer.config',
  'sasl.oauthbearer.method',
  'sasl.oauthbearer.token.endpoint.url',
  'sasl.oauthbearer.client.id',
  'sasl.oauthbearer.client.secret',
  'sasl.oauthbearer.scope',
  'sasl.login.callback.handler.class',
];
const SASL_KEYS = [
  'sasl.mechanism',
  'sasl.mechanisms',
  'sasl.username',
  'sasl.password',
  'sasl.jaas.config',
  ...OAUTH_KEYS,
];
export const CLIENT_SECURITY_KEYS: readonly string[] = ['security.protocol', ...TLS_KEYS, ...SASL_KEYS];

const LOGIN_MODULES: Record<string, 'plain' | 'scram' | 'oauthbearer'> = {
  'org.apache.kafka.common.security.plain.PlainLoginModule': 'plain',
  'org.apache.kafka.common.security.scram.ScramLoginModule': 'scram',
  'org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule': 'oauthbearer',
};
const OAUTH_LOGIN_HANDLER = 'org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginCallbackHandler';

/** Parses a Java properties file's text: `key=value` or `key: value`, `#`/`!` comments, `\` line continuations. */
export function parseProperties(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!.trimStart();
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    while (/(^|[^\\])(\\\\)*\\$/.test(line) && i + 1 < lines.length) line = line.slice(0, -1) + lines[++i]!.trimStart();
    const match = /^((?:[^=:\s\\]|\\.)+)\s*[=:\s]\s*(.*)$/.exec(line);
    const key = (match ? match[1]! : line).replace(/\\(.)/g, '$1');
    out[key] = match ? match[2]!.trimEnd() : '';
  }
  return out;
}

function readPem(key: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new ClientConfigError(`${key}: cannot read ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** Checks the client properties and turns them into connection settings. */
export function clientSecurityFrom(props: Record<string, string>): ClientSecurity {
  const unknown = Object.keys(props).filter((k) => !CLIENT_SECURITY_KEYS.includes(k));
  if (unknown.length > 0)
    throw new ClientConfigError(
      `unknown client setting${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} (known: ${CLIENT_SECURITY_KEYS.join(', ')})`,
    );
  const protocol = (props['security.protocol'] ?? 'PLAINTEXT').toUpperCase();
  if (!(PROTOCOLS as readonly string[]).includes(protocol))
    throw new ClientConfigError(
      `security.protocol: "${props['security.protocol']}" is not one of ${PROTOCOLS.join(', ')}`,
    );
  const securityProtocol = protocol as SecurityProtocol;
  const usesTls = securityProtocol === 'SSL' || securityProtocol === 'SASL_SSL';
  const usesSasl = securityProtocol === 'SASL_PLAINTEXT' || securityProtocol === 'SASL_SSL';
  const unused = Object.keys(props).filter(
    (k) => (!usesTls && TLS_KEYS.includes(k)) || (!usesSasl && SASL_KEYS.includes(k)),
  );
  if (unused.length > 0)
    throw new ClientConfigError(
      `${unused.join(', ')} ${unused.length > 1 ? 'have' : 'has'} no effect with security.protocol=${securityProtocol}`,
    );
  const security: ClientSecurity = { protocol: securityProtocol };
  if (usesTls) security.tls = tlsFrom(props);
  if (usesSasl) security.sasl = saslFrom(props);
  return security;
}

type StoreType = 'PEM' | 'PKCS12' | 'JKS';

/**
 * The format of a trust or key store file: PEM when `ssl.*.type` says so; else (Kafka's JKS and PKCS12
 * types each read both Java formats) what the file holds: a JKS store, a PKCS12 store, or PEM text
 * when no type is given.
 */
function storeTypeOf(given: string | undefined, bytes: Buffer): StoreType {
  if (given?.toUpperCase() === 'PEM') return 'PEM';
  if (isJavaKeyStore(bytes)) return 'JKS';
  // A PKCS12 store is DER: an ASN.1 SEQUENCE.
  return bytes[0] === 0x30 || given !== undefined ? 'PKCS12' : 'PEM';
}

function tlsFrom(props: Record<string, string>): ClientTls {
  for (const key of ['ssl.truststore.type', 'ssl.keystore.type']) {
    const type = props[key]?.toUpperCase();
    if (type !== undefined && type !== 'PEM' && type !== 'PKCS12' && type !== 'JKS')
      throw new ClientConfigError(`${key}: "${props[key]}" is not JKS, PKCS12 or PEM`);
  }
  if (props['ssl.ca.location'] !== undefined && props['ssl.truststore.location'] !== undefined)
    throw new ClientConfigError('give ssl.ca.location or ssl.truststore.location, not both');
  if (
    props['ssl.keystore.location'] !== undefined &&
    (props['ssl.certificate.location'] !== undefined || props['ssl.key.location'] !== undefined)
  ) {
    throw new ClientConfigError(
      'give ssl.keystore.location or ssl.certificate.location with ssl.key.location, not both',
    );
  }
  if ((props['ssl.certificate.location'] === undefined) !== (props['ssl.key.location'] === undefined))
    throw new ClientConfigError('ssl.certificate.location and ssl.key.location go together');
  for (const [password, location] of [
    ['ssl.truststore.password', 'ssl.truststore.location'],
    ['ssl.keystore.password', 'ssl.keystore.location'],
  ] as const) {
    if (props[password] !== undefined && props[location] === undefined)
      throw new ClientConfigError(`${password} has no effect without ${location}`);
  }
  const algorithm = props['ssl.endpoint.identification.algorithm'] ?? 'https';
  if (algorithm !== '' && algorithm.toLowerCase() !== 'https' && algorithm.toLowerCase() !== 'none') {
    throw new ClientConfigError(`ssl.endpoint.identification.algorithm: "${algorithm}" is not https, none or empty`);
  }
  const tls: ClientTls = { checkHostname: algorithm.toLowerCase() === 'https' };
  if (props['ssl.ca.location'] !== undefined) tls.ca = readPem('ssl.ca.location', props['ssl.ca.location']);
  const trustPath = props['ssl.truststore.location'];
  if (trustPath !== undefined) {
    const bytes = readPem('ssl.truststore.location', trustPath);
    const type = storeTypeOf(props['ssl.truststore.type'], bytes);
    if (type === 'PEM' && props['ssl.truststore.password'] !== undefined)
      throw new ClientConfigError('ssl.truststore.password cannot be given with a PEM trust store, only certificates');
    tls.ca =
      type === 'PEM'
        ? bytes
        : storeTrustedCertificates(
            bytes,
            props['ssl.truststore.password'] ?? null,
            `ssl.truststore.location ${trustPath}`,
            (m) => new ClientConfigError(m),
          );
  } else if (props['ssl.truststore.type'] !== undefined) {
    throw new ClientConfigError('ssl.truststore.type has no effect without ssl.truststore.location');
  }
  const store = props['ssl.keystore.location'];
  const keyPassword = props['ssl.key.password'];
  if (store !== undefined) {
    const bytes = readPem('ssl.keystore.location', store);
    const type = storeTypeOf(props['ssl.keystore.type'], bytes);
    if (type === 'JKS') {
      const password = props['ssl.keystore.password'];
      if (password === undefined)
        throw new ClientConfigError('SSL key store is specified, but key store password is not specified.');
      const what = `Failed to load SSL keystore ${store} of type JKS`;
      Object.assign(
        tls,
        jksKeyMaterial(bytes, password, keyPassword ?? null, what, (m) => new ClientConfigError(m)),
      );
    } else if (type === 'PKCS12') {
      const password = props['ssl.keystore.password'];
      if (password === undefined)
        throw new ClientConfigError('a PKCS12 ssl.keystore.location needs ssl.keystore.password');
      if (keyPassword !== undefined && keyPassword !== password)
        throw new ClientConfigError(
          'a PKCS12 key store whose ssl.key.password differs from ssl.keystore.password is not supported',
        );
      try {
        nodeTls().createSecureContext({ pfx: bytes, passphrase: password });
      } catch (err) {
        throw new ClientConfigError(
          `Failed to load SSL keystore ${store} of type PKCS12 with ssl.keystore.password: ${err instanceof Error ? err.message : String(err)}`,
        );
      }
      tls.pfx = bytes;
      tls.passphrase = password;
    } else {
      if (props['ssl.keystore.password'] !== undefined)
        throw new ClientConfigError(
          'ssl.keystore.password cannot be given with a PEM key store, only ssl.key.password',
        );
      tls.cert = bytes;
      tls.key = bytes;
      if (keyPassword !== undefined) tls.passphrase = keyPassword;
    }
  } else if (props['ssl.certificate.location'] !== undefined && props['ssl.key.location'] !== undefined) {
    tls.cert = readPem('ssl.certificate.location', props['ssl.certificate.location']);
    tls.key = readPem('ssl.key.location', props['ssl.key.location']);
    if (keyPassword !== undefined) tls.passphrase = keyPassword;
  } else if (keyPassword !== undefined) {
    throw new ClientConfigError(
      'ssl.key.password has no effect without a key (ssl.keystore.location or ssl.key.location)',
    );
  } else if (props['ssl.keystore.type'] !== undefined) {
    throw new ClientConfigError('ssl.keystore.type has no effect without ssl.keystore.location');
  }
  return tls;
}

function saslFrom(props: Record<string, string>): ClientSasl {
  if (
    props['sasl.mechanism'] !== undefined &&
    props['sasl.mechanisms'] !== undefined &&
    props['sasl.mechanism'] !== props['sasl.mechanisms']
  ) {
    throw new ClientConfigError('sasl.mechanism and sasl.mechanisms disagree');
  }
  const mechanism = (props['sasl.mechanism'] ?? props['sasl.mechanisms'] ?? 'PLAIN').toUpperCase();
  if (!(MECHANISMS as readonly string[]).includes(mechanism))
    throw new ClientConfigError(`sasl.mechanism: "${mechanism}" is not one of ${MECHANISMS.join(', ')}`);
  const saslMechanism = mechanism as ClientSaslMechanism;
  const jaasEntry = jaasFrom(props);
  if (
    jaasEntry !== undefined &&
    (LOGIN_MODULES[jaasEntry.loginModule] === 'oauthbearer') !== (saslMechanism === 'OAUTHBEARER')
  )
    throw new ClientConfigError(
      `sasl.jaas.config: ${jaasEntry.loginModule} does not fit sasl.mechanism=${saslMechanism}`,
    );
  if (saslMechanism === 'OAUTHBEARER') return oauthBearerFrom(props, jaasEntry);
  const oauthOnly = OAUTH_KEYS.filter((k) => props[k] !== undefined);
  if (oauthOnly.length > 0)
    throw new ClientConfigError(`${oauthOnly.join(', ')}: only used with sasl.mechanism=OAUTHBEARER`);
  const jaas = props['sasl.jaas.config'];
  let username: string | undefined = props['sasl.username'];
  let password: string | undefined = props['sasl.password'];
  if (jaas !== undefined) {
    if (username !== undefined || password !== undefined)
      throw new ClientConfigError('give sasl.jaas.config or sasl.username/sasl.password, not both');
    const entry = jaasEntry!;
    const kind = LOGIN_MODULES[entry.loginModule];
    if (kind === undefined)
      throw new ClientConfigError(
        `sasl.jaas.config: login module ${entry.loginModule} is not supported (${Object.keys(LOGIN_MODULES).join(', ')})`,
      );
    if ((kind === 'plain') !== (saslMechanism === 'PLAIN'))
      throw new ClientConfigError(
        `sasl.jaas.config: ${entry.loginModule} does not fit sasl.mechanism=${saslMechanism}`,
      );
    const extra = [...entry.options.keys()].filter((k) => k !== 'username' && k !== 'password');
    if (extra.length > 0)
      throw new ClientConfigError(
        `sasl.jaas.config: unsupported option${extra.length > 1 ? 's' : ''} ${extra.join(', ')}`,
      );
    username = entry.options.get('username');
    password = entry.options.get('password');
  }
  if (username === undefined || password === undefined)
    throw new ClientConfigError(`${saslMechanism} needs sasl.username and sasl.password (or sasl.jaas.config)`);
  return { mechanism: saslMechanism, username, password };
}

function jaasFrom(props: Record<string, string>): JaasEntry | undefined {
  const jaas = props['sasl.jaas.config'];
  if (jaas === undefined) return undefined;
  let entries;
  try {
    entries = parseJaasConfig(jaas, 'sasl.jaas.config');
  } catch (err) {
    throw new ClientConfigError(err instanceof Error ? err.message : String(err));
  }
  if (entries.length !== 1)
    throw new ClientConfigError(`sasl.jaas.config: expected one login module, found ${entries.length}`);
  const entry = entries[0]!;
  if (LOGIN_MODULES[entry.loginModule] === undefined)
    throw new ClientConfigError(
      `sasl.jaas.config: login module ${entry.loginModule} is not supported (${Object.keys(LOGIN_MODULES).join(', ')})`,
    );
  return entry;
}

/**
 * OAUTHBEARER in the Java client's words (`sasl.jaas.config` with OAuthBearerLoginModule, its
 * `unsecuredLoginStringClaim_sub` or `clientId`/`clientSecret`/`scope`, and
 * `sasl.oauthbearer.token.endpoint.url`) or librdkafka's (`sasl.oauthbearer.config=principal=...`,
 * or `sasl.oauthbearer.method=oidc` with `sasl.oauthbearer.client.id`/`.client.secret`/`.scope`).
 */
function oauthBearerFrom(props: Record<string, string>, jaas: JaasEntry | undefined): OAuthBearerSasl {
  for (const key of ['sasl.username', 'sasl.password'])
    if (props[key] !== undefined) throw new ClientConfigError(`${key}: not used by OAUTHBEARER`);
  const handler = props['sasl.login.callback.handler.class'];
  if (handler !== undefined && handler !== OAUTH_LOGIN_HANDLER)
    throw new ClientConfigError(`sasl.login.callback.handler.class: only ${OAUTH_LOGIN_HANDLER} is supported`);
  const method = (props['sasl.oauthbearer.method'] ?? 'default').toLowerCase();
  if (method !== 'default' && method !== 'oidc')
    throw new ClientConfigError(
      `sasl.oauthbearer.method: "${props['sasl.oauthbearer.method']}" is not default or oidc`,
    );
  const options = jaas?.options ?? new Map<string, string>();
  const known = [
    'unsecuredLoginStringClaim_sub',
    'unsecuredLoginPrincipalClaimName',
    'unsecuredLoginLifetimeSeconds',
    'clientId',
    'clientSecret',
    'scope',
  ];
  const extra = [...options.keys()].filter((k) => !known.includes(k));
  if (extra.length > 0) throw new ClientConfigError(`sasl.jaas.config: unsupported option(s) ${extra.join(', ')}`);
  const url = props['sasl.oauthbearer.token.endpoint.url'];
  const clientId = props['sasl.oauthbearer.client.id'] ?? options.get('clientId');
  const clientSecret = props['sasl.oauthbearer.client.secret'] ?? options.get('clientSecret');
  const scope = props['sasl.oauthbearer.scope'] ?? options.get('scope');
  const unsecured = props['sasl.oauthbearer.config'];
  const sub = options.get('unsecuredLoginStringClaim_sub');
  if (url !== undefined) {
    if (unsecured !== undefined || sub !== undefined)
      throw new ClientConfigError('sasl.oauthbearer.token.endpoint.url and an unsecured principal exclude each other');
    const path = fileUrlPath(url);
    if (path !== undefined) {
      if (clientId !== undefined || clientSecret !== undefined)
        throw new ClientConfigError('a file token endpoint takes no client id or secret');
      return { mechanism: 'OAUTHBEARER', token: { kind: 'file', path } };
    }
    if (!/^https?:\/\//i.test(url))
      throw new ClientConfigError(`sasl.oauthbearer.token.endpoint.url: "${url}" is not an http(s) or file URL`);
    if (clientId === undefined || clientSecret === undefined)
      throw new ClientConfigError(
        'a token endpoint needs a client id and secret (clientId/clientSecret in sasl.jaas.config, or sasl.oauthbearer.client.id/.client.secret)',
      );
    return {
      mechanism: 'OAUTHBEARER',
      token: { kind: 'endpoint', url, clientId, clientSecret, ...(scope !== undefined ? { scope } : {}) },
    };
  }
  if (method === 'oidc')
    throw new ClientConfigError('sasl.oauthbearer.method=oidc needs sasl.oauthbearer.token.endpoint.url');
  if (clientId !== undefined || clientSecret !== undefined)
    throw new ClientConfigError('a client id and secret need sasl.oauthbearer.token.endpoint.url');
  if (unsecured !== undefined && sub !== undefined)
    throw new ClientConfigError('give sasl.oauthbearer.config or unsecuredLoginStringClaim_sub, not both');
  let principal = sub;
  let principalClaimName = options.get('unsecuredLoginPrincipalClaimName') ?? 'sub';
  let lifetime = options.get('unsecuredLoginLifetimeSeconds') ?? '3600';
  let unsecuredScope = scope;
  if (unsecured !== undefined) {
    let parsed: Map<string, string>;
    try {
      parsed = parseLibrdkafkaUnsecuredConfig(unsecured);
    } catch (err) {
      throw new ClientConfigError(err instanceof OAuthTokenError ? err.message : String(err));
    }
    const unknown = [...parsed.keys()].filter(
      (k) => !['principal', 'principalClaimName', 'scope', 'lifeSeconds'].includes(k),
    );
    if (unknown.length > 0) throw new ClientConfigError(`sasl.oauthbearer.config: unsupported ${unknown.join(', ')}`);
    principal = parsed.get('principal');
    principalClaimName = parsed.get('principalClaimName') ?? principalClaimName;
    lifetime = parsed.get('lifeSeconds') ?? lifetime;
    unsecuredScope = parsed.get('scope') ?? unsecuredScope;
  }
  if (principal === undefined || principal === '')
    throw new ClientConfigError(
      'OAUTHBEARER needs a token source: sasl.oauthbearer.token.endpoint.url, sasl.oauthbearer.config=principal=..., or unsecuredLoginStringClaim_sub in sasl.jaas.config',
    );
  const lifetimeSeconds = Number(lifetime);
  if (!Number.isInteger(lifetimeSeconds) || lifetimeSeconds <= 0)
    throw new ClientConfigError(`OAUTHBEARER token lifetime "${lifetime}" is not a positive whole number of seconds`);
  return {
    mechanism: 'OAUTHBEARER',
    token: {
      kind: 'unsecured',
      principal,
      principalClaimName,
      lifetimeSeconds,
      ...(unsecuredScope !== undefined ? { scope: unsecuredScope } : {}),
    },
  };
}
