import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { startBroker } from '../../index.js';
import { brokerFor } from '../../../test/helpers/broker.js';
import { eventually } from '../../../test/helpers/in-process-cluster.js';
import { rawClient } from '../../../test/helpers/raw-client.js';
import { SaslHandshakeApi } from '../../../protocol/generated/messages/17-sasl-handshake.js';
import { SaslAuthenticateApi } from '../../../protocol/generated/messages/36-sasl-authenticate.js';
import { principalToString } from '../principal.js';

function unsecuredToken(claims: Record<string, unknown>): string {
  const part = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'none' })}.${part(claims)}.`;
}

/**
 * kafkajs takes the RFC 7628 error challenge (SaslAuthenticate with error code 0, as Kafka
 * sends it) for success; the broker then closes the connection on its next request.
 */
async function connectAndList(kafka: Kafka): Promise<void> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    await admin.listTopics();
  } finally {
    await admin.disconnect();
  }
}

const nowSeconds = (): number => Math.floor(Date.now() / 1000);

function oauthKafka(port: number, token: string): Kafka {
  return new Kafka({
    clientId: 'oauth-test',
    brokers: [`127.0.0.1:${port}`],
    sasl: { mechanism: 'oauthbearer', oauthBearerProvider: () => Promise.resolve({ value: token }) },
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
    connectionTimeout: 5000,
  });
}

t.test(
  'unsecured OAUTHBEARER (Kafka default validator): kafkajs authenticates as the sub claim; expired and malformed tokens refused',
  async (t) => {
    const running = await brokerFor(t, {
      config: {
        listeners: 'SASL_PLAINTEXT://127.0.0.1:0',
        'sasl.enabled.mechanisms': 'OAUTHBEARER',
        'listener.name.sasl_plaintext.oauthbearer.sasl.jaas.config':
          'org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required unsecuredLoginStringClaim_sub="admin";',
      },
    });
    const admin = oauthKafka(
      running.port,
      unsecuredToken({ sub: 'alice', exp: nowSeconds() + 600, iat: nowSeconds() }),
    ).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'oauth-unsecured' }], waitForLeaders: true });
    t.ok(
      running.broker.openConnections().some((c) => principalToString(c.principal) === 'User:alice'),
      'principal from sub',
    );
    await admin.disconnect();
    await t.rejects(
      connectAndList(oauthKafka(running.port, unsecuredToken({ sub: 'alice', exp: nowSeconds() - 60 }))),
      'an expired token',
    );

    // On the wire: the RFC 7628 error challenge, the client's ^A, then SASL_AUTHENTICATION_FAILED.
    const raw = await rawClient(running.port);
    t.equal((await raw.call(SaslHandshakeApi, 1, { mechanism: 'OAUTHBEARER' })).errorCode, 0);
    const challenge = await raw.call(SaslAuthenticateApi, 2, {
      authBytes: Buffer.from(`n,,\u0001auth=Bearer ${unsecuredToken({ exp: nowSeconds() + 60 })}\u0001\u0001`),
    });
    t.equal(challenge.errorCode, 0);
    t.equal(challenge.authBytes.toString(), '{"status":"invalid_token"}', 'no sub claim: invalid_token challenge');
    const failed = await raw.call(SaslAuthenticateApi, 2, { authBytes: Buffer.from([1]) });
    t.equal(failed.errorCode, 58);
    t.equal(failed.errorMessage, '{"status":"invalid_token"}');
    await raw.closed;

    const garbage = await rawClient(running.port);
    t.equal((await garbage.call(SaslHandshakeApi, 1, { mechanism: 'OAUTHBEARER' })).errorCode, 0);
    const bad = await garbage.call(SaslAuthenticateApi, 2, { authBytes: Buffer.from('not a gs2 message') });
    t.equal(bad.errorCode, 58);
    t.equal(
      bad.errorMessage,
      'Authentication failed during authentication due to invalid credentials with SASL mechanism OAUTHBEARER',
    );
    await garbage.closed;
  },
);

t.test(
  'signed OAUTHBEARER (KIP-768) against a JWKS file: audience, issuer, sub claim name; bad signature and alg none refused',
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'gregor-jwks-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const { publicKey, privateKey } = await generateKeyPair('RS256');
    const stranger = await generateKeyPair('RS256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    const jwksFile = join(dir, 'jwks.json');
    writeFileSync(jwksFile, JSON.stringify({ keys: [jwk] }));
    const running = await brokerFor(t, {
      config: {
        listeners: 'SASL_PLAINTEXT://127.0.0.1:0',
        'sasl.enabled.mechanisms': 'OAUTHBEARER',
        'listener.name.sasl_plaintext.oauthbearer.sasl.jaas.config':
          'org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required;',
        'listener.name.sasl_plaintext.oauthbearer.sasl.server.callback.handler.class':
          'org.apache.kafka.common.security.oauthbearer.OAuthBearerValidatorCallbackHandler',
        'sasl.oauthbearer.jwks.endpoint.url': pathToFileURL(jwksFile).href,
        'sasl.oauthbearer.expected.audience': 'kafka',
        'sasl.oauthbearer.expected.issuer': 'https://issuer.test',
        'sasl.oauthbearer.sub.claim.name': 'client_id',
      },
    });
    const sign = (claims: Record<string, unknown>, key = privateKey, kid = 'k1'): Promise<string> =>
      new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid }).setIssuedAt().setExpirationTime('5m').sign(key);
    const good = await sign({ aud: 'kafka', iss: 'https://issuer.test', client_id: 'svc-orders' });
    const admin = oauthKafka(running.port, good).admin();
    await admin.connect();
    await admin.listTopics();
    t.ok(
      running.broker.openConnections().some((c) => principalToString(c.principal) === 'User:svc-orders'),
      'principal from the configured claim',
    );
    await admin.disconnect();
    await t.rejects(
      connectAndList(
        oauthKafka(running.port, await sign({ aud: 'other', iss: 'https://issuer.test', client_id: 'x' })),
      ),
      'wrong audience',
    );
    await t.rejects(
      connectAndList(oauthKafka(running.port, await sign({ aud: 'kafka', iss: 'https://evil.test', client_id: 'x' }))),
      'wrong issuer',
    );
    await t.rejects(
      connectAndList(
        oauthKafka(
          running.port,
          await sign({ aud: 'kafka', iss: 'https://issuer.test', client_id: 'x' }, stranger.privateKey),
        ),
      ),
      'signed by another key',
    );
    await t.rejects(
      connectAndList(
        oauthKafka(
          running.port,
          unsecuredToken({ aud: 'kafka', iss: 'https://issuer.test', client_id: 'x', exp: nowSeconds() + 60 }),
        ),
      ),
      'alg none',
    );
    // Refused connections close after connection.failed.authentication.delay.ms (100 ms), as Kafka's.
    await eventually('the refused connections to close', 10_000, () =>
      running.broker.openConnections().every((c) => c.principal.name === 'svc-orders'),
    );
    t.pass('no refused client is connected');
  },
);

t.test('OAUTHBEARER settings that cannot be served refuse start-up', async (t) => {
  const base = {
    listeners: 'SASL_PLAINTEXT://127.0.0.1:0',
    'sasl.enabled.mechanisms': 'OAUTHBEARER',
    'listener.name.sasl_plaintext.oauthbearer.sasl.jaas.config':
      'org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required;',
  };
  await t.rejects(
    startBroker({ config: { ...base, 'sasl.oauthbearer.jwks.endpoint.url': 'http://insecure.test/jwks' } }),
    { message: /must be an https: or file: URL/ },
  );
  await t.rejects(
    startBroker({ config: { ...base, 'sasl.oauthbearer.jwks.endpoint.url': 'file:///nonexistent/jwks.json' } }),
    { message: /sasl.oauthbearer.jwks.endpoint.url/ },
  );
  await t.rejects(
    startBroker({
      config: {
        ...base,
        'listener.name.sasl_plaintext.oauthbearer.sasl.server.callback.handler.class':
          'org.apache.kafka.common.security.oauthbearer.OAuthBearerValidatorCallbackHandler',
      },
    }),
    { message: /needs sasl.oauthbearer.jwks.endpoint.url/ },
  );
});
