/**
 * The keytool-made JKS stores of test/fixtures/jks (its make.sh says what each holds), for the tests of
 * JKS stores on the broker, in the tools and in the Docker image: their paths and passwords, a secrets
 * folder laid out as the apache/kafka image's examples lay theirs out, and the client's certificate
 * and key as kafkajs takes them.
 */
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { jksKeyMaterial } from '../../src/common/java-key-store.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/jks/', import.meta.url));

export const JKS = {
  serverStore: join(FIXTURES, 'server.keystore.jks'),
  serverPassword: 'server-secret',
  clientStore: join(FIXTURES, 'client.keystore.jks'),
  trustStore: join(FIXTURES, 'truststore.jks'),
  trustPassword: 'trust-secret',
  caPem: readFileSync(join(FIXTURES, 'ca.pem'), 'utf8'),
};

/**
 * The client's certificate and key (the client store's key password differs from its store password)
 * with the CA, as kafkajs' `ssl` option takes them.
 */
export function jksClientTls(): { ca: string[]; key: string; cert: string } {
  const fail = (message: string): Error => new Error(message);
  const material = jksKeyMaterial(readFileSync(JKS.clientStore), 'client-secret', 'client-key-secret', 'client', fail);
  return { ca: [JKS.caPem], ...material };
}

/**
 * A folder (in `parent`, else a new temp dir) laid out as the apache/kafka image's docker/examples
 * secrets: kafka01.keystore.jks, kafka.truststore.jks and the one-line password files
 * kafka_keystore_creds, kafka_ssl_key_creds and kafka_truststore_creds; readable by the image's user.
 */
export function jksSecretsDir(dir: string = mkdtempSync(join(tmpdir(), 'gregor-secrets-'))): string {
  copyFileSync(JKS.serverStore, join(dir, 'kafka01.keystore.jks'));
  copyFileSync(JKS.trustStore, join(dir, 'kafka.truststore.jks'));
  writeFileSync(join(dir, 'kafka_keystore_creds'), `${JKS.serverPassword}\n`);
  writeFileSync(join(dir, 'kafka_ssl_key_creds'), `${JKS.serverPassword}\n`);
  writeFileSync(join(dir, 'kafka_truststore_creds'), `${JKS.trustPassword}\n`);
  chmodSync(dir, 0o755); // the image's broker runs as user 10001
  return dir;
}
