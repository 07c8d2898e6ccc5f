import t, { type Test } from 'tap';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect, type ConnectionOptions } from 'node:tls';
import kafkajs, { Kafka, logLevel, type KafkaConfig } from 'kafkajs';
import { startBroker, type RunningBroker } from '../index.js';
import { brokerFor } from '../../test/helpers/broker.js';
import { makeTestCerts, opensslAvailable, type TestCerts } from '../../test/helpers/certs.js';
import { hasCommand, run } from '../../test/helpers/external.js';
import { mapSslPrincipal, parseSslPrincipalMappingRules, principalToString } from './principal.js';

t.test(
  'ssl.principal.mapping.rules: DEFAULT, RULE with groups and case, first applicable wins, no match refused',
  async (t) => {
    const dn = 'CN=alice,OU=clients,O=Gregor Test,C=US';
    t.equal(mapSslPrincipal(parseSslPrincipalMappingRules('DEFAULT'), dn), dn);
    const rules = parseSslPrincipalMappingRules(
      'RULE:^CN=(.*?),OU=ServiceUsers.*$/$1/, RULE:^CN=([a-z]+),OU=(.*?),.*$/$1@$2/U, DEFAULT',
    );
    t.equal(mapSslPrincipal(rules, 'CN=svc,OU=ServiceUsers,O=x'), 'svc');
    t.equal(mapSslPrincipal(rules, dn), 'ALICE@CLIENTS');
    t.equal(mapSslPrincipal(rules, 'CN=Bob,O=x'), 'CN=Bob,O=x', 'DEFAULT last');
    t.equal(mapSslPrincipal(parseSslPrincipalMappingRules('RULE:^CN=(.*)$/$1/L'), 'CN=BOB'), 'bob');
    t.equal(mapSslPrincipal(parseSslPrincipalMappingRules('RULE:^CN=(.*?)\\/x$/$1/'), 'CN=a/x'), 'a', 'escaped slash');
    t.throws(() => mapSslPrincipal(parseSslPrincipalMappingRules('RULE:^CN=x$/y/'), dn), {
      name: 'NoMatchingRuleError',
    });
    t.throws(() => parseSslPrincipalMappingRules('NONSENSE'), { name: 'ConfigError' });
    t.throws(() => parseSslPrincipalMappingRules('RULE:^CN=(.*$/$1/'), { name: 'ConfigError' }, 'bad regex');
    t.throws(() => parseSslPrincipalMappingRules('RULE:abc'), { name: 'ConfigError' }, 'unterminated');
  },
);

const haveOpenssl = opensslAvailable();
const certs: TestCerts | null = haveOpenssl ? makeTestCerts() : null;
t.teardown(() => certs?.cleanup());
const skip = haveOpenssl ? false : 'openssl is not installed';

function sslBroker(t: Test, extra: Record<string, string | number | boolean>): Promise<RunningBroker> {
  return brokerFor(t, {
    config: { listeners: 'SSL://127.0.0.1:0', 'listener.security.protocol.map': 'SSL:SSL', ...extra },
  });
}

function pemStore(c: TestCerts): Record<string, string> {
  return { 'ssl.keystore.type': 'PEM', 'ssl.keystore.location': c.serverPemStore };
}

function kafkaOver(running: RunningBroker, ssl: KafkaConfig['ssl']): Kafka {
  return new Kafka({
    clientId: 'tls-test',
    brokers: [running.bootstrap],
    ssl,
    logLevel: logLevel.NOTHING,
    retry: { retries: 5, initialRetryTime: 100 },
    connectionTimeout: 5000,
  });
}

async function roundTrip(t: Test, kafka: Kafka, topic: string): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
  await admin.disconnect();
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic, messages: [{ key: 'k', value: 'over tls' }] });
  await producer.disconnect();
  const consumer = kafka.consumer({ groupId: `${topic}-g` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const got = await new Promise<string>((resolve) => {
    void consumer.run({ eachMessage: async ({ message }) => resolve(String(message.value)) });
  });
  await consumer.disconnect();
  t.equal(got, 'over tls', 'message consumed over TLS');
}

/** A bare TLS handshake: resolves 'ok' with the negotiated protocol, or the error text. */
function handshake(port: number, options: ConnectionOptions): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, servername: 'localhost', ...options }, () => {
      const protocol = socket.getProtocol();
      // A TLS 1.3 server refuses a missing or bad client certificate after the client's handshake completes: wait for it.
      socket.once('close', () => resolve('closed by server'));
      socket.once('error', (err) => resolve(err.message));
      setTimeout(() => {
        socket.destroy();
        resolve(`ok ${protocol ?? ''}`);
      }, 300).unref();
    });
    socket.once('error', (err) => resolve(err.message));
  });
}

t.test('start-up refuses bad TLS settings, naming the listener and setting', { skip }, async (t) => {
  const c = certs!;
  const base = { listeners: 'SSL://127.0.0.1:0' };
  await t.rejects(startBroker({ config: base }), { message: /listener SSL: TLS needs a key store/ });
  await t.rejects(
    startBroker({ config: { ...base, 'ssl.keystore.location': c.serverP12 } }),
    { message: /SSL key store is specified, but key store password is not specified \(ssl.keystore.password\)/ },
    "a store of Kafka's default type JKS needs its password",
  );
  await t.rejects(
    startBroker({ config: { ...base, 'ssl.keystore.location': c.serverP12, 'ssl.keystore.type': 'JCEKS' } }),
    { message: /ssl.keystore.type=JCEKS is not supported \(use JKS, PKCS12 or PEM\)/ },
  );
  await t.rejects(startBroker({ config: { ...base, ...pemStore(c), 'ssl.enabled.protocols': 'TLSv1.1,TLSv1.3' } }), {
    message: /contiguous/,
  });
  await t.rejects(startBroker({ config: { ...base, ...pemStore(c), 'ssl.enabled.protocols': 'SSLv3' } }), {
    message: /SSLv3 is not supported/,
  });
  await t.rejects(startBroker({ config: { ...base, ...pemStore(c), 'ssl.client.auth': 'sometimes' } }), {
    message: /ssl.client.auth=sometimes/,
  });
  await t.rejects(startBroker({ config: { ...base, ...pemStore(c), 'ssl.cipher.suites': 'TLS_NOT_A_SUITE' } }), {
    message: /TLS_NOT_A_SUITE is not supported/,
  });
  await t.rejects(
    startBroker({
      config: {
        ...base,
        'ssl.keystore.type': 'PKCS12',
        'ssl.keystore.location': c.serverP12,
        'ssl.keystore.password': 'wrong',
      },
    }),
    { message: /listener SSL: failed to load the PKCS12 key store .* with ssl.keystore.password/ },
  );
  await t.rejects(
    startBroker({
      config: {
        ...base,
        'ssl.keystore.type': 'PKCS12',
        'ssl.keystore.location': c.serverP12,
        'ssl.keystore.password': 'wrong',
        'ssl.key.password': c.storePassword,
      },
    }),
    { message: /failed to load the PKCS12 key store .* with ssl.keystore.password/ },
    'a wrong store password is named as such, not as a key password that differs',
  );
  await t.rejects(
    startBroker({ config: { ...base, 'ssl.keystore.type': 'PEM', 'ssl.keystore.location': '/nonexistent/store.pem' } }),
    { message: /cannot be read/ },
  );
  await t.rejects(
    startBroker({
      config: {
        ...base,
        ...pemStore(c),
        'ssl.truststore.type': 'PKCS12',
        'ssl.truststore.location': c.truststoreP12,
        'ssl.truststore.password': 'wrong',
      },
    }),
    { message: /PKCS12/ },
  );
});

t.test(
  'kafkajs over SSL with a PEM key store file: produce, consume, groups; the principal is ANONYMOUS',
  { skip },
  async (t) => {
    const c = certs!;
    const running = await sslBroker(t, pemStore(c));
    t.equal(running.broker.bound[0]!.securityProtocol, 'SSL');
    await roundTrip(t, kafkaOver(running, { ca: [c.caPem], servername: 'localhost' }), 'tls-pem');
    const plain = await handshake(running.port, { ca: [c.caPem], maxVersion: 'TLSv1.3' });
    t.match(plain, /^ok TLSv1\.3/, 'TLS 1.3 by default');
    const kafka = kafkaOver(running, { ca: [c.caPem], servername: 'localhost' });
    const admin = kafka.admin();
    await admin.connect();
    await admin.listTopics();
    t.ok(
      running.broker
        .openConnections()
        .every((info) => principalToString(info.principal) === 'User:ANONYMOUS' && info.securityProtocol === 'SSL'),
    );
    await admin.disconnect();
    await t.rejects(
      kafkaOver(running, { rejectUnauthorized: true }).admin().connect(),
      'a client that does not trust the CA fails',
    );
  },
);

t.test(
  'inline PEM key store and trust store (KIP-651) with ssl.client.auth=required: mTLS principal from the subject',
  { skip },
  async (t) => {
    const c = certs!;
    const running = await sslBroker(t, {
      'ssl.keystore.type': 'PEM',
      'ssl.keystore.certificate.chain': readFileSync(c.serverCertFile, 'utf8'),
      'ssl.keystore.key': readFileSync(c.serverKeyFile, 'utf8'),
      'ssl.truststore.type': 'PEM',
      'ssl.truststore.certificates': c.caPem,
      'ssl.client.auth': 'required',
    });
    const withCert = {
      ca: [c.caPem],
      servername: 'localhost',
      cert: readFileSync(c.clientCertFile, 'utf8'),
      key: readFileSync(c.clientKeyFile, 'utf8'),
    };
    const kafka = kafkaOver(running, withCert);
    const admin = kafka.admin();
    await admin.connect();
    await admin.listTopics();
    const principals = running.broker.openConnections().map((info) => principalToString(info.principal));
    t.ok(
      principals.length > 0 && principals.every((p) => p === `User:${c.clientSubject}`),
      `principal from the certificate: ${principals.join(', ')}`,
    );
    await admin.disconnect();

    t.notMatch(await handshake(running.port, { ca: [c.caPem] }), /^ok/, 'no client certificate: refused');
    t.not(
      await handshake(running.port, {
        ca: [c.caPem],
        cert: readFileSync(c.untrustedClientCertFile),
        key: readFileSync(c.untrustedClientKeyFile),
      }),
      'ok TLSv1.3',
      'untrusted client certificate: refused',
    );
    t.not(
      await handshake(running.port, { ca: [c.caPem], maxVersion: 'TLSv1.2' }),
      /^ok/,
      'TLS 1.2 without a certificate: refused too',
    );
    await t.rejects(
      kafkaOver(running, { ca: [c.caPem], servername: 'localhost' })
        .admin()
        .connect(),
      'kafkajs without a certificate fails',
    );
    t.equal(running.broker.openConnections().length, 0, 'no refused client became a connection');
  },
);

t.test(
  'PKCS12 stores, per-listener settings, ssl.client.auth=requested, mapping rules, protocols and ciphers',
  { skip },
  async (t) => {
    const c = certs!;
    const running = await brokerFor(t, {
      config: {
        listeners: 'PLAINTEXT://127.0.0.1:0,SECURE://127.0.0.1:0',
        'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,SECURE:SSL',
        'ssl.client.auth': 'none',
        'listener.name.secure.ssl.keystore.type': 'PKCS12',
        'listener.name.secure.ssl.keystore.location': c.serverP12,
        'listener.name.secure.ssl.keystore.password': c.storePassword,
        'listener.name.secure.ssl.key.password': c.storePassword,
        'listener.name.secure.ssl.truststore.type': 'PKCS12',
        'listener.name.secure.ssl.truststore.location': c.truststoreP12,
        'listener.name.secure.ssl.truststore.password': c.storePassword,
        'listener.name.secure.ssl.client.auth': 'requested',
        'listener.name.secure.ssl.principal.mapping.rules': 'RULE:^CN=([^,]+),OU=clients,.*$/$1/U,DEFAULT',
        'listener.name.secure.ssl.enabled.protocols': 'TLSv1.2',
        'listener.name.secure.ssl.cipher.suites': 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384',
      },
    });
    const secure = running.broker.bound.find((b) => b.name === 'SECURE')!;
    t.equal(secure.securityProtocol, 'SSL');
    const clientCert = { cert: readFileSync(c.clientCertFile), key: readFileSync(c.clientKeyFile) };
    t.equal(
      await handshake(secure.port, { ca: [c.caPem] }),
      'ok TLSv1.2',
      'requested: a client without a certificate is served, TLS 1.2 only',
    );
    t.equal(
      await handshake(secure.port, { ca: [c.caPem], minVersion: 'TLSv1.3' }).then((r) => r.startsWith('ok')),
      false,
      'TLS 1.3 refused',
    );
    t.equal(
      await handshake(secure.port, {
        ca: [c.caPem],
        ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256',
        maxVersion: 'TLSv1.2',
      }).then((r) => r.startsWith('ok')),
      false,
      'a cipher suite not enabled is refused',
    );
    t.not(
      await handshake(secure.port, {
        ca: [c.caPem],
        cert: readFileSync(c.untrustedClientCertFile),
        key: readFileSync(c.untrustedClientKeyFile),
      }),
      'ok TLSv1.2',
      'requested: an untrusted certificate is refused',
    );

    const kafka = new Kafka({
      clientId: 'p12',
      brokers: [`127.0.0.1:${secure.port}`],
      ssl: { ca: [c.caPem], servername: 'localhost', ...clientCert },
      logLevel: logLevel.NOTHING,
      retry: { retries: 0 },
    });
    const admin = kafka.admin();
    await admin.connect();
    await admin.describeCluster();
    const onSecure = running.broker.openConnections().filter((info) => info.listenerName === 'SECURE');
    t.ok(
      onSecure.length > 0 && onSecure.every((info) => principalToString(info.principal) === 'User:ALICE'),
      'mapped principal User:ALICE',
    );
    await admin.disconnect();
  },
);

const kcat = hasCommand('kcat');
t.test(
  'kcat (librdkafka) over SSL with mTLS: produce and consume',
  { skip: skip || (kcat ? false : 'kcat is not installed') },
  async (t) => {
    const c = certs!;
    const running = await sslBroker(t, {
      ...pemStore(c),
      'ssl.truststore.type': 'PEM',
      'ssl.truststore.location': c.caFile,
      'ssl.client.auth': 'required',
    });
    const ssl = [
      '-X',
      'security.protocol=ssl',
      '-X',
      `ssl.ca.location=${c.caFile}`,
      '-X',
      `ssl.certificate.location=${c.clientCertFile}`,
      '-X',
      `ssl.key.location=${c.clientKeyFile}`,
    ];
    const produced = await run('kcat', ['-b', running.bootstrap, ...ssl, '-P', '-t', 'kcat-tls', '-K', ':'], {
      input: 'a:one\nb:two\n',
      timeoutMs: 30_000,
    });
    t.equal(produced.code, 0, produced.stderr);
    const consumed = await run(
      'kcat',
      ['-b', running.bootstrap, ...ssl, '-C', '-t', 'kcat-tls', '-o', 'beginning', '-e', '-f', '%k=%s\n'],
      { timeoutMs: 30_000 },
    );
    t.equal(consumed.code, 0, consumed.stderr);
    t.same(consumed.stdout.trim().split('\n'), ['a=one', 'b=two']);
    const refused = await run(
      'kcat',
      ['-b', running.bootstrap, '-X', 'security.protocol=ssl', '-X', `ssl.ca.location=${c.caFile}`, '-L', '-m', '3'],
      { timeoutMs: 30_000 },
    );
    t.not(refused.code, 0, 'kcat without a client certificate fails');
  },
);

t.test(
  'a key store changed with AlterConfigs is used for new connections without a restart; a broken one is not',
  { skip },
  async (t) => {
    const c = certs!;
    const other = makeTestCerts();
    t.teardown(() => other.cleanup());
    const running = await sslBroker(t, pemStore(c));
    t.match(await handshake(running.port, { ca: [c.caPem] }), /^ok/, 'the first certificate');
    t.notMatch(await handshake(running.port, { ca: [other.caPem] }), /^ok/, 'not yet the second');
    const admin = kafkaOver(running, { ca: [c.caPem, other.caPem], servername: 'localhost' }).admin();
    await admin.connect();
    const alter = (location: string): Promise<unknown> =>
      admin.alterConfigs({
        validateOnly: false,
        resources: [
          {
            type: kafkajs.ConfigResourceTypes.BROKER,
            name: '1',
            configEntries: [{ name: 'ssl.keystore.location', value: location }],
          },
        ],
      });
    await alter(other.serverPemStore);
    t.match(await handshake(running.port, { ca: [other.caPem] }), /^ok/, 'the second certificate after AlterConfigs');
    await alter('/nonexistent/store.pem');
    t.match(
      await handshake(running.port, { ca: [other.caPem] }),
      /^ok/,
      'a store that does not load leaves the previous one in force',
    );
    await admin.disconnect();
  },
);

t.test(
  'ssl.cipher.suites with TLS 1.2 suites only: TLS 1.3 is not offered (as Java), and a list with no enabled version is refused',
  { skip: skip || (kcat ? false : 'kcat is not installed') },
  async (t) => {
    const c = certs!;
    const suite = 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384'; // the test certificates have EC keys
    const running = await sslBroker(t, { ...pemStore(c), 'ssl.cipher.suites': suite });
    await roundTrip(t, kafkaOver(running, { ca: [c.caPem], servername: 'localhost' }), 'tls12-suite');
    await t.rejects(
      kafkaOver(running, { ca: [c.caPem], servername: 'localhost', minVersion: 'TLSv1.3' })
        .admin()
        .connect(),
      'kafkajs asking for TLS 1.3 finds no suite to use',
    );
    t.match(await handshake(running.port, { ca: [c.caPem] }), /^ok TLSv1\.2/, 'TLS 1.2 negotiated');
    const listed = await run(
      'kcat',
      ['-b', running.bootstrap, '-X', 'security.protocol=ssl', '-X', `ssl.ca.location=${c.caFile}`, '-L', '-m', '10'],
      { timeoutMs: 30_000 },
    );
    t.equal(listed.code, 0, listed.stderr);
    await t.rejects(
      startBroker({
        config: {
          listeners: 'SSL://127.0.0.1:0',
          ...pemStore(c),
          'ssl.cipher.suites': suite,
          'ssl.enabled.protocols': 'TLSv1.3',
        },
      }),
      { message: /listener SSL: ssl.cipher.suites has no suite for the versions of ssl.enabled.protocols/ },
    );
  },
);

/** The subject of the certificate the server at `port` presents. */
function serverSubject(port: number, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, servername: 'localhost', ca: [ca] }, () => {
      const subject = socket.getPeerX509Certificate()?.subject ?? '';
      socket.destroy();
      resolve(subject);
    });
    socket.once('error', reject);
  });
}

t.test(
  'a key store changed at run time must keep its subject and alternative names unless ssl.allow.dn.changes / ssl.allow.san.changes',
  { skip },
  async (t) => {
    const c = certs!;
    // A certificate from the same CA for another subject (and other alternative names).
    execFileSync(
      'openssl',
      [
        'req',
        '-new',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        'renamed.key',
        '-subj',
        '/CN=renamed',
        '-out',
        'renamed.csr',
      ],
      { cwd: c.dir, stdio: 'ignore' },
    );
    writeFileSync(join(c.dir, 'renamed.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:renamed\n');
    execFileSync(
      'openssl',
      [
        'x509',
        '-req',
        '-in',
        'renamed.csr',
        '-CA',
        'ca.pem',
        '-CAkey',
        'ca.key',
        '-CAcreateserial',
        '-days',
        '2',
        '-extfile',
        'renamed.ext',
        '-out',
        'renamed.pem',
      ],
      { cwd: c.dir, stdio: 'ignore' },
    );
    const renamedStore = join(c.dir, 'renamed-store.pem');
    writeFileSync(
      renamedStore,
      readFileSync(join(c.dir, 'renamed.key'), 'utf8') + readFileSync(join(c.dir, 'renamed.pem'), 'utf8'),
    );
    const alterKeystore = async (running: RunningBroker): Promise<void> => {
      const admin = kafkaOver(running, { ca: [c.caPem], servername: 'localhost' }).admin();
      await admin.connect();
      await admin.alterConfigs({
        validateOnly: false,
        resources: [
          {
            type: kafkajs.ConfigResourceTypes.BROKER,
            name: '1',
            configEntries: [{ name: 'ssl.keystore.location', value: renamedStore }],
          },
        ],
      });
      await admin.disconnect();
    };
    const strict = await sslBroker(t, pemStore(c));
    await alterKeystore(strict);
    t.equal(
      await serverSubject(strict.port, c.caPem),
      'CN=localhost',
      'another subject is refused: the first certificate stays',
    );
    const allowing = await sslBroker(t, {
      ...pemStore(c),
      'ssl.allow.dn.changes': true,
      'ssl.allow.san.changes': true,
    });
    await alterKeystore(allowing);
    t.equal(await serverSubject(allowing.port, c.caPem), 'CN=renamed', 'allowed: the new certificate is used');
  },
);
