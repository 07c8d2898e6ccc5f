/**
 * Test certificates made at run time with Debian's openssl CLI (nothing is committed): a CA,
 * a server certificate for 127.0.0.1/localhost, a client certificate signed by the CA, one
 * signed by another CA (untrusted), and PKCS12 copies of the server key store and the trust store.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCerts {
  dir: string;
  caPem: string;
  /** The CA certificate file. */
  caFile: string;
  serverCertFile: string;
  serverKeyFile: string;
  /** Server certificate and key in one PEM file (a PEM key store). */
  serverPemStore: string;
  serverP12: string;
  truststoreP12: string;
  storePassword: string;
  clientCertFile: string;
  clientKeyFile: string;
  /** The client certificate's subject as Kafka writes it (RFC 2253). */
  clientSubject: string;
  untrustedClientCertFile: string;
  untrustedClientKeyFile: string;
  cleanup(): void;
}

export function opensslAvailable(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

function newKey(dir: string, name: string): void {
  openssl(dir, ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-out', name]);
}

function selfSignedCa(dir: string, name: string, subject: string): void {
  newKey(dir, `${name}.key`);
  openssl(dir, [
    'req',
    '-x509',
    '-new',
    '-key',
    `${name}.key`,
    '-subj',
    subject,
    '-days',
    '2',
    '-out',
    `${name}.pem`,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
}

function signed(dir: string, ca: string, name: string, subject: string, extensions: string): void {
  newKey(dir, `${name}.key`);
  openssl(dir, ['req', '-new', '-key', `${name}.key`, '-subj', subject, '-out', `${name}.csr`]);
  writeFileSync(join(dir, `${name}.ext`), extensions);
  openssl(dir, [
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    `${ca}.pem`,
    '-CAkey',
    `${ca}.key`,
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    `${name}.ext`,
    '-out',
    `${name}.pem`,
  ]);
}

export function makeTestCerts(): TestCerts {
  const dir = mkdtempSync(join(tmpdir(), 'gregor-certs-'));
  const storePassword = 'test-store-pw';
  selfSignedCa(dir, 'ca', '/CN=Gregor Test CA');
  selfSignedCa(dir, 'other-ca', '/CN=Untrusted CA');
  signed(
    dir,
    'ca',
    'server',
    '/CN=localhost',
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n',
  );
  signed(dir, 'ca', 'client', '/C=US/O=Gregor Test/OU=clients/CN=alice', 'extendedKeyUsage=clientAuth\n');
  signed(dir, 'other-ca', 'stranger', '/CN=mallory', 'extendedKeyUsage=clientAuth\n');
  writeFileSync(
    join(dir, 'server-store.pem'),
    readFileSync(join(dir, 'server.key'), 'utf8') + readFileSync(join(dir, 'server.pem'), 'utf8'),
  );
  openssl(dir, [
    'pkcs12',
    '-export',
    '-in',
    'server.pem',
    '-inkey',
    'server.key',
    '-certfile',
    'ca.pem',
    '-passout',
    `pass:${storePassword}`,
    '-out',
    'server.p12',
  ]);
  openssl(dir, [
    'pkcs12',
    '-export',
    '-nokeys',
    '-in',
    'ca.pem',
    '-passout',
    `pass:${storePassword}`,
    '-out',
    'truststore.p12',
  ]);
  return {
    dir,
    caPem: readFileSync(join(dir, 'ca.pem'), 'utf8'),
    caFile: join(dir, 'ca.pem'),
    serverCertFile: join(dir, 'server.pem'),
    serverKeyFile: join(dir, 'server.key'),
    serverPemStore: join(dir, 'server-store.pem'),
    serverP12: join(dir, 'server.p12'),
    truststoreP12: join(dir, 'truststore.p12'),
    storePassword,
    clientCertFile: join(dir, 'client.pem'),
    clientKeyFile: join(dir, 'client.key'),
    clientSubject: 'CN=alice,OU=clients,O=Gregor Test,C=US',
    untrustedClientCertFile: join(dir, 'stranger.pem'),
    untrustedClientKeyFile: join(dir, 'stranger.key'),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
