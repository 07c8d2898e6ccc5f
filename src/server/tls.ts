/**
 * TLS for SSL and SASL_SSL listeners, configured with Kafka's ssl.* names (each also
 * settable per listener as `listener.name.<name>.ssl.*`): key and trust stores in PEM (a
 * file or inline, KIP-651), PKCS12 or JKS (common/java-key-store.ts), `ssl.client.auth` none / requested / required,
 * `ssl.enabled.protocols`, `ssl.cipher.suites` and the principal of a client certificate
 * through `ssl.principal.mapping.rules`. Every problem is a ConfigError at start-up.
 * The broker reloads them when they change through AlterConfigs (broker.ts). listenerClientTls
 * gives the client side of a listener's settings, for this node's connections to other nodes'
 * listeners of that name (its trust store, its key store as client certificate when it has one,
 * `ssl.endpoint.identification.algorithm`). Left out: JCEKS stores (refused); a reload does not
 * reach node-to-node connections (they keep the settings they started with).
 */
import { readFileSync } from 'node:fs';
import { isJavaKeyStore, jksKeyMaterial } from '../common/java-key-store.js';
import { storeTrustedCertificates } from '../common/trust-stores.js';
import type { ConnectionOptions, TLSSocket, TlsOptions } from 'node:tls';
import { ConfigError, type BrokerConfig } from '../common/config.js';
import { nodeTls } from '../common/node-tls.js';
import { nodeCrypto } from '../common/node-crypto.js';
import {
  ANONYMOUS,
  mapSslPrincipal,
  parseSslPrincipalMappingRules,
  userPrincipal,
  type KafkaPrincipal,
} from './principal.js';
import { rfc2253SubjectOf } from './x500-name.js';

/** A setting for one listener: `listener.name.<name>.<key>` first, then `<key>`. */
export function listenerSetting(config: BrokerConfig, listenerName: string, key: string): string | null {
  return config.explicit(`listener.name.${listenerName.toLowerCase()}.${key}`) ?? config.raw(key);
}

export type ClientAuth = 'none' | 'requested' | 'required';

export type TlsListenerProtocol = 'SSL' | 'SASL_SSL';

export interface ListenerTls {
  options: TlsOptions;
  clientAuth: ClientAuth;
  protocol: TlsListenerProtocol;
  /** A setting Kafka leaves out for this listener, worth a warning at start-up (Kafka logs one too). */
  warning?: string;
  /** The principal of an established TLS connection (ANONYMOUS without a client certificate). */
  principalOf(socket: TLSSocket): KafkaPrincipal;
}

const TLS_VERSIONS = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'] as const;
type TlsVersion = (typeof TLS_VERSIONS)[number];

/** IANA (Java) cipher suite names of TLS 1.2 and earlier, with their OpenSSL names. TLS 1.3 names are the same in both. */
const OPENSSL_CIPHER_NAMES: Readonly<Record<string, string>> = {
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: 'ECDHE-ECDSA-AES128-GCM-SHA256',
  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: 'ECDHE-RSA-AES128-GCM-SHA256',
  TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: 'ECDHE-ECDSA-AES256-GCM-SHA384',
  TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384: 'ECDHE-RSA-AES256-GCM-SHA384',
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-ECDSA-CHACHA20-POLY1305',
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-RSA-CHACHA20-POLY1305',
  TLS_DHE_RSA_WITH_AES_128_GCM_SHA256: 'DHE-RSA-AES128-GCM-SHA256',
  TLS_DHE_RSA_WITH_AES_256_GCM_SHA384: 'DHE-RSA-AES256-GCM-SHA384',
  TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256: 'DHE-RSA-CHACHA20-POLY1305',
  TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256: 'ECDHE-ECDSA-AES128-SHA256',
  TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256: 'ECDHE-RSA-AES128-SHA256',
  TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384: 'ECDHE-ECDSA-AES256-SHA384',
  TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384: 'ECDHE-RSA-AES256-SHA384',
  TLS_RSA_WITH_AES_128_GCM_SHA256: 'AES128-GCM-SHA256',
  TLS_RSA_WITH_AES_256_GCM_SHA384: 'AES256-GCM-SHA384',
};

function readStoreFile(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new ConfigError(`${what} ${path} cannot be read: ${(err as Error).message}`);
  }
}

/**
 * PEM, or a Java store: JKS and PKCS12 both read either file format (Java's keystore.type.compat), so
 * a keytool store works whichever of the two types the settings name.
 */
function checkStoreType(type: string, setting: string, listenerName: string): 'PEM' | 'JAVA' {
  const upper = type.toUpperCase();
  if (upper === 'PEM') return upper;
  if (upper === 'PKCS12' || upper === 'JKS') return 'JAVA';
  throw new ConfigError(`listener ${listenerName}: ${setting}=${type} is not supported (use JKS, PKCS12 or PEM)`);
}

function keystoreOptions(config: BrokerConfig, listenerName: string): TlsOptions {
  const get = (key: string): string | null => listenerSetting(config, listenerName, key);
  const chain = get('ssl.keystore.certificate.chain');
  const inlineKey = get('ssl.keystore.key');
  const location = get('ssl.keystore.location');
  const keyPassword = get('ssl.key.password') ?? undefined;
  const type = get('ssl.keystore.type') ?? 'JKS';
  if (chain !== null || inlineKey !== null) {
    if (chain === null || inlineKey === null)
      throw new ConfigError(
        `listener ${listenerName}: ssl.keystore.certificate.chain and ssl.keystore.key go together`,
      );
    if (type.toUpperCase() !== 'PEM')
      throw new ConfigError(`listener ${listenerName}: an inline key store needs ssl.keystore.type=PEM (is ${type})`);
    if (location !== null)
      throw new ConfigError(`listener ${listenerName}: give ssl.keystore.location or the inline key store, not both`);
    return { cert: normalizePem(chain), key: normalizePem(inlineKey), passphrase: keyPassword };
  }
  if (location === null)
    throw new ConfigError(
      `listener ${listenerName}: TLS needs a key store (ssl.keystore.location, or ssl.keystore.certificate.chain and ssl.keystore.key)`,
    );
  const bytes = readStoreFile(location, `listener ${listenerName}: ssl.keystore.location`);
  if (checkStoreType(type, 'ssl.keystore.type', listenerName) === 'PEM')
    return { cert: bytes, key: bytes, passphrase: keyPassword };
  const storePassword = get('ssl.keystore.password');
  if (storePassword === null)
    // Kafka: "SSL key store is specified, but key store password is not specified."
    throw new ConfigError(
      `listener ${listenerName}: SSL key store is specified, but key store password is not specified (ssl.keystore.password)`,
    );
  if (isJavaKeyStore(bytes)) {
    const what = `listener ${listenerName}: failed to load SSL keystore ${location} of type JKS`;
    return jksKeyMaterial(bytes, storePassword, keyPassword ?? null, what, (m) => new ConfigError(m));
  }
  try {
    nodeTls().createSecureContext({ pfx: bytes, passphrase: storePassword });
  } catch (err) {
    // Kafka: "Failed to load SSL keystore ... of type PKCS12" (keystore password was incorrect)
    throw new ConfigError(
      `listener ${listenerName}: failed to load the PKCS12 key store ${location} with ssl.keystore.password (a wrong password, or not a PKCS12 file): ${(err as Error).message}`,
    );
  }
  if (keyPassword !== undefined && keyPassword !== storePassword) {
    throw new ConfigError(
      `listener ${listenerName}: a PKCS12 key store whose key password differs from ssl.keystore.password is not supported`,
    );
  }
  return { pfx: bytes, passphrase: storePassword };
}

/**
 * Inline PEM (KIP-651) as Kafka's PEM parser reads it: the base64 between the BEGIN and END lines may
 * be broken anywhere or not at all, with any white space (a properties file's `\` continuations join
 * the lines with spaces). Rewrapped at 64 columns, as OpenSSL wants it.
 */
export function normalizePem(text: string): string {
  const blocks = [...text.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g)];
  if (blocks.length === 0) return text;
  return blocks
    .map(([whole, label, body]) => {
      if (body!.includes(':')) return whole + '\n'; // RFC 1421 headers (Proc-Type, DEK-Info): left as given
      const base64 = body!.replace(/\s+/g, '');
      const lines = base64.match(/.{1,64}/g) ?? [];
      return [`-----BEGIN ${label}-----`, ...lines, `-----END ${label}-----`].join('\n') + '\n';
    })
    .join('');
}

function truststoreCertificates(config: BrokerConfig, listenerName: string): Array<string | Buffer> | undefined {
  const get = (key: string): string | null => listenerSetting(config, listenerName, key);
  const inline = get('ssl.truststore.certificates');
  const location = get('ssl.truststore.location');
  const type = get('ssl.truststore.type') ?? 'JKS';
  if (inline !== null) {
    if (type.toUpperCase() !== 'PEM')
      throw new ConfigError(
        `listener ${listenerName}: ssl.truststore.certificates needs ssl.truststore.type=PEM (is ${type})`,
      );
    if (location !== null)
      throw new ConfigError(
        `listener ${listenerName}: give ssl.truststore.location or ssl.truststore.certificates, not both`,
      );
    return [normalizePem(inline)];
  }
  if (location === null) return undefined;
  const what = `listener ${listenerName}: ssl.truststore.location`;
  const bytes = readStoreFile(location, what);
  if (checkStoreType(type, 'ssl.truststore.type', listenerName) === 'PEM') return [bytes];
  return storeTrustedCertificates(bytes, get('ssl.truststore.password'), what, (m) => new ConfigError(m));
}

function protocolRange(config: BrokerConfig, listenerName: string): { minVersion: TlsVersion; maxVersion: TlsVersion } {
  const raw = listenerSetting(config, listenerName, 'ssl.enabled.protocols') ?? '';
  const names = raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const indexes = names.map((name) => {
    const i = TLS_VERSIONS.indexOf(name as TlsVersion);
    if (i < 0)
      throw new ConfigError(
        `listener ${listenerName}: ssl.enabled.protocols: ${name} is not supported (${TLS_VERSIONS.join(', ')})`,
      );
    return i;
  });
  if (indexes.length === 0) throw new ConfigError(`listener ${listenerName}: ssl.enabled.protocols is empty`);
  const lo = Math.min(...indexes);
  const hi = Math.max(...indexes);
  for (let i = lo; i <= hi; i++) {
    if (!indexes.includes(i))
      throw new ConfigError(
        `listener ${listenerName}: ssl.enabled.protocols must be a contiguous range of versions (missing ${TLS_VERSIONS[i]})`,
      );
  }
  return { minVersion: TLS_VERSIONS[lo]!, maxVersion: TLS_VERSIONS[hi]! };
}

/** A TLS 1.3 suite name (the same in Java and OpenSSL); every other suite is for TLS 1.2 and earlier. */
const isTls13Suite = (name: string): boolean => /^TLS_(AES|CHACHA20)_/.test(name);

function cipherNames(config: BrokerConfig, listenerName: string): string[] {
  const raw = listenerSetting(config, listenerName, 'ssl.cipher.suites') ?? '';
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/**
 * `ssl.enabled.protocols` narrowed by `ssl.cipher.suites`, as Java's TLS engine narrows them: a
 * version none of the listed suites serves is not offered (Node would keep its default TLS 1.3
 * suites when only TLS 1.2 suites are listed). A list that leaves no enabled version is refused.
 */
function versionsAndCiphers(
  config: BrokerConfig,
  listenerName: string,
): { minVersion: TlsVersion; maxVersion: TlsVersion; ciphers?: string } {
  const range = protocolRange(config, listenerName);
  const names = cipherNames(config, listenerName);
  if (names.length === 0) return range;
  const ciphers = names
    .map((name) => {
      if (isTls13Suite(name) || name.includes('-')) return name;
      const openssl = OPENSSL_CIPHER_NAMES[name];
      if (!openssl) throw new ConfigError(`listener ${listenerName}: ssl.cipher.suites: ${name} is not supported`);
      return openssl;
    })
    .join(':');
  const tls13 = TLS_VERSIONS.indexOf('TLSv1.3');
  let lo = TLS_VERSIONS.indexOf(range.minVersion);
  let hi = TLS_VERSIONS.indexOf(range.maxVersion);
  if (!names.some(isTls13Suite)) hi = Math.min(hi, tls13 - 1);
  if (names.every(isTls13Suite)) lo = Math.max(lo, tls13);
  if (lo > hi)
    throw new ConfigError(
      `listener ${listenerName}: ssl.cipher.suites has no suite for the versions of ssl.enabled.protocols (${range.minVersion}..${range.maxVersion}): no TLS connection could be made`,
    );
  return { minVersion: TLS_VERSIONS[lo]!, maxVersion: TLS_VERSIONS[hi]!, ciphers };
}

/**
 * `ssl.client.auth` of a listener. As Kafka's ChannelBuilders: on a SASL_SSL listener only the
 * listener-prefixed setting counts; the broker-wide one applies to SSL listeners alone.
 */
function clientAuthOf(config: BrokerConfig, listenerName: string, protocol: TlsListenerProtocol): ClientAuth {
  const setting =
    protocol === 'SASL_SSL'
      ? config.explicit(`listener.name.${listenerName.toLowerCase()}.ssl.client.auth`)
      : listenerSetting(config, listenerName, 'ssl.client.auth');
  const value = (setting ?? 'none').toLowerCase();
  if (value === 'none' || value === 'requested' || value === 'required') return value;
  throw new ConfigError(`listener ${listenerName}: ssl.client.auth=${value} is not one of none, requested, required`);
}

/** Builds and checks (by making a secure context once) the TLS settings of a listener. */
export function listenerTls(
  config: BrokerConfig,
  listenerName: string,
  protocol: TlsListenerProtocol = 'SSL',
): ListenerTls {
  const clientAuth = clientAuthOf(config, listenerName, protocol);
  const global = config.raw('ssl.client.auth');
  const ignoredClientAuth =
    protocol === 'SASL_SSL' &&
    clientAuth === 'none' &&
    config.explicit(`listener.name.${listenerName.toLowerCase()}.ssl.client.auth`) === undefined &&
    global !== null &&
    global.toLowerCase() !== 'none';
  const options: TlsOptions = {
    ...keystoreOptions(config, listenerName),
    ...versionsAndCiphers(config, listenerName),
    ca: truststoreCertificates(config, listenerName),
    requestCert: clientAuth !== 'none',
    // `requested` accepts a client without a certificate; one that shows an untrusted certificate is refused (principalOf).
    rejectUnauthorized: clientAuth === 'required',
  };
  try {
    nodeTls().createSecureContext(options);
  } catch (err) {
    throw new ConfigError(`listener ${listenerName}: TLS settings rejected: ${(err as Error).message}`);
  }
  const rules = parseSslPrincipalMappingRules(
    listenerSetting(config, listenerName, 'ssl.principal.mapping.rules') ?? 'DEFAULT',
  );
  return {
    options,
    clientAuth,
    protocol,
    ...(ignoredClientAuth
      ? {
          warning: `ssl.client.auth=${global} is applied only to SSL listeners, as on Kafka: listener ${listenerName} (SASL_SSL) does not ask for client certificates; set listener.name.${listenerName.toLowerCase()}.ssl.client.auth for it`,
        }
      : {}),
    principalOf(socket: TLSSocket): KafkaPrincipal {
      if (clientAuth === 'none') return ANONYMOUS;
      const cert = socket.getPeerX509Certificate();
      if (!cert) return ANONYMOUS;
      if (!socket.authorized) throw new Error(`client certificate not trusted: ${String(socket.authorizationError)}`);
      return userPrincipal(mapSslPrincipal(rules, rfc2253SubjectOf(cert.raw)));
    },
  };
}

function hasKeystore(config: BrokerConfig, listenerName: string): boolean {
  return ['ssl.keystore.location', 'ssl.keystore.certificate.chain', 'ssl.keystore.key'].some(
    (key) => listenerSetting(config, listenerName, key) !== null,
  );
}

/**
 * The TLS options this node connects with to other nodes' `listenerName` listeners, as Kafka's
 * inter-broker and controller clients take them from the listener's settings: the trust store
 * (the system CAs without one), the key store as client certificate (for ssl.client.auth), the
 * protocol range and cipher suites, and the host name check of
 * `ssl.endpoint.identification.algorithm` (`https`, the default; empty turns it off).
 */
export function listenerClientTls(config: BrokerConfig, listenerName: string): ConnectionOptions {
  const algorithm = (listenerSetting(config, listenerName, 'ssl.endpoint.identification.algorithm') ?? 'https').trim();
  if (algorithm !== '' && algorithm.toLowerCase() !== 'https')
    throw new ConfigError(
      `listener ${listenerName}: ssl.endpoint.identification.algorithm=${algorithm} is not supported (https, or empty for none)`,
    );
  const identity = hasKeystore(config, listenerName) ? keystoreOptions(config, listenerName) : {};
  const options: ConnectionOptions = {
    ...(identity.cert !== undefined ? { cert: identity.cert } : {}),
    ...(identity.key !== undefined ? { key: identity.key } : {}),
    ...(identity.pfx !== undefined ? { pfx: identity.pfx } : {}),
    ...(identity.passphrase !== undefined ? { passphrase: identity.passphrase } : {}),
    ...versionsAndCiphers(config, listenerName),
    ca: truststoreCertificates(config, listenerName),
    rejectUnauthorized: true,
    ...(algorithm === '' ? { checkServerIdentity: () => undefined } : {}),
  };
  try {
    nodeTls().createSecureContext(options);
  } catch (err) {
    throw new ConfigError(`listener ${listenerName}: TLS client settings rejected: ${(err as Error).message}`);
  }
  return options;
}

/** The subject and subject alternative names of a key store's certificate (its first, the leaf). */
export interface KeystoreIdentity {
  subject: string;
  subjectAltName: string;
}

/** The identity of the certificate a listener's TLS options present, read back from Node's secure context. */
export function keystoreIdentity(options: TlsOptions): KeystoreIdentity | null {
  const context: unknown = nodeTls().createSecureContext(options).context;
  if (typeof context !== 'object' || context === null || !('getCertificate' in context)) return null;
  const getCertificate = (context as { getCertificate: unknown }).getCertificate;
  if (typeof getCertificate !== 'function') return null;
  const der: unknown = getCertificate.call(context);
  if (!Buffer.isBuffer(der)) return null;
  const cert = new (nodeCrypto().X509Certificate)(der);
  return { subject: cert.subject.split('\n').join(', '), subjectAltName: cert.subjectAltName ?? '' };
}

/**
 * Kafka's CertificateEntries.ensureCompatible for a key store changed at run time: the new
 * certificate must name the same subject and the same alternative names, unless
 * `ssl.allow.dn.changes` / `ssl.allow.san.changes` (also per listener) allow it.
 */
export function ensureCompatibleKeystore(
  config: BrokerConfig,
  listenerName: string,
  previous: TlsOptions,
  next: TlsOptions,
): void {
  const before = keystoreIdentity(previous);
  const after = keystoreIdentity(next);
  if (before === null || after === null)
    throw new ConfigError(`listener ${listenerName}: the certificate of the key store could not be read back`);
  const allowed = (key: string): boolean =>
    (listenerSetting(config, listenerName, key) ?? 'false').toLowerCase() === 'true';
  if (!allowed('ssl.allow.dn.changes') && before.subject !== after.subject)
    throw new ConfigError(
      `listener ${listenerName}: Keystore DistinguishedName does not match: existing={${before.subject}}, new={${after.subject}} (ssl.allow.dn.changes=true allows it)`,
    );
  if (!allowed('ssl.allow.san.changes') && before.subjectAltName !== after.subjectAltName)
    throw new ConfigError(
      `listener ${listenerName}: Keystore SubjectAltNames do not match: existing={${before.subjectAltName}}, new={${after.subjectAltName}} (ssl.allow.san.changes=true allows it)`,
    );
}
