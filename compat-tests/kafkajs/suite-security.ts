/**
 * The kafkajs suite's own TLS key and SASL users, set up on Gregor as the suite's compose files
 * set them up on Kafka:
 *
 * - TLS: the compose files mount `testHelpers/certs/kafka.server.keystore.jks` (store and key
 *   password `testtest`, from `keystore_creds` / `sslkey_creds`). Gregor reads PEM and PKCS12, not
 *   JKS, so the key is taken out of the JKS with the JDK's `keytool` (to PKCS12) and `openssl`
 *   (to PEM). The suite's certificate for that key is signed with SHA-1, which OpenSSL 3 (node's
 *   TLS) refuses to load at its default security level ("ca md too weak") while Java accepts it;
 *   so the same key gets a fresh self-signed SHA-256 certificate with the same subject. The
 *   suite's clients do not verify the certificate (`rejectUnauthorized: false`). Without keytool
 *   a new key is generated instead, and the runner says so.
 * - SCRAM: `scripts/createScramCredentials.sh` adds `testscram` with SCRAM-SHA-256 (8192
 *   iterations, `testtestscram=256`) and SCRAM-SHA-512 (`testtestscram=512`) through
 *   `kafka-configs --alter`; here the same credentials go through AlterUserScramCredentials with
 *   Gregor's own admin client, once the broker is up.
 * - PLAIN and OAUTHBEARER JAAS: as `testHelpers/kafka/server-jaas.conf` and
 *   `server-jaas_oauth.conf` (see cluster.ts).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Cluster } from '../../src/client/cluster.js';
import { upsertScramUser } from '../../src/client/scram-users.js';

/** The suite's key store and its passwords (testHelpers/certs/keystore_creds, sslkey_creds). */
const SUITE_KEYSTORE = join('testHelpers', 'certs', 'kafka.server.keystore.jks');
const SUITE_KEYSTORE_PASSWORD = 'testtest';

export interface SuiteTls {
  /** One PEM file with the private key and the certificate (ssl.keystore.type=PEM). */
  keystore: string;
  /** Where the key came from, for the run's log. */
  origin: string;
}

function tool(name: string, args: string[]): void {
  execFileSync(name, args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

function hasTool(name: string): boolean {
  try {
    execFileSync(name, name === 'keytool' ? ['-help'] : ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** The suite's server key with a SHA-256 certificate, as one PEM key store under dir. */
export function suiteTlsFiles(suiteRoot: string, dir: string): SuiteTls {
  mkdirSync(dir, { recursive: true });
  const keystore = join(dir, 'kafka.server.pem');
  const jks = join(suiteRoot, SUITE_KEYSTORE);
  const key = join(dir, 'kafka.server.key');
  const cert = join(dir, 'kafka.server.crt');
  let origin: string;
  if (existsSync(jks) && hasTool('keytool')) {
    const p12 = join(dir, 'kafka.server.p12');
    rmSync(p12, { force: true });
    tool('keytool', [
      '-importkeystore',
      '-noprompt',
      '-srckeystore',
      jks,
      '-srcstoretype',
      'JKS',
      '-srcstorepass',
      SUITE_KEYSTORE_PASSWORD,
      '-srcalias',
      'localhost',
      '-destkeystore',
      p12,
      '-deststoretype',
      'PKCS12',
      '-deststorepass',
      SUITE_KEYSTORE_PASSWORD,
    ]);
    tool('openssl', [
      'pkcs12',
      '-in',
      p12,
      '-passin',
      `pass:${SUITE_KEYSTORE_PASSWORD}`,
      '-nocerts',
      '-nodes',
      '-out',
      key,
    ]);
    origin = `the suite's key (${SUITE_KEYSTORE}, converted with keytool) with a SHA-256 self-signed certificate`;
  } else {
    tool('openssl', ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', key]);
    origin = `a generated key (no keytool or no ${SUITE_KEYSTORE}) with a SHA-256 self-signed certificate`;
  }
  tool('openssl', [
    'req',
    '-x509',
    '-new',
    '-sha256',
    '-key',
    key,
    '-subj',
    '/C=SE/ST=Unknown/L=Stockholm/O=kafkajs/OU=kafkajs/CN=localhost',
    '-days',
    '30',
    '-out',
    cert,
  ]);
  const pemBlocks = (file: string): string =>
    (readFileSync(file, 'utf8').match(/-----BEGIN [A-Z ]+-----[\s\S]*?-----END [A-Z ]+-----\n?/g) ?? []).join('');
  writeFileSync(keystore, pemBlocks(key) + pemBlocks(cert));
  return { keystore, origin };
}

/** The SCRAM user of scripts/createScramCredentials.sh (its defaults). */
export const SUITE_SCRAM_USER = {
  name: 'testscram',
  sha256: { password: 'testtestscram=256', iterations: 8192 },
  sha512: { password: 'testtestscram=512', iterations: 4096 },
} as const;

/** Adds the suite's SCRAM user through AlterUserScramCredentials on the given PLAINTEXT bootstrap. */
export async function createSuiteScramUser(bootstrap: string): Promise<void> {
  const cluster = new Cluster({ bootstrap: [bootstrap], clientId: 'kafkajs-suite-setup' });
  try {
    const u = SUITE_SCRAM_USER;
    await upsertScramUser(cluster, u.name, 'SCRAM-SHA-256', u.sha256.password, u.sha256.iterations);
    await upsertScramUser(cluster, u.name, 'SCRAM-SHA-512', u.sha512.password, u.sha512.iterations);
  } finally {
    cluster.close();
  }
}
