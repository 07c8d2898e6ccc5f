/** The client security settings (parsing and checking) and the SCRAM client against RFC 7677's example. */
import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClientConfigError, clientSecurityFrom, parseProperties } from './security.js';
import { ScramClient } from './sasl-client.js';

t.test('properties files: separators, comments, continuations, escapes', async (t) => {
  const props = parseProperties(
    '# comment\n! also\nsecurity.protocol = SASL_SSL\nsasl.mechanism:PLAIN\nsasl.jaas.config=a \\\n   b\nkey\\=x=1\n\n',
  );
  t.same(props, {
    'security.protocol': 'SASL_SSL',
    'sasl.mechanism': 'PLAIN',
    'sasl.jaas.config': 'a b',
    'key=x': '1',
  });
});

t.test('settings are checked, never ignored', async (t) => {
  t.same(clientSecurityFrom({}), { protocol: 'PLAINTEXT' });
  t.same(
    clientSecurityFrom({
      'security.protocol': 'sasl_plaintext',
      'sasl.mechanisms': 'scram-sha-512',
      'sasl.username': 'u',
      'sasl.password': 'p',
    }),
    {
      protocol: 'SASL_PLAINTEXT',
      sasl: { mechanism: 'SCRAM-SHA-512', username: 'u', password: 'p' },
    },
  );
  t.same(
    clientSecurityFrom({
      'security.protocol': 'SASL_PLAINTEXT',
      'sasl.jaas.config':
        'org.apache.kafka.common.security.plain.PlainLoginModule required username="a b" password="p;w";',
    }).sasl,
    { mechanism: 'PLAIN', username: 'a b', password: 'p;w' },
  );
  const refused: Array<[Record<string, string>, RegExp]> = [
    [{ 'bootstrap.servers': 'x' }, /unknown client setting bootstrap\.servers/],
    [{ 'security.protocol': 'TLS' }, /security\.protocol: "TLS"/],
    [{ 'ssl.ca.location': '/x' }, /ssl\.ca\.location has no effect with security\.protocol=PLAINTEXT/],
    [
      { 'security.protocol': 'SSL', 'ssl.endpoint.identification.algorithm': 'dns' },
      /ssl\.endpoint\.identification\.algorithm: "dns"/,
    ],
    [
      { 'security.protocol': 'SSL', 'ssl.truststore.type': 'JCEKS' },
      /ssl.truststore.type: "JCEKS" is not JKS, PKCS12 or PEM/,
    ],
    [{ 'security.protocol': 'SSL', 'ssl.certificate.location': '/x' }, /go together/],
    [
      { 'security.protocol': 'SSL', 'ssl.ca.location': '/does/not/exist' },
      /ssl\.ca\.location: cannot read \/does\/not\/exist/,
    ],
    [{ 'security.protocol': 'SASL_SSL', 'sasl.mechanism': 'OAUTHBEARER' }, /OAUTHBEARER needs a token source/],
    [{ 'security.protocol': 'SASL_SSL', 'sasl.mechanism': 'GSSAPI' }, /sasl\.mechanism: "GSSAPI"/],
    [
      { 'security.protocol': 'SASL_SSL', 'sasl.mechanism': 'PLAIN', 'sasl.oauthbearer.config': 'principal=a' },
      /only used with sasl\.mechanism=OAUTHBEARER/,
    ],
    [
      { 'security.protocol': 'SASL_SSL', 'sasl.mechanism': 'OAUTHBEARER', 'sasl.oauthbearer.method': 'oidc' },
      /oidc needs sasl\.oauthbearer\.token\.endpoint\.url/,
    ],
    [
      {
        'security.protocol': 'SASL_SSL',
        'sasl.mechanism': 'OAUTHBEARER',
        'sasl.oauthbearer.token.endpoint.url': 'https://idp.test/token',
      },
      /needs a client id and secret/,
    ],
    [
      { 'security.protocol': 'SASL_SSL', 'sasl.mechanism': 'OAUTHBEARER', 'sasl.oauthbearer.config': 'principal' },
      /"principal" is not name=value/,
    ],
    [{ 'security.protocol': 'SASL_SSL', 'sasl.mechanism': 'PLAIN' }, /PLAIN needs sasl\.username and sasl\.password/],
    [{ 'security.protocol': 'SASL_SSL', 'sasl.mechanism': 'PLAIN', 'sasl.mechanisms': 'SCRAM-SHA-256' }, /disagree/],
    [
      {
        'security.protocol': 'SASL_SSL',
        'sasl.mechanism': 'PLAIN',
        'sasl.jaas.config':
          'org.apache.kafka.common.security.scram.ScramLoginModule required username="u" password="p";',
      },
      /does not fit sasl\.mechanism=PLAIN/,
    ],
    [
      { 'security.protocol': 'SASL_SSL', 'sasl.jaas.config': 'com.example.Login required username="u" password="p";' },
      /login module com\.example\.Login is not supported/,
    ],
    [
      {
        'security.protocol': 'SASL_SSL',
        'sasl.jaas.config':
          'org.apache.kafka.common.security.plain.PlainLoginModule required username="u" password="p" tokenauth="true";',
      },
      /unsupported option tokenauth/,
    ],
    [
      {
        'security.protocol': 'SASL_SSL',
        'sasl.jaas.config': 'org.apache.kafka.common.security.plain.PlainLoginModule required username="u"',
      },
      /must end with ';'/,
    ],
  ];
  for (const [props, message] of refused)
    t.throws(() => clientSecurityFrom(props), { name: 'ClientConfigError', message }, JSON.stringify(props));
  t.ok(new ClientConfigError('x') instanceof Error);
});

t.test('TLS files are read: CA, certificate and key, or one PEM key store', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'gregor-client-tls-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  for (const name of ['ca.pem', 'cert.pem', 'key.pem', 'store.pem']) writeFileSync(join(dir, name), name);
  const tls = clientSecurityFrom({
    'security.protocol': 'SSL',
    'ssl.ca.location': join(dir, 'ca.pem'),
    'ssl.certificate.location': join(dir, 'cert.pem'),
    'ssl.key.location': join(dir, 'key.pem'),
  }).tls!;
  t.same(
    [tls.ca?.toString(), tls.cert?.toString(), tls.key?.toString(), tls.checkHostname],
    ['ca.pem', 'cert.pem', 'key.pem', true],
  );
  const store = clientSecurityFrom({
    'security.protocol': 'SASL_SSL',
    'sasl.username': 'u',
    'sasl.password': 'p',
    'ssl.truststore.location': join(dir, 'ca.pem'),
    'ssl.keystore.location': join(dir, 'store.pem'),
    'ssl.endpoint.identification.algorithm': '',
  }).tls!;
  t.same(
    [store.ca?.toString(), store.cert?.toString(), store.key?.toString(), store.checkHostname],
    ['ca.pem', 'store.pem', 'store.pem', false],
  );
});

t.test('SCRAM-SHA-256 client messages match RFC 7677 section 3', async (t) => {
  const client = new ScramClient('sha256', 'user', 'pencil', 'rOprNGfwEbeRWgbNEkqO');
  t.equal(client.clientFirst().toString(), 'n,,n=user,r=rOprNGfwEbeRWgbNEkqO');
  const serverFirst = 'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096';
  t.equal(
    client.clientFinal(serverFirst, 'test').toString(),
    'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=',
  );
  t.doesNotThrow(() => client.verifyServerFinal('v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=', 'test'));
  t.throws(() => client.verifyServerFinal('v=AAAATRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=', 'test'), {
    message: /SASL_AUTHENTICATION_FAILED .*server signature/,
  });
  t.throws(() => client.verifyServerFinal('e=invalid-proof', 'test'), {
    message: /SASL_AUTHENTICATION_FAILED \(invalid-proof\)/,
  });
  const other = new ScramClient('sha256', 'a=b,c', 'pw', 'abc');
  t.equal(other.clientFirst().toString(), 'n,,n=a=3Db=2Cc,r=abc');
  t.throws(() => other.clientFinal('r=zzz,s=AAAA,i=4096', 'test'), { message: /ILLEGAL_SASL_STATE .*malformed/ });
});
