/**
 * The principal of a client certificate is its subject as Java's X500Principal.getName() writes it
 * (RFC 2253), which Kafka's DefaultKafkaPrincipalBuilder hands to ssl.principal.mapping.rules: only
 * RFC 2253's keywords (CN, C, L, ST, O, OU, STREET, DC, UID) are named, every other attribute (an
 * e-mail address, a serial number) is its OID with the value's DER in hex, and `,=+<>#;"\` in values
 * are escaped. ACLs written for the names a Kafka broker shows must match here too. kcat over mTLS.
 */
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brokerFor } from '../../test/helpers/broker.js';
import { makeTestCerts, opensslAvailable } from '../../test/helpers/certs.js';
import { hasCommand, run } from '../../test/helpers/external.js';
import { kafkaTool } from '../../test/helpers/kafka-tools.js';
import { rfc2253SubjectOf } from './x500-name.js';
import { STANDARD_AUTHORIZER_CLASS } from '../metadata/standard-authorizer.js';

const haveOpenssl = opensslAvailable();
const certs = haveOpenssl ? makeTestCerts() : null;
t.teardown(() => certs?.cleanup());

/** A client certificate for `subject` (openssl -subj syntax), signed by the test CA. */
function clientCert(name: string, subject: string): { cert: string; key: string } {
  const dir = certs!.dir;
  const openssl = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-out', `${name}.key`]);
  openssl(['req', '-new', '-key', `${name}.key`, '-multivalue-rdn', '-subj', subject, '-out', `${name}.csr`]);
  writeFileSync(join(dir, `${name}.ext`), 'extendedKeyUsage=clientAuth\n');
  openssl([
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    `${name}.pem`,
    '-days',
    '2',
    '-extfile',
    `${name}.ext`,
  ]);
  return { cert: join(dir, `${name}.pem`), key: join(dir, `${name}.key`) };
}

// "bob@example.com" as an IA5String (tag 0x16, 15 bytes), and serial "42" as a PrintableString (0x13).
const EMAIL = '1.2.840.113549.1.9.1=#160f626f62406578616d706c652e636f6d';
const SUBJECT = '/C=US/O=Acme, Inc.=1/serialNumber=42/CN=bob/emailAddress=bob@example.com';
const KAFKA_NAME = `${EMAIL},CN=bob,2.5.4.5=#13023432,O=Acme\\, Inc.\\=1,C=US`;

t.test(
  'a certificate subject is written as Java writes it (RFC 2253, OIDs for other attributes)',
  { skip: !haveOpenssl },
  async (t) => {
    const bob = clientCert('bob', SUBJECT);
    const der = new X509Certificate(readFileSync(bob.cert)).raw;
    t.equal(rfc2253SubjectOf(der), KAFKA_NAME);
    const multi = clientCert('multi', '/C=US/OU=x+O=Org/CN=bob');
    t.equal(
      rfc2253SubjectOf(new X509Certificate(readFileSync(multi.cert)).raw),
      'CN=bob,OU=x+O=Org,C=US',
      'a multi-valued RDN',
    );
    const odd = clientCert('odd', '/CN= lead#x\\+y<z>;"q"\\\\ /OU=a/OU=b/DC=example/UID=u1/ST=CA/L=SF/street=1 Main');
    const oddDer = new X509Certificate(readFileSync(odd.cert)).raw;
    t.equal(
      rfc2253SubjectOf(oddDer),
      'STREET=1 Main,L=SF,ST=CA,UID=u1,DC=example,OU=b,OU=a,CN=\\ lead\\#x\\+y\\<z\\>\\;\\"q\\"\\\\\\ ',
    );
  },
);

const kcat = hasCommand('kcat');
t.test(
  'kcat over mTLS is the principal Kafka would name, so an ACL for that name applies',
  { skip: !haveOpenssl ? 'openssl is not installed' : kcat ? false : 'kcat is not installed' },
  async (t) => {
    const c = certs!;
    const bob = clientCert('bob2', SUBJECT);
    const running = await brokerFor(t, {
      config: {
        listeners: 'PLAINTEXT://127.0.0.1:0,SSL://127.0.0.1:0',
        'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,SSL:SSL,CONTROLLER:PLAINTEXT',
        'ssl.keystore.type': 'PEM',
        'ssl.keystore.location': c.serverPemStore,
        'ssl.truststore.type': 'PEM',
        'ssl.truststore.location': c.caFile,
        'ssl.client.auth': 'required',
        'authorizer.class.name': STANDARD_AUTHORIZER_CLASS,
        'super.users': 'User:ANONYMOUS',
      },
    });
    const port = (name: string) => running.broker.bound.find((b) => b.name === name)!.port;
    const bootstrap = ['--bootstrap-server', `127.0.0.1:${port('PLAINTEXT')}`];
    const topic = await kafkaTool('kafka-topics', [
      ...bootstrap,
      '--create',
      '--topic',
      'mail-topic',
      '--partitions',
      '1',
    ]);
    t.equal(topic.code, 0, topic.stderr);
    const acl = await kafkaTool('kafka-acls', [
      ...bootstrap,
      '--add',
      '--allow-principal',
      `User:${KAFKA_NAME}`,
      '--operation',
      'Describe',
      '--topic',
      'mail-topic',
    ]);
    t.equal(acl.code, 0, acl.stderr);
    const tls = [
      '-b',
      `127.0.0.1:${port('SSL')}`,
      '-X',
      'security.protocol=ssl',
      '-X',
      `ssl.ca.location=${c.caFile}`,
      '-X',
      `ssl.certificate.location=${bob.cert}`,
      '-X',
      `ssl.key.location=${bob.key}`,
    ];
    const listing = await run('kcat', [...tls, '-L', '-m', '10'], { timeoutMs: 20000 });
    t.match(listing.stdout, /topic "mail-topic" with 1 partitions/, 'bob sees the topic his ACL names');
  },
);
