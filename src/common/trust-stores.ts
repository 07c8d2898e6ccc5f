/**
 * The trusted certificates of a PKCS12 or JKS trust store (Kafka's `ssl.truststore.type` PKCS12 or
 * JKS, read by what the file holds: common/java-key-store.ts), as PEM, since Node's TLS takes trusted
 * certificates only as PEM. Read with node-forge (600 KB), loaded
 * from node_modules on first use: only a PKCS12 trust store needs it, so the bundle leaves it out
 * (scripts/bundle.mjs) and a start without one never loads it. Used by the broker's listeners
 * (src/server/tls.ts) and the tools' client settings (src/client/security.ts).
 */
import { createRequire } from 'node:module';
import type forge from 'node-forge';
import { isJavaKeyStore, jksTrustedCertificates } from './java-key-store.js';
import { nodeCrypto } from './node-crypto.js';

let forgeModule: typeof forge | undefined;
function nodeForge(): typeof forge {
  return (forgeModule ??= createRequire(import.meta.url)('node-forge') as typeof forge);
}

/**
 * Trusted certificates as PEM; `fail` makes the error thrown, from a message that starts with `what`.
 * A JKS store read without a password is not checked for integrity, as Java.
 */
export function storeTrustedCertificates(
  der: Buffer,
  password: string | null,
  what: string,
  fail: (message: string) => Error,
): string[] {
  if (isJavaKeyStore(der)) return jksTrustedCertificates(der, password, what, fail);
  const lib = nodeForge();
  let store: forge.pkcs12.Pkcs12Pfx;
  try {
    const asn1 = lib.asn1.fromDer(lib.util.createBuffer(der.toString('binary')));
    store = lib.pkcs12.pkcs12FromAsn1(asn1, password ?? '');
  } catch (err) {
    throw fail(`${what}: not a PKCS12 store, or a wrong password: ${(err as Error).message}`);
  }
  const certBag = lib.pki.oids.certBag ?? '1.2.840.113549.1.12.10.1.3';
  const bags = store.getBags({ bagType: certBag })[certBag] ?? [];
  // node-forge decodes RSA certificates only; any other is left as ASN.1, so both are re-encoded and read by node.
  const pems = bags.map((bag) => {
    const certAsn1 = bag.cert ? lib.pki.certificateToAsn1(bag.cert) : bag.asn1;
    return new (nodeCrypto().X509Certificate)(Buffer.from(lib.asn1.toDer(certAsn1).getBytes(), 'binary')).toString();
  });
  if (pems.length === 0) throw fail(`${what}: the PKCS12 store holds no certificate`);
  return pems;
}
