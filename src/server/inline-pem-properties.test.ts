/**
 * Inline PEM (KIP-651) written in a server.properties file the two ways Kafka reads it: one line with
 * `\n` escapes (java.util.Properties turns them into line breaks) and the PEM lines joined by `\`
 * continuations (which leave one line with spaces; Kafka's PEM parser drops the white space). Both
 * used to fail start-up with OpenSSL's "no start line". Checked with kcat over the SSL listener, and
 * the properties parser's escapes and continuations on their own.
 */
import t from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseProperties } from '../common/config.js';
import { startBroker } from '../index.js';
import { normalizePem } from './tls.js';
import { makeTestCerts, opensslAvailable, type TestCerts } from '../../test/helpers/certs.js';
import { hasCommand, run } from '../../test/helpers/external.js';

t.test('Java properties escapes and continuations', async (t) => {
  const props = parseProperties(
    [
      'a=one\\ntwo\\tthree',
      'listener.security.protocol.map=SSL\\:SSL,PLAINTEXT\\:PLAINTEXT',
      'path=C:\\\\data\\\\kafka',
      'joined=first \\',
      '    second',
      'even=ends in a backslash\\\\',
      'next=kept',
      'key\\ with\\ spaces = v',
      'unicode=\\u00e9t\\u00E9',
      'spaced value',
      'trailing=3   ',
    ].join('\n'),
  );
  t.equal(props.get('a'), 'one\ntwo\tthree');
  t.equal(props.get('listener.security.protocol.map'), 'SSL:SSL,PLAINTEXT:PLAINTEXT');
  t.equal(props.get('path'), 'C:\\data\\kafka');
  t.equal(props.get('joined'), 'first second');
  t.equal(props.get('even'), 'ends in a backslash\\', 'an even number of backslashes does not continue');
  t.equal(props.get('next'), 'kept');
  t.equal(props.get('key with spaces'), 'v');
  t.equal(props.get('unicode'), 'été');
  t.equal(props.get('spaced'), 'value');
  t.equal(props.get('trailing'), '3');
});

t.test('normalizePem rewraps the base64 of each block', async (t) => {
  const body = 'A'.repeat(100);
  t.equal(
    normalizePem(`-----BEGIN CERTIFICATE----- ${body.slice(0, 30)} ${body.slice(30)} -----END CERTIFICATE-----`),
    `-----BEGIN CERTIFICATE-----\n${'A'.repeat(64)}\n${'A'.repeat(36)}\n-----END CERTIFICATE-----\n`,
  );
  t.equal(normalizePem('not pem'), 'not pem');
});

const skip = !opensslAvailable() ? 'openssl is not installed' : !hasCommand('kcat') ? 'kcat is not installed' : false;

t.test('inline PEM in server.properties: escaped and continued forms serve TLS to kcat', { skip }, async (t) => {
  t.setTimeout(60_000);
  const certs: TestCerts = makeTestCerts();
  t.teardown(() => certs.cleanup());
  const cert = readFileSync(certs.serverCertFile, 'utf8').trim();
  const key = readFileSync(certs.serverKeyFile, 'utf8').trim();
  const escaped = (pem: string) => pem.split('\n').join('\\n');
  const continued = (pem: string) => pem.split('\n').join(' \\\n    ');
  for (const [form, encode] of [
    ['\\n escapes', escaped],
    ['\\ continuations', continued],
  ] as const) {
    const file = join(certs.dir, `server-${form.length}.properties`);
    writeFileSync(
      file,
      [
        'listeners=SSL://127.0.0.1:0',
        'listener.security.protocol.map=SSL\\:SSL',
        'ssl.keystore.type=PEM',
        `ssl.keystore.certificate.chain=${encode(cert)}`,
        `ssl.keystore.key=${encode(key)}`,
        '',
      ].join('\n'),
    );
    const config = Object.fromEntries(parseProperties(readFileSync(file, 'utf8')));
    const broker = await startBroker({ storage: 'memory', config });
    const port = broker.bootstrap.split(':')[1]!;
    const result = await run('kcat', [
      '-b',
      `localhost:${port}`,
      '-X',
      'security.protocol=SSL',
      '-X',
      `ssl.ca.location=${certs.caFile}`,
      '-L',
      '-m',
      '10',
    ]);
    await broker.stop();
    t.equal(result.code, 0, `${form}: kcat -L over TLS (${result.stderr.trim()})`);
    t.match(result.stdout, /1 brokers:/, `${form}: metadata read`);
  }
});
