/**
 * Java KeyStore (JKS) files, Kafka's default `ssl.keystore.type` and `ssl.truststore.type`, read with
 * jks-js (loaded from node_modules on first use, like node-forge: only a JKS store needs it, so the
 * bundle leaves it out). As Java's `keystore.type.compat` does, a store of type JKS or PKCS12 is read
 * by what the file holds, so a key store written by `keytool` (PKCS12 since Java 9, JKS before) works
 * whichever type the settings name. Used by the broker's listeners (src/server/tls.ts) and the tools'
 * client settings (src/client/security.ts).
 *
 * As Java:
 * - the store password checks the file's integrity; a trust store read without a password is not
 *   checked (KeyStore.load with a null password);
 * - a key is decrypted with the key password, which defaults to the store password;
 * - a trust store trusts its certificate entries and the first certificate of each key entry
 *   (sun.security.validator.TrustStoreUtil).
 * Left out: a key store with several key entries serves the first one (Java picks an alias per key
 * type); JCEKS and BCFKS stores.
 */
import { createRequire } from 'node:module';
import type * as JksJs from 'jks-js';
import { nodeCrypto } from './node-crypto.js';

let jksModule: typeof JksJs | undefined;
function jks(): typeof JksJs {
  return (jksModule ??= createRequire(import.meta.url)('jks-js') as typeof JksJs);
}

/** The first bytes of a Java KeyStore (JKS) file. */
export function isJavaKeyStore(bytes: Buffer): boolean {
  return bytes.length >= 4 && bytes.readUInt32BE(0) === 0xfeedfeed;
}

type Entry = JksJs.KeyEntry | JksJs.TrustedKeyEntry;

/** Java's message for a store whose password does not match its integrity check. */
const TAMPERED = 'Keystore was tampered with, or password was incorrect';

function entries(bytes: Buffer, password: string | null, what: string, fail: (message: string) => Error): Entry[] {
  try {
    return jks().parseJks(bytes, password ?? '');
  } catch (err) {
    const message = (err as Error).message;
    throw fail(`${what}: ${/password/i.test(message) ? TAMPERED : `not a readable JKS store: ${message}`}`);
  }
}

const isKeyEntry = (entry: Entry): entry is JksJs.KeyEntry => 'protectedPrivateKey' in entry;

function certificatePem(der: Buffer): string {
  return new (nodeCrypto().X509Certificate)(der).toString();
}

/** The certificates a JKS trust store trusts, as PEM. */
export function jksTrustedCertificates(
  bytes: Buffer,
  password: string | null,
  what: string,
  fail: (message: string) => Error,
): string[] {
  const pems = entries(bytes, password, what, fail).flatMap((entry) => {
    const der = isKeyEntry(entry) ? entry.chain[0]?.value : entry.cert.value;
    return der === undefined ? [] : [certificatePem(der)];
  });
  if (pems.length === 0) throw fail(`${what}: the JKS store holds no certificate`);
  return pems;
}

/** The private key and certificate chain of a JKS key store's key entry, as PEM for node's TLS. */
export function jksKeyMaterial(
  bytes: Buffer,
  storePassword: string,
  keyPassword: string | null,
  what: string,
  fail: (message: string) => Error,
): { key: string; cert: string } {
  const keyEntry = entries(bytes, storePassword, what, fail).find(isKeyEntry);
  if (keyEntry === undefined) throw fail(`${what}: the JKS store holds no private key entry`);
  let key: string;
  try {
    key = jks().decrypt(keyEntry.protectedPrivateKey, keyPassword ?? storePassword);
  } catch {
    // Java: UnrecoverableKeyException "Cannot recover key" (a wrong ssl.key.password)
    throw fail(`${what}: Cannot recover key (alias ${keyEntry.alias}): a wrong ssl.key.password?`);
  }
  return { key, cert: keyEntry.chain.map((c) => certificatePem(c.value)).join('') };
}
