/**
 * The `gregor` tools over SASL OAUTHBEARER against real brokers (the built binary for the first
 * command and a missing token source; the others in this process, test/helpers/cli-in-process.ts): an unsecured
 * token (librdkafka's `sasl.oauthbearer.config=principal=...` and the Java client's
 * `unsecuredLoginStringClaim_sub`), then signed tokens checked against a JWKS file, taken from a
 * token file and from a client-credentials endpoint served by the test. Bad sources fail with a
 * message and a non-zero exit code.
 */
import t from 'tap';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import type { AddressInfo } from 'node:net';
import { brokerFor } from '../../test/helpers/broker.js';
import { run, type RunResult } from '../../test/helpers/external.js';
import { CLI_SKIP, GREGOR_BIN } from '../../test/helpers/cli.js';
import { gregorInProcess } from '../../test/helpers/cli-in-process.js';

const OAUTH_MODULE = 'org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule';

/** The command in this process. */
function gregor(args: string[]): Promise<RunResult> {
  return gregorInProcess(args, { input: '', env: { GREGOR_LOG_LEVEL: '' } });
}

/** The built binary, spawned. */
function gregorBinary(args: string[]): Promise<RunResult> {
  return run(process.execPath, [GREGOR_BIN, ...args], { input: '', timeoutMs: 60_000, env: { GREGOR_LOG_LEVEL: '' } });
}

const sasl = (port: number, ...settings: string[]): string[] => [
  '-b',
  `127.0.0.1:${port}`,
  '-X',
  'security.protocol=SASL_PLAINTEXT',
  '-X',
  'sasl.mechanism=OAUTHBEARER',
  ...settings.flatMap((s) => ['-X', s]),
];

t.test('unsecured OAUTHBEARER tokens, in librdkafka and Java client words', { skip: CLI_SKIP }, async (t) => {
  const running = await brokerFor(t, {
    config: {
      listeners: 'SASL_PLAINTEXT://127.0.0.1:0',
      'sasl.enabled.mechanisms': 'OAUTHBEARER',
      'listener.name.sasl_plaintext.oauthbearer.sasl.jaas.config': `${OAUTH_MODULE} required unsecuredLoginStringClaim_sub="admin";`,
    },
  });
  const created = await gregorBinary([
    'topic',
    'create',
    'oauth-cli',
    ...sasl(running.port, 'sasl.oauthbearer.config=principal=alice'),
  ]);
  t.equal(created.code, 0, created.stderr);
  const listed = await gregor([
    'topic',
    'list',
    '--format',
    'json',
    ...sasl(running.port, `sasl.jaas.config=${OAUTH_MODULE} required unsecuredLoginStringClaim_sub="bob";`),
  ]);
  t.equal(listed.code, 0, listed.stderr);
  t.match(listed.stdout, /oauth-cli/);

  const noSource = await gregorBinary(['topic', 'list', ...sasl(running.port)]);
  t.equal(noSource.code, 2, 'a setting error');
  t.match(noSource.stderr, /OAUTHBEARER needs a token source/);
});

t.test('signed tokens from a file and from a client-credentials endpoint', { skip: CLI_SKIP }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'gregor-oauth-cli-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const jwksFile = join(dir, 'jwks.json');
  writeFileSync(jwksFile, JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256' }] }));
  const sign = (sub: string): Promise<string> =>
    new SignJWT({ aud: 'kafka', iss: 'https://issuer.test', sub })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(privateKey);
  const running = await brokerFor(t, {
    config: {
      listeners: 'SASL_PLAINTEXT://127.0.0.1:0',
      'sasl.enabled.mechanisms': 'OAUTHBEARER',
      'listener.name.sasl_plaintext.oauthbearer.sasl.jaas.config': `${OAUTH_MODULE} required;`,
      'listener.name.sasl_plaintext.oauthbearer.sasl.server.callback.handler.class':
        'org.apache.kafka.common.security.oauthbearer.OAuthBearerValidatorCallbackHandler',
      'sasl.oauthbearer.jwks.endpoint.url': pathToFileURL(jwksFile).href,
      'sasl.oauthbearer.expected.audience': 'kafka',
      'sasl.oauthbearer.expected.issuer': 'https://issuer.test',
    },
  });

  const tokenFile = join(dir, 'token.jwt');
  writeFileSync(tokenFile, `${await sign('svc-file')}\n`);
  const fromFile = await gregor([
    'topic',
    'create',
    'from-file',
    ...sasl(
      running.port,
      `sasl.oauthbearer.token.endpoint.url=${pathToFileURL(tokenFile).href}`,
      `sasl.jaas.config=${OAUTH_MODULE} required ;`,
    ),
  ]);
  t.equal(fromFile.code, 0, fromFile.stderr);

  const grants: string[] = [];
  const endpoint = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      grants.push(body);
      const expected = `Basic ${Buffer.from('orders:s3cret').toString('base64')}`;
      if (req.headers.authorization !== expected) {
        res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"invalid_client"}');
        return;
      }
      void sign('svc-orders').then((token) =>
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ access_token: token, token_type: 'Bearer', expires_in: 300 })),
      );
    });
  });
  endpoint.listen(0, '127.0.0.1');
  await once(endpoint, 'listening');
  t.teardown(() => endpoint.close());
  const url = `http://127.0.0.1:${(endpoint.address() as AddressInfo).port}/token`;

  const oidc = await gregor([
    'topic',
    'list',
    ...sasl(
      running.port,
      'sasl.oauthbearer.method=oidc',
      `sasl.oauthbearer.token.endpoint.url=${url}`,
      'sasl.oauthbearer.client.id=orders',
      'sasl.oauthbearer.client.secret=s3cret',
      'sasl.oauthbearer.scope=kafka',
    ),
  ]);
  t.equal(oidc.code, 0, oidc.stderr);
  t.match(oidc.stdout, /from-file/);
  t.match(grants[0], /grant_type=client_credentials/);
  t.match(grants[0], /scope=kafka/);

  const wrongSecret = await gregor([
    'topic',
    'list',
    ...sasl(
      running.port,
      `sasl.oauthbearer.token.endpoint.url=${url}`,
      `sasl.jaas.config=${OAUTH_MODULE} required clientId="orders" clientSecret="nope";`,
    ),
  ]);
  t.not(wrongSecret.code, 0);
  t.match(wrongSecret.stderr, /answered 401/);

  const unsecured = await gregor(['topic', 'list', ...sasl(running.port, 'sasl.oauthbearer.config=principal=mallory')]);
  t.not(unsecured.code, 0, 'an unsigned token is refused by a validating broker');
  t.match(unsecured.stderr, /invalid_token|SASL_AUTHENTICATION_FAILED|Authentication failed/);
});
