/**
 * A client certificate the broker refuses (expired, or from a CA the trust store lacks) on an mTLS
 * listener: kcat fails at once, and the broker says why at info level, as Kafka's Selector logs
 * "Failed authentication with /<address> (SSL handshake failed)". Node's TLS server refuses such a
 * certificate after its handshake without a TLS alert, so the broker's log is where the reason is.
 */
import t from 'tap';
import pino from 'pino';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { brokerFor } from '../../test/helpers/broker.js';
import { makeTestCerts, opensslAvailable } from '../../test/helpers/certs.js';
import { hasCommand, run } from '../../test/helpers/external.js';
import { pollUntil } from '../../test/helpers/poll.js';

const haveOpenssl = opensslAvailable();
const certs = haveOpenssl ? makeTestCerts() : null;
t.teardown(() => certs?.cleanup());
const kcat = hasCommand('kcat');

/** A client certificate signed by the test CA that expired a day before now. */
function expiredCert(dir: string): { cert: string; key: string } {
  const openssl = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-out', 'expired.key']);
  openssl(['req', '-new', '-key', 'expired.key', '-subj', '/CN=expired', '-out', 'expired.csr']);
  writeFileSync(join(dir, 'expired-index.txt'), '');
  writeFileSync(join(dir, 'expired-serial'), '01\n');
  writeFileSync(
    join(dir, 'expired-ca.cnf'),
    [
      '[ca]',
      'default_ca = test',
      '[test]',
      'database = expired-index.txt',
      'serial = expired-serial',
      'new_certs_dir = .',
      'certificate = ca.pem',
      'private_key = ca.key',
      'default_md = sha256',
      'policy = any',
      '[any]',
      'commonName = supplied',
      '',
    ].join('\n'),
  );
  const stamp = (ms: number) => new Date(ms).toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z';
  const day = 86_400_000;
  openssl([
    'ca',
    '-batch',
    '-config',
    'expired-ca.cnf',
    '-in',
    'expired.csr',
    '-out',
    'expired.pem',
    '-notext',
    '-startdate',
    stamp(Date.now() - 3 * day),
    '-enddate',
    stamp(Date.now() - day),
  ]);
  return { cert: join(dir, 'expired.pem'), key: join(dir, 'expired.key') };
}

t.test(
  'an expired or untrusted client certificate: kcat fails at once, the broker logs why at info',
  { skip: !haveOpenssl ? 'openssl is not installed' : kcat ? false : 'kcat is not installed' },
  async (t) => {
    const c = certs!;
    let text = '';
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        text += chunk.toString();
        done();
      },
    });
    const running = await brokerFor(t, {
      logger: pino({ level: 'info' }, sink),
      config: {
        listeners: 'SSL://127.0.0.1:0,REQUESTED://127.0.0.1:0',
        'listener.security.protocol.map': 'SSL:SSL,REQUESTED:SSL,CONTROLLER:PLAINTEXT',
        'listener.name.requested.ssl.client.auth': 'requested',
        'ssl.keystore.type': 'PEM',
        'ssl.keystore.location': c.serverPemStore,
        'ssl.truststore.type': 'PEM',
        'ssl.truststore.location': c.caFile,
        'ssl.client.auth': 'required',
      },
    });
    const expired = expiredCert(c.dir);
    const requested = `127.0.0.1:${running.broker.bound.find((b) => b.name === 'REQUESTED')!.port}`;
    const cases = [
      {
        name: 'expired',
        cert: expired.cert,
        key: expired.key,
        reason: 'CERT_HAS_EXPIRED',
        bootstrap: running.bootstrap,
      },
      {
        name: 'expired, ssl.client.auth=requested',
        cert: expired.cert,
        key: expired.key,
        reason: 'not trusted: CERT_HAS_EXPIRED',
        bootstrap: requested,
      },
      {
        name: 'untrusted',
        cert: c.untrustedClientCertFile,
        key: c.untrustedClientKeyFile,
        reason: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
        bootstrap: running.bootstrap,
      },
    ];
    for (const { name, cert, key, reason, bootstrap } of cases) {
      const started = Date.now();
      const result = await run(
        'kcat',
        [
          '-b',
          bootstrap,
          '-X',
          'security.protocol=ssl',
          '-X',
          `ssl.ca.location=${c.caFile}`,
          '-X',
          `ssl.certificate.location=${cert}`,
          '-X',
          `ssl.key.location=${key}`,
          '-L',
          '-m',
          '3',
        ],
        { timeoutMs: 20_000 },
      );
      t.not(result.code, 0, `${name}: kcat fails`);
      t.ok(Date.now() - started < 15_000, `${name}: within its metadata timeout, no hang`);
      const line = await pollUntil(`the ${name} refusal in the broker log`, 10_000, () =>
        text.split('\n').find((l) => l.includes('Failed authentication with /127.0.0.1') && l.includes(reason)),
      );
      t.match(line, /"level":30/, `${name}: logged at info`);
    }
  },
);
